"""The pure decision core: records and an as-of date in, a ``Decision`` out.

No files, no clock, no printing, no OPA: everything this module needs is in its arguments,
so the same inputs always give the same decision (and the OPA backend can be checked
against it case by case).

1. Options are every API offering of the model, plus ``self-host`` unless the weights are
   known to be closed.
2. Each option is checked against every rule that applies to it; a rule that fires gives a
   finding (deny, require or warn).
3. An option is denied if any deny finding stands after waivers, else allowed with its
   obligations and warnings.
4. The recommendation is the first allowed option in the profile's preference order, or
   ``disallow``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from govern.citations import CitedSource, RuleRationale, cite_decision
from govern.conditions import CompiledCondition, Tri, compile_condition, referenced_facts
from govern.dated import card_as_of
from govern.facts import read_facts
from govern.fieldtypes import ComputedByLoader
from govern.record_data import record_data
from govern.records import (
    Deployment,
    Effect,
    ModelCard,
    Option,
    Policy,
    Profile,
    Rule,
    Severity,
    Task,
    Waiver,
)

Recommendation = Literal["api", "self-host", "disallow"]

# ---------------------------------------------------------------- the decision document


class _Out(BaseModel):
    """The decision document's parts. The core makes them with ``model_construct`` from
    validated records (mypy checks the arguments): validating what it just computed would build
    every validator on each run; what comes from outside (an OPA answer) is validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class AppliedWaiver(_Out):
    """The waiver that turned a deny finding into 'allowed, waived'."""

    id: str
    owner: str
    reason: str
    reference: str
    expires: dt.date


class Finding(_Out):
    rule: str
    policy: str
    effect: Effect
    severity: Severity
    message: str
    unknown_facts: list[str] = []
    """Facts whose absence made the rule fire ('insufficient evidence'); empty otherwise."""
    waiver: AppliedWaiver | None = None
    rationale: RuleRationale | None = None
    """Why the rule exists and its source (``govern.citations``; set on every decided finding)."""
    sources: list[CitedSource] = []
    """The card's sources of the facts the rule read (``govern.citations``)."""


class Obligation(_Out):
    obligation: str
    rule: str
    message: str


class CostPerTask(_Out):
    """What one task costs on an API option (``derived.cost_per_task_usd``), and how."""

    usd: float | None
    """US dollars per task; None when a price or a token count is unknown."""
    basis: str
    """The formula with its numbers, or which facts are unknown."""


def deployment_label(deployment: str, provider: str | None) -> str:
    """How an option reads in every output: 'api via Z.ai', or 'self-host'."""
    return f"{deployment} via {provider}" if provider else deployment


class OptionDecision(_Out):
    deployment: Deployment
    provider: str | None
    verdict: Literal["allowed", "denied"]
    waived: bool
    """Allowed only because a waiver set aside at least one deny finding."""
    recommended: bool
    findings: list[Finding]
    obligations: list[Obligation]
    cost_per_task: CostPerTask | None = None
    """API options: the cost of one task; None for self-host (not priced per token)."""
    cheapest: bool = False
    """The cheapest of two or more allowed API options, when every one's cost is known."""

    @property
    def label(self) -> str:
        return deployment_label(self.deployment, self.provider)


class WaiverTerms(_Out):
    """Who approved a waiver, for which rule, why and until when: what every output shows."""

    id: str
    rule: str
    owner: str
    reason: str
    reference: str
    expires: dt.date

    @classmethod
    def terms_of(cls, waiver: Waiver) -> dict[str, Any]:
        return {"id": waiver.id, "rule": waiver.rule, "owner": waiver.owner,
                "reason": waiver.reason, "reference": waiver.reference,
                "expires": waiver.expires}


class WaiverUse(WaiverTerms):
    """A waiver that matched a deny finding of this decision, and whether it applied."""

    status: Literal["applied", "expired"]
    matched_options: list[int]
    """Indexes in ``Decision.options`` of the options whose deny findings it matched (an
    expired waiver matched them too, but set nothing aside)."""


class Decision(_Out):
    model: str
    task: str
    profile: str
    as_of: dt.date
    """The decision date; JSON shows it as YYYY-MM-DD."""
    recommendation: Recommendation
    options: list[OptionDecision]
    waivers: list[WaiverUse]
    policy_set_digest: str


