"""The GitHub Action (action.yml). GitHub cannot run here, so this checks its structure, that
every flag each step passes to govern exists in the real CLI's help, and runs the steps'
scripts for real in bash with GitHub's shell flags: check mode on the example project, diff
mode on a real git repository."""

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


def step(step_id: str) -> dict[str, Any]:
    (found,) = [s for s in STEPS if s.get("id") == step_id]
    return found


def flags_used(command: str) -> set[str]:
    """Flags the step running ``govern COMMAND`` passes: on its command lines and in its
    'args' array."""
    text = step(command)["run"]
    lines = [line for line in text.splitlines()
             if f"govern {command}" in line or "args=(" in line or "args+=(" in line]
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", "\n".join(lines)))


USED = sorted((command, flag) for command in ("check", "diff") for flag in flags_used(command))


def test_is_a_composite_action_with_the_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"mode", "manifest", "profile", "catalog", "fail-on", "python-version", "sarif-file",
            "version", "base-ref", "diff-file", "fail-on-change"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["manifest"]["default"] == "govern.yaml"
    assert ACTION["inputs"]["mode"]["default"] == "check"
    assert step("check")["if"] == "${{ inputs.mode != 'diff' }}"
    assert step("diff")["if"] == "${{ inputs.mode == 'diff' }}"
    assert {"exit-code", "diff-file", "decisions-changed"} <= set(ACTION["outputs"])


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


@pytest.mark.parametrize(("command", "flag"), USED)
def test_every_flag_used_exists(run_line: RunLine, command: str, flag: str) -> None:
    help_text = run_line([command, "--help"]).stdout
    assert re.search(rf"(?<![\w-]){re.escape(flag)}\b", help_text), flag


def test_the_flags_were_found() -> None:
    assert {"--manifest", "--fail-on", "--profile", "--catalog", "--as-of", "--format",
            "--report"} <= flags_used("check")
    assert {"--base-ref", "--profile", "--all-profiles", "--catalog", "--as-of", "--format",
            "--output", "--exit-code"} <= flags_used("diff")


def _run_step(step: dict[str, Any], cwd: Any, env: dict[str, str]) -> Any:
    """Run a composite step's script as GitHub does: bash --noprofile --norc -eo pipefail."""
    import os
    import subprocess
    import sys

    text = step["run"]
    assert "${{" not in text, "inputs must reach the script through env, not be pasted in"
    # `govern` as the action installs it: the one of the Python running these tests
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", text],
                          cwd=cwd, env={**os.environ, "PATH": path, **env}, capture_output=True,
                          text=True, check=False)


def test_the_check_and_fail_steps_run_for_real_in_bash(tmp_path: Any) -> None:
    """The two scripts that matter, run on the example project with GitHub's shell flags."""
    import json
    import shutil

    project = tmp_path / "repo"
    shutil.copytree(REPO / "examples" / "ci", project)
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    check = step("check")
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


def _git(repo: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(repo), "-c", "user.name=CI", "-c", "user.email=ci@example.com",
                    *args], check=True, capture_output=True, timeout=60)


def test_the_diff_step_runs_for_real_in_bash(tmp_path: Path) -> None:
    """A pull request letting source code go to CN hosts: the diff step writes the Markdown
    report for the PR comment and the summary, and fails only when asked to."""
    import shutil

    repo = tmp_path / "repo"
    profiles = repo / "catalog" / "profiles"
    profiles.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    shutil.copy(REPO / "profiles" / "eu-regulated-enterprise.yaml", profiles)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "team catalog")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD")  # as a PR checkout has it
    edited = profiles / "eu-regulated-enterprise.yaml"
    edited.write_text(edited.read_text().replace("[EU, US, GB]}", "[EU, US, GB, CN]}", 1))
    _git(repo, "commit", "-q", "-am", "source code may go to CN hosts")
    diff = step("diff")
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {"GOVERN_BASE_REF": "", "GITHUB_BASE_REF": "main", "GOVERN_PROFILE": "",
           "GOVERN_TEAM_CATALOG": "catalog", "GOVERN_AS_OF": "2026-11-23",
           "GOVERN_DIFF_FILE": "govern-diff.md", "GOVERN_FAIL_ON_CHANGE": "false",
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    done = _run_step(diff, repo, env)
    assert done.returncode == 0, done.stderr
    assert output.read_text() == ("exit-code=0\ndiff-file=govern-diff.md\n"
                                  "decisions-changed=true\n")
    report = (repo / "govern-diff.md").read_text()
    assert report.startswith("## govern diff: ") and "+CN" in report
    assert "| 🔓 more permissive | eu-regulated-enterprise | glm-5.2 |" in report
    assert summary.read_text() == report
    output.unlink()
    assert _run_step(diff, repo, {**env, "GOVERN_FAIL_ON_CHANGE": "true"}).returncode == 0
    assert output.read_text().startswith("exit-code=1\n")
    output.unlink()
    missing = _run_step(diff, repo, {**env, "GITHUB_BASE_REF": ""})
    assert "::error::diff mode needs base-ref" in missing.stdout
    assert output.read_text() == "exit-code=2\n"
    failed = _run_step(STEPS[-1], repo, {"GOVERN_EXIT": "1", "GOVERN_MODE": "diff"})
    assert failed.returncode == 1 and "govern diff exited 1" in failed.stdout


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
