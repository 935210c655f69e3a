"""The pre-commit hooks, run for real: pre-commit installs this repository into a hook
environment (pip, from a git commit of the working tree) and runs the hooks in a consumer repo.

Slow (one pip install per session, shared through one PRE_COMMIT_HOME); needs PyPI access to
build the hook environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.support import REPO

GIT_IDENTITY = ["-c", "user.name=govern tests", "-c", "user.email=tests@example.invalid",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]
SKIP_DIRS = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".mypy_cache",
             ".ruff_cache", ".hypothesis"}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *GIT_IDENTITY, *args], cwd=cwd, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


def _ignore(directory: str, names: list[str]) -> set[str]:
    return {n for n in names if n in SKIP_DIRS or n.endswith(".egg-info")}


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding the current working tree (uncommitted work included), and the
    sha of its one commit: what a consumer's ``rev:`` points at."""
    repo = tmp_path_factory.mktemp("hooks") / "govern"
    shutil.copytree(REPO, repo, ignore=_ignore)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks under test")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One pre-commit cache per session, so the hook environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def consumer_repo(path: Path, hooks: tuple[Path, str], hook_ids: list[str],
                  files: dict[str, str]) -> Path:
    repo_dir, sha = hooks
    path.mkdir(parents=True)
    git(path, "init", "-q")
    config = {"repos": [{"repo": str(repo_dir), "rev": sha,
                         "hooks": [{"id": hook_id} for hook_id in hook_ids]}]}
    (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    for name, text in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    git(path, "add", "-A")
    return path


def run_pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("GOVERN_CATALOG", None)
    return subprocess.run(["pre-commit", "run", "--all-files", "--color", "never"], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=900, check=False)


VALID_TASK = """\
    id: ticket-triage
    name: Ticket triage
    description: Sorting support tickets by urgency.
    risk_tier: lower
    data_classes: [internal_documents]
    business_critical: false
"""


# ---------------------------------------------------------------- the hook definitions


def test_hook_definitions() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"govern-validate", "govern-check"}
    assert all(h["language"] == "python" for h in hooks.values())
    check = hooks["govern-check"]
    assert check["entry"] == "govern check" and check["pass_filenames"] is False
    assert all(h["require_serial"] is True for h in hooks.values())
    check_pattern = re.compile(check["files"])
    for path in ("govern.yaml", "catalog/policies/p.yaml", "catalog/waivers/w.yml",
                 "catalog/model_cards/m.yaml", "profiles/p.yaml", "tasks/t.yaml"):
        assert check_pattern.search(path), path
    for path in ("README.md", ".github/workflows/ci.yaml", "docs/govern.yaml.md"):
        assert not check_pattern.search(path), path
    validate = hooks["govern-validate"]
    assert validate["entry"] == "govern validate" and validate["pass_filenames"] is True
    pattern = re.compile(validate["files"])
    for path in ("model_cards/x.yaml", "catalog/tasks/t.yml", "profiles/p.yaml",
                 "governance/policies/p.yaml", "waivers/w.yaml"):
        assert pattern.search(path), path
    for path in ("govern.yaml", ".github/workflows/ci.yaml", "policies/nested/p.yaml",
                 "model_cards/readme.md", "docs/tasks.yaml"):
        assert not pattern.search(path), path


# ---------------------------------------------------------------- govern-validate


def test_validate_hook_passes_valid_records_and_ignores_other_yaml(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo = consumer_repo(tmp_path / "consumer", hooks_repo, ["govern-validate"], {
        "catalog/tasks/ticket-triage.yaml": VALID_TASK,
        # Not a catalog record: must not be handed to govern validate at all.
        "config/settings.yaml": "anything: goes\nunknown: keys\n",
    })
    done = run_pre_commit(repo, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "govern validate (catalog records)" in done.stdout
    assert "Passed" in done.stdout


def test_validate_hook_fails_on_duplicate_and_unknown_keys_with_file_line(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo = consumer_repo(tmp_path / "consumer", hooks_repo, ["govern-validate"], {
        "catalog/tasks/ticket-triage.yaml": VALID_TASK,
        "catalog/tasks/duplicate.yaml": """\
            id: duplicate
            name: Duplicate
            name: Again
            description: A duplicate key.
            risk_tier: lower
            data_classes: [internal_documents]
            business_critical: false
        """,
        "catalog/policies/typo.yaml": """\
            id: typo
            title: Typo
            description: An unknown key.
            rules:
              - id: typo.rule
                description: a rule
                efect: warn
                severity: low
                message: hello
                rationale: {text: why, source: here}
        """,
    })
    done = run_pre_commit(repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in done.stdout
    assert ("catalog/tasks/duplicate.yaml:3:1: name: duplicate key (first defined at line 2)"
            in output)
    assert ("catalog/policies/typo.yaml:7:5: rules[0].efect: unknown key "
            "(did you mean 'effect'?)") in output
    assert "ticket-triage.yaml" not in output  # the valid file raised nothing
    # One summary, counting the files with problems among those checked.
    assert re.findall(r"^\d+ problem\(s\) in .*$", output, re.MULTILINE) == [
        "3 problem(s) in 2 file(s); 3 file(s) checked"]


# ---------------------------------------------------------------- govern-check


PASSING_MANIFEST = """\
    uses:
      - model: glm-5.2
        tasks: [refactoring]
        deployment: self-host
"""


def test_check_hook_passes_an_allowed_manifest(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo = consumer_repo(tmp_path / "consumer", hooks_repo, ["govern-check"],
                         {"govern.yaml": PASSING_MANIFEST})
    done = run_pre_commit(repo, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "govern check (usage manifest)" in done.stdout and "Passed" in done.stdout


def test_check_hook_fails_a_denied_manifest(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo = consumer_repo(tmp_path / "consumer", hooks_repo, ["govern-check"],
                         {"govern.yaml": PASSING_MANIFEST.replace("self-host", "api")})
    done = run_pre_commit(repo, pre_commit_home)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Failed" in done.stdout
    assert "jurisdiction.data-class-not-permitted-at-host" in output


def test_check_hook_does_not_run_without_a_manifest_change(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    repo = consumer_repo(tmp_path / "consumer", hooks_repo, ["govern-check"],
                         {"README.md": "no manifest here\n"})
    done = run_pre_commit(repo, pre_commit_home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(no files to check)Skipped" in done.stdout


def test_check_hook_runs_when_a_waiver_changes(
        tmp_path: Path, hooks_repo: tuple[Path, str], pre_commit_home: Path) -> None:
    """A waiver that expires or is removed can fail the manifest without touching it."""
    repo = consumer_repo(tmp_path / "consumer", hooks_repo, ["govern-check"], {
        "govern.yaml": "catalog: [catalog]\n" + textwrap.dedent(PASSING_MANIFEST)
        .replace("self-host", "api"),
        "catalog/waivers/zai.yaml": """\
            id: zai-pilot
            rule: jurisdiction.data-class-not-permitted-at-host
            scope: {model: glm-5.2}
            owner: security@example.com
            reason: pilot
            reference: SEC-1
            expires: 2099-01-01
        """})
    git(repo, "commit", "-q", "-m", "manifest and waiver")
    (repo / "catalog/waivers/zai.yaml").write_text(
        (repo / "catalog/waivers/zai.yaml").read_text().replace("2099-01-01", "2020-01-01"))
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "PRE_COMMIT_COLOR": "never"}
    env.pop("GOVERN_CATALOG", None)
    done = subprocess.run(["pre-commit", "run", "--color", "never"], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "govern check (usage manifest)" in done.stdout and "Failed" in done.stdout
