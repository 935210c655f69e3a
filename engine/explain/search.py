"""The minimal sets of changes that turn one denied option into an allowed one.

The search is a hitting-set tree (Reiter's diagnosis tree). Start from no change; decide the
option; if a deny finding still stands, every set of changes that allows the option must change
something that rule reads (a record field behind one of its facts, what decides whether it
applies) or waive it, so the tree branches on exactly those changes, one level per change.
Levels are searched in order of size and a set that contains a set already found is cut, so
what comes out is minimal: no strict subset allows the option (checked again on every subset
before a set is kept). Within the value pools of ``govern.explain.levers`` and up to
``max_changes`` changes, the search is exhaustive.

Each candidate is decided by the core's own functions (``build_options``, ``read_facts``,
``evaluate_rule``, ``waiver_matches``) on copies of the records, so what is found is what
``govern.core.decide`` decides; the tests re-decide every suggestion with ``decide`` itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from govern.core import (
    CompiledRule,
    Finding,
    PolicySet,
    build_options,
    condition_outcome,
    effect_of,
    rule_applies,
    waiver_is_live,
    waiver_matches,
)
from govern.explain.changes import (
    Change,
    Records,
    apply_changes,
    read_field,
    waiver_change,
    waiver_of,
)
from govern.explain.levers import (
    Address,
    ValuePools,
    _strip,
    fact_addresses,
    field_annotation,
    scalar_values,
)
from govern.facts import DERIVERS, read_facts, record_facts
from govern.fieldtypes import AbsentMeans
from govern.records import ModelCard, Option, Profile, Task, Waiver

MAX_CHANGES = 2
"""The largest set of changes searched for by default (``--max-changes``)."""
MAX_DECISIONS = 20_000
"""A bound on option decisions per explanation; reaching it marks the search incomplete."""

OptionKey = tuple[str, str | None, int]
"""Deployment, provider and occurrence: which option (as ``govern.matrix.diff`` keys them)."""

_BLOCKED_GONE = "option-gone"


@dataclass
class SearchResult:
    suggestions: list[frozenset[Change]]
    complete: bool
    """False when the decision bound stopped the search before every level was done."""
    decisions: int


def option_key_at(options: Sequence[Option], index: int) -> OptionKey:
    option = options[index]
    same = [o for o in options[: index + 1]
            if (o.deployment, o.provider) == (option.deployment, option.provider)]
    return option.deployment, option.provider, len(same)


def _find(options: Sequence[Option], key: OptionKey) -> int | None:
    for index in range(len(options)):
        if option_key_at(options, index) == key:
            return index
    return None


@dataclass
class OptionProbe:
    """Decides one option of one (card, task, profile) under sets of changes, memoized."""

    records: Records
    key: OptionKey
    policies: PolicySet
    as_of: dt.date
    waivers: Sequence[Waiver]
    pools: ValuePools
    decided: dict[frozenset[Change], CompiledRule | str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        model, task, profile = self.records
        self.dumps: Any = {kind: r.model_dump(mode="python", by_alias=True, exclude_none=True)
                           for kind, r in
                           (("model", model), ("task", task), ("profile", profile))}
        index = _find(build_options(model, profile), self.key)
        assert index is not None, "the option being explained exists"
        option = build_options(model, profile)[index]
        # an API option is the card's offering at the same position (build_options order)
        self.offering = index if self.key[0] == "api" else None
        self._candidates: dict[tuple[str, frozenset[Change]], list[Change]] = {}
        self._built: dict[tuple[str, frozenset[Change]], Records | None] = {}
        self._record_facts: dict[tuple[str, int], tuple[BaseModel, dict[str, Any]]] = {}
        self._built_options: dict[tuple[int, int], tuple[Any, Any, list[Option]]] = {}
        self.context_numbers = frozenset(
            float(v) for v in read_facts(model, option, task, profile).values()
            if isinstance(v, int | float) and not isinstance(v, bool))

    def _options(self, model: ModelCard, profile: Profile) -> list[Option]:
        key = (id(model), id(profile))
        if key not in self._built_options:
            self._built_options[key] = (model, profile, build_options(model, profile))
        return self._built_options[key][2]

    def blocking(self, changes: frozenset[Change]) -> CompiledRule | str | None:
        """The first deny rule that stands after ``changes`` (None: the option is allowed;
        ``option-gone``: the changes leave no such option or an invalid record)."""
        if changes not in self.decided:
            self.decided[changes] = self._decide(changes)
        return self.decided[changes]

    def _records_after(self, changes: frozenset[Change]) -> Records | None:
        """The records with ``changes`` made, each record built once per set of its own
        changes (most candidates change one record and share the other two)."""
        built = []
        for kind in ("model", "task", "profile"):
            own = frozenset(c for c in changes if c.kind == kind)
            if (kind, own) not in self._built:
                self._built[kind, own] = apply_changes(self.records, own, self.dumps)
            records = self._built[kind, own]
            if records is None:
                return None
            built.append(records[("model", "task", "profile").index(kind)])
        return built[0], built[1], built[2]  # type: ignore[return-value]

    def _facts(self, model: ModelCard, option: Option, task: Task, profile: Profile
               ) -> dict[str, Any]:
        """``read_facts``, with each record's own facts read once per record object."""
        facts: dict[str, Any] = {}
        for prefix, record in (("model", model), ("option", option), ("task", task),
                               ("profile", profile)):
            key = (prefix, id(record))
            if key not in self._record_facts:
                self._record_facts[key] = (record, record_facts(prefix, record))
            facts.update(self._record_facts[key][1])
        for path, derive in DERIVERS.items():
            facts[path] = derive(model, option, task, profile)
        return facts

    def _decide(self, changes: frozenset[Change]) -> CompiledRule | str | None:
        changed = self._records_after(changes)
        if changed is None:
            return _BLOCKED_GONE
        model, task, profile = changed
        options = self._options(model, profile)
        index = _find(options, self.key)
        if index is None:
            return _BLOCKED_GONE
        option = options[index]
        facts = self._facts(model, option, task, profile)
        waivers = [*self.waivers, *(waiver_of(c, self.as_of) for c in changes
                                    if c.op == "waive")]
        for compiled in self.policies.rules:
            if compiled.rule.effect != "deny" or not rule_applies(compiled.rule, option, task):
                continue
            if effect_of(compiled, condition_outcome(compiled, facts, self.as_of)) != "deny":
                continue
            finding = Finding(rule=compiled.rule.id, policy=compiled.policy, effect="deny",
                              severity=compiled.rule.severity, message="")
            if not any(waiver_matches(w, finding, model, task, option)
                       and waiver_is_live(w, self.as_of) for w in waivers):
                return compiled
        return None

    # ------------------------------------------------------------ candidates

    def candidates(self, rule: CompiledRule, changes: frozenset[Change]) -> list[Change]:
        """Every single change that touches what ``rule`` reads, in the state ``changes``
        leave (which fields a derived fact reads depends on the task's data classes, so the
        task's changes are part of the key they are remembered by)."""
        task_changes = frozenset(c for c in changes if c.who == "task")
        key = (rule.rule.id, task_changes)
        if key not in self._candidates:
            self._candidates[key] = self._find_candidates(rule, task_changes)
        return self._candidates[key]

    def _find_candidates(self, rule: CompiledRule, task_changes: frozenset[Change]
                         ) -> list[Change]:
        changed = apply_changes(self.records, task_changes, self.dumps)
        assert changed is not None
        model, task, _ = changed
        deployment, provider, _ = self.key
        found = [waiver_change(rule.rule.id, model.id, task.id, deployment, provider)]
        addresses: list[Address] = []
        for path in rule.facts_read:
            addresses += fact_addresses(path, deployment, self.offering, task)
        scope = rule.rule.applies_to
        if scope.risk_tiers is not None:
            addresses.append(("task", ("risk_tier",)))
        if scope.business_critical is not None:
            addresses.append(("task", ("business_critical",)))
        for address in dict.fromkeys(addresses):
            found += self._field_changes(address)
        return found

    def _field_changes(self, address: Address) -> Iterator[Change]:
        kind, keys = address
        who = {"model": "card", "task": "task", "profile": "profile"}[kind]
        before = read_field(self.dumps[kind], keys)
        annotation = field_annotation(kind, keys)
        stripped, metadata = _strip(annotation)
        absent_means = any(isinstance(m, AbsentMeans) for m in metadata)
        if absent_means and before is not None:
            yield Change(who, keys, "set", None, _frozen(before))  # type: ignore[arg-type]
        if getattr(stripped, "__origin__", None) is list:
            yield from self._list_changes(who, keys, stripped, before)
            return
        for value in scalar_values(annotation, keys, self.pools, self.context_numbers):
            if value != before or isinstance(value, bool) != isinstance(before, bool):
                yield Change(who, keys, "set", value, before)  # type: ignore[arg-type]

    def _list_changes(self, who: str, keys: tuple[Any, ...], annotation: Any,
                      before: Any) -> Iterator[Change]:
        item_type = annotation.__args__[0]
        item_stripped, _ = _strip(item_type)
        frozen = _frozen(before)
        if isinstance(item_stripped, type) and issubclass(item_stripped, BaseModel):
            if not before:
                yield Change(who, keys, "add", _placeholder(item_stripped), frozen)  # type: ignore[arg-type]
            return
        for item in before or []:
            yield Change(who, keys, "remove", item, frozen)  # type: ignore[arg-type]
        for value in scalar_values(item_type, keys, self.pools, self.context_numbers):
            if value not in (before or []):
                yield Change(who, keys, "add", value, frozen)  # type: ignore[arg-type]


