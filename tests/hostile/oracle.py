"""The oracle: apply a mutant to the project, load it as govern does, and judge the result.

A mutant is either refused (``InputError``, exit 2) with a problem naming the mutated file
(and its line, where the mutation has one), or accepted and then no cell of the whole matrix
(every profile x model x task, as of 2026-11-23) may be more permissive than its reference:
the project with the mutated fact unknown, or the original. Anything else (a crash, an accepted
mutant of a class that must be refused, a looser decision) is a failure, reported in words.

Loading and deciding run in-process for speed; decisions whose records, policies and waivers
all equal the reference's are taken from the reference matrix (the core is pure, so equal
inputs decide equally), so a mutated card costs only its own model's cells.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from click.testing import CliRunner

from govern.check.manifest_file import read_manifest
from govern.cli import main
from govern.core import Decision, decide
from govern.errors import InputError, Problem
from govern.loading import catalog as catalog_module
from govern.loading.catalog import Catalog, load_catalog
from govern.policy_tests.cases import load_policy_tests
from govern.records import Record
from tests.hostile.mutants import FsOp, Mutant
from tests.hostile.project import MANIFEST_FILE

AS_OF = dt.date(2026, 11, 23)
Cell = tuple[str, str, str]
"""(profile, model, task)."""


@dataclass
class Outcome:
    status: Literal["refused", "accepted", "crashed"]
    problems: list[Problem] = field(default_factory=list)
    error: str = ""
    cells: dict[Any, Any] = field(default_factory=dict)
    """Catalog: cell -> Decision. Manifest: (entry, model, task) -> 'pass' / 'fail'."""


@dataclass
class Verdict:
    mutant: Mutant
    outcome: Outcome
    failure: str | None
    """Why the mutant fails the oracle; None when it passes."""
    loosened: list[str]
    """Cells (or manifest pairs) more permissive than the reference: a silent allow."""


class World:
    """The hostile project on disk, its reference decisions, and the outcomes seen so far."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.catalog_dir = root / "catalog"
        self._outcomes: dict[str, Outcome] = {}
        self._parsed: dict[tuple[str, bytes, type[Any]], Any] = {}
        original = self.run_target("catalog")
        assert original.status == "accepted", [str(p) for p in original.problems] or original.error
        self.original = original
        self.original_catalog = self._catalog
        self.original_manifest = self.run_target("manifest")
        assert self.original_manifest.status == "accepted", self.original_manifest.problems

    # ------------------------------------------------------------ applying

    @contextmanager
    def applied(self, ops: tuple[FsOp, ...]) -> Iterator[None]:
        saved: list[tuple[Path, bytes | None]] = []
        try:
            for op in ops:
                path = self.root / op.path
                existed = os.path.lexists(path)
                saved.append((path, path.read_bytes() if existed and path.is_file()
                              and not path.is_symlink() else None))
                if op.kind == "write":
                    path.write_bytes(op.data)
                elif op.kind == "mkdir":
                    path.mkdir(exist_ok=True)
                else:
                    path.symlink_to(op.target)
            yield
        finally:
            for path, data in reversed(saved):
                if data is not None:
                    path.write_bytes(data)
                elif path.is_symlink() or path.is_file():
                    path.unlink()
                elif path.is_dir():
                    shutil.rmtree(path)

    # ------------------------------------------------------------ running

    def outcome(self, mutant: Mutant) -> Outcome:
        """Load the mutated project (cached by mutant id: references are shared)."""
        if mutant.id not in self._outcomes:
            with self.applied(mutant.ops):
                self._outcomes[mutant.id] = self.run_target(mutant.target)
        return self._outcomes[mutant.id]

    def run_target(self, target: str) -> Outcome:
        with _unchanged_files_read_once(self._parsed):
            return self._run_target(target)

    def _run_target(self, target: str) -> Outcome:
        try:
            if target == "catalog":
                return self._run_catalog()
            if target == "manifest":
                return self._run_manifest()
            load_policy_tests([self.root / "policy_tests"], self.original_catalog)
            return Outcome("accepted")
        except InputError as e:
            return Outcome("refused", problems=e.problems)
        except Exception as e:  # noqa: BLE001 - any other exception is exit 3 in the CLI
            return Outcome("crashed", error=f"{type(e).__name__}: {str(e)[:300]}")

    def _run_catalog(self) -> Outcome:
        catalog = load_catalog([self.catalog_dir])
        self._catalog = catalog
        return Outcome("accepted", cells=self._matrix(catalog))

    def _matrix(self, catalog: Catalog) -> dict[Cell, Decision]:
        base: Catalog | None = getattr(self, "original_catalog", None)
        same_rules = base is not None and (
            catalog.policy_set.digest == base.policy_set.digest
            and list(catalog.waivers.values()) == list(base.waivers.values()))
        waivers = list(catalog.waivers.values())

        def unchanged(kind: str, record_id: str, record: Record) -> bool:
            known: dict[str, Any] = getattr(base, kind) if base is not None else {}
            return same_rules and known.get(record_id) == record

        models = {i: unchanged("models", i, m) for i, m in catalog.models.items()}
        tasks = {i: unchanged("tasks", i, t) for i, t in catalog.tasks.items()}
        cells: dict[Cell, Decision] = {}
        for p_id, profile in sorted(catalog.profiles.items()):
            same_profile = unchanged("profiles", p_id, profile)
            for m_id, model in sorted(catalog.models.items()):
                for t_id, task in sorted(catalog.tasks.items()):
                    if same_profile and models[m_id] and tasks[t_id]:
                        cells[p_id, m_id, t_id] = self.original.cells[p_id, m_id, t_id]
                    else:
                        cells[p_id, m_id, t_id] = decide(model, task, profile,
                                                         catalog.policy_set, AS_OF, waivers)
        return cells

    def _run_manifest(self) -> Outcome:
        path = self.root / MANIFEST_FILE
        read_manifest(path)  # the loader's own refusals, as Problems
        result = CliRunner().invoke(main, ["check", "--manifest", str(path), "--as-of",
                                           AS_OF.isoformat(), "--format", "json"])
        if result.exit_code == 2:
            return Outcome("refused", problems=[_problem_of_line(line) for line in
                                                result.stderr.splitlines()])
        if result.exit_code not in (0, 1):
            return Outcome("crashed", error=f"exit {result.exit_code}: {result.stderr[:300]}")
        report = json.loads(result.stdout)
        return Outcome("accepted", cells={(e["index"], e["model"], e["task"]): e["status"]
                                          for e in report["entries"]})


