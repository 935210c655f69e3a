"""govern at a terminal: colour as https://no-color.org and --color ask, `list --format json`,
and shell completion through click's real completion protocol (the environment variable a
completion script sets), each run as a separate process like a shell runs it."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import AS_OF, REPO, run_govern, write

ESC = "\x1b["
EVALUATE = [sys.executable, "-m", "govern", "evaluate", "--model", "glm-5.2", "--task",
            "refactoring", "--as-of", AS_OF.isoformat()]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GOVERN_CATALOG")}
    return {**env, **extra}


def _on_a_terminal(args: list[str], env: dict[str, str], timeout: float = 60) -> str:
    """Run ``args`` with stdout on a pseudo-terminal; everything it printed there."""
    master, slave = os.openpty()
    process = subprocess.Popen(args, stdout=slave, stderr=subprocess.DEVNULL, env=env, cwd=REPO)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
    return b"".join(chunks).decode("utf-8", "replace")


def _piped(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=60, check=False).stdout


def test_a_terminal_gets_colour_unless_no_color_has_a_value() -> None:
    assert ESC in _on_a_terminal(EVALUATE, _env())
    assert ESC not in _on_a_terminal(EVALUATE, _env(NO_COLOR="1"))
    assert ESC in _on_a_terminal(EVALUATE, _env(NO_COLOR=""))  # empty means unset


def test_the_color_flag_overrides_terminal_detection_and_no_color() -> None:
    assert ESC not in _on_a_terminal([*EVALUATE, "--color", "never"], _env())
    assert ESC not in _piped(EVALUATE, _env())
    coloured = _piped([*EVALUATE, "--color", "always"], _env(NO_COLOR="1"))
    assert ESC in coloured and "recommendation: " in coloured


def test_machine_formats_are_never_coloured() -> None:
    out = _piped([*EVALUATE, "--format", "json", "--color", "always"], _env())
    assert ESC not in out and json.loads(out)["recommendation"]


@pytest.mark.parametrize("what", ["models", "tasks", "profiles", "policies", "rules"])
def test_list_json_lists_what_the_text_lists(what: str) -> None:
    text = run_govern(["list", what]).stdout.splitlines()
    items = json.loads(run_govern(["list", what, "--format", "json"]).stdout)
    assert [item["id"] for item in items] == [line.split()[0] for line in text]
    assert len({tuple(sorted(item)) for item in items}) == 1  # one shape for every item


def test_list_json_keeps_unknown_as_null_and_types_values() -> None:
    listed = json.loads(run_govern(["list", "models", "--format", "json"]).stdout)
    models = {m["id"]: m for m in listed}
    assert models["glm-5.1"]["license"] is None and models["glm-5.1"]["open_weights"] is None
    assert models["glm-5.2"]["open_weights"] is True
    facts = json.loads(run_govern(["list", "facts", "--format", "json"]).stdout)
    assert {"path": "model.license", "type": "string"}.items() <= next(
        f for f in facts if f["path"] == "model.license").items()


def _complete(words: str, env: dict[str, str], shell: str = "bash") -> list[str]:
    """What click answers a ``shell`` completion script for the command line ``words``."""
    env = {**env, "_GOVERN_COMPLETE": f"{shell}_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    done = subprocess.run([sys.executable, "-m", "govern"], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_shell_completion_offers_the_catalog_ids() -> None:
    assert _complete("govern evaluate --model glm", _env()) == ["plain,glm-5.1", "plain,glm-5.2",
                                                                "plain,glm-5.2-2b"]
    assert "plain,refactoring" in _complete("govern evaluate --task ref", _env())
    assert _complete("govern check --profile us", _env()) == ["plain,us-enterprise"]


def test_shell_completion_reads_the_team_catalog_given_before_the_flag(tmp_path: Path) -> None:
    team = tmp_path / "team"
    write(team / "tasks" / "refund-triage.yaml", """\
        id: refund-triage
        name: Refund triage
        description: Sort refund requests.
        risk_tier: lower
        data_classes: [internal_documents]
        business_critical: false
        """)
    words = f"govern evaluate --catalog {team} --task ref"
    assert "plain,refund-triage" in _complete(words, _env())
    assert "plain,refund-triage" not in _complete("govern evaluate --task ref", _env())


def test_the_completion_script_is_what_the_docs_tell_users_to_source() -> None:
    done = subprocess.run([sys.executable, "-m", "govern"], capture_output=True, text=True,
                          env=_env(_GOVERN_COMPLETE="bash_source"), timeout=60, check=False)
    assert "_GOVERN_COMPLETE=bash_complete" in done.stdout
    assert "complete " in done.stdout and "_govern_completion" in done.stdout


def test_the_guide_shows_real_completion_and_list_json() -> None:
    guide = (REPO / "docs" / "writing-policies.md").read_text(encoding="utf-8")
    shown = guide.split("COMP_CWORD=3 govern\n", 1)[1].split("```", 1)[0]
    assert _complete("govern evaluate --model gl", _env()) == shown.splitlines()
    listed = guide.split("$ govern list profiles --format json\n", 1)[1].split("```", 1)[0]
    assert run_govern(["list", "profiles", "--format", "json"]).stdout == listed