def decision_document(decision: Decision) -> dict[str, Any]:
    """The decision as the design.md contract's JSON: what ``--format json`` prints and what a
    decision record carries (dates as YYYY-MM-DD, fields in declaration order). Read from
    the fields (``record_data``; the decision parts have no aliases): pydantic's serialiser
    would be built for it on each run, which costs more than deciding."""
    document: dict[str, Any] = record_data(decision, json_mode=True)
    return document


# ---------------------------------------------------------------- the compiled policy set

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z_.]+)\}")


def template_parts(template: str) -> list[tuple[str, str]]:
    """Split a message template into ('text', s) and ('fact', path) parts.

    ``{path}`` is a fact; ``{{`` and ``}}`` are literal braces.
    """
    parts: list[tuple[str, str]] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            parts.append(("text", template[pos : match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append(("text", token[0]))
        else:
            parts.append(("fact", match.group(1)))
        pos = match.end()
    if pos < len(template):
        parts.append(("text", template[pos:]))
    return parts


def render_value(value: Any) -> str:
    """How a fact reads inside a message. The Rego compiler mirrors this exactly."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "none"
        if isinstance(value[0], dict):
            return f"{len(value)} recorded"
        return ", ".join(render_value(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class CompiledRule:
    policy: str
    rule: Rule
    condition: CompiledCondition | None
    facts_read: tuple[str, ...]
    message: tuple[tuple[str, str], ...]


class PolicySet:
    """Policies compiled once, to be evaluated many times."""

    def __init__(self, policies: Sequence[Policy]) -> None:
        self.policies: tuple[Policy, ...] = tuple(sorted(policies, key=lambda p: p.id))
        self.rules: tuple[CompiledRule, ...] = tuple(
            CompiledRule(
                policy=policy.id,
                rule=rule,
                condition=compile_condition(rule.when) if rule.when is not None else None,
                facts_read=tuple(referenced_facts(rule.when)) if rule.when is not None else (),
                message=tuple(template_parts(rule.message)),
            )
            for policy in self.policies
            for rule in policy.rules
        )
        self.rule_by_id: dict[str, CompiledRule] = {c.rule.id: c for c in self.rules}
        self.obligation_of: dict[str, str] = {
            c.rule.id: c.rule.obligation for c in self.rules if c.rule.obligation is not None}
        self.digest: str = "sha256:" + digest_of(list(self.policies))


def canonical_json(value: Any) -> bytes:
    """The canonical serialisation digests are taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest_of(records: Sequence[BaseModel] | BaseModel) -> str:
    """sha256 of records' canonical JSON: the same on every machine for the same content.

    Over what the record's file says: a field the loader computes from other records (a card's
    lineage) is left out, so an auditor recomputes the digest from the file alone."""
    if isinstance(records, BaseModel):
        data: Any = _as_written(records)
    else:
        data = [_as_written(r) for r in records]
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _as_written(record: BaseModel) -> Any:
    """What the record's file says: its data without the fields the loader computes."""
    data = record_data(record, json_mode=True)
    for name, info in type(record).model_fields.items():
        if any(isinstance(m, ComputedByLoader) for m in info.metadata):
            data.pop(info.alias or name, None)
    return data


# ---------------------------------------------------------------- deciding


def build_options(model: ModelCard, profile: Profile) -> list[Option]:
    """Every way to deploy the model: its API offerings, then self-hosting unless closed."""
    options = [
        Option.model_construct(
            deployment="api",
            provider=offer.provider,
            host_jurisdiction=offer.host_jurisdiction,
            regions=offer.regions,
            pricing=offer.pricing,
            data_terms=offer.data_terms,
        )
        for offer in model.api_offerings
    ]
    # Unknown openness is not 'closed': the self-host option is judged, and the licence rules
    # deny it for insufficient evidence rather than it silently vanishing.
    if model.open_weights is not False:
        options.append(
            Option.model_construct(
                deployment="self-host",
                host_jurisdiction=profile.self_host.jurisdiction,
                regions=profile.self_host.regions,
            )
        )
    return options


def cost_of(facts: Mapping[str, Any]) -> CostPerTask | None:
    """An option's cost per task as its derived facts give it; None for self-host."""
    basis = facts.get("derived.cost_per_task_basis")
    if basis is None:
        return None
    return CostPerTask.model_construct(usd=facts.get("derived.cost_per_task_usd"), basis=basis)


def option_costs(model: ModelCard, task: Task, profile: Profile) -> list[CostPerTask | None]:
    """The cost per task of each option of ``build_options``, in that order (what the matrix
    adds to a cell's decision: costs read no policy)."""
    return [cost_of(read_facts(model, option, task, profile))
            for option in build_options(model, profile)]


def cheapest_index(options: Sequence[tuple[str, CostPerTask | None]]) -> int | None:
    """Of (verdict, cost) per option: the allowed API option that costs least per task (the
    first of equals), when two or more are allowed and every one's cost is known; else None
    (an unknown cost could be the lowest)."""
    allowed = [(cost.usd, i) for i, (verdict, cost) in enumerate(options)
               if verdict == "allowed" and cost is not None]
    if len(allowed) < 2 or any(usd is None for usd, _ in allowed):
        return None
    return min((usd, i) for usd, i in allowed if usd is not None)[1]


def rule_applies(rule: Rule, option: Option, task: Task) -> bool:
    """Whether ``rule``'s scope (deployments, risk tiers, business-critical) covers the option."""
    scope = rule.applies_to
    return (
        (scope.deployments is None or option.deployment in scope.deployments)
        and (scope.risk_tiers is None or task.risk_tier in scope.risk_tiers)
        and (scope.business_critical is None or task.business_critical == scope.business_critical)
    )


def condition_outcome(compiled: CompiledRule, facts: Mapping[str, Any], as_of: dt.date) -> Tri:
    """Whether a rule's condition holds on these facts: True, False, or None (unknown).
    A rule without a condition always holds."""
    return compiled.condition(facts, as_of) if compiled.condition else True


def effect_of(compiled: CompiledRule, outcome: Tri) -> Effect | None:
    """The effect of a rule whose condition came out ``outcome``: none when it is false; when
    unknown, the rule's own effect if ``when_unknown`` is ``fire``, else ``warn``."""
    if outcome is False:
        return None
    if outcome is None and compiled.rule.when_unknown != "fire":
        return "warn"
    return compiled.rule.effect


def evaluate_rule(compiled: CompiledRule, facts: Mapping[str, Any], as_of: dt.date
                  ) -> tuple[Effect, str, list[str]] | None:
    """What a rule gives on these facts: ``(effect, message, unknown facts)``, or None when it
    does not fire. Plain data, so the matrix path (``govern.matrix``) shares it with ``decide``.

    ``facts`` needs only the rule's condition and message facts; a path it lacks is unknown.
    """
    outcome = condition_outcome(compiled, facts, as_of)
    effect = effect_of(compiled, outcome)
    if effect is None:
        return None
    if outcome is None:
        unknown = [path for path in compiled.facts_read if facts.get(path) is None]
        prefix = "insufficient evidence" if effect != "warn" else "cannot check"
        description = compiled.rule.description
        return effect, f"{prefix}: {', '.join(unknown)} unknown ({description})", unknown
    message = "".join(
        text if kind == "text" else render_value(facts.get(text)) for kind, text in compiled.message
    )
    return effect, message, []


def _finding(compiled: CompiledRule, facts: dict[str, Any], as_of: dt.date) -> Finding | None:
    evaluated = evaluate_rule(compiled, facts, as_of)
    if evaluated is None:
        return None
    effect, message, unknown = evaluated
    return Finding.model_construct(rule=compiled.rule.id, policy=compiled.policy, effect=effect,
                                   severity=compiled.rule.severity, message=message,
                                   unknown_facts=unknown)


def waiver_matches(waiver: Waiver, finding: Finding, model: ModelCard, task: Task,
                   option: Option) -> bool:
    """Whether ``waiver`` covers ``finding`` for this model, task and option (expiry aside)."""
    scope = waiver.scope
    return (
        waiver.rule == finding.rule
        and scope.model in (None, model.id)
        and scope.task in (None, task.id)
        and scope.deployment in (None, option.deployment)
        and scope.provider in (None, option.provider)
    )


def waiver_is_live(waiver: Waiver, as_of: dt.date) -> bool:
    """A waiver applies through its expiry day, and not after it."""
    return as_of <= waiver.expires


def _apply_waivers(findings: list[Finding], waivers: Sequence[Waiver], model: ModelCard,
                   task: Task, option: Option, as_of: dt.date) -> tuple[list[Finding], set[str]]:
    """The findings with the first live matching waiver set on each deny finding, and the ids
    of every waiver (live or expired) that matched a deny finding of this option."""
    result: list[Finding] = []
    matched_ids: set[str] = set()
    for finding in findings:
        if finding.effect == "deny":
            matching = sorted((w for w in waivers
                               if waiver_matches(w, finding, model, task, option)),
                              key=lambda w: w.id)
            matched_ids.update(w.id for w in matching)
            live = next((w for w in matching if waiver_is_live(w, as_of)), None)
            if live is not None:
                finding = finding.model_copy(update={"waiver": AppliedWaiver.model_construct(
                    id=live.id, owner=live.owner, reason=live.reason,
                    reference=live.reference, expires=live.expires)})
        result.append(finding)
    return result, matched_ids


def waiver_uses(waivers: Sequence[Waiver], matched: list[set[str]],
                 as_of: dt.date) -> list[WaiverUse]:
    """Every waiver that matched a deny finding of some option, by id, with those options.
    Of two waivers with one id (a policy test's own and the catalog's), the first given speaks."""
    first: dict[str, Waiver] = {}
    for waiver in waivers:
        first.setdefault(waiver.id, waiver)
    return [WaiverUse.model_construct(**WaiverUse.terms_of(w),
                                      status="applied" if waiver_is_live(w, as_of) else "expired",
                                      matched_options=[i for i, ids in enumerate(matched)
                                                       if w.id in ids])
            for _, w in sorted(first.items())
            if any(w.id in ids for ids in matched)]


def _decide_option(option: Option, model: ModelCard, task: Task, profile: Profile,
                   policies: PolicySet, as_of: dt.date, waivers: Sequence[Waiver]
                   ) -> tuple[OptionDecision, set[str]]:
    """The option's decision, and the ids of the waivers that matched its deny findings."""
    facts = read_facts(model, option, task, profile)
    findings = [
        finding
        for compiled in policies.rules
        if rule_applies(compiled.rule, option, task)
        and (finding := _finding(compiled, facts, as_of)) is not None
    ]
    findings, matched = _apply_waivers(findings, waivers, model, task, option, as_of)
    denies = [f for f in findings if f.effect == "deny"]
    standing = [f for f in denies if f.waiver is None]
    obligations = [
        Obligation.model_construct(obligation=policies.obligation_of[f.rule], rule=f.rule,
                                   message=f.message)
        for f in findings
        if f.effect == "require"
    ]
    return OptionDecision.model_construct(
        deployment=option.deployment,
        provider=option.provider,
        verdict="denied" if standing else "allowed",
        waived=bool(denies) and not standing,
        recommended=False,
        findings=findings,
        obligations=obligations,
        cost_per_task=cost_of(facts),
    ), matched


def decide(model: ModelCard, task: Task, profile: Profile, policies: PolicySet,
           as_of: dt.date, waivers: Sequence[Waiver] = ()) -> Decision:
    """Decide whether and how ``model`` may be used for ``task`` by ``profile``, as of a date:
    on the card's facts in force that day (``govern.dated``)."""
    model = card_as_of(model, as_of)
    decided = [_decide_option(option, model, task, profile, policies, as_of, waivers)
               for option in build_options(model, profile)]
    options = [option for option, _ in decided]
    recommendation: Recommendation = "disallow"
    for deployment in profile.preference:
        index = next((i for i, o in enumerate(options)
                      if o.deployment == deployment and o.verdict == "allowed"), None)
        if index is not None:
            options[index] = options[index].model_copy(update={"recommended": True})
            recommendation = deployment
            break
    cheapest = cheapest_index([(o.verdict, o.cost_per_task) for o in options])
    if cheapest is not None:
        options[cheapest] = options[cheapest].model_copy(update={"cheapest": True})
    return cite_decision(Decision.model_construct(
        model=model.id,
        task=task.id,
        profile=profile.id,
        as_of=as_of,
        recommendation=recommendation,
        options=options,
        waivers=waiver_uses(waivers, [matched for _, matched in decided], as_of),
        policy_set_digest=policies.digest,
    ), model, as_of, policies)
