"""The README's "See what your edit changes" and docs/matrix-and-diff.md show what govern
really prints, document every flag and format, and the pull-request workflow they describe
uses the action as it is."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from govern.cli import diff, matrix
from govern.formats import DIFF_FORMATS, MATRIX_FORMATS
from govern.loading.catalog import DEFAULT_PROFILE, bundled_root
from tests.support import REPO, RunLine

README = (REPO / "README.md").read_text()
DOC = (REPO / "docs" / "matrix-and-diff.md").read_text()
WORKFLOW = REPO / "examples" / "ci" / "policy-diff.yml"
SOURCE_CODE = "  source_code:        {host_jurisdictions: [EU, US, GB]}"


def fenced(text: str, after: str, language: str) -> str:
    """The first ```language block after the text ``after``."""
    start = text.index(f"```{language}\n", text.index(after)) + len(language) + 4
    return text[start:text.index("```", start)]


def shown_output(text: str, command: str) -> str:
    """What a console block shows after ``$ command``: up to the next prompt or the block's
    end."""
    start = text.index(f"$ {command}\n") + len(command) + 3
    ends = [i for i in (text.find("\n$ ", start), text.find("\n```", start)) if i >= 0]
    return text[start:min(ends) + 1]


def run_shown(run_line: RunLine, text: str, command: str) -> None:
    result = run_line(command.split()[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == shown_output(text, command)


@pytest.fixture
def team_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The README's scenario: my-catalog-before/ holds the EU profile as bundled, my-catalog/
    the same profile letting source code go to CN hosts."""
    monkeypatch.chdir(tmp_path)
    before = tmp_path / "my-catalog-before" / "profiles"
    before.mkdir(parents=True)
    shutil.copy(bundled_root() / "profiles" / f"{DEFAULT_PROFILE}.yaml", before)
    shutil.copytree(tmp_path / "my-catalog-before", tmp_path / "my-catalog")
    edited = tmp_path / "my-catalog" / "profiles" / f"{DEFAULT_PROFILE}.yaml"
    text = edited.read_text()
    assert SOURCE_CODE in text
    edited.write_text(text.replace(SOURCE_CODE, SOURCE_CODE.replace("GB]", "GB, CN]")))
    return tmp_path


def test_readme_matrix_is_real_output(run_line: RunLine) -> None:
    run_shown(run_line, README, "govern matrix --as-of 2026-11-23 --models glm-5.2,gpt-5.5,"
              "claude-opus-4.8,claude-fable-5 --tasks refactoring,software-development,"
              "knowledge-work,compliance")


def test_readme_diff_is_real_output(team_edit: Path, run_line: RunLine) -> None:
    assert "`source_code: {host_jurisdictions: [EU, US, GB, CN]}`" in README
    run_shown(run_line, README,
              "govern diff --base my-catalog-before --catalog my-catalog --as-of 2026-11-23")


def test_the_doc_examples_are_real_output(team_edit: Path, run_line: RunLine) -> None:
    run_shown(run_line, DOC, "govern matrix --as-of 2026-11-23 --models glm-5.2 --tasks "
              "refactoring,compliance --all-profiles --format csv")
    run_shown(run_line, DOC, "govern matrix --as-of 2026-11-23 --models glm-5.2,gpt-5.5 "
              "--tasks refactoring,compliance --format markdown")
    shown = fenced(DOC, "message-only changes folded away", "markdown")
    real = run_line(["diff", "--base", "my-catalog-before", "--catalog", "my-catalog",
                     "--as-of", "2026-11-23", "--format", "markdown"]).stdout
    assert real == shown


@pytest.mark.parametrize("command", [matrix, diff], ids=["matrix", "diff"])
def test_every_flag_is_documented(command) -> None:  # type: ignore[no-untyped-def]
    flags = [o for p in command.params for o in p.opts if o.startswith("--") and o != "--help"]
    assert flags
    section = DOC[DOC.index(f"## `govern {command.name}`"):]
    for flag in flags:
        assert re.search(rf"`{re.escape(flag)}\b", section), flag


def test_every_format_is_documented() -> None:
    matrix_part = DOC[DOC.index("## `govern matrix`"):DOC.index("## `govern diff`")]
    diff_part = DOC[DOC.index("## `govern diff`"):DOC.index("## Impact replay")]
    for name in MATRIX_FORMATS:
        assert f"**{name}**" in matrix_part, name
    for name in DIFF_FORMATS:
        assert f"**{name}**" in diff_part, name


def test_the_workflow_posts_the_action_s_diff_on_pull_requests() -> None:
    text = WORKFLOW.read_text()
    assert fenced(DOC, "posts\nthe report as a comment", "yaml") == text
    workflow = yaml.safe_load(text)
    assert workflow["permissions"]["pull-requests"] == "write"
    assert workflow[True]["pull_request"]["paths"]  # `on:` reads as True in YAML 1.1
    steps = workflow["jobs"]["diff"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0  # the base revision must be in the clone
    govern = next(s for s in steps if s.get("uses", "").startswith("OWNER/govern@"))
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert govern["with"]["mode"] == "diff" and set(govern["with"]) <= set(action["inputs"])
    comment = steps[-1]
    assert "steps.govern.outputs.diff-file" in comment["env"]["REPORT"]
    assert "diff-file" in action["outputs"] and "gh pr comment" in comment["run"]
