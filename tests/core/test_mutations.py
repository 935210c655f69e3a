"""The core tests can fail: each safety rule, broken in a copy of the package, fails them.

Each mutation edits the text of a copy of the package (engine/, imported as ``govern``) in a
temporary directory, and the core test file that pins the rule runs against the copy in a
subprocess: it must fail, and in the test named. An unmutated copy must pass (the control), so
a failure means the rule, not the harness. A mutation whose text no longer appears in the source
fails here too: update it with the code it mutates.
"""

from __future__ import annotations

import compileall
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO

WAIVERS = "test_waiver_matching.py"
JURISDICTION = "test_host_jurisdiction.py"
RECOMMENDATION = "test_recommendation.py"
SCOPE_TABLE = "test_a_waiver_sets_aside_the_denial_on_exactly_the_options_its_scope_matches"
EXPIRY_TABLE = "test_a_waiver_applies_through_its_expiry_day_and_is_reported_expired_after"
CONTROL = "control: no mutation"
SUPPORT = ["tests/__init__.py", "tests/conftest.py", "tests/support.py", "tests/core/__init__.py"]


@dataclass(frozen=True)
class Mutation:
    name: str
    module: str
    """Path inside the package, e.g. ``core.py``."""
    edits: tuple[tuple[str, str], ...]
    """(text, replacement) pairs; each text must occur exactly once in the module."""
    test_file: str
    fails: str
    """The test function that must fail."""


MUTATIONS = [
    Mutation("waiver scope ignores provider", "core.py",
             (("\n        and scope.provider in (None, option.provider)", ""),),
             WAIVERS, SCOPE_TABLE),
    Mutation("waiver scope ignores deployment", "core.py",
             (("\n        and scope.deployment in (None, option.deployment)", ""),),
             WAIVERS, SCOPE_TABLE),
    Mutation("waiver scope ignores task", "core.py",
             (("\n        and scope.task in (None, task.id)", ""),),
             WAIVERS, SCOPE_TABLE),
    Mutation("waiver scope ignores model", "core.py",
             (("\n        and scope.model in (None, model.id)", ""),),
             WAIVERS, SCOPE_TABLE),
    Mutation("waiver applies to any rule", "core.py",
             (("waiver.rule == finding.rule\n        and ", ""),),
             WAIVERS, "test_a_waiver_for_another_rule_never_applies"),
    Mutation("expiry day exclusive", "core.py",
             (("as_of <= waiver.expires", "as_of < waiver.expires"),),
             WAIVERS, EXPIRY_TABLE),
    Mutation("unlisted data classes go anywhere", "facts.py",
             (("if dc not in profile.data_classes\n        or ",
               "if dc in profile.data_classes\n        and "),),
             JURISDICTION, "test_an_api_option_is_denied_for_every_class_its_host_may_not_receive"),
    Mutation("preference order reversed", "core.py",
             (("for deployment in profile.preference:",
               "for deployment in reversed(profile.preference):"),),
             RECOMMENDATION, "test_the_first_allowed_option_in_preference_order_is_recommended"),
]


def _copy_tree(destination: Path) -> None:
    """The package (symlinks resolved, so the bundled catalog comes along), compiled, and the
    test support the core tests import, under ``destination`` as they sit in the repository."""
    shutil.copytree(REPO / "engine", destination / "govern",
                    ignore=shutil.ignore_patterns("__pycache__"))
    # Compiled once here and copied with its source times to each mutant, so a run recompiles
    # only the module its mutation changed.
    compileall.compile_dir(destination / "govern", quiet=1)
    for name in [*SUPPORT, *(f"tests/core/{f}" for f in (WAIVERS, JURISDICTION, RECOMMENDATION))]:
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / name, destination / name)
    (destination / "pytest.ini").write_text("[pytest]\n")


def _mutate(root: Path, mutation: Mutation) -> None:
    module = root / "govern" / mutation.module
    text = module.read_text()
    for old, new in mutation.edits:
        assert text.count(old) == 1, (
            f"mutation {mutation.name!r} no longer applies: {old!r} occurs {text.count(old)} "
            f"times in engine/{mutation.module}; update it with the code")
        text = text.replace(old, new)
    module.write_text(text)
    for stale in module.parent.glob(f"__pycache__/{module.stem}.*.pyc"):
        stale.unlink()  # never run the unmutated bytecode, whatever the clock says


def _run_core_tests(root: Path, *test_files: str) -> subprocess.CompletedProcess[str]:
    # cwd=root puts the copy first on sys.path (python -m), ahead of the installed package.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
         "-p", "no:hypothesispytest",  # these tests use no hypothesis; its plugin costs seconds
         *(f"tests/core/{f}" for f in test_files)],
        cwd=root, capture_output=True, text=True, timeout=300, check=False)


def _failed_tests(output: str) -> set[str]:
    return set(re.findall(r"^FAILED tests/core/\S+?::(\w+)", output, re.MULTILINE))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every mutation's run, and the control run, in parallel (one per CPU)."""
    control = tmp_path_factory.mktemp("control")
    _copy_tree(control)
    jobs: dict[str, tuple[Path, tuple[str, ...]]] = {
        CONTROL: (control, (WAIVERS, JURISDICTION, RECOMMENDATION))}
    for mutation in MUTATIONS:
        root = tmp_path_factory.mktemp("mutant") / "tree"
        shutil.copytree(control, root)  # copy2 keeps source times, so the bytecode stays valid
        _mutate(root, mutation)
        jobs[mutation.name] = (root, (mutation.test_file,))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {name: pool.submit(_run_core_tests, root, *test_files)
                   for name, (root, test_files) in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def test_the_core_tests_pass_on_an_unmutated_copy(
        runs: dict[str, subprocess.CompletedProcess[str]]) -> None:
    done = runs[CONTROL]
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_the_core_tests_fail_on_a_broken_safety_rule(
        runs: dict[str, subprocess.CompletedProcess[str]], mutation: Mutation) -> None:
    done = runs[mutation.name]
    # exit code 1: tests ran and failed (2 would be a collection error, not a caught mutation)
    assert done.returncode == 1, done.stdout + done.stderr
    assert mutation.fails in _failed_tests(done.stdout), done.stdout
