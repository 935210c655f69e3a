"""Where a manifest stands in its repository, so code scanning can place its results.

GitHub resolves a SARIF location against the repository root, whatever directory the check ran
in; a path relative to the working directory (``../govern.yaml`` from a sub-folder) points
nowhere. The root is git's own answer, else the manifest's directory.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_TIMEOUT_SECONDS = 10


def repository_root(directory: Path) -> Path | None:
    """``git rev-parse --show-toplevel`` run in ``directory``; None outside a work tree or
    without git."""
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=directory,
                              capture_output=True, text=True, timeout=GIT_TIMEOUT_SECONDS,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def uri_from_root(path: Path) -> str:
    """``path`` relative to its repository root (else its own directory), '/'-separated."""
    absolute = Path(os.path.abspath(path))
    root = repository_root(absolute.parent) or absolute.parent
    try:
        # Both resolved: git reports the real path, the manifest may be reached by a symlink.
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return absolute.name
