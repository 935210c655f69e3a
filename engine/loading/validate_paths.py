"""``govern validate``: check catalogs and loose record files, collecting every problem."""

from __future__ import annotations

from pathlib import Path

from govern.errors import InputError, Problem
from govern.loading.catalog import KIND_DIRS, bundled_root, load_catalog, load_record_file
from govern.loading.yaml_source import read_yaml_file
from govern.records import Record

# A loose file's kind, from a key only that kind has (when its folder does not say).
_KIND_BY_KEY: list[tuple[str, str]] = [
    ("rules", "policies"), ("vendor", "model_cards"), ("risk_tier", "tasks"),
    ("preference", "profiles"), ("expires", "waivers"),
]


def _kind_of(path: Path) -> type[Record] | None:
    """The record kind of a file: from its folder, else from a key only that kind has.
    Raises ``InputError`` for a file that cannot be read safely at all."""
    if path.parent.name in KIND_DIRS:
        return KIND_DIRS[path.parent.name]
    data = read_yaml_file(path).data
    if isinstance(data, dict):
        for key, dirname in _KIND_BY_KEY:
            if key in data:
                return KIND_DIRS[dirname]
    return None


def _is_catalog(directory: Path) -> bool:
    return any((directory / name).is_dir() for name in KIND_DIRS)


def _catalog_files(root: Path) -> int:
    return sum(1 for name in KIND_DIRS if (root / name).is_dir()
               for p in (root / name).iterdir() if p.suffix in (".yaml", ".yml"))


def _check_catalog(roots: list[Path]) -> list[Problem]:
    try:
        load_catalog(roots)
    except InputError as e:
        return e.problems
    return []


def _check_file(path: Path) -> list[Problem]:
    try:
        kind = _kind_of(path)
    except InputError as e:  # not YAML, too big, an alias bomb: nothing more to check
        return e.problems
    if kind is None:
        return [Problem(str(path), None, None, "-",
                        "cannot tell what kind of record this is: put it in a model_cards/, "
                        "tasks/, profiles/, policies/ or waivers/ folder")]
    return load_record_file(path, kind)[1]


def validate_paths(paths: list[Path], default_roots: list[Path]) -> tuple[int, list[Problem]]:
    """(files checked, problems). A catalog directory is checked layered over the bundled
    catalog, so clashes with bundled rule ids and waivers of unknown rules show up too."""
    if not paths:
        return sum(_catalog_files(r) for r in default_roots), _check_catalog(default_roots)
    checked, problems = 0, []
    for path in paths:
        if path.is_dir() and _is_catalog(path):
            roots = [bundled_root()] + ([] if path.resolve() == bundled_root().resolve() else [path])
            checked += _catalog_files(path)
            problems.extend(_check_catalog(roots))
        elif path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")):
                checked += 1
                problems.extend(_check_file(file))
        else:
            checked += 1
            problems.extend(_check_file(path))
    return checked, problems
