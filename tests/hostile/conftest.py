"""The hostile project and its mutants, built once per session; the summary line at the end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.mutants import Mutant, generate
from tests.hostile.oracle import World
from tests.hostile.project import build_project, project_files
from tests.hostile.summary import SUMMARY

MUTANTS_ENV = "GOVERN_HOSTILE_MUTANTS"
SEED_ENV = "GOVERN_HOSTILE_SEED"
DEFAULT_MUTANTS = 500
DEFAULT_SEED = 20261123


@pytest.fixture(scope="session")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_project(tmp_path_factory.mktemp("hostile") / "project")


@pytest.fixture(scope="session")
def hostile_world(hostile_root: Path) -> World:
    return World(hostile_root)


@pytest.fixture(scope="session")
def hostile_mutants(hostile_root: Path) -> list[Mutant]:
    total = int(os.environ.get(MUTANTS_ENV, DEFAULT_MUTANTS))
    seed = int(os.environ.get(SEED_ENV, DEFAULT_SEED))
    SUMMARY.seed = seed
    texts = {f: (hostile_root / f).read_text(encoding="utf-8") for f in project_files(hostile_root)}
    return generate(texts, total, seed)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = SUMMARY.lines()
    if lines:
        terminalreporter.section("hostile input")
        for line in lines:
            terminalreporter.write_line(line)
