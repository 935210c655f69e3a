"""The two levels a row is decided at (see ``govern.matrix.rows``).

- ``OutlineLevel``: what a rule's condition gives (its effect, or nothing), the verdicts and
  the recommendation: a ``CellSummary`` per cell. Messages are never built, so rules are
  memoized on their condition's facts only and most rows are shared between models.
- ``DetailLevel``: the whole finding, message included: a ``CellOutcome`` per cell, from
  which the ``Decision`` follows.

Both follow ``govern.core.decide`` step for step (waivers, verdicts, the recommendation) and
use the core's own ``condition_outcome``, ``effect_of`` and ``evaluate_rule``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from govern.core import PolicySet, Recommendation, condition_outcome, effect_of, evaluate_rule
from govern.matrix.outcomes import (
    AppliedWaiverRow,
    CellOutcome,
    CellSummary,
    FindingRow,
    FiredRule,
    ObligationRow,
    OptionOutcome,
    OptionSummary,
    WaiverUseRow,
)
from govern.matrix.rows import Level
from govern.matrix.rule_plan import Reads, RulePlan
from govern.records import Effect, Option, Profile, Task, Waiver

T = TypeVar("T")


@dataclass
class Interner:
    """Keeps one copy of each distinct value, and numbers findings. Share one between the two
    matrices of a diff and equal results are the same object (equal findings the same
    number) on both sides, so comparing them is cheap."""

    table: dict[Any, Any] = field(default_factory=dict)
    findings: list[FindingRow | None] = field(default_factory=lambda: [None])
    """Findings by number; number 0 is 'no finding'."""
    _finding_numbers: dict[FindingRow, int] = field(default_factory=dict)

    def __call__(self, value: T) -> T:
        found: T = self.table.setdefault(value, value)
        return found

    def number(self, finding: FindingRow) -> int:
        found = self._finding_numbers.get(finding)
        if found is None:
            found = self._finding_numbers[finding] = len(self.findings)
            self.findings.append(self(finding))
        return found


def matching_waivers(waivers: Sequence[Waiver], rule: str, task: Task, as_of: dt.date
                     ) -> tuple[list[Waiver], Waiver | None]:
    """The waivers (of an option's candidates, sorted by id) that match a deny finding of
    ``rule`` for ``task``, and the first of them still in force: the one that applies."""
    matching = [w for w in waivers if w.rule == rule and w.scope.task in (None, task.id)]
    return matching, next((w for w in matching if as_of <= w.expires), None)


def recommended_index(profile: Profile, options: Sequence[tuple[str, str]]) -> int | None:
    """Which of the (deployment, verdict) options is recommended: the first allowed one in
    the profile's preference order, or None (disallow)."""
    for deployment in profile.preference:
        for index, (option_deployment, verdict) in enumerate(options):
            if option_deployment == deployment and verdict == "allowed":
                return index
    return None


def _verdict(effects_waived: list[tuple[Effect, bool]]) -> tuple[Literal["allowed", "denied"],
                                                                 bool]:
    """(verdict, waived) from each finding's effect and whether a waiver set it aside."""
    denies = [waived for effect, waived in effects_waived if effect == "deny"]
    standing = not all(denies)
    return ("denied" if standing else "allowed"), bool(denies) and not standing


class OutlineLevel(Level[Effect | None, OptionSummary, CellSummary]):
    shares_rows = True

    def __init__(self, policies: PolicySet, as_of: dt.date, interner: Interner) -> None:
        self.as_of = as_of
        self.intern = interner
        self.obligation_of = policies.obligation_of

    def reads(self, plan: RulePlan) -> Reads:
        return plan.condition

    def evaluate(self, plan: RulePlan, facts: dict[str, Any]) -> Effect | None:
        return effect_of(plan.compiled, condition_outcome(plan.compiled, facts, self.as_of))

    def option(self, option: Option, given: list[tuple[RulePlan, Effect | None]],
               waivers: list[Waiver], task: Task) -> OptionSummary:
        fired = []
        for plan, effect in given:
            assert effect is not None  # rows pass only rules that fired
            rule = plan.compiled.rule
            live = None
            if effect == "deny" and waivers:
                live = matching_waivers(waivers, rule.id, task, self.as_of)[1]
            fired.append(self.intern(FiredRule(
                rule.id, effect, rule.severity,
                self.obligation_of[rule.id] if effect == "require" else None,
                live.id if live is not None else None)))
        verdict, waived = _verdict([(f.effect, f.waiver is not None) for f in fired])
        return self.intern(OptionSummary(option.deployment, option.provider, verdict, waived,
                                         False, tuple(fired)))

    def cell(self, profile: Profile, options: list[OptionSummary]) -> CellSummary:
        index = recommended_index(profile, [(o.deployment, o.verdict) for o in options])
        recommendation: Recommendation = "disallow"
        if index is not None:
            options = list(options)
            options[index] = self.intern(options[index]._replace(recommended=True))
            recommendation = options[index].deployment
        return self.intern(CellSummary(recommendation, tuple(options)))


@dataclass(frozen=True)
class PreOption:
    """An option's outcome before the cell picks the recommended one, and the ids of the
    waivers its deny findings matched (applied or expired)."""

    outcome: OptionOutcome
    matched: frozenset[str]


class DetailLevel(Level[int, PreOption, CellOutcome]):
    none = 0
    """The finding number of 'the rule did not fire' (see ``Interner.number``)."""

    def __init__(self, policies: PolicySet, as_of: dt.date, interner: Interner,
                 waivers: Sequence[Waiver] = ()) -> None:
        self.as_of = as_of
        self.intern = interner
        self.obligation_of = policies.obligation_of
        self.first_waiver: dict[str, Waiver] = {}
        """Of waivers sharing an id, the first given speaks for them (as in the core)."""
        for waiver in waivers:
            self.first_waiver.setdefault(waiver.id, waiver)

    def reads(self, plan: RulePlan) -> Reads:
        return plan.finding

    def finding(self, number: int) -> FindingRow | None:
        """The finding a rule gave, by the number ``evaluate`` returned; None for ``none``."""
        return self.intern.findings[number]

    def evaluate(self, plan: RulePlan, facts: dict[str, Any]) -> int:
        evaluated = evaluate_rule(plan.compiled, facts, self.as_of)
        if evaluated is None:
            return self.none
        effect, message, unknown = evaluated
        rule = plan.compiled.rule
        return self.intern.number(FindingRow(rule.id, plan.compiled.policy, effect,
                                             rule.severity, message, tuple(unknown), None))

    def option(self, option: Option, given: list[tuple[RulePlan, int]], waivers: list[Waiver],
               task: Task) -> PreOption:
        findings = []
        matched: set[str] = set()
        for _, number in given:
            finding = self.intern.findings[number]
            assert finding is not None  # rows pass only rules that fired
            if finding.effect == "deny" and waivers:
                finding = self._waive(finding, waivers, task, matched)
            findings.append(finding)
        verdict, waived = _verdict([(f.effect, f.waiver is not None) for f in findings])
        obligations = tuple(
            self.intern(ObligationRow(self.obligation_of[f.rule], f.rule, f.message))
            for f in findings if f.effect == "require")
        outcome = self.intern(OptionOutcome(option.deployment, option.provider, verdict, waived,
                                            False, tuple(findings), obligations))
        return PreOption(outcome, frozenset(matched))

    def _waive(self, finding: FindingRow, waivers: list[Waiver], task: Task,
               matched: set[str]) -> FindingRow:
        found, live = matching_waivers(waivers, finding.rule, task, self.as_of)
        matched.update(w.id for w in found)
        if live is None:
            return finding
        return self.intern(finding._replace(waiver=self.intern(AppliedWaiverRow(
            live.id, live.owner, live.reason, live.reference, live.expires.isoformat()))))

    def cell(self, profile: Profile, options: list[PreOption]) -> CellOutcome:
        outcomes = [p.outcome for p in options]
        index = recommended_index(profile, [(o.deployment, o.verdict) for o in outcomes])
        recommendation: Recommendation = "disallow"
        if index is not None:
            outcomes[index] = self.intern(outcomes[index]._replace(recommended=True))
            recommendation = outcomes[index].deployment
        return self.intern(CellOutcome(recommendation, tuple(outcomes),
                                       self._uses([p.matched for p in options])))

    def _uses(self, matched: list[frozenset[str]]) -> tuple[WaiverUseRow, ...]:
        """Every waiver that matched a deny finding of some option, by id, with those
        options (``govern.core.waiver_uses``)."""
        uses = []
        for waiver_id in sorted(set().union(*matched)):
            w = self.first_waiver[waiver_id]
            status: Literal["applied", "expired"] = (
                "applied" if self.as_of <= w.expires else "expired")
            uses.append(self.intern(WaiverUseRow(
                w.id, w.rule, w.owner, w.reason, w.reference, w.expires.isoformat(), status,
                tuple(i for i, ids in enumerate(matched) if waiver_id in ids))))
        return tuple(uses)
