"""The GitHub Action (action.yml). GitHub cannot run here, so this checks its structure and
that every ``govern check`` flag it uses exists in the real CLI's help."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from conftest import REPO, RunLine

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
    assert "--format sarif --output" in text
    assert "--format markdown >> \"$GITHUB_STEP_SUMMARY\"" in text
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
            "--output"} <= flags_used()
