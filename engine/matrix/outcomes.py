"""What the matrix decides, as plain typed data: one ``CellOutcome`` per (profile, model, task).

These are named tuples on purpose: they are hashable and compare by value at C speed, so equal
outcomes are stored once and shared between cells (and between the two matrices of a diff), and
a 300,000-cell matrix holds references, not 300,000 pydantic objects. Each mirrors one part of
``govern.core.Decision`` field for field; ``decision_document`` gives the Decision's JSON form
and ``to_decision`` the pydantic Decision itself, equal to what ``govern.core.decide`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

from govern.core import CostPerTask, Decision, Recommendation, cheapest_index, deployment_label
from govern.records import Deployment, Effect, Severity

Verdict = Literal["allowed", "denied"]


class Cell(NamedTuple):
    """One question of the matrix: may ``model`` be used for ``task`` by ``profile``?"""

    profile: str
    model: str
    task: str


class AppliedWaiverRow(NamedTuple):
    """The waiver that set a deny finding aside (``govern.core.AppliedWaiver``)."""

    id: str
    owner: str
    reason: str
    reference: str
    expires: str
    """ISO date."""


class FindingRow(NamedTuple):
    """A rule that fired on an option (``govern.core.Finding``)."""

    rule: str
    policy: str
    effect: Effect
    severity: Severity
    message: str
    unknown_facts: tuple[str, ...]
    """Facts whose absence made the rule fire; empty otherwise."""
    waiver: AppliedWaiverRow | None


class ObligationRow(NamedTuple):
    """What an allowed option must do (``govern.core.Obligation``)."""

    obligation: str
    rule: str
    message: str


class OptionOutcome(NamedTuple):
    """One way to deploy the model, judged (``govern.core.OptionDecision``)."""

    deployment: Deployment
    provider: str | None
    verdict: Verdict
    waived: bool
    """Allowed only because a waiver set aside at least one deny finding."""
    recommended: bool
    findings: tuple[FindingRow, ...]
    obligations: tuple[ObligationRow, ...]

    @property
    def label(self) -> str:
        return deployment_label(self.deployment, self.provider)

    @property
    def key(self) -> tuple[Deployment, str | None]:
        """What identifies the option across catalog versions: deployment and provider."""
        return self.deployment, self.provider


class WaiverUseRow(NamedTuple):
    """A waiver that matched a deny finding of the cell, applied or expired
    (``govern.core.WaiverUse``)."""

    id: str
    rule: str
    owner: str
    reason: str
    reference: str
    expires: str
    """ISO date."""
    status: Literal["applied", "expired"]
    matched_options: tuple[int, ...]
    """Indexes in ``CellOutcome.options`` of the options whose deny findings it matched."""


class CellOutcome(NamedTuple):
    """Everything decided for one cell except its ids, date and policy set (``Decision``)."""

    recommendation: Recommendation
    options: tuple[OptionOutcome, ...]
    waivers: tuple[WaiverUseRow, ...]


class FiredRule(NamedTuple):
    """A finding without its text: which rule fired on an option, how, and whether a waiver
    set it aside. What the outline of a cell is made of."""

    rule: str
    effect: Effect
    severity: Severity
    obligation: str | None
    """The obligation of a ``require`` finding."""
    waiver: str | None
    """Id of the waiver that set this deny finding aside."""


class OptionSummary(NamedTuple):
    """An option's outline: its verdict and the rules that fired, without messages."""

    deployment: Deployment
    provider: str | None
    verdict: Verdict
    waived: bool
    recommended: bool
    fired: tuple[FiredRule, ...]

    @property
    def label(self) -> str:
        return deployment_label(self.deployment, self.provider)

    @property
    def key(self) -> tuple[Deployment, str | None]:
        """What identifies the option across catalog versions: deployment and provider."""
        return self.deployment, self.provider

    @property
    def deny_rules(self) -> tuple[str, ...]:
        """Ids of the deny findings no waiver set aside, in rule order."""
        return tuple(f.rule for f in self.fired if f.effect == "deny" and f.waiver is None)

    @property
    def obligations(self) -> tuple[str, ...]:
        return tuple(f.obligation for f in self.fired if f.obligation is not None)