def _frozen(value: Any) -> Any:
    """A hashable copy of a field's value (lists become tuples, mappings sorted pairs)."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


PLACEHOLDER_TEXT = "(to be recorded)"


@dataclass(frozen=True)
class PlaceholderItem:
    """An item of a list of records (an audit) whose existence is what a rule needs: its
    required text fields read '(to be recorded)'."""

    fields: tuple[tuple[str, str], ...]

    def data(self) -> dict[str, str]:
        return dict(self.fields)


def _placeholder(model: type[BaseModel]) -> PlaceholderItem:
    return PlaceholderItem(tuple(sorted(
        (f.alias or name, PLACEHOLDER_TEXT) for name, f in model.model_fields.items()
        if f.is_required())))


def _conflicting(changes: frozenset[Change], new: Change) -> bool:
    for change in changes:
        if (change.who == new.who and change.keys == new.keys
                and ("set" in (change.op, new.op) or change.value == new.value)):
            return True
    return False


def minimal_changes(probe: OptionProbe, max_changes: int = MAX_CHANGES) -> SearchResult:
    """Every minimal set of at most ``max_changes`` changes that allows the probed option."""
    found: list[frozenset[Change]] = []
    level: set[frozenset[Change]] = {frozenset()}
    complete = True
    for _ in range(max_changes + 1):
        following: set[frozenset[Change]] = set()
        for changes in sorted(level, key=_order):
            if any(s <= changes for s in found):
                continue
            if len(probe.decided) >= MAX_DECISIONS:
                complete = False
                break
            blocking = probe.blocking(changes)
            if blocking is None:
                found.append(changes)
                continue
            if not isinstance(blocking, CompiledRule) or len(changes) == max_changes:
                continue
            for change in probe.candidates(blocking, changes):
                if change not in changes and not _conflicting(changes, change):
                    following.add(changes | {change})
        if not complete:
            break
        level = following
    minimal = [s for s in found if _is_minimal(probe, s)]
    waived = waive_everything(probe)
    if waived is not None and waived not in minimal:
        minimal.append(waived)
    return SearchResult(sorted(minimal, key=_order), complete, len(probe.decided))


def waive_everything(probe: OptionProbe) -> frozenset[Change] | None:
    """A waiver of every deny rule that stands, one after another (whatever the size bound):
    the set of waivers the option needs, minimal because a waiver touches its own rule only."""
    changes: frozenset[Change] = frozenset()
    for _ in range(len(probe.policies.rules) + 1):
        blocking = probe.blocking(changes)
        if blocking is None:
            return changes if _is_minimal(probe, changes) else None
        if not isinstance(blocking, CompiledRule):
            return None
        deployment, provider, _ = probe.key
        model, task, _ = probe.records
        changes |= {waiver_change(blocking.rule.id, model.id, task.id, deployment, provider)}
    return None


def _is_minimal(probe: OptionProbe, changes: frozenset[Change]) -> bool:
    return all(probe.blocking(frozenset(subset)) is not None
               for size in range(len(changes))
               for subset in itertools.combinations(sorted(changes), size))


def _order(changes: frozenset[Change]) -> tuple[int, list[str]]:
    return len(changes), sorted(repr(c) for c in changes)