READERS = ("read_record_file", "load_record_file")
"""The per-file reader ``load_catalog`` calls (the first of these that the module has)."""


@contextmanager
def _unchanged_files_read_once(parsed: dict[tuple[str, bytes, type[Any]], Any]
                               ) -> Iterator[None]:
    """Within the oracle, an unmutated catalog file gives the result it gave when the original
    project was loaded, without being re-parsed: one file changes per mutant, and parsing the
    other thirty (pure-Python YAML) would be nine tenths of the time. The reader is a function
    of (path, bytes, kind), so this changes nothing but the time; only the first content seen
    at each path (the original's) is kept, and the CLI sample runs without it. If the loader
    no longer reads through such a function, nothing is cached (only slower).
    """
    name = next((n for n in READERS if hasattr(catalog_module, n)), None)
    if name is None:
        yield
        return
    real = getattr(catalog_module, name)
    seen = {path for path, _, _ in parsed}

    def read_once(path: Path, kind: type[Any], *args: Any, **kwargs: Any) -> Any:
        try:
            key = (f"{path}|{args}|{kwargs}", path.read_bytes(), kind)
        except OSError:
            return real(path, kind, *args, **kwargs)
        if key not in parsed:
            if key[0] in seen:  # a mutated file: read it for real, keep nothing
                return real(path, kind, *args, **kwargs)
            seen.add(key[0])
            parsed[key] = real(path, kind, *args, **kwargs)
        record, problems = parsed[key]
        return record, list(problems)

    setattr(catalog_module, name, read_once)
    try:
        yield
    finally:
        setattr(catalog_module, name, real)


def _problem_of_line(line: str) -> Problem:
    """An ``error: file:line:col: key: message`` line of the CLI, as a Problem."""
    text = line.removeprefix("error: ")
    parts = text.split(":", 3)
    if len(parts) == 4 and parts[1].isdigit():
        return Problem(parts[0], int(parts[1]), int(parts[2]) if parts[2].isdigit() else None,
                       "-", parts[3].strip())
    return Problem(parts[0] if len(parts) > 1 else "-", None, None, "-", text)


# ---------------------------------------------------------------- judging


def loosened(reference: Outcome, mutant: Outcome, limit: int = 3) -> list[str]:
    """Cells (or manifest pairs) where the mutant is more permissive than the reference."""
    found: list[str] = []
    for key, before in reference.cells.items():
        after = mutant.cells.get(key)
        if after is None:
            continue
        if isinstance(before, str):  # a manifest pair
            if before == "fail" and after == "pass":
                found.append(f"manifest entry {key[0]} {key[1]}/{key[2]}: fail -> pass")
        else:
            found.extend(_looser_cell(key, before, after))
        if len(found) >= limit:
            break
    return found[:limit]