class CellSummary(NamedTuple):
    """A cell's outline: the recommendation, and each option's verdict and fired rules.
    Everything of the decision but the text (messages, unknown facts, waiver terms)."""

    recommendation: Recommendation
    options: tuple[OptionSummary, ...]

    @property
    def allowed(self) -> tuple[str, ...]:
        """Labels of the allowed options, in option order."""
        return tuple(o.label for o in self.options if o.verdict == "allowed")

    @property
    def deny_rules(self) -> tuple[str, ...]:
        """Every standing deny rule id of the cell, once each, in first-seen order."""
        return tuple(dict.fromkeys(r for o in self.options for r in o.deny_rules))


def summarize(outcome: CellOutcome) -> CellSummary:
    """The outline of a decided cell (what ``govern.matrix.levels.OutlineLevel`` computes
    without deciding the messages)."""
    return CellSummary(outcome.recommendation, tuple(
        OptionSummary(o.deployment, o.provider, o.verdict, o.waived, o.recommended, tuple(
            FiredRule(f.rule, f.effect, f.severity,
                      next((b.obligation for b in o.obligations if b.rule == f.rule), None)
                      if f.effect == "require" else None,
                      f.waiver.id if f.waiver is not None else None)
            for f in o.findings))
        for o in outcome.options))


# ---------------------------------------------------------------- the Decision's forms


def _finding_document(finding: FindingRow) -> dict[str, Any]:
    waiver = finding.waiver
    return {"rule": finding.rule, "policy": finding.policy, "effect": finding.effect,
            "severity": finding.severity, "message": finding.message,
            "unknown_facts": list(finding.unknown_facts),
            "waiver": None if waiver is None else waiver._asdict()}


def _option_document(option: OptionOutcome, cost: CostPerTask | None,
                     cheapest: bool) -> dict[str, Any]:
    return {"deployment": option.deployment, "provider": option.provider,
            "verdict": option.verdict, "waived": option.waived,
            "recommended": option.recommended,
            "findings": [_finding_document(f) for f in option.findings],
            "obligations": [o._asdict() for o in option.obligations],
            "cost_per_task": None if cost is None else cost.model_dump(mode="json"),
            "cheapest": cheapest}


def decision_document(cell: Cell, outcome: CellOutcome, as_of: str, policy_set_digest: str,
                      costs: Sequence[CostPerTask | None]) -> dict[str, Any]:
    """The cell's decision as JSON-ready data: exactly ``Decision.model_dump(mode="json")``
    of the decision ``govern.core.decide`` makes for it (same keys, same order).

    ``costs`` are the options' costs per task (``govern.core.option_costs``): they depend on
    the task's token counts, not on any rule, so the shared outcomes leave them out and a
    cell's document adds them."""
    cheapest = cheapest_index([(o.verdict, c) for o, c in zip(outcome.options, costs,
                                                                strict=True)])
    return {"model": cell.model, "task": cell.task, "profile": cell.profile, "as_of": as_of,
            "recommendation": outcome.recommendation,
            "options": [_option_document(o, c, i == cheapest)
                        for i, (o, c) in enumerate(zip(outcome.options, costs, strict=True))],
            "waivers": [{**w._asdict(), "matched_options": list(w.matched_options)}
                        for w in outcome.waivers],
            "policy_set_digest": policy_set_digest}


def to_decision(cell: Cell, outcome: CellOutcome, as_of: str, policy_set_digest: str,
                costs: Sequence[CostPerTask | None]) -> Decision:
    """The pydantic ``Decision`` of a cell, built only when asked for (one cell at a time)."""
    return Decision.model_validate(decision_document(cell, outcome, as_of, policy_set_digest,
                                                     costs))


def outcome_of(decision: Decision) -> CellOutcome:
    """The plain outcome of a pydantic ``Decision`` (the inverse of ``to_decision``)."""
    return CellOutcome(decision.recommendation, tuple(
        OptionOutcome(o.deployment, o.provider, o.verdict, o.waived, o.recommended, tuple(
            FindingRow(f.rule, f.policy, f.effect, f.severity, f.message,
                       tuple(f.unknown_facts),
                       None if f.waiver is None
                       else AppliedWaiverRow(**f.waiver.model_dump(mode="json")))
            for f in o.findings), tuple(
            ObligationRow(b.obligation, b.rule, b.message) for b in o.obligations))
        for o in decision.options), tuple(
        WaiverUseRow(**{**w.model_dump(mode="json"),
                        "matched_options": tuple(w.matched_options)})
        for w in decision.waivers))
