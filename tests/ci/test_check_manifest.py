"""The usage manifest: strict loading, located errors, ids resolved with suggestions."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from tests.support import AS_OF, PASSING, RunLine, line_of, waiver, write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(run_line: RunLine, *args: str) -> object:
    return run_line(["check", "--as-of", AS_OF.isoformat(), *args])


def test_valid_manifest_is_checked(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", PASSING)
    result = check(run_line)
    assert result.exit_code == 0, result.output
    assert "PASS  govern.yaml:3" in result.stdout


def test_missing_manifest_exits_2(project: Path, run_line: RunLine) -> None:
    result = check(run_line)
    assert result.exit_code == 2
    assert "govern.yaml: -: manifest not found" in result.stderr


def test_unknown_key_names_file_line_and_suggests(project: Path, run_line: RunLine) -> None:
    text = write(project / "govern.yaml", """\
        uses:
          - model: glm-5.2
            tasks: [refactoring]
            deploymnet: self-host
        """).read_text()
    result = check(run_line)
    assert result.exit_code == 2
    line = line_of(text, "deploymnet")
    assert (f"govern.yaml:{line}:5: uses[0].deploymnet: unknown key (did you mean "
            f"'deployment'?)") in result.stderr
    assert "govern.yaml:2:5: uses[0].deployment: missing required key" in result.stderr


def test_duplicate_key_is_refused(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", """\
        uses:
          - model: glm-5.2
            tasks: [refactoring]
            deployment: self-host
            model: gpt-5.5
        """)
    result = check(run_line)
    assert result.exit_code == 2
    assert "govern.yaml:5:5: uses[0].model: duplicate key (first defined at line 2)" in \
        result.stderr


def test_wrong_types_and_empty_tasks(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", """\
        uses:
          - model: glm-5.2
            tasks: []
            deployment: on-prem
        """)
    result = check(run_line)
    assert result.exit_code == 2
    assert "govern.yaml:3:" in result.stderr and "uses[0].tasks:" in result.stderr
    assert "govern.yaml:4:" in result.stderr and "uses[0].deployment:" in result.stderr


def test_provider_only_for_api(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", """\
        uses:
          - model: glm-5.2
            tasks: [refactoring]
            deployment: self-host
            provider: Z.ai
        """)
    result = check(run_line)
    assert result.exit_code == 2
    assert "'provider' is only for 'deployment: api'" in result.stderr


def test_unknown_ids_are_located_with_suggestions(project: Path, run_line: RunLine) -> None:
    text = write(project / "govern.yaml", """\
        profile: eu-regulated-enterprize
        uses:
          - model: glm-5.2
            tasks: [refactoring]
            deployment: self-host
          - model: glm-5.3
            tasks: [refactoring, refactorng]
            deployment: self-host
        """).read_text()
    result = check(run_line)
    assert result.exit_code == 2
    err = result.stderr
    assert ("govern.yaml:1:1: profile: unknown profile 'eu-regulated-enterprize' "
            "(did you mean 'eu-regulated-enterprise'?)") in err
    model_line = line_of(text, "glm-5.3")
    assert (f"govern.yaml:{model_line}:5: uses[1].model: unknown model card 'glm-5.3' "
            f"(did you mean 'glm-5.2'?)") in err
    assert (f"govern.yaml:{model_line + 1}:26: uses[1].tasks[1]: unknown task 'refactorng' "
            f"(did you mean 'refactoring'?)") in err
    assert result.stdout == ""


def test_profile_flag_overrides_manifest(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", """\
        profile: eu-regulated-enterprise
        uses:
          - model: glm-5.2
            tasks: [refactoring]
            deployment: api
            provider: Z.ai
        """)
    assert check(run_line).exit_code == 1
    result = check(run_line, "--profile", "cost-sensitive-startup")
    assert result.exit_code == 0, result.output
    assert "profile cost-sensitive-startup" in result.stdout
    bad = check(run_line, "--profile", "nope")
    assert bad.exit_code == 2 and "--profile: unknown profile 'nope'" in bad.stderr


def test_manifest_path_option(project: Path, run_line: RunLine) -> None:
    write(project / "ci" / "models.yaml", PASSING)
    result = check(run_line, "--manifest", "ci/models.yaml", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["manifest"] == "ci/models.yaml"


def test_schema_manifest_is_printed(run_line: RunLine) -> None:
    result = run_line(["schema", "manifest"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["required"] == ["uses"]
    use = schema["$defs"]["ManifestUse"]
    assert use["properties"]["deployment"]["enum"] == ["api", "self-host"]
    assert use["additionalProperties"] is False


@pytest.mark.parametrize("missing", ["owner", "reason", "expires"])
def test_waiver_without_owner_reason_or_expiry_is_refused(project: Path, run_line: RunLine,
                                                          missing: str) -> None:
    path = waiver(project, "pilot", "jurisdiction.data-class-not-permitted-at-host",
                  "2027-01-01", model="glm-5.2")
    kept = [line for line in path.read_text().splitlines() if not line.startswith(missing)]
    path.write_text("\n".join(kept) + "\n")
    write(project / "govern.yaml", "catalog: [catalog]\n" + dedent(PASSING))
    result = check(run_line)
    assert result.exit_code == 2, result.output
    assert f"catalog/waivers/pilot.yaml:1:1: {missing}: missing required key" in result.stderr


def test_missing_catalog_dir_is_an_input_error(project: Path, run_line: RunLine) -> None:
    write(project / "govern.yaml", "catalog: [nowhere]\n" + dedent(PASSING))
    result = check(run_line)
    assert result.exit_code == 2
    assert "nowhere: -: catalog directory not found" in result.stderr
