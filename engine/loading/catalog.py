"""The catalog: every record govern knows, loaded from one or more catalog directories.

A catalog directory holds ``model_cards/``, ``tasks/``, ``profiles/``, ``policies/`` and
optionally ``waivers/``, one YAML file per record, named after the record's id. The bundled
catalog ships inside the package; a team's catalog (``--catalog DIR`` or ``GOVERN_CATALOG``)
is layered on top of it: its records *extend* the bundled ones, and a record whose id is
already bundled *replaces* that record (so a team can tighten one policy without copying the
others).

Every file is read and every problem collected before anything is reported.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from govern.core import PolicySet
from govern.errors import InputError, Problem, did_you_mean
from govern.lineage import base_model_cycles, resolve_lineage
from govern.loading.catalog_cache import CatalogCache, catalog_key
from govern.loading.catalog_files import RECORD_FOLDERS, catalog_record_files
from govern.loading.policy_checks import (
    check_model_card,
    check_policy,
    check_rules_of_invalid_policy,
)
from govern.loading.validation import validate_record
from govern.loading.yaml_source import (
    MAX_FILE_BYTES,
    LoadedYaml,
    YamlPath,
    display_path,
    read_yaml_file,
)
from govern.records import ModelCard, Policy, Profile, Record, Task, Waiver

KIND_DIRS: dict[str, type[Record]] = {
    "model_cards": ModelCard,
    "tasks": Task,
    "profiles": Profile,
    "policies": Policy,
    "waivers": Waiver,
}
assert tuple(KIND_DIRS) == RECORD_FOLDERS
DEFAULT_PROFILE = "eu-regulated-enterprise"
CATALOG_ENV = "GOVERN_CATALOG"

LogicCheck = Callable[[Any, dict[str, Any]], list[tuple[YamlPath, str]]]
LOGIC_CHECKS: dict[type[BaseModel], LogicCheck] = {Policy: check_policy, ModelCard: check_model_card}

R = TypeVar("R", bound=BaseModel)


def bundled_root() -> Path:
    """The bundled catalog: the package's ``_bundled`` resource folder.

    Installed, it holds copies of the repository's catalog folders; in a source checkout its
    entries are symlinks to them (see pyproject.toml), so both are found the same way.
    """
    return Path(str(resources.files("govern") / "_bundled"))


@dataclass(frozen=True)
class LoadedRecord:
    """A valid record and what the loader read for it: the file and where each key stands,
    so a problem found later (across files) points at file:line without reading it again."""

    record: Any
    source: LoadedYaml

    @property
    def file(self) -> str:
        """Path of the file it came from, for messages and digests."""
        return self.source.file

    def problem(self, path: YamlPath, message: str) -> Problem:
        """A problem at a key of this record, located in its file."""
        return self.source.problem(path, message)


def load_record_file(path: Path, kind: type[R], shown_as: str | None = None
                     ) -> tuple[R | None, list[Problem]]:
    """Parse, validate and logic-check one record file; every problem, not just the first."""
    loaded, problems = read_record_file(path, kind, shown_as)
    return (loaded.record if loaded is not None else None), problems


def read_record_file(path: Path, kind: type[BaseModel], shown_as: str | None = None,
                     content: bytes | None = None) -> tuple[LoadedRecord | None, list[Problem]]:
    """``load_record_file``, keeping what the loader read alongside the record. ``content``:
    the file's bytes when the caller has read them already."""
    try:
        loaded = read_yaml_file(path, shown_as, content)
    except InputError as e:
        return None, e.problems
    return check_record(loaded, kind, path.name)


def check_record(loaded: LoadedYaml, kind: type[BaseModel], file_name: str
                 ) -> tuple[LoadedRecord | None, list[Problem]]:
    """Validate and logic-check a parsed record file named ``file_name`` (its id must match)."""
    record, problems = validate_record(loaded, kind)
    if record is None:
        if kind is Policy:
            problems += [loaded.problem(p, msg) for p, msg in check_rules_of_invalid_policy(
                loaded.data)]
        return None, sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
    check = LOGIC_CHECKS.get(kind)
    if check is not None:
        problems = [loaded.problem(p, msg) for p, msg in check(record, loaded.data)]
    stem = Path(file_name).stem
    if getattr(record, "id", stem) != stem:
        problems.append(loaded.problem(("id",), f"id '{record.id}' must match the file name "
                                                f"'{file_name}'"))
    return (None if problems else LoadedRecord(record, loaded)), problems


