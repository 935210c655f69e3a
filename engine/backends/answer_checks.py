"""Is a decision another engine sent back consistent with what was asked? Checked before use.

An answer from an OPA server is only trusted once everything that can be known without
evaluating the rules' conditions holds: it is about the request asked; its options are exactly
those the local catalog gives, in order; every finding names a rule of the local policy set, of
the policy named, whose scope covers the option, with that rule's severity and effect (or
``warn`` when it could not check); waivers are ones govern sent, matching and live; verdicts
follow from the findings, the recommendation from the verdicts and the profile's preference,
obligations from the require findings. So a flipped verdict, a forged recommendation, a
reordered or missing option or an invented rule is refused, never trusted.

What cannot be seen this way is a consistent answer to the wrong question (a finding left out
whose condition did hold): that is what verifying the policies the server holds, the token and
https are for (docs/opa.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from govern.backends import DecisionRequest
from govern.core import (
    CompiledRule,
    Decision,
    Finding,
    OptionDecision,
    PolicySet,
    build_options,
    deployment_label,
    rule_applies,
    waiver_is_live,
    waiver_matches,
    waiver_uses,
)
from govern.dated import card_as_of
from govern.records import Option, Waiver


@dataclass(frozen=True)
class Asked:
    """What govern asked: the answer is checked against this and nothing else."""

    request: DecisionRequest
    policies: PolicySet
    as_of: dt.date
    waivers: Sequence[Waiver]


def decision_problem(decision: Decision, asked: Asked) -> str | None:
    """What is wrong with ``decision`` as the answer to ``asked``; None when it is consistent."""
    problem = _identity_problem(decision, asked) or _options_problem(decision, asked)
    if problem is not None:
        return problem
    options = build_options(card_as_of(asked.request.model, asked.as_of), asked.request.profile)
    rules = {compiled.rule.id: (index, compiled)
             for index, compiled in enumerate(asked.policies.rules)}
    for option, answered in zip(options, decision.options, strict=True):
        problem = _option_problem(answered, option, rules, asked)
        if problem is not None:
            return f"option {answered.label}: {problem}"
    return _recommendation_problem(decision, asked) or _waiver_uses_problem(decision, options,
                                                                            asked)


def _identity_problem(decision: Decision, asked: Asked) -> str | None:
    request = asked.request
    wanted = (request.model.id, request.task.id, request.profile.id, asked.as_of)
    answered = (decision.model, decision.task, decision.profile, decision.as_of)
    if answered != wanted:
        return (f"asked about {'/'.join(wanted[:3])} as of {wanted[3]}, answered about "
                f"{'/'.join(answered[:3])} as of {answered[3]}")
    if decision.policy_set_digest != asked.policies.digest:
        return (f"decided with policy set {decision.policy_set_digest}, not "
                f"{asked.policies.digest}")
    return None


def _options_problem(decision: Decision, asked: Asked) -> str | None:
    wanted = [deployment_label(o.deployment, o.provider)
              for o in build_options(card_as_of(asked.request.model, asked.as_of), asked.request.profile)]
    answered = [o.label for o in decision.options]
    if answered != wanted:
        return f"the options are [{', '.join(answered)}]; the local catalog gives " \
               f"[{', '.join(wanted)}]"
    return None


def _option_problem(answered: OptionDecision, option: Option,
                    rules: dict[str, tuple[int, CompiledRule]], asked: Asked) -> str | None:
    last = -1
    for finding in answered.findings:
        if finding.rule not in rules:
            return f"finding of unknown rule {finding.rule!r}"
        index, compiled = rules[finding.rule]
        if index <= last:
            return f"finding of rule {finding.rule} repeated or out of policy-set order"
        last = index
        problem = _finding_problem(finding, compiled, option, asked) or _waiver_problem(
            finding, option, asked)
        if problem is not None:
            return f"rule {finding.rule}: {problem}"
    return _verdict_problem(answered) or _obligations_problem(answered, asked.policies)


def _finding_problem(finding: Finding, compiled: CompiledRule, option: Option,
                     asked: Asked) -> str | None:
    rule = compiled.rule
    if finding.policy != compiled.policy:
        return f"belongs to policy {compiled.policy}, not {finding.policy}"
    if not rule_applies(rule, option, asked.request.task):
        return "does not apply to this option (its applies_to excludes it)"
    if finding.severity != rule.severity:
        return f"severity {finding.severity}, the rule says {rule.severity}"
    if finding.unknown_facts:
        if not set(finding.unknown_facts) <= set(compiled.facts_read):
            return "names unknown facts the rule does not read"
        effect = rule.effect if rule.when_unknown == "fire" else "warn"
    else:
        effect = rule.effect
    if finding.effect != effect:
        return f"effect {finding.effect}, the rule gives {effect}"
    return None


def _waiver_problem(finding: Finding, option: Option, asked: Asked) -> str | None:
    request = asked.request
    live = sorted((w for w in asked.waivers
                   if waiver_matches(w, finding, request.model, request.task, option)
                   and waiver_is_live(w, asked.as_of)), key=lambda w: w.id)
    wanted = live[0] if live and finding.effect == "deny" else None
    got = finding.waiver
    if got is None and wanted is None:
        return None
    if got is None or wanted is None or (got.id, got.owner, got.reason, got.reference,
                                         got.expires) != (
            wanted.id, wanted.owner, wanted.reason, wanted.reference, wanted.expires):
        return (f"waived by {got.id if got else 'nothing'}; the waivers sent give "
                f"{wanted.id if wanted else 'none'}")
    return None


def _verdict_problem(answered: OptionDecision) -> str | None:
    denies = [f for f in answered.findings if f.effect == "deny"]
    standing = [f for f in denies if f.waiver is None]
    verdict = "denied" if standing else "allowed"
    if answered.verdict != verdict:
        return (f"verdict {answered.verdict} with "
                f"{len(standing)} standing deny finding(s)")
    if answered.waived != (bool(denies) and not standing):
        return f"waived={answered.waived} does not follow from its deny findings"
    return None


def _obligations_problem(answered: OptionDecision, policies: PolicySet) -> str | None:
    wanted = [(policies.obligation_of.get(f.rule), f.rule, f.message)
              for f in answered.findings if f.effect == "require"]
    got = [(o.obligation, o.rule, o.message) for o in answered.obligations]
    if got != wanted:
        return "obligations do not match its require findings"
    return None


def _recommendation_problem(decision: Decision, asked: Asked) -> str | None:
    chosen = None
    for deployment in asked.request.profile.preference:
        chosen = next((i for i, o in enumerate(decision.options)
                       if o.deployment == deployment and o.verdict == "allowed"), None)
        if chosen is not None:
            break
    wanted = decision.options[chosen].deployment if chosen is not None else "disallow"
    if decision.recommendation != wanted:
        return (f"recommends {decision.recommendation}; the verdicts and the profile's "
                f"preference give {wanted}")
    flagged = [i for i, o in enumerate(decision.options) if o.recommended]
    if flagged != ([chosen] if chosen is not None else []):
        labels = ", ".join(decision.options[i].label for i in flagged) or "none"
        return f"marks {labels} as recommended; the recommendation is {wanted}"
    return None


def _waiver_uses_problem(decision: Decision, options: list[Option],
                         asked: Asked) -> str | None:
    request = asked.request
    matched = [{w.id for f in answered.findings if f.effect == "deny"
                for w in asked.waivers if waiver_matches(w, f, request.model, request.task, option)}
               for answered, option in zip(decision.options, options, strict=True)]
    if decision.waivers != waiver_uses(asked.waivers, matched, asked.as_of):
        return "the waivers reported do not match the waivers that matched its deny findings"
    return None
