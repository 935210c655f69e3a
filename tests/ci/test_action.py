"""The GitHub Action (action.yml). GitHub cannot run here, so this checks its structure and
that every ``govern check`` flag it uses exists in the real CLI's help."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support import REPO, RunLine

ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]


def script() -> str:
    return "\n".join(step.get("run", "") for step in STEPS)


def flags_used() -> set[str]:
    """Flags passed to govern check: on its command lines and in the 'args' array."""
    text = script()
    lines = [line for line in text.splitlines()
             if "govern check" in line or "args=(" in line or "args+=(" in line]
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", "\n".join(lines)))


def test_is_a_composite_action_with_the_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"manifest", "profile", "catalog", "fail-on", "python-version", "sarif-file",
            "version"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["manifest"]["default"] == "govern.yaml"


def test_steps_install_run_upload_and_fail() -> None:
    uses = [step.get("uses", "") for step in STEPS]
    assert uses[0].startswith("actions/setup-python@")
    install = STEPS[1]["run"]
    assert "pip install" in install and "${{ github.action_path }}" in install
    text = script()
    # One govern check decides; the other formats are reports of that same run.
    assert len(re.findall(r"^\s*govern check ", text, re.MULTILINE)) == 1
    assert '--report sarif="$GOVERN_SARIF"' in text and "--report markdown=" in text
    upload = next(step for step in STEPS if step.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    last = STEPS[-1]
    assert "always()" in last["if"] and 'exit "$GOVERN_EXIT"' in last["run"]


def test_inputs_reach_the_script_through_the_environment() -> None:
    # ${{ inputs.* }} pasted into a script is a shell-injection hole; env vars are not.
    for step in STEPS:
        assert "${{ inputs." not in step.get("run", ""), step.get("name")


@pytest.mark.parametrize("flag", sorted(flags_used()))
def test_every_flag_used_exists(run_line: RunLine, flag: str) -> None:
    help_text = run_line(["check", "--help"]).stdout
    assert re.search(rf"(?<![\w-]){re.escape(flag)}\b", help_text), flag


def test_the_flags_were_found() -> None:
    assert {"--manifest", "--fail-on", "--profile", "--catalog", "--as-of", "--format",
            "--report"} <= flags_used()


def _run_step(step: dict[str, Any], cwd: Any, env: dict[str, str]) -> Any:
    """Run a composite step's script as GitHub does: bash --noprofile --norc -eo pipefail."""
    import os
    import subprocess

    text = step["run"]
    assert "${{" not in text, "inputs must reach the script through env, not be pasted in"
    import sys

    # The govern installed next to this Python (the tree under test), as the action's pip
    # install puts it first on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", text],
                          cwd=cwd, env={**os.environ, "PATH": path, **env}, capture_output=True, text=True,
                          check=False)


def test_the_check_and_fail_steps_run_for_real_in_bash(tmp_path: Any) -> None:
    """The two scripts that matter, run on the example project with GitHub's shell flags."""
    import json
    import shutil

    project = tmp_path / "repo"
    shutil.copytree(REPO / "examples" / "ci", project)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    (check,) = [s for s in STEPS if s.get("id") == "check"]
    env = {"GOVERN_MANIFEST": "govern.yaml", "GOVERN_PROFILE": "", "GOVERN_TEAM_CATALOG": "",
           "GOVERN_FAIL_ON": "deny", "GOVERN_AS_OF": "2026-11-23", "GOVERN_SARIF": "govern.sarif",
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    done = _run_step(check, project, env)
    assert done.returncode == 0, done.stderr  # the step records the code; a later step fails
    assert output.read_text() == "exit-code=1\ncategory=govern:govern.yaml\n"
    assert "::error file=govern.yaml,line=10" in done.stdout
    assert summary.read_text().startswith("## govern check")
    sarif = json.loads((project / "govern.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]

    fail_step = STEPS[-1]
    failed = _run_step(fail_step, project, {"GOVERN_EXIT": "1"})
    assert failed.returncode == 1 and "govern check exited 1" in failed.stdout
    assert _run_step(fail_step, project, {"GOVERN_EXIT": "0"}).returncode == 0
    assert _run_step(fail_step, project, {"GOVERN_EXIT": ""}).returncode == 3


def test_two_manifests_upload_under_two_categories(tmp_path: Any) -> None:
    """Code scanning replaces an analysis of the same category: one per manifest path."""
    import shutil

    (check,) = [s for s in STEPS if s.get("id") == "check"]
    categories = []
    for manifest in ("govern.yaml", "services/api/govern.yaml"):
        project = tmp_path / manifest.replace("/", "_").replace(".", "_")
        shutil.copytree(REPO / "examples" / "ci", project)
        if manifest != "govern.yaml":
            (project / manifest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(project / "govern.yaml", project / manifest)
        output = tmp_path / f"{project.name}.out"
        env = {"GOVERN_MANIFEST": manifest, "GOVERN_PROFILE": "", "GOVERN_FAIL_ON": "deny",
               "GOVERN_TEAM_CATALOG": str(project / "catalog"), "GOVERN_AS_OF": "2026-11-23",
               "GOVERN_SARIF": "govern.sarif", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md"),
               "GITHUB_OUTPUT": str(output)}
        assert _run_step(check, project, env).returncode == 0
        categories += [line for line in output.read_text().splitlines()
                       if line.startswith("category=")]
    assert categories == ["category=govern:govern.yaml",
                          "category=govern:services/api/govern.yaml"]
    upload = next(s for s in STEPS if "upload-sarif" in str(s.get("uses")))
    assert upload["with"]["category"] == "${{ steps.check.outputs.category }}"