@dataclass
class Catalog:
    """Records by kind and id; what the CLI and backends look things up in.

    Filled in by ``load_catalog`` and not changed after, so the views below are computed once.
    """

    records: dict[str, dict[str, LoadedRecord]] = field(
        default_factory=lambda: {kind: {} for kind in KIND_DIRS})
    roots: list[Path] = field(default_factory=list)

    @cached_property
    def models(self) -> dict[str, ModelCard]:
        return {k: v.record for k, v in self.records["model_cards"].items()}

    @cached_property
    def tasks(self) -> dict[str, Task]:
        return {k: v.record for k, v in self.records["tasks"].items()}

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        return {k: v.record for k, v in self.records["profiles"].items()}

    @cached_property
    def policies(self) -> dict[str, Policy]:
        return {k: v.record for k, v in self.records["policies"].items()}

    @cached_property
    def waivers(self) -> dict[str, Waiver]:
        return {k: v.record for k, v in self.records["waivers"].items()}

    @cached_property
    def policy_set(self) -> PolicySet:
        return PolicySet(list(self.policies.values()))

    def lookup(self, kind: str, record_id: str, flag: str) -> Any:
        """A record by id. Ids are looked up, never joined into paths (``../x`` is just unknown)."""
        known = self.records[kind]
        if record_id in known:
            return known[record_id].record
        hint = did_you_mean(record_id, known)
        label = kind.rstrip("s").replace("_", " ").replace("polic", "policy")
        raise InputError(Problem("-", None, None, flag,
                                 f"unknown {label} '{record_id}'{hint}; "
                                 f"'govern list {_list_name(kind)}' shows them"))


    def lookup_many(self, wanted: list[tuple[str, str, str]]) -> list[Any]:
        """Several lookups of (kind, id, flag); every unknown id is reported, not just the first."""
        found, problems = [], []
        for kind, record_id, flag in wanted:
            try:
                found.append(self.lookup(kind, record_id, flag))
            except InputError as e:
                problems.extend(e.problems)
        if problems:
            raise InputError(problems)
        return found


def _list_name(kind: str) -> str:
    return {"model_cards": "models"}.get(kind, kind)


def catalog_roots(extra: Iterable[Path] = ()) -> list[Path]:
    """The bundled catalog, then the team catalogs in the order given (later ones win)."""
    roots = [bundled_root()]
    env = os.environ.get(CATALOG_ENV)
    if env:
        roots.extend(Path(p) for p in env.split(os.pathsep) if p)
    roots.extend(extra)
    return roots


@dataclass(frozen=True)
class _RootFiles:
    """One catalog root: the problems with its entries, and its record files in load order."""

    problems: list[Problem]
    files: list[tuple[str, Path]]
    trusted: bool


def _files_of(roots: list[Path]) -> list[_RootFiles]:
    bundled = bundled_root().resolve()
    found = []
    for root in roots:
        if not root.is_dir():
            found.append(_RootFiles([Problem(display_path(root), None, None, "-",
                                             "catalog directory not found")], [], False))
            continue
        trusted = root.resolve() == bundled
        files, trouble = catalog_record_files(root, trusted=trusted)
        found.append(_RootFiles(trouble, [(dirname, path) for dirname, paths in files.items()
                                          for path in paths], trusted))
    return found


def _contents(layers: list[_RootFiles]) -> list[tuple[str, str, bool, bytes]] | None:
    """Every record file's (folder, name as shown, trusted, bytes), for the cache key; None
    when a file cannot be read or is too large (the full load says so)."""
    contents = []
    for layer in layers:
        for dirname, path in layer.files:
            try:
                content = path.read_bytes()
            except OSError:
                return None
            if len(content) > MAX_FILE_BYTES:
                return None
            contents.append((dirname, display_path(path), layer.trusted, content))
    return contents


