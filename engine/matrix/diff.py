"""What an edit to the catalog changes: the whole matrix decided under two versions, compared
cell by cell, and the records that differ.

Definitions (design.md, "Across the catalog"):

- **more permissive**: an option goes denied → allowed (or appears, allowed), or the
  recommendation goes ``disallow`` → ``api``/``self-host``; **more restrictive** is the
  reverse; **mixed**: one option loosens while another tightens;
- **changed**: the recommendation goes ``api`` ↔ ``self-host`` with no option loosening or
  tightening (a preference or cost question);
- **findings**: a finding added or removed, or its effect, severity, obligation or waiver
  changed, with no verdict change;
- **messages**: only the text differs (message, unknown facts, waiver terms); reported
  quietly and never counted as a decision change.

Changes are keyed by option (deployment and provider) and rule id, never by message text.

How it stays fast on a large matrix: both versions' outlines are decided with one shared
``Interner`` (equal outlines are the same object, so an unchanged row compares by identity),
and text is only decided for the rules whose inputs differ between the versions: rules that
changed, and rules reading a changed profile, card or task (``_affected_rules``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

from govern.core import PolicySet, Recommendation, deployment_label
from govern.matrix.levels import Interner
from govern.matrix.outcomes import (
    Cell,
    CellOutcome,
    CellSummary,
    FindingRow,
    FiredRule,
    OptionSummary,
    Verdict,
    summarize,
)
from govern.matrix.record_diff import RecordChange, policy_changes, record_changes
from govern.matrix.result import MatrixResult, decide_matrix, outline_engine
from govern.matrix.rows import RowEngine
from govern.matrix.rule_plan import RulePlan, plan_rule
from govern.records import Deployment, Effect, ModelCard, Policy, Profile, Severity, Task, Waiver

ChangeKind = Literal["more-permissive", "more-restrictive", "mixed", "changed", "findings",
                     "messages", "added", "removed"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("more-permissive", "more-restrictive", "mixed",
                                        "changed", "findings", "messages", "added", "removed")
DECISION_CHANGES: frozenset[ChangeKind] = frozenset(CHANGE_KINDS) - {"messages"}
"""The kinds that change a decision (``--exit-code``); a message-only change does not."""

OptionKey = tuple[Deployment, str | None, int]
"""Deployment, provider, and which of the options with both (a card may list one provider
twice): what identifies an option across versions."""


# ---------------------------------------------------------------- the result


@dataclass(frozen=True)
class FindingState:
    """A finding on one side of a diff: its outline, and its text when it was decided."""

    rule: str
    effect: Effect
    severity: Severity
    obligation: str | None
    waiver: str | None
    message: str | None
    """None when the text was not needed (the rule's inputs are the same on both sides)."""

    def document(self) -> dict[str, Any]:
        return {"effect": self.effect, "severity": self.severity,
                "obligation": self.obligation, "waiver": self.waiver, "message": self.message}


@dataclass(frozen=True)
class FindingChange:
    """One rule on one option: before → after (None: it did not fire)."""

    rule: str
    before: FindingState | None
    after: FindingState | None

    @property
    def change(self) -> Literal["added", "removed", "changed", "message"]:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        outline = ("effect", "severity", "obligation", "waiver")
        if any(getattr(self.before, f) != getattr(self.after, f) for f in outline):
            return "changed"
        return "message"

    def document(self) -> dict[str, Any]:
        return {"rule": self.rule, "change": self.change,
                "before": None if self.before is None else self.before.document(),
                "after": None if self.after is None else self.after.document()}


@dataclass(frozen=True)
class OptionChange:
    """An option of a cell that differs between the versions."""

    deployment: Deployment
    provider: str | None
    label: str
    verdict_before: Verdict | None
    """None: the option does not exist in that version."""
    verdict_after: Verdict | None
    recommended_before: bool
    recommended_after: bool
    findings: tuple[FindingChange, ...]
    """Findings added, removed or changed in outline, by rule id."""
    messages: tuple[FindingChange, ...]
    """Findings whose text alone changed."""
    obligations_added: tuple[str, ...]
    obligations_removed: tuple[str, ...]

    @property
    def loosened(self) -> bool:
        return self.verdict_after == "allowed" and self.verdict_before != "allowed"

    @property
    def tightened(self) -> bool:
        return self.verdict_before == "allowed" and self.verdict_after != "allowed"

    def document(self) -> dict[str, Any]:
        return {"deployment": self.deployment, "provider": self.provider, "label": self.label,
                "verdict": {"before": self.verdict_before, "after": self.verdict_after},
                "recommended": {"before": self.recommended_before,
                                "after": self.recommended_after},
                "findings": [f.document() for f in self.findings],
                "messages": [f.document() for f in self.messages],
                "obligations": {"added": list(self.obligations_added),
                                "removed": list(self.obligations_removed)}}


@dataclass(frozen=True)
class CellChange:
    """A cell whose decision (or only its text) differs between the versions."""

    cell: Cell
    kind: ChangeKind
    recommendation_before: Recommendation | None
    """None: the cell does not exist in that version (kind ``added``)."""
    recommendation_after: Recommendation | None
    options: tuple[OptionChange, ...]
    rules: tuple[str, ...]
    """Ids of the rules whose outcome changed (message-only changes excluded)."""
    causes: tuple[str, ...]
    """The changed records this cell is decided from (``RecordChange.label``)."""
    waivers: tuple[str, ...] = ()
    """Waiver uses that differ, as ``id: before → after``."""
    at: str | None = None
    """Where the earlier decision was read (``decisions.jsonl:12``), when it was recorded."""

    def document(self) -> dict[str, Any]:
        return {"profile": self.cell.profile, "model": self.cell.model, "task": self.cell.task,
                "at": self.at, "kind": self.kind,
                "recommendation": {"before": self.recommendation_before,
                                   "after": self.recommendation_after},
                "rules": list(self.rules), "causes": list(self.causes),
                "options": [o.document() for o in self.options],
                "waivers": list(self.waivers)}


@dataclass(frozen=True)
class DiffSummary:
    """How many cells changed, by kind; ``unchanged`` counts the rest."""

    cells: int
    counts: tuple[tuple[ChangeKind, int], ...]

    def count(self, kind: ChangeKind) -> int:
        return dict(self.counts).get(kind, 0)

    @property
    def unchanged(self) -> int:
        return self.cells - sum(n for _, n in self.counts)

    @property
    def decisions_changed(self) -> int:
        """Cells whose decision changed, message-only changes excluded."""
        return sum(n for kind, n in self.counts if kind in DECISION_CHANGES)

    def document(self) -> dict[str, int]:
        return {"cells": self.cells, **{k: self.count(k) for k in CHANGE_KINDS},
                "unchanged": self.unchanged, "decisions_changed": self.decisions_changed}


@dataclass(frozen=True)
class MatrixDiff:
    """The matrix under two versions of the catalog, compared: the seam the formats render."""

    before: str
    """What the earlier version is (a directory, a git revision, a decision log)."""
    after: str
    as_of: str
    profiles: tuple[str, ...]
    policy_set_before: str
    policy_set_after: str
    records: tuple[RecordChange, ...]
    cells: tuple[CellChange, ...]
    summary: DiffSummary
    matrices: tuple[MatrixResult, MatrixResult] | None = field(default=None, compare=False,
                                                               repr=False)
    """The whole matrix before and after, for a report that shows the unchanged cells too
    (the HTML heat map); None for a replay, which compares recorded decisions only."""

    def document(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "as_of": self.as_of,
                "profiles": list(self.profiles),
                "policy_set": {"before": self.policy_set_before, "after": self.policy_set_after},
                "summary": self.summary.document(),
                "records": [r.document() for r in self.records],
                "cells": [c.document() for c in self.cells]}


def summarize_changes(cells: int, changes: Sequence[CellChange]) -> DiffSummary:
    counted = {kind: sum(1 for c in changes if c.kind == kind) for kind in CHANGE_KINDS}
    return DiffSummary(cells, tuple((k, n) for k, n in counted.items() if n))


# ---------------------------------------------------------------- the two versions


@dataclass(frozen=True)
class CatalogVersion:
    """The records of one version of the catalog."""

    label: str
    models: Mapping[str, ModelCard]
    tasks: Mapping[str, Task]
    profiles: Mapping[str, Profile]
    policies: Mapping[str, Policy]
    waivers: Mapping[str, Waiver]

    @cached_property
    def policy_set(self) -> PolicySet:
        return PolicySet(list(self.policies.values()))

    @cached_property
    def plans(self) -> dict[str, RulePlan]:
        return {c.rule.id: plan_rule(i, c) for i, c in enumerate(self.policy_set.rules)}


def record_diff(before: CatalogVersion, after: CatalogVersion) -> list[RecordChange]:
    """Every record added, removed or changed: rules and policies, profiles, model cards,
    tasks, waivers."""
    return (policy_changes(before.policies, after.policies)
            + record_changes("profile", before.profiles, after.profiles)
            + record_changes("model card", before.models, after.models)
            + record_changes("task", before.tasks, after.tasks)
            + record_changes("waiver", before.waivers, after.waivers))


# ---------------------------------------------------------------- comparing cells


def option_keys(options: Sequence[Any]) -> list[OptionKey]:
    """Keys of options (anything with ``deployment`` and ``provider``), in order."""
    seen: dict[tuple[str, str | None], int] = {}
    keys = []
    for option in options:
        pair = (option.deployment, option.provider)
        seen[pair] = seen.get(pair, 0) + 1
        keys.append((option.deployment, option.provider, seen[pair]))
    return keys


def _label(key: OptionKey) -> str:
    label = deployment_label(key[0], key[1])
    return label if key[2] == 1 else f"{label} #{key[2]}"


Texts = Mapping[OptionKey, Mapping[str, FindingRow | None]]
"""Per option and rule id: the finding with its text, for the rules whose text was decided."""


def _state(fired: FiredRule | None, text: FindingRow | None) -> FindingState | None:
    if fired is None:
        return None
    return FindingState(fired.rule, fired.effect, fired.severity, fired.obligation, fired.waiver,
                        text.message if text is not None else None)


def _text(texts: Texts, key: OptionKey, rule: str) -> tuple[bool, FindingRow | None]:
    """(whether the rule's text was decided for this option, the finding)."""
    per_rule = texts.get(key)
    if per_rule is None or rule not in per_rule:
        return False, None
    return True, per_rule[rule]


def _finding_changes(key: OptionKey, before: OptionSummary | None,
                     after: OptionSummary | None, texts_before: Texts, texts_after: Texts
                     ) -> tuple[list[FindingChange], list[FindingChange]]:
    """(findings changed in outline, findings whose text alone changed), by rule id."""
    fired_before = {f.rule: f for f in before.fired} if before else {}
    fired_after = {f.rule: f for f in after.fired} if after else {}
    findings, messages = [], []
    for rule in [*fired_before, *(r for r in fired_after if r not in fired_before)]:
        old, new = fired_before.get(rule), fired_after.get(rule)
        known_before, text_before = _text(texts_before, key, rule)
        known_after, text_after = _text(texts_after, key, rule)
        if old != new:
            findings.append(FindingChange(rule, _state(old, text_before),
                                          _state(new, text_after)))
        elif known_before and known_after and text_before != text_after:
            messages.append(FindingChange(rule, _state(old, text_before),
                                          _state(new, text_after)))
    return findings, messages


def _option_change(key: OptionKey, before: OptionSummary | None, after: OptionSummary | None,
                   texts_before: Texts, texts_after: Texts) -> OptionChange | None:
    if before is after and texts_before.get(key) == texts_after.get(key):
        return None  # the same outline (one shared object) and the same texts
    findings, messages = _finding_changes(key, before, after, texts_before, texts_after)
    obligations_before = before.obligations if before else ()
    obligations_after = after.obligations if after else ()
    option = OptionChange(
        deployment=key[0], provider=key[1], label=_label(key),
        verdict_before=before.verdict if before else None,
        verdict_after=after.verdict if after else None,
        recommended_before=bool(before and before.recommended),
        recommended_after=bool(after and after.recommended),
        findings=tuple(findings), messages=tuple(messages),
        obligations_added=tuple(o for o in obligations_after if o not in obligations_before),
        obligations_removed=tuple(o for o in obligations_before if o not in obligations_after))
    unchanged = (not findings and not messages and option.verdict_before == option.verdict_after
                 and option.recommended_before == option.recommended_after
                 and (before is None) == (after is None)
                 and (before is None or after is None or before.waived == after.waived))
    return None if unchanged else option


def _kind(before: CellSummary, after: CellSummary, options: Sequence[OptionChange]
          ) -> ChangeKind | None:
    rec_before, rec_after = before.recommendation, after.recommendation
    if rec_before == "disallow" and rec_after != "disallow":
        return "more-permissive"
    if rec_after == "disallow" and rec_before != "disallow":
        return "more-restrictive"
    loosened = any(o.loosened for o in options)
    tightened = any(o.tightened for o in options)
    if loosened and tightened:
        return "mixed"
    if loosened or tightened:
        return "more-permissive" if loosened else "more-restrictive"
    if rec_before != rec_after:
        return "changed"
    if before != after:
        return "findings"
    if any(o.messages for o in options):
        return "messages"
    return None


def compare_cell(cell: Cell, before: CellSummary, after: CellSummary, texts_before: Texts,
                 texts_after: Texts, causes: Sequence[str] = (),
                 waivers: Sequence[str] = ()) -> CellChange | None:
    """How a cell changed, or None. ``texts_*`` hold the findings (with their text) of the
    rules whose inputs differ; outlines say everything else."""
    keys_before = dict(zip(option_keys(before.options), before.options, strict=True))
    keys_after = dict(zip(option_keys(after.options), after.options, strict=True))
    options = [change for key in [*keys_before, *(k for k in keys_after if k not in keys_before)]
               if (change := _option_change(key, keys_before.get(key), keys_after.get(key),
                                            texts_before, texts_after)) is not None]
    kind = _kind(before, after, options)
    if kind is None and waivers:
        kind = "messages"
    if kind is None:
        return None
    rules = tuple(dict.fromkeys(f.rule for o in options for f in o.findings))
    return CellChange(cell, kind, before.recommendation, after.recommendation, tuple(options),
                      rules, tuple(causes), tuple(waivers))


def outcome_texts(outcome: CellOutcome) -> dict[OptionKey, dict[str, FindingRow | None]]:
    """Every finding of a decided cell, by option and rule, without waivers (those are in the
    outline): the texts ``compare_cell`` takes."""
    return {key: {f.rule: f._replace(waiver=None) for f in option.findings}
            for key, option in zip(option_keys(outcome.options), outcome.options, strict=True)}


WaiverUses = dict[str, tuple[str, tuple[int, ...], tuple[str, ...]]]
"""Per waiver id that matched a deny finding of a cell: (status, the options it matched,
its terms: rule, owner, reason, reference, expiry)."""


def uses_of(outcome: CellOutcome) -> WaiverUses:
    return {u.id: (u.status, u.matched_options, (u.rule, u.owner, u.reason, u.reference,
                                                  u.expires))
            for u in outcome.waivers}


def use_changes(before: WaiverUses, after: WaiverUses) -> list[str]:
    """Waiver uses that differ, as ``id: before → after``."""
    changes = []
    for waiver_id in sorted(before.keys() | after.keys()):
        old, new = before.get(waiver_id), after.get(waiver_id)
        if old == new:
            continue
        if old is None or new is None or old[0] != new[0]:
            changes.append(f"{waiver_id}: {old[0] if old else 'not matched'} → "
                           f"{new[0] if new else 'not matched'}")
        elif old[1] != new[1]:
            changes.append(f"{waiver_id}: {new[0]}, options matched {list(old[1])} → "
                           f"{list(new[1])}")
        else:
            changes.append(f"{waiver_id}: {new[0]} (terms changed)")
    return changes


def waiver_use_changes(before: CellOutcome, after: CellOutcome) -> list[str]:
    """Waiver uses that differ between two decided cells (status, options, terms)."""
    return use_changes(uses_of(before), uses_of(after))


# ---------------------------------------------------------------- comparing matrices


@dataclass
class _Sides:
    """The two versions, their matrices, and what changed between them."""

    before: CatalogVersion
    after: CatalogVersion
    records: list[RecordChange]
    matrix_before: MatrixResult | None = None
    matrix_after: MatrixResult | None = None
    changed: dict[str, dict[str, RecordChange]] = field(default_factory=dict)
    quiet: set[tuple[str, str]] = field(default_factory=set)
    """After an edit of rules only: the rows on which no changed rule fires in either version
    (nothing of theirs to compare, text included)."""

    def __post_init__(self) -> None:
        for change in self.records:
            self.changed.setdefault(change.kind, {})[change.id] = change

    def changed_record(self, kind: str, record_id: str) -> RecordChange | None:
        change = self.changed.get(kind, {}).get(record_id)
        return change if change is not None and change.change == "changed" else None

    @property
    def matrices(self) -> tuple[MatrixResult, MatrixResult]:
        assert self.matrix_before is not None and self.matrix_after is not None
        return self.matrix_before, self.matrix_after

    def reusable_rows(self, after: RowEngine[Any, Any, CellSummary]
                      ) -> dict[tuple[str, str], list[CellSummary]]:
        """Rows of the earlier matrix the later one shares. The same profile, card, tasks,
        policies and waivers decide the same row (a decision is a function of them); after
        an edit of rules only, so does a row on which every changed rule gives the same."""
        before = self.matrix_before
        if before is None or list(self.before.tasks) != list(self.after.tasks):
            return {}
        kinds = self.changed.keys()
        if not kinds - {"profile", "model card"}:
            return {key: row for key, row in before.rows.items()
                    if key[0] not in self.changed.get("profile", {})
                    and key[1] not in self.changed.get("model card", {})}
        if not kinds - {"rule", "policy"} and _same_rule_order(self.before, self.after):
            return _rows_rule_edits_leave(self, after)
        return {}


def _same_rule_order(before: CatalogVersion, after: CatalogVersion) -> bool:
    """Whether the rules in both versions come in the same order (outlines list findings in
    rule order, so a reordering changes rows even where nothing fires differently)."""
    ids = [[c.rule.id for c in v.policy_set.rules] for v in (before, after)]
    common = set(ids[0]) & set(ids[1])
    return [i for i in ids[0] if i in common] == [i for i in ids[1] if i in common]


def _rows_rule_edits_leave(sides: _Sides, after: RowEngine[Any, Any, CellSummary]
                           ) -> dict[tuple[str, str], list[CellSummary]]:
    """The earlier rows on which every changed rule gives the same effect on every option and
    task, with the same severity and obligation wherever it fires: those rows are the same."""
    before = sides.matrix_before
    assert before is not None and before.outline is not None
    changed = set(sides.changed.get("rule", {}))
    shown = [{c.rule.id: (c.rule.severity, c.rule.obligation) for c in v.policy_set.rules}
             for v in (sides.before, sides.after)]
    reuse = {}
    for (profile_id, model_id), row in before.rows.items():
        if profile_id not in sides.after.profiles:
            continue
        profile, model = _records(before, profile_id, model_id)
        old = before.outline.rule_columns(profile, model, changed)
        new = after.rule_columns(sides.after.profiles[profile_id],
                                 sides.after.models[model_id], changed)
        pairs = [(rule, a.get(rule), b.get(rule))
                 for (_, a), (_, b) in zip(old, new, strict=True) for rule in changed]
        if not any(_fires(x) or _fires(y) for _, x, y in pairs):
            sides.quiet.add((profile_id, model_id))  # no text of a changed rule either
        if all(_gives_the_same(rule, x, y, shown) for rule, x, y in pairs):
            reuse[profile_id, model_id] = row
    return reuse


def _fires(column: list[Any] | None) -> bool:
    return column is not None and any(e is not None for e in column)


def _gives_the_same(rule: str, before: list[Any] | None, after: list[Any] | None,
                    shown: list[dict[str, tuple[Severity, str | None]]]) -> bool:
    if not (_fires(before) or _fires(after)):
        return True
    return before == after and shown[0].get(rule) == shown[1].get(rule)


def _reads(plan: RulePlan) -> set[str]:
    reads = plan.finding
    return {p.split(".")[0] for p in (*reads.option_facts, *reads.task_facts)} | (
        {"derived"} if reads.option_derived or reads.task_derived else set())


def _affected_rules(sides: _Sides, profile: str, model: str) -> set[str]:
    """Rules whose findings on a row can differ between the versions: the rules that changed,
    and the rules reading a profile, card or task that changed (options come from the card
    and the profile, derived facts from all three)."""
    affected = set(sides.changed.get("rule", {}))
    changed_profile = sides.changed_record("profile", profile) is not None
    changed_model = sides.changed_record("model card", model) is not None
    changed_task = bool(sides.changed.get("task"))
    plans = {**sides.before.plans, **sides.after.plans}
    for rule, plan in plans.items():
        reads = _reads(plan)
        if ((changed_profile and reads & {"profile", "option", "derived"})
                or (changed_model and reads & {"model", "option", "derived"})
                or (changed_task and (reads & {"task", "derived"} or _scoped(plan)))):
            affected.add(rule)
    return affected


def _scoped(plan: RulePlan) -> bool:
    scope = plan.compiled.rule.applies_to
    return scope.risk_tiers is not None or scope.business_critical is not None


def _causes(sides: _Sides, cell: Cell, rules: set[str]) -> list[str]:
    causes = [c.label for kind, record_id in (("profile", cell.profile),
                                              ("model card", cell.model), ("task", cell.task))
              if (c := sides.changed_record(kind, record_id)) is not None]
    causes += [c.label for rule, c in sides.changed.get("rule", {}).items() if rule in rules]
    causes += [c.label for c in sides.changed.get("waiver", {}).values()
               if _waiver_may_match(sides, c.id, cell, rules)]
    return causes


def _waiver_may_match(sides: _Sides, waiver_id: str, cell: Cell, rules: set[str]) -> bool:
    for version in (sides.before, sides.after):
        waiver = version.waivers.get(waiver_id)
        if (waiver is not None and waiver.rule in rules
                and waiver.scope.model in (None, cell.model)
                and waiver.scope.task in (None, cell.task)):
            return True
    return False


def _waivers_may_touch(sides: _Sides, model: str) -> bool:
    """Whether a changed waiver can match some cell of this model."""
    for change in sides.changed.get("waiver", {}).values():
        for version in (sides.before, sides.after):
            waiver = version.waivers.get(change.id)
            if waiver is not None and waiver.scope.model in (None, model):
                return True
    return False


def _outline_waiver_uses(version: CatalogVersion, cell: Cell, summary: CellSummary,
                         as_of: dt.date) -> WaiverUses:
    """The waivers a cell's deny findings match, worked out from its outline as
    ``govern.core.waiver_uses`` does from the decision."""
    matched: dict[str, list[int]] = {}
    for index, option in enumerate(summary.options):
        denied = {f.rule for f in option.fired if f.effect == "deny"}
        for waiver in version.waivers.values():
            scope = waiver.scope
            if (waiver.rule in denied and scope.model in (None, cell.model)
                    and scope.task in (None, cell.task)
                    and scope.deployment in (None, option.deployment)
                    and scope.provider in (None, option.provider)):
                matched.setdefault(waiver.id, []).append(index)
    uses: WaiverUses = {}
    for waiver_id, options in matched.items():
        w = version.waivers[waiver_id]
        uses[waiver_id] = ("applied" if as_of <= w.expires else "expired", tuple(options),
                           (w.rule, w.owner, w.reason, w.reference, w.expires.isoformat()))
    return uses


def _outline_waiver_changes(sides: _Sides, cell: Cell, before: CellSummary, after: CellSummary
                            ) -> list[str]:
    as_of = sides.matrices[0].as_of
    return use_changes(_outline_waiver_uses(sides.before, cell, before, as_of),
                       _outline_waiver_uses(sides.after, cell, after, as_of))


def _records(matrix: MatrixResult, profile: str, model: str) -> tuple[Profile, ModelCard]:
    return matrix.axis.profile_by_id[profile], matrix.axis.model_by_id[model]


class _RowTexts:
    """The texts of a row's findings on both sides, decided once per row: whole outcomes when
    a waiver may differ or the options do, else only the findings of the affected rules."""

    def __init__(self, sides: _Sides, profile: str, model: str, affected: set[str]) -> None:
        self.matrices = sides.matrices
        self.records = [_records(m, profile, model) for m in self.matrices]
        self.columns: list[dict[OptionKey, dict[str, list[int]]]] | None = None
        self.rows: list[list[CellOutcome]] | None = None
        if not _waivers_may_touch(sides, model):
            columns = [dict(zip(option_keys([o for o, _ in found]), [c for _, c in found],
                                strict=True))
                       for found in (m.rule_findings(p, x, affected)
                                     for m, (p, x) in zip(self.matrices, self.records,
                                                          strict=True))]
            if columns[0].keys() == columns[1].keys():
                self.columns = columns
        if self.columns is None:
            self.rows = [next(iter(m.detail_rows(p, [x])))[1]
                         for m, (p, x) in zip(self.matrices, self.records, strict=True)]

    def differing(self, pairs: list[tuple[int, int]]) -> set[int]:
        """Positions in ``pairs`` where the decided texts differ."""
        if self.rows is not None:
            before, after = self.rows
            return {n for n, (i, j) in enumerate(pairs) if before[i] is not after[j]}
        assert self.columns is not None
        found: set[int] = set()
        columns_before, columns_after = self.columns
        for key, rules in columns_before.items():
            for rule in rules.keys() | columns_after[key].keys():
                old, new = rules.get(rule), columns_after[key].get(rule)
                if old is None or new is None:
                    return set(range(len(pairs)))  # a rule on one side only: look everywhere
                if old != new:
                    found |= {n for n, (i, j) in enumerate(pairs) if old[i] != new[j]}
        return found

    def key_at(self, i: int, j: int) -> Hashable:
        """What the texts at (``i``, ``j``) are made of: equal keys, equal texts."""
        if self.rows is not None:
            return self.rows[0][i], self.rows[1][j]
        assert self.columns is not None
        return tuple(tuple(column[n] for rules in side.values() for column in rules.values())
                     for side, n in zip(self.columns, (i, j), strict=True))

    def at(self, i: int, j: int) -> tuple[Texts, Texts, list[str]]:
        """The texts of the cell at position ``i`` before and ``j`` after, and how its waiver
        uses changed."""
        if self.rows is not None:
            before, after = self.rows[0][i], self.rows[1][j]
            return outcome_texts(before), outcome_texts(after), waiver_use_changes(before, after)
        assert self.columns is not None
        findings = self.matrices[0].interner.findings
        texts = [{key: {rule: findings[column[n]] for rule, column in rules.items()}
                  for key, rules in side.items()} for side, n in zip(self.columns, (i, j),
                                                                    strict=True)]
        return texts[0], texts[1], []


def _row_changes(sides: _Sides, profile: str, model: str) -> Iterator[CellChange]:
    before, after = sides.matrices
    row_before, row_after = before.rows[profile, model], after.rows[profile, model]
    tasks_before = before.axis.task_index
    pairs = [(tasks_before[t], j) for t, j in after.axis.task_index.items() if t in tasks_before]
    affected = set() if (profile, model) in sides.quiet else _affected_rules(sides, profile,
                                                                               model)
    touched = _waivers_may_touch(sides, model)
    if row_before is row_after and not affected and not touched:
        return  # the same inputs decided it: nothing can differ
    differing = set() if row_before == row_after else {
        n for n, (i, j) in enumerate(pairs) if row_before[i] is not row_after[j]}
    texts = _RowTexts(sides, profile, model, affected) if affected or touched else None
    if texts is not None:
        differing |= texts.differing(pairs)
    # Cells of a row often change alike (same outlines, same texts): compare those once.
    compared: dict[Hashable, CellChange | None] = {}
    any_waivers = bool(sides.before.waivers or sides.after.waivers)
    for n in sorted(differing):
        i, j = pairs[n]
        cell = Cell(profile, model, before.axis.tasks[i].id)
        waivers: list[str] = []
        if any_waivers and (texts is None or texts.rows is None):
            waivers = _outline_waiver_changes(sides, cell, row_before[i], row_after[j])
        key = (row_before[i], row_after[j], texts.key_at(i, j) if texts else None,
               tuple(waivers))
        if key not in compared:
            texts_before, texts_after, full_waivers = (texts.at(i, j) if texts
                                                       else ({}, {}, []))
            compared[key] = compare_cell(cell, row_before[i], row_after[j], texts_before,
                                         texts_after, waivers=waivers or full_waivers)
        change = compared[key]
        if change is not None:
            rules = set(change.rules) | {f.rule for o in change.options for f in o.messages}
            yield replace(change, cell=cell, causes=tuple(_causes(sides, cell, rules)))


def diff_catalogs(before: CatalogVersion, after: CatalogVersion, profiles: Sequence[str],
                  as_of: dt.date) -> MatrixDiff:
    """Decide every cell of ``profiles`` × models × tasks under both versions as of
    ``as_of``, and compare. Pure: records in, a ``MatrixDiff`` out."""
    interner = Interner()

    def matrix(version: CatalogVersion, reuse: dict[tuple[str, str], list[CellSummary]],
               engine: RowEngine[Any, Any, CellSummary] | None) -> MatrixResult:
        return decide_matrix([version.profiles[p] for p in profiles if p in version.profiles],
                             list(version.models.values()), list(version.tasks.values()),
                             version.policy_set, as_of, list(version.waivers.values()),
                             interner, reuse, engine)

    sides = _Sides(before, after, record_diff(before, after))
    sides.matrix_before = matrix(before, {}, None)
    engine = outline_engine(list(after.tasks.values()), after.policy_set, as_of,
                            list(after.waivers.values()), interner)
    sides.matrix_after = matrix(after, sides.reusable_rows(engine), engine)
    models = [*before.models, *(m for m in after.models if m not in before.models)]
    tasks = [*before.tasks, *(t for t in after.tasks if t not in before.tasks)]
    changes: list[CellChange] = []
    for profile in profiles:
        for model in models:
            changes.extend(_row(sides, profile, model, tasks))
    cells = len(profiles) * len(models) * len(tasks)
    return MatrixDiff(before.label, after.label, as_of.isoformat(), tuple(profiles),
                      before.policy_set.digest, after.policy_set.digest,
                      tuple(sides.records), tuple(changes), summarize_changes(cells, changes),
                      sides.matrices)


def _row(sides: _Sides, profile: str, model: str, tasks: Sequence[str]) -> list[CellChange]:
    """The changes of one (profile, model) over every task of either version, in order."""
    matrices = sides.matrices
    exists = [(profile, model) in m.rows for m in matrices]
    found: dict[str, CellChange] = {}
    if all(exists):
        found = {c.cell.task: c for c in _row_changes(sides, profile, model)}
        if len(matrices[0].axis.tasks) == len(matrices[1].axis.tasks) == len(tasks):
            return list(found.values())  # every task on both sides: nothing one-sided
    for task in tasks:
        present = [e and task in m.axis.task_index for e, m in zip(exists, matrices,
                                                                   strict=True)]
        if present[0] != present[1]:
            found[task] = _one_sided(sides, Cell(profile, model, task), present[1])
    return [found[t] for t in tasks if t in found]


def _one_sided(sides: _Sides, cell: Cell, added: bool) -> CellChange:
    """A cell that exists in one version only: what it is there."""
    matrix = sides.matrices[1 if added else 0]
    recommendation = matrix.summary(cell).recommendation
    causes = [c.label for c in sides.records
              if (c.kind, c.id) in (("profile", cell.profile), ("model card", cell.model),
                                    ("task", cell.task))]
    return CellChange(cell, "added" if added else "removed",
                      None if added else recommendation, recommendation if added else None,
                      (), (), tuple(causes))


__all__ = ["CHANGE_KINDS", "CatalogVersion", "CellChange", "DiffSummary", "FindingChange",
           "MatrixDiff", "OptionChange", "compare_cell", "diff_catalogs", "summarize",
           "summarize_changes"]
