"""The code stays as the style guide asks: ruff clean everywhere, mypy --strict on the package."""

from __future__ import annotations

import subprocess
import sys

from tests.support import REPO


def test_ruff_is_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "engine", "tests", "cli.py",
                           "benchmarks"], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean_on_the_package_and_cli() -> None:
    # -p govern: the package as it is imported (engine/ through the govern symlink, with cli.py)
    done = subprocess.run([sys.executable, "-m", "mypy", "-p", "govern"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
