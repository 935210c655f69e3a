"""``govern matrix``: every cell of the chosen profiles, models and tasks, in every format,
agreeing with ``govern evaluate``. Regenerate the golden files after an intended change with

    GOVERN_UPDATE_GOLDEN=1 python -m pytest tests/matrix/test_matrix_cli.py

and review the diff: it is what users will see.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from govern.formats import MATRIX_FORMATS
from govern.loading.catalog import DEFAULT_PROFILE, Catalog
from tests.core.test_cli_outputs import _run_in_terminal
from tests.support import AS_OF, REPO, RunLine

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {"text": "txt", "csv": "csv", "markdown": "md", "json": "json", "jsonl": "jsonl",
              "html": "html"}
DATE = AS_OF.isoformat()


def _matrix(run_line: RunLine, *args: str) -> str:
    result = run_line(["matrix", "--as-of", DATE, *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("format_name", sorted(MATRIX_FORMATS))
def test_output_matches_the_golden_file(run_line: RunLine, format_name: str) -> None:
    args = ["--all-profiles", "--format", format_name]
    if format_name in ("json", "jsonl", "html"):  # every decision in full: a smaller slice
        args += ["--models", "glm-5.2,claude-opus-4.8", "--tasks", "refactoring,compliance"]
    out = _matrix(run_line, *args)
    path = GOLDEN / f"bundled.{EXTENSIONS[format_name]}"
    if os.environ.get("GOVERN_UPDATE_GOLDEN"):
        path.write_text(out)
    assert path.exists(), f"no golden file {path.name}: run with GOVERN_UPDATE_GOLDEN=1"
    assert out == path.read_text()


def test_every_csv_row_is_what_evaluate_decides(run_line: RunLine, catalog: Catalog) -> None:
    rows = list(csv.DictReader(io.StringIO(_matrix(run_line, "--all-profiles",
                                                   "--format", "csv"))))
    assert len(rows) == len(catalog.models) * len(catalog.tasks) * len(catalog.profiles)
    for row in rows[::7]:  # a spread of cells through the CLI; every cell is in tests/matrix
        result = run_line(["evaluate", "--model", row["model"], "--task", row["task"],
                           "--profile", row["profile"], "--as-of", DATE, "--format", "json"])
        decision = json.loads(result.stdout)
        assert row["recommendation"] == decision["recommendation"]
        allowed = [o for o in decision["options"] if o["verdict"] == "allowed"]
        labels = [f"api via {o['provider']}" if o["provider"] else o["deployment"]
                  for o in allowed]
        assert row["allowed_options"] == "; ".join(labels)
        denies = dict.fromkeys(f["rule"] for o in decision["options"] for f in o["findings"]
                               if f["effect"] == "deny" and f["waiver"] is None)
        assert row["deny_rules"] == "; ".join(denies)


def test_json_holds_each_cell_as_evaluate_prints_it(run_line: RunLine) -> None:
    document = json.loads(_matrix(run_line, "--format", "json", "--models", "glm-5.2",
                                  "--tasks", "refactoring,knowledge-work"))
    assert document["profiles"] == [DEFAULT_PROFILE]
    assert [c["task"] for c in document["cells"]] == ["refactoring", "knowledge-work"]
    for cell in document["cells"]:
        shown = run_line(["evaluate", "--model", cell["model"], "--task", cell["task"],
                          "--as-of", DATE, "--format", "json"]).stdout
        assert json.loads(shown) == cell


def test_jsonl_is_one_decision_per_line_in_json_order(run_line: RunLine) -> None:
    args = ["--all-profiles", "--models", "glm-5.2,gpt-5.5", "--tasks", "refactoring"]
    lines = _matrix(run_line, *args, "--format", "jsonl").splitlines()
    cells = json.loads(_matrix(run_line, *args, "--format", "json"))["cells"]
    assert [json.loads(line) for line in lines] == cells and len(lines) == 6


def test_the_same_inputs_give_the_same_bytes(run_line: RunLine) -> None:
    args = ["--all-profiles", "--format", "json", "--models", "glm-5.2"]
    assert _matrix(run_line, *args) == _matrix(run_line, *args)


def test_text_is_a_grid_with_a_legend(run_line: RunLine, catalog: Catalog) -> None:
    out = _matrix(run_line)
    lines = out.splitlines()
    assert lines[2] == f"profile {DEFAULT_PROFILE}"
    header = lines[3].split()
    assert len(header) == len(catalog.tasks) and "refacto" in header
    glm = next(line.split() for line in lines if line.startswith("glm-5.2 "))
    assert glm[0] == "glm-5.2" and glm[1 + header.index("refacto")] == "self"
    assert "legend: api = use a provider's API; self = self-host; no = disallow" in out
    assert "refacto = refactoring" in out and "\033[" not in out


def test_colour_only_on_a_terminal() -> None:
    out = _run_in_terminal(["matrix", "--as-of", DATE, "--models", "glm-5.2"])
    assert b"\033[32mself\033[0m" in out and b"\033[31mno\033[0m" in out


def test_output_file_gets_the_report_and_stdout_nothing(tmp_path: Path,
                                                        run_line: RunLine) -> None:
    target = tmp_path / "matrix.csv"
    result = run_line(["matrix", "--as-of", DATE, "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text() == _matrix(run_line, "--format", "csv")
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.csv"]  # no partial file left


def test_an_unwritable_output_is_bad_input(tmp_path: Path, run_line: RunLine) -> None:
    result = run_line(["matrix", "--as-of", DATE, "-o", str(tmp_path / "no" / "such.txt")])
    assert result.exit_code == 2 and "--output" in result.stderr


def test_every_unknown_id_is_named_with_a_suggestion(run_line: RunLine) -> None:
    result = run_line(["matrix", "--models", "glm-5.3,gpt-5.5", "--tasks", "refactorin",
                       "--profile", "us-enterprize"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        ("error: --profile: unknown profile 'us-enterprize' (did you mean 'us-enterprise'?); "
        "'govern list profiles' shows them"),
        ("error: --models: unknown model card 'glm-5.3' (did you mean 'glm-5.2'?); "
        "'govern list models' shows them"),
        ("error: --tasks: unknown task 'refactorin' (did you mean 'refactoring'?); "
        "'govern list tasks' shows them")]


def test_a_disallowed_matrix_still_exits_0(run_line: RunLine) -> None:
    result = run_line(["matrix", "--as-of", DATE, "--models", "claude-fable-5"])
    assert result.exit_code == 0 and "no       no" in result.stdout


def test_a_waived_recommendation_is_marked(run_line: RunLine) -> None:
    from tests.support import REPO

    out = _matrix(run_line, "--catalog", str(REPO / "examples" / "ci" / "catalog"),
                  "--models", "claude-opus-4.8", "--tasks", "refactoring,compliance")
    row = next(line for line in out.splitlines() if line.startswith("claude-opus-4.8"))
    assert row.split()[1:] == ["api*", "no"]


def test_color_flag_and_no_color_rule_the_grid() -> None:
    """--color always colours even through a pipe; NO_COLOR turns auto off on a terminal."""
    env = {**os.environ, "NO_COLOR": "1"}
    piped = subprocess.run([sys.executable, "-m", "govern", "matrix", "--as-of", DATE,
                            "--models", "glm-5.2", "--color", "always"], env=env,
                           capture_output=True, check=True).stdout
    assert b"\033[32mself\033[0m" in piped
    never = subprocess.run([sys.executable, "-m", "govern", "diff", "--base",
                            str(REPO / "engine" / "_bundled"),
                            "--as-of", DATE, "--color", "never"], capture_output=True,
                           check=True).stdout
    assert b"\033[" not in never
