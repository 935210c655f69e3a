"""``govern validate``: check catalogs and loose record files, collecting every problem."""

from __future__ import annotations

from pathlib import Path

from govern.errors import InputError, Problem
from govern.loading.catalog import KIND_DIRS, bundled_root, load_catalog, load_record_file
from govern.loading.catalog_files import catalog_record_files, is_left_alone, yaml_files_under
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
    """A directory with any folder in it is a catalog (and checked as one, so a misnamed
    ``policy/`` is reported); a flat directory of YAML files is a folder of loose records."""
    return any(p.is_dir() and not is_left_alone(p.name) for p in directory.iterdir())


def _catalog_files(root: Path) -> int:
    files, _ = catalog_record_files(root, trusted=root.resolve() == bundled_root().resolve())
    return sum(len(paths) for paths in files.values())


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
    catalog, so clashes with bundled rule ids and waivers of unknown rules show up too. Any
    other directory is a folder of loose records: every file in it must be one govern reads."""
    if not paths:
        return sum(_catalog_files(r) for r in default_roots), _check_catalog(default_roots)
    checked, problems = 0, []
    for path in paths:
        if path.is_dir() and _is_catalog(path):
            roots = [bundled_root()] + ([] if path.resolve() == bundled_root().resolve() else [path])
            checked += _catalog_files(path)
            problems.extend(_check_catalog(roots))
        elif path.is_dir():
            files, refused = yaml_files_under(path)
            problems.extend(refused)
            if not files and not refused:
                problems.append(Problem(str(path), None, None, "-",
                                        "no record files (*.yaml, *.yml) in this directory"))
            for file in files:
                checked += 1
                problems.extend(_check_file(file))
        else:
            checked += 1
            problems.extend(_check_file(path))
    return checked, problems
