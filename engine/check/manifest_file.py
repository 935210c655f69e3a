"""Reading ``govern.yaml`` and resolving its ids against the catalog, every problem located.

The manifest goes through the same safe YAML loader and staged validation as every record, so a
duplicate key, an unknown key or a wrong type is reported as ``file:line:col: key: message``.
Ids (model, task, profile) are then looked up in the catalog; an unknown one is reported at the
line of the manifest entry that names it, with a 'did you mean' suggestion, and all of them are
reported together before anything is decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govern.check.manifest import Manifest, ManifestUse
from govern.check.options import MANIFEST_FILE
from govern.errors import InputError, Problem
from govern.loading.catalog import DEFAULT_PROFILE, Catalog
from govern.loading.validation import validate_record
from govern.loading.yaml_source import (
    LoadedYaml,
    YamlPath,
    display_path,
    format_path,
    parse_yaml,
    read_yaml_file,
)
from govern.records import ModelCard, Profile, Task


@dataclass(frozen=True)
class ManifestFile:
    """A validated manifest and where each of its keys stands in the file."""

    path: Path
    shown_as: str
    """The path reports name it by (see ``display_path``)."""
    manifest: Manifest
    loaded: LoadedYaml

    def line_of(self, path: YamlPath) -> tuple[int, int]:
        """1-based line and column of a key or value; (1, 1) if the loader has no position."""
        line, column = self.loaded.position(path)
        return line or 1, column or 1

    @property
    def catalog_dirs(self) -> tuple[Path, ...]:
        """The manifest's team catalogs, relative to the manifest's own directory."""
        return tuple(self.path.parent / directory for directory in self.manifest.catalog)


STDIN = Path("-")
"""``--manifest -``: the manifest comes from standard input; its catalogs are relative to the
working directory."""
STDIN_NAME = "<stdin>"


def read_manifest(path: Path, stdin_text: str | None = None) -> ManifestFile:
    """Parse and validate a manifest file (or, for ``-``, ``stdin_text``); raise ``InputError``
    with every problem, located."""
    if path == STDIN:
        manifest, problems = check_manifest(parse_yaml(stdin_text or "", STDIN_NAME), path)
        if manifest is None:
            raise InputError(problems)
        return manifest
    shown = display_path(path)
    if not path.is_file():
        raise InputError(Problem(shown, None, None, "-",
                                 "manifest not found (give --manifest FILE, or add a "
                                 f"{MANIFEST_FILE} at the project root)"))
    manifest, problems = check_manifest(read_yaml_file(path, shown), path)
    if manifest is None:
        raise InputError(problems)
    return manifest


def check_manifest(loaded: LoadedYaml, path: Path) -> tuple[ManifestFile | None, list[Problem]]:
    """A parsed manifest validated, or every problem with it (ids are resolved later, against
    the catalog it names: ``resolve_uses``)."""
    manifest, problems = validate_record(loaded, Manifest)
    if problems:
        return None, problems
    return ManifestFile(path=path, shown_as=loaded.file, manifest=manifest, loaded=loaded), []


@dataclass(frozen=True)
class CheckItem:
    """One (entry, task) pair of the manifest, its ids resolved to records."""

    index: int
    """Position of the entry in ``uses`` (0-based)."""
    line: int
    """Line of the entry in the manifest (its first key), for reports."""
    column: int
    use: ManifestUse
    model: ModelCard
    task: Task


def _lookup(catalog: Catalog, kind: str, record_id: str, where: ManifestFile,
            path: YamlPath, problems: list[Problem]) -> Any:
    """A record by id, or None with the problem relocated to the manifest's line and key."""
    try:
        return catalog.lookup(kind, record_id, format_path(path))
    except InputError as e:
        problems.extend(where.loaded.problem(path, p.message) for p in e.problems)
        return None


def resolve_profile(where: ManifestFile, catalog: Catalog, flag: str | None,
                    problems: list[Problem]) -> Profile | None:
    """``--profile`` wins over the manifest's ``profile``; the default profile otherwise."""
    if flag is not None:
        try:
            profile: Profile = catalog.lookup("profiles", flag, "--profile")
        except InputError as e:
            problems.extend(e.problems)
            return None
        return profile
    chosen = where.manifest.profile
    if chosen is None:
        default: Profile = catalog.lookup("profiles", DEFAULT_PROFILE, "--profile")
        return default
    found: Profile | None = _lookup(catalog, "profiles", chosen, where, ("profile",), problems)
    return found


def resolve_uses(where: ManifestFile, catalog: Catalog, profile_flag: str | None
                 ) -> tuple[Profile, list[CheckItem]]:
    """The profile and every (entry, task) pair to decide; one ``InputError`` lists every
    unknown id."""
    problems: list[Problem] = []
    profile = resolve_profile(where, catalog, profile_flag, problems)
    items: list[CheckItem] = []
    for index, use in enumerate(where.manifest.uses):
        line, column = where.line_of(("uses", index))
        model = _lookup(catalog, "model_cards", use.model, where, ("uses", index, "model"),
                        problems)
        for t, task_id in enumerate(use.tasks):
            task = _lookup(catalog, "tasks", task_id, where, ("uses", index, "tasks", t),
                           problems)
            if model is not None and task is not None:
                items.append(CheckItem(index, line, column, use, model, task))
    if problems or profile is None:
        raise InputError(problems)
    return profile, items