def _options(decision: Decision) -> dict[tuple[str, int], Any]:
    seen: dict[str, int] = {}
    keyed: dict[tuple[str, int], Any] = {}
    for option in decision.options:
        n = seen[option.deployment] = seen.get(option.deployment, -1) + 1
        keyed[option.deployment, n] = option
    return keyed


def _looser_cell(cell: Cell, before: Decision, after: Decision) -> list[str]:
    """Options denied (or absent) in ``before`` and allowed in ``after``, silently: an option
    whose every denial became that rule's 'cannot check' warning is not silent, because the
    rule says so (``when_unknown: warn``) and the decision shows it."""
    where = "/".join(cell)
    found = []
    old = _options(before)
    for key, option in _options(after).items():
        if option.verdict != "allowed" or (key in old and old[key].verdict == "allowed"):
            continue
        if key in old and _only_cannot_check(old[key], option):
            continue
        was = "absent" if key not in old else "denied"
        found.append(f"{where}: {option.label} {was} -> allowed")
    if found and before.recommendation == "disallow" and after.recommendation != "disallow":
        found.insert(0, f"{where}: disallow -> {after.recommendation}")
    return found


def _only_cannot_check(before: Any, after: Any) -> bool:
    denied_by = {f.rule for f in before.findings if f.effect == "deny" and f.waiver is None}
    cannot_check = {f.rule for f in after.findings if f.effect == "warn" and f.unknown_facts}
    return denied_by <= cannot_check


def same_decisions(reference: Outcome, mutant: Outcome) -> bool:
    """Every cell decides the same. The policy-set digest is left out: it fingerprints the
    policy text, and ``gt: 0`` vs ``gt: -0.0`` are the same rule written differently."""
    if reference.cells.keys() != mutant.cells.keys():
        return False
    for key, before in reference.cells.items():
        after = mutant.cells[key]
        if after != before and not (isinstance(before, Decision) and isinstance(after, Decision)
                                    and after.model_copy(update={"policy_set_digest": ""})
                                    == before.model_copy(update={"policy_set_digest": ""})):
            return False
    return True


def names_the_file(problems: list[Problem], mutant: Mutant, root: Path) -> str | None:
    """None when a problem names the mutated file (and line); else what is missing."""
    wanted = os.path.abspath(root / mutant.file)
    located = [p for p in problems if p.file != "-" and _same_or_related(
        os.path.abspath(p.file), wanted, mutant.cls == "extra-files")]
    if not located:
        return f"refused, but no problem names {mutant.file}"
    if mutant.line is not None and mutant.expect == "refuse" and not any(
            p.line == mutant.line for p in located):
        lines = sorted({p.line for p in located if p.line is not None})
        return f"refused naming the file, but not line {mutant.line} (lines: {lines or 'none'})"
    return None


def _same_or_related(shown: str, wanted: str, folders_count: bool) -> bool:
    if shown == wanted:
        return True
    # An extra folder may be reported as the folder or as the file inside it.
    return folders_count and (wanted.startswith(shown + os.sep) or shown.startswith(wanted + os.sep))


def judge(world: World, mutant: Mutant) -> Verdict:
    outcome = world.outcome(mutant)
    if outcome.status == "crashed":
        return Verdict(mutant, outcome, f"crashed (exit 3, not 2): {outcome.error}", [])
    if outcome.status == "refused":
        return Verdict(mutant, outcome, names_the_file(outcome.problems, mutant, world.root), [])
    original = {"manifest": world.original_manifest, "catalog": world.original}.get(
        mutant.target, Outcome("accepted"))
    reference = original if mutant.reference is None else world.outcome(mutant.reference)
    refused_reference = reference.status != "accepted"
    if refused_reference:
        reference = original
    looser = loosened(reference, outcome) if mutant.target != "policy_tests" else []
    failure = None
    if mutant.expect == "refuse":
        failure = "accepted, must be refused"
    elif refused_reference and mutant.reference_refused == "refuse":
        failure = "accepted, but the same key deleted is refused: must be refused too"
    elif mutant.expect == "same" and not same_decisions(reference, outcome):
        failure = "accepted, but decides differently from " + (
            "the original" if mutant.reference is None or refused_reference
            else mutant.reference.id)
    elif looser:
        failure = "SILENT ALLOW"
    return Verdict(mutant, outcome, failure, looser)
