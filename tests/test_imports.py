"""Tests and benchmarks import shared code one way, through packages; nothing edits sys.path.

A bare import of a test module (``from conftest import …``, ``from opa_binary import …``)
resolves through whichever folder pytest put on ``sys.path`` first, so test files from two
folders collided when run together. These checks keep that class of mistake out.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.support import REPO

SCANNED = ("tests", "benchmarks")
SOURCES = sorted(p for folder in SCANNED for p in (REPO / folder).rglob("*.py")
                 if "__pycache__" not in p.parts)
LOCAL_MODULES = {p.stem for p in SOURCES if p.stem != "__init__"}
"""Names of modules that live in tests/ or benchmarks/: importable only as tests.… / benchmarks.…"""


def _shown(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"


def _imported_modules(tree: ast.AST) -> Iterator[tuple[ast.AST, str, int]]:
    """(node, module name, relative level) for every import statement."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node, alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node, node.module or "", node.level


def test_nothing_in_tests_or_benchmarks_edits_sys_path() -> None:
    offenders = [_shown(path, node) for path in SOURCES
                 for node in ast.walk(ast.parse(path.read_text(), str(path)))
                 if isinstance(node, ast.Attribute) and node.attr == "path"
                 and isinstance(node.value, ast.Name) and node.value.id == "sys"]
    assert offenders == []


def test_test_code_is_imported_through_its_package() -> None:
    offenders = [f"{_shown(path, node)}: {'.' * level}{module}" for path in SOURCES
                 for node, module, level in _imported_modules(ast.parse(path.read_text()))
                 if level > 0 or module.split(".")[0] in LOCAL_MODULES
                 or module.split(".")[-1] == "conftest"]
    assert offenders == [], "import these as tests.… (fixtures come from conftest.py unasked)"


def test_every_folder_of_python_files_is_a_package() -> None:
    # Without __init__.py pytest imports a test file by its bare name, and two folders' files
    # of the same name (or two conftest.py) collide.
    folders = {path.parent for path in SOURCES}
    assert sorted(str(f.relative_to(REPO)) for f in folders
                  if not (f / "__init__.py").is_file()) == []


def test_the_benchmark_runs_as_a_module_from_the_repository_root() -> None:
    done = subprocess.run([sys.executable, "-m", "benchmarks.bench_engines", "--help"],
                          cwd=REPO, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "--rounds" in done.stdout