def load_catalog(roots: list[Path], cache: CatalogCache | None = None) -> Catalog:
    """Load every record under ``roots``; raise one ``InputError`` listing every problem.

    With a ``cache``, a catalog whose files, names and reading code are byte for byte those
    of a catalog loaded before is taken from it (see ``govern.loading.catalog_cache``); the
    files are read once, and what is parsed is exactly what the key was computed from."""
    layers = _files_of(roots)
    contents = None
    if cache is not None and not any(layer.problems for layer in layers):
        contents = _contents(layers)
    key = catalog_key(contents) if cache is not None and contents is not None else None
    if cache is not None and key is not None:
        kept = cache.read(roots, key)
        if kept is not None:
            catalog = _catalog_of(roots, [(d, LoadedRecord(r, s)) for d, r, s in kept])
            _set_lineages(catalog)
            return catalog
    catalog = Catalog(roots=roots)
    problems: list[Problem] = []
    index = 0
    for layer in layers:
        problems.extend(layer.problems)
        for dirname, path in layer.files:
            content = contents[index][3] if contents is not None else None
            index += 1
            loaded, found = (read_record_file(path, KIND_DIRS[dirname]) if content is None
                             else read_record_file(path, KIND_DIRS[dirname], content=content))
            problems.extend(found)
            if loaded is not None:
                record_id: str = cast(Any, loaded.record).id  # every catalog kind has one
                catalog.records[dirname][record_id] = loaded
    problems.extend(_cross_checks(catalog))
    if problems:
        raise InputError(problems)
    if cache is not None and key is not None:
        # kept as the files say (the lineage is resolved again on every load: it is computed)
        cache.write(roots, key, [(dirname, loaded.record, loaded.source)
                                 for dirname, by_id in catalog.records.items()
                                 for loaded in by_id.values()])
    _set_lineages(catalog)
    return catalog


def _catalog_of(roots: list[Path], loaded: list[tuple[str, LoadedRecord]]) -> Catalog:
    """A catalog of records kept by the cache, in the order they were kept."""
    catalog = Catalog(roots=roots)
    for dirname, record in loaded:
        catalog.records[dirname][cast(Any, record.record).id] = record
    return catalog


def _set_lineages(catalog: Catalog) -> None:
    """Each card with its lineage resolved against the whole catalog (after layering, so a
    team's card of a base replaces the bundled one along every lineage too)."""
    loaded_cards = catalog.records["model_cards"]
    cards = {card_id: loaded.record for card_id, loaded in loaded_cards.items()}
    for card_id, loaded in loaded_cards.items():
        lineage = resolve_lineage(cards[card_id], cards)
        loaded_cards[card_id] = LoadedRecord(loaded.record.model_copy(update={"lineage": lineage}),
                                             loaded.source)


def _lineage_cycles(catalog: Catalog) -> list[Problem]:
    """A base_model cycle, at the base_model key of every card on it, naming the files."""
    loaded_cards = catalog.records["model_cards"]
    problems: list[Problem] = []
    for cycle in base_model_cycles({k: v.record for k, v in loaded_cards.items()}):
        files = ", ".join(loaded_cards[card_id].file for card_id in cycle[:-1])
        for card_id in cycle[:-1]:
            problems.append(loaded_cards[card_id].problem(
                ("base_model",), f"base_model cycle {' -> '.join(cycle)}: a model cannot derive "
                                 f"from itself (files: {files})"))
    return problems


def _cross_checks(catalog: Catalog) -> list[Problem]:
    """What no single file can show: rule ids shared between policies, waivers of no rule,
    base_model cycles between model cards."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for policy_id, loaded in sorted(catalog.records["policies"].items()):
        for index, rule in enumerate(loaded.record.rules):
            if rule.id in owner and owner[rule.id] != policy_id:
                problems.append(loaded.problem(("rules", index, "id"),
                                               f"rule id '{rule.id}' is also used in policy "
                                               f"'{owner[rule.id]}'; rule ids must be unique"))
            owner.setdefault(rule.id, policy_id)
    for loaded in catalog.records["waivers"].values():
        if loaded.record.rule not in owner:
            problems.append(loaded.problem(("rule",), f"waiver names rule "
                                                      f"'{loaded.record.rule}', which no policy has"))
    return problems + _lineage_cycles(catalog)

