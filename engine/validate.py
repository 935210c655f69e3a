"""``govern validate``: check catalogs and loose files of every kind govern reads, collecting
every problem.

A loose file is any kind ``govern schema`` knows: a catalog record (model card, task, profile,
policy, waiver), a usage manifest, or a policy test file. Its kind comes from its folder
(``policies/``, ``policy_tests/``, ...) or name (``govern.yaml``), else from a key only that
kind has. The ids a manifest or a policy test names are resolved against the catalog govern
would use for it (the bundled catalog, ``GOVERN_CATALOG``, a manifest's own ``catalog:`` and
``--catalog``), so a typo in a model id is found here, not in CI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govern.check.manifest_file import check_manifest, resolve_uses
from govern.check.options import MANIFEST_FILE
from govern.errors import InputError, Problem
from govern.loading.catalog import (
    KIND_DIRS,
    Catalog,
    bundled_root,
    catalog_roots,
    check_record,
    load_catalog,
)
from govern.loading.catalog_files import (
    catalog_folders,
    catalog_record_files,
    is_left_alone,
    yaml_files_under,
)
from govern.loading.validation import validate_record
from govern.loading.yaml_source import LoadedYaml, display_path, read_yaml_file
from govern.policy_tests.cases import check_test_file

POLICY_TESTS_DIR = "policy_tests"

# A loose file's kind, from a key only that kind has (when its folder or name does not say).
_KIND_BY_KEY: list[tuple[str, str]] = [
    ("rules", "policies"), ("vendor", "model_cards"), ("risk_tier", "tasks"),
    ("preference", "profiles"), ("expires", "waivers"), ("uses", "manifest"),
    ("cases", POLICY_TESTS_DIR), ("events", "scenario"),
]


@dataclass
class _Catalogs:
    """Catalogs loaded once per set of roots; a broken catalog is reported once."""

    team: tuple[Path, ...]
    """``--catalog`` directories, layered last."""
    loaded: dict[tuple[Path, ...], Catalog | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, extra: Sequence[Path] = ()) -> Catalog | None:
        roots = tuple(catalog_roots((*extra, *self.team)))
        if roots not in self.loaded:
            try:
                self.loaded[roots] = load_catalog(list(roots))
            except InputError as e:
                self.loaded[roots] = None
                self.problems.extend(p for p in e.problems if p not in self.problems)
        return self.loaded[roots]


def _kind_of(path: Path, data: Any) -> str | None:
    """The kind of a file (a catalog folder name, ``manifest`` or ``policy_tests``): from its
    folder, else its name, else a key only that kind has."""
    if path.parent.name in KIND_DIRS or path.parent.name == POLICY_TESTS_DIR:
        return path.parent.name
    if path.name == MANIFEST_FILE:
        return "manifest"
    if isinstance(data, dict):
        for key, kind in _KIND_BY_KEY:
            if key in data:
                return kind
    return None


def _check_manifest(loaded: LoadedYaml, path: Path, catalogs: _Catalogs) -> list[Problem]:
    manifest, problems = check_manifest(loaded, path)
    if manifest is None:
        return problems
    catalog = catalogs.get(manifest.catalog_dirs)
    if catalog is None:
        return []
    try:
        resolve_uses(manifest, catalog, None)
    except InputError as e:
        return e.problems
    return []


def _check_scenario(loaded: LoadedYaml, path: Path, catalogs: _Catalogs) -> list[Problem]:
    from govern.whatif.scenario import Scenario
    from govern.whatif.scenario_file import ScenarioFile, check_ids

    scenario, problems = validate_record(loaded, Scenario)
    catalog = catalogs.get()
    if scenario is None or catalog is None:
        return problems
    try:
        check_ids(ScenarioFile(path, scenario, loaded), catalog)
    except InputError as e:
        return e.problems
    return []


def _check_tests(loaded: LoadedYaml, catalog: Catalog | None) -> list[Problem]:
    return check_test_file(loaded, catalog)[1] if catalog is not None else []


def _record_check(folder: str) -> Callable[[LoadedYaml, Path, _Catalogs], list[Problem]]:
    kind = KIND_DIRS[folder]
    return lambda loaded, path, _: check_record(loaded, kind, path.name)[1]


_CHECKS: dict[str, Callable[[LoadedYaml, Path, _Catalogs], list[Problem]]] = {
    **{folder: _record_check(folder) for folder in KIND_DIRS},
    "manifest": _check_manifest,
    "scenario": _check_scenario,
    POLICY_TESTS_DIR: lambda loaded, path, catalogs: _check_tests(loaded, catalogs.get()),
}
"""How each kind of loose file is checked, by the kind ``_kind_of`` names."""


def _check_file(path: Path, catalogs: _Catalogs) -> list[Problem]:
    try:
        loaded = read_yaml_file(path)
    except InputError as e:  # not YAML, too big, an alias bomb: nothing more to check
        return e.problems
    kind = _kind_of(path, loaded.data)
    if kind is None:
        return [Problem(display_path(path), None, None, "-",
                        "cannot tell what kind of file this is: put it in a model_cards/, "
                        "tasks/, profiles/, policies/, waivers/ or policy_tests/ folder, or "
                        f"name a usage manifest {MANIFEST_FILE}")]
    return _CHECKS[kind](loaded, path, catalogs)


def _is_catalog(directory: Path) -> bool:
    """A directory with any folder in it is a catalog (and checked as one, so a misnamed
    ``policy/`` is reported); a flat directory of YAML files is a folder of loose files."""
    return any(p.is_dir() and not is_left_alone(p.name) for p in directory.iterdir())


def _trusted(root: Path) -> bool:
    return root.resolve() == bundled_root().resolve()


def _check_catalog(root: Path, catalogs: _Catalogs, extra: tuple[Path, ...]
                   ) -> tuple[int, list[Problem]]:
    """A catalog directory (``extra``: layered over the bundled and team catalogs, so clashes
    with their rule ids and waivers of unknown rules show up), and its policy tests against it.
    Returns the files checked and the policy tests' problems; the catalog's own problems are
    collected by ``catalogs``."""
    files, _ = catalog_record_files(root, trusted=_trusted(root))
    checked = sum(len(paths) for paths in files.values())
    catalog = catalogs.get(extra)
    problems: list[Problem] = []
    folders, _ = catalog_folders(root, trusted=_trusted(root))
    if POLICY_TESTS_DIR in folders:
        tests, refused = yaml_files_under(folders[POLICY_TESTS_DIR])
        problems.extend(refused)
        checked += len(tests)
        for path in tests:
            try:
                problems.extend(_check_tests(read_yaml_file(path), catalog))
            except InputError as e:
                problems.extend(e.problems)
    return checked, problems


def validate_paths(paths: list[Path], team: tuple[Path, ...] = ()) -> tuple[int, list[Problem]]:
    """(files checked, problems). Without ``paths``, the bundled catalog and the team catalogs
    (``team``, i.e. ``--catalog``) are checked. A catalog directory is checked layered over
    them; any other directory is a folder of loose files: every file in it must be one govern
    reads."""
    catalogs = _Catalogs(team)
    checked, problems = 0, []
    if not paths:
        catalogs.get()  # a missing root or a clash between catalogs is reported here
        for root in catalog_roots(team):
            if root.is_dir():
                found, trouble = _check_catalog(root, catalogs, ())
                checked += found
                problems.extend(trouble)
    for path in paths:
        if path.is_dir() and _is_catalog(path):
            layered = _trusted(path) or path in catalog_roots(team)
            found, trouble = _check_catalog(path, catalogs, () if layered else (path,))
            checked += found
            problems.extend(trouble)
        elif path.is_dir():
            files, refused = yaml_files_under(path)
            problems.extend(refused)
            if not files and not refused:
                problems.append(Problem(display_path(path), None, None, "-",
                                        "no YAML files (*.yaml, *.yml) in this directory"))
            for file in files:
                checked += 1
                problems.extend(_check_file(file, catalogs))
        else:
            checked += 1
            problems.extend(_check_file(path, catalogs))
    return checked, catalogs.problems + problems
