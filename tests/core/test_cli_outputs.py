"""What a user sees: text and JSON decisions, exit codes, listings, schemas, catalog layering."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from govern.loading.yaml_source import read_yaml_file
from govern.schemas import SCHEMA_KINDS, SHIPPED_SCHEMAS, schema_text
from tests.support import REPO, RunLine

GLM = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", "2026-11-23"]


def test_json_decision_follows_the_contract(run_line: RunLine) -> None:
    result = run_line([*GLM, "--format", "json"])
    doc = json.loads(result.stdout)
    assert list(doc) == ["model", "task", "profile", "as_of", "recommendation", "options",
                         "waivers", "policy_set_digest"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", doc["policy_set_digest"])
    for option in doc["options"]:
        assert {"deployment", "provider", "verdict", "findings", "obligations"} <= set(option)
        assert option["deployment"] in ("api", "self-host")
        assert (option["provider"] is None) == (option["deployment"] == "self-host")
        for finding in option["findings"]:
            assert {"rule", "policy", "effect", "severity", "message"} <= set(finding)


def test_json_is_byte_identical_across_runs_and_processes(tmp_path: Path) -> None:
    """Two separate processes (different hash seeds) must print the same bytes."""
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "govern", *GLM, "--format", "json"],
                              cwd=tmp_path, env=env, capture_output=True, check=True)
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].endswith(b"}\n")


def test_as_of_changes_the_decision_date_and_nothing_is_read_from_the_clock(
        run_line: RunLine) -> None:
    a = json.loads(run_line([*GLM, "--format", "json"]).stdout)
    b = json.loads(run_line([*GLM[:-1], "2026-12-01", "--format", "json"]).stdout)
    assert (a["as_of"], b["as_of"]) == ("2026-11-23", "2026-12-01")
    assert a["options"] == b["options"]


def test_text_output_is_short_aligned_and_uncoloured_when_piped(run_line: RunLine) -> None:
    out = run_line(GLM).stdout
    lines = out.splitlines()
    assert lines[0] == ("glm-5.2 for refactoring  (profile eu-regulated-enterprise, "
                        "as of 2026-11-23)")
    assert lines[1] == "recommendation: self-host"
    assert "\033[" not in out
    assert re.search(r"^  denied +api via Z\.ai$", out, re.MULTILINE)
    assert re.search(r"^  allowed +self-host  <- recommended$", out, re.MULTILINE)
    assert re.search(r"^    deny +high +jurisdiction\.data-class-not-permitted-at-host$", out,
                     re.MULTILINE)
    assert "    obligations: model-security-assessment" in lines
    assert lines[-1].startswith("policy set sha256:")


def _run_in_terminal(args: list[str]) -> bytes:
    """Run govern on a real pseudo-terminal, as a person at a terminal would."""
    main_fd, child_fd = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "govern", *args], stdout=child_fd,
                            stderr=child_fd, stdin=child_fd, cwd=REPO)
    os.close(child_fd)
    chunks = []
    while True:
        ready, _, _ = select.select([main_fd], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(main_fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(main_fd)
    return b"".join(chunks)


def test_colour_only_on_a_terminal() -> None:
    out = _run_in_terminal(GLM)
    assert b"\033[32mself-host\033[0m" in out  # the recommendation, in green
    assert b"\033[31mdeny" in out


@pytest.mark.parametrize(("model", "task", "code"), [
    ("glm-5.2", "refactoring", 0),         # self-host
    ("gpt-5.5", "knowledge-work", 0),      # api
    ("claude-fable-5", "refactoring", 1),  # disallow
])
def test_exit_code_follows_the_recommendation(run_line: RunLine, model: str, task: str,
                                              code: int) -> None:
    result = run_line(["evaluate", "--model", model, "--task", task, "--as-of", "2026-11-23"])
    assert result.exit_code == code


def test_text_shows_a_model_with_no_way_to_obtain_it(tmp_path: Path, run_line: RunLine) -> None:
    (tmp_path / "model_cards").mkdir()
    (tmp_path / "model_cards" / "closed.yaml").write_text(
        "id: closed\nname: Closed\nvendor: {name: V, jurisdiction: US}\nopen_weights: false\n"
        "as_of: '2026-11-01'\nsources: [{publication: P}]\n")
    result = run_line(["evaluate", "--catalog", str(tmp_path), "--model", "closed",
                       "--task", "knowledge-work", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert "recommendation: disallow" in result.stdout
    assert "no known way to obtain this model" in result.stdout


@pytest.mark.parametrize(("what", "first_column"), [
    ("models", "glm-5.2"), ("tasks", "refactoring"), ("profiles", "eu-regulated-enterprise"),
    ("policies", "licence"), ("rules", "revocation.access-suspended"),
    ("facts", "model.license"),
])
def test_list_shows_one_aligned_line_per_record(run_line: RunLine, catalog, what: str,  # type: ignore[no-untyped-def]
                                                first_column: str) -> None:
    result = run_line(["list", what])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    firsts = [line.split()[0] for line in lines]
    assert first_column in firsts
    expected = {"models": len(catalog.models), "tasks": len(catalog.tasks),
                "profiles": len(catalog.profiles), "policies": len(catalog.policies),
                "rules": len(catalog.policy_set.rules)}.get(what)
    if expected is not None:
        assert len(lines) == expected
        # the second column starts at the same place on every line
        starts = {len(line) - len(line[len(line.split()[0]):].lstrip()) for line in lines}
        assert len(starts) == 1


def test_list_models_reads_unknowns_as_unknown(run_line: RunLine) -> None:
    (line,) = [ln for ln in run_line(["list", "models"]).stdout.splitlines()
               if ln.startswith("glm-5.1 ")]
    assert "licence unknown" in line and "openness unknown" in line


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_schema_command_prints_a_valid_json_schema_equal_to_the_shipped_file(
        run_line: RunLine, kind: str) -> None:
    printed = run_line(["schema", kind]).stdout
    schema = json.loads(printed)
    jsonschema.Draft202012Validator.check_schema(schema)
    shipped = SHIPPED_SCHEMAS / f"{kind}.schema.json"
    assert shipped.read_text() == printed == schema_text(kind), (
        "run 'python -m govern.schemas' to regenerate the shipped schemas")


@pytest.mark.parametrize(("kind", "folder"), [("model_card", "model_cards"), ("task", "tasks"),
                                              ("profile", "profiles"), ("policy", "policies")])
def test_schemas_accept_every_bundled_record_and_refuse_a_typo(kind: str, folder: str) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_text(kind)))
    files = sorted((REPO / folder).glob("*.yaml"))
    assert files
    for path in files:
        data = read_yaml_file(path).data
        assert not list(validator.iter_errors(data)), path
        data["efect"] = "deny"
        assert list(validator.iter_errors(data)), f"{path}: typo not caught by the schema"


def test_policy_schema_completes_fact_paths_and_operators() -> None:
    text = schema_text("policy")
    assert '"model.revocation.government_can_revoke"' in text
    assert '"older_than_days"' in text


def _team_catalog(tmp_path: Path) -> Path:
    team = tmp_path / "team"
    (team / "policies").mkdir(parents=True)
    (team / "model_cards").mkdir()
    # replace: the bundled capacity policy, made stricter (a team-owned version of one file)
    capacity = (REPO / "policies" / "self-host-capacity.yaml").read_text()
    (team / "policies" / "self-host-capacity.yaml").write_text(
        capacity.replace("gt: 0", "gt: -600"))
    # extend: a model the bundled catalog does not have
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text().replace("id: glm-5.2",
                                                                       "id: glm-5.2-internal")
    (team / "model_cards" / "glm-5.2-internal.yaml").write_text(card)
    return team


def test_team_catalog_replaces_same_id_and_extends_with_new_ids(tmp_path: Path,
                                                                run_line: RunLine) -> None:
    team = _team_catalog(tmp_path)
    models = run_line(["list", "models", "--catalog", str(team)]).stdout
    assert "glm-5.2-internal" in models and "claude-fable-5" in models  # extended, kept
    policies = run_line(["list", "policies", "--catalog", str(team)]).stdout.splitlines()
    assert len([p for p in policies if p.startswith("self-host-capacity ")]) == 1  # replaced
    # With at least 600 GB of headroom required, 753 of 1280 GB no longer fits.
    result = run_line([*GLM, "--catalog", str(team), "--format", "json"])
    decision = json.loads(result.stdout)
    assert decision["recommendation"] == "disallow" and result.exit_code == 1
    bundled = json.loads(run_line([*GLM, "--format", "json"]).stdout)
    assert decision["policy_set_digest"] != bundled["policy_set_digest"]


def test_team_catalog_from_the_environment_variable(tmp_path: Path, run_line: RunLine) -> None:
    team = _team_catalog(tmp_path)
    result = run_line(["list", "models"], env={"GOVERN_CATALOG": str(team)})
    assert "glm-5.2-internal" in result.stdout


def test_validate_bundled_catalog_and_a_team_catalog(tmp_path: Path, run_line: RunLine) -> None:
    result = run_line(["validate"])
    assert result.exit_code == 0 and result.stdout.startswith("ok: ")
    team = _team_catalog(tmp_path)
    assert run_line(["validate", str(team)]).stdout == "ok: 2 file(s) valid\n"
    single = team / "policies" / "self-host-capacity.yaml"
    assert run_line(["validate", str(single)]).exit_code == 0


def test_wheel_installs_one_package_named_govern(tmp_path: Path) -> None:
    """A wheel in a fresh venv: only ``govern`` is importable (no top-level ``engine`` or ``cli``
    to clash with other packages), the command and ``python -m govern`` work from another
    directory, and the bundled catalog comes with it."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(REPO),
                    "-w", str(wheel_dir)], check=True, capture_output=True)
    (wheel,) = wheel_dir.glob("govern-*.whl")
    venv = tmp_path / "venv"
    # A venv of its own (not --system-site-packages, which would bring this checkout's
    # editable install along): the dependencies come from the package index, as for a user.
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python, govern = venv / "bin" / "python", venv / "bin" / "govern"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GOVERN_CATALOG")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, cwd=elsewhere, env=env, capture_output=True, text=True,
                              check=False)

    for name in ("engine", "cli"):
        done = run(str(python), "-c", f"import {name}")
        assert done.returncode == 1 and "ModuleNotFoundError" in done.stderr, name
    where = run(str(python), "-c", "import govern, govern.cli; print(govern.__file__)")
    assert str(venv) in where.stdout, "the installed copy, not the checkout, must run"
    version = run(str(govern), "--version")
    assert version.returncode == 0 and version.stdout.startswith("govern, version ")
    for command in ([str(govern)], [str(python), "-m", "govern"]):
        done = run(*command, *GLM)
        assert done.returncode == 0, done.stderr
        assert "recommendation: self-host" in done.stdout
