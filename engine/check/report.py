"""The manifest check, pure: (entry, task) pairs and their decisions in, a ``CheckReport`` out.

For each pair the *intended* option is the one the manifest names (its deployment, and for
``api`` its provider when given). The pair fails when that option is denied by a standing deny
finding, or when it does not exist for the model; ``--fail-on`` widens or narrows that (see
``govern.check.options``). Allowed-with-obligations passes and carries the obligations.

Waivers are applied by the core per decision; here they are summed up over the whole run, so a
waiver that matched nothing anywhere is reported as unused and an expired one as expired.
Formats only render the report; exit codes come from it (``CheckReport.exit_code``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from govern import __version__
from govern.check.manifest_file import CheckItem
from govern.check.options import FailOn
from govern.core import (
    Decision,
    Finding,
    Obligation,
    OptionDecision,
    PolicySet,
    WaiverTerms,
    deployment_label,
)
from govern.records import SEVERITIES, Deployment, Effect, Policy, Severity, Waiver

UNAVAILABLE_RULE = "govern.deployment-unavailable"
"""The rule id reported when the manifest names a deployment the model does not have."""

EXIT_PASS, EXIT_FAIL = 0, 1


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EntryResult(_Out):
    """The verdict on one (manifest entry, task) pair."""

    index: int
    """Position of the entry in the manifest's ``uses`` (0-based)."""
    line: int
    """Line of the entry in the manifest, where annotations and SARIF results point."""
    column: int
    name: str | None
    entry: str
    """The entry's stable identity in reports (test names, SARIF fingerprints, baselines): its
    ``name``, or for an unnamed entry its model and intended deployment; the n-th (n > 1) entry
    sharing one gets ``#n``. Adding, removing or moving other entries leaves it unchanged."""
    model: str
    task: str
    deployment: Deployment
    """The intended deployment, as the manifest says."""
    provider: str | None
    """The intended API provider, as the manifest says (None: any offering, or self-host)."""
    option: str | None
    """The option judged, e.g. 'api via Z.ai'; None when the intended one does not exist."""
    option_index: int | None
    """Where the option judged stands in ``decision.options``; None as for ``option``."""
    status: Literal["pass", "fail"]
    verdict: Literal["allowed", "denied", "unavailable"]
    """What the policies say about the intended option, before ``--fail-on`` is applied."""
    rule: str | None
    """The deciding rule: the most severe standing denial, the unavailability rule, or (for
    ``--fail-on warn``) the first warning; None when nothing stands against the option."""
    reasons: list[str]
    """Why, in words: the verdict and the alternatives, then every standing denial."""
    denials: list[Finding]
    """Deny findings on the intended option that no live waiver sets aside."""
    warnings: list[Finding]
    obligations: list[Obligation]
    waived: list[Finding]
    """Deny findings set aside by a live waiver (each carries its waiver)."""
    alternatives: list[str]
    """The model's other allowed options for this task, e.g. ['self-host']."""
    baselined: list[str] = []
    """Rules this pair fails on that ``--baseline`` accepts (the pair passes when all are)."""
    decision: Decision

    @property
    def intended(self) -> str:
        """The intended deployment as the manifest says it, e.g. 'api via Z.ai' or 'api'."""
        return deployment_label(self.deployment, self.provider)

    @property
    def label(self) -> str:
        """``model / task / deployment``, as test names and titles show the pair."""
        return f"{self.model} / {self.task} / {self.intended}"

    @property
    def title(self) -> str:
        """``entry: model / task / deployment``: unique within a report, as test names show
        pairs (a manifest may not list one task twice in an entry)."""
        return f"{self.entry}: {self.label}"

    def failing(self, finding: Finding, fail_on: FailOn) -> bool:
        """Whether this finding on the intended option is one the pair fails on."""
        return self.status == "fail" and finding_fails(finding.effect, finding.severity, fail_on)


class RuleInfo(_Out):
    """What a report needs to describe a rule (SARIF's rule metadata)."""

    id: str
    policy: str
    policy_title: str
    description: str
    effect: Effect
    severity: Severity
    rationale: str
    source: str


class WaiverReport(WaiverTerms):
    """A catalog waiver as the whole run saw it."""

    status: Literal["applied", "expired", "unused"]
    """applied: live and matched a finding; expired: past its date (matched or not);
    unused: live but matched nothing in the whole check, so it can probably be removed."""
    file: str
    matched: list[str]
    """Labels of the pairs whose decision it matched."""


class Summary(_Out):
    checks: int
    passed: int
    failed: int
    waived: int
    """Passing pairs that pass only because a waiver set a denial aside."""
    with_warnings: int
    waivers_applied: int
    waivers_expired: int
    waivers_unused: int
    baselined: int = 0
    """Pairs that pass only because ``--baseline`` accepts their failing findings."""


class CheckReport(_Out):
    """One ``govern check`` run: every pair's result, the waivers, and the counts."""

    tool: str
    version: str
    manifest: str
    """The manifest's path as reports show it (relative to the working directory)."""
    manifest_uri: str
    """The manifest's path relative to the repository root (``git rev-parse --show-toplevel``,
    else the manifest's directory), '/'-separated: SARIF's ``%SRCROOT%``-based location."""
    home_url: str | None
    """Where govern's documentation lives for the reader (``GOVERN_HOME_URL``; the action sets
    its own repository): SARIF's ``informationUri`` and rules' ``helpUri``. None: not known."""
    as_of: dt.date
    profile: str
    policy_set_digest: str
    fail_on: FailOn
    summary: Summary
    entries: list[EntryResult]
    waivers: list[WaiverReport]
    rules: list[RuleInfo]
    """Metadata of every rule an entry's findings name, in rule-id order."""
    baseline_stale: list[str] = []
    """``--baseline`` entries that match no finding any more: fixed or removed uses."""

    @property
    def exit_code(self) -> int:
        return EXIT_FAIL if self.summary.failed else EXIT_PASS


# ---------------------------------------------------------------- one pair


def _intended(decision: Decision, item: CheckItem) -> int | None:
    """Index of the option the entry names; without a provider, an allowed API offering if
    any."""
    use = item.use
    wanted = use.provider.casefold() if use.provider else None
    candidates = [i for i, o in enumerate(decision.options) if o.deployment == use.deployment
                  and (wanted is None or (o.provider or "").casefold() == wanted)]
    allowed = (i for i in candidates if decision.options[i].verdict == "allowed")
    return next(allowed, candidates[0] if candidates else None)


def _intended_text(item: CheckItem) -> str:
    return f"intended {deployment_label(item.use.deployment, item.use.provider)}"


def _alternatives_text(alternatives: list[str]) -> str:
    if not alternatives:
        return "no deployment is allowed"
    return f"{' and '.join(alternatives)} {'is' if len(alternatives) == 1 else 'are'} allowed"


def _unavailable_reason(item: CheckItem) -> str:
    model, use = item.model, item.use
    if use.deployment == "self-host":
        return f"{model.id} has no open weights to self-host"
    providers = [o.provider for o in model.api_offerings]
    if not providers:
        return f"{model.id} has no API offering"
    return f"{model.id} is offered by {', '.join(providers)}, not {use.provider}"


def _most_severe(findings: list[Finding]) -> Finding | None:
    ranked = sorted(findings, key=lambda f: -SEVERITIES.index(f.severity))
    return ranked[0] if ranked else None


def finding_fails(effect: Effect, severity: Severity, fail_on: FailOn) -> bool:
    """Whether a standing finding of this effect and severity fails a pair at ``fail_on``."""
    if effect == "warn":
        return fail_on == "warn"
    if effect != "deny":
        return False
    if fail_on in ("deny", "warn"):
        return True
    return SEVERITIES.index(severity) >= SEVERITIES.index(fail_on)


def _fails(verdict: str, denials: list[Finding], warnings: list[Finding],
           fail_on: FailOn) -> bool:
    if verdict == "unavailable":
        return True
    if fail_on == "deny":
        return verdict == "denied"
    if fail_on == "warn":
        return verdict == "denied" or bool(warnings)
    threshold = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) >= threshold for f in denials)


def _summary_line(item: CheckItem, option: OptionDecision | None, alternatives: list[str],
                  failed: bool, fail_on: FailOn) -> str:
    intended = _intended_text(item)
    if option is None:
        return (f"{intended} is not available: {_unavailable_reason(item)}; "
                f"{_alternatives_text(alternatives)}")
    if option.verdict == "denied":
        line = f"{intended} is denied; {_alternatives_text(alternatives)}"
        return line if failed else f"{line} (below --fail-on {fail_on}: not failing)"
    line = f"{intended} is allowed" + (" (a denial is waived)" if option.waived else "")
    return line


def check_item(item: CheckItem, decision: Decision, fail_on: FailOn,
               entry: str | None = None) -> EntryResult:
    """Judge one (entry, task) pair from its decision."""
    index = _intended(decision, item)
    option = decision.options[index] if index is not None else None
    alternatives = [o.label for i, o in enumerate(decision.options)
                    if o.verdict == "allowed" and i != index]
    findings = option.findings if option else []
    denials = [f for f in findings if f.effect == "deny" and f.waiver is None]
    warnings = [f for f in findings if f.effect == "warn"]
    verdict = "unavailable" if option is None else option.verdict
    failed = _fails(verdict, denials, warnings, fail_on)
    deciding = _most_severe(denials)
    rule = (UNAVAILABLE_RULE if option is None else deciding.rule if deciding
            else warnings[0].rule if failed and warnings else None)
    reasons = [_summary_line(item, option, alternatives, failed, fail_on)]
    reasons += [f"{f.rule} ({f.severity}): {f.message}" for f in denials]
    if failed and verdict == "allowed":
        reasons += [f"{f.rule} (warn, {f.severity}): {f.message}" for f in warnings]
    return EntryResult(
        index=item.index, line=item.line, column=item.column, name=item.use.name,
        entry=entry or entry_base(item),
        model=item.model.id, task=item.task.id, deployment=item.use.deployment,
        provider=item.use.provider, option=option.label if option else None,
        option_index=index,
        status="fail" if failed else "pass", verdict=verdict, rule=rule, reasons=reasons,
        denials=denials, warnings=warnings,
        obligations=option.obligations if option else [],
        waived=[f for f in findings if f.waiver is not None],
        alternatives=alternatives, decision=decision)


@dataclass(frozen=True)
class Standing:
    """One rule standing against a pair's intended option: what SARIF reports as one result and
    a baseline records as one finding."""

    rule: str
    message: str
    failing: bool
    """Whether the pair fails on it (else ``--fail-on`` tolerates it)."""
    finding: Finding | None = None
    """The finding it stands for, with its rationale and sources; None for unavailability."""


def standing(entry: EntryResult, fail_on: FailOn) -> list[Standing]:
    """Each standing denial of the intended option (one per rule), its unavailability, or the
    warnings a pair fails on under ``--fail-on warn``."""
    if entry.verdict == "unavailable":
        return [Standing(UNAVAILABLE_RULE, entry.reasons[0], True)]
    findings = list(entry.denials)
    if entry.status == "fail" and entry.verdict == "allowed":
        findings += entry.warnings
    found: dict[str, Standing] = {}
    for f in findings:
        found.setdefault(f.rule, Standing(f.rule, f"{f.rule} ({f.severity}): {f.message}",
                                          entry.failing(f, fail_on), f))
    return list(found.values())


# ---------------------------------------------------------------- the run


def entry_base(item: CheckItem) -> str:
    """An entry's identity before duplicates are told apart: its name, else what it uses."""
    use = item.use
    return use.name or f"{use.model} {deployment_label(use.deployment, use.provider)}"


def entry_keys(items: Sequence[CheckItem]) -> dict[int, str]:
    """Entry index -> its stable identity (``EntryResult.entry``).

    Not the index: an entry added above another would change the other's fingerprint, and code
    scanning would close its alert and open a new one. The ``#n`` suffix counts only entries
    with the same base, so only editing one of those can shift it.
    """
    keys: dict[int, str] = {}
    seen: dict[str, int] = {}
    for item in items:
        if item.index in keys:
            continue
        base = entry_base(item)
        seen[base] = seen.get(base, 0) + 1
        keys[item.index] = base if seen[base] == 1 else f"{base} #{seen[base]}"
    return keys


@dataclass(frozen=True)
class WaiverSource:
    """A catalog waiver and the file it came from (for reports' locations)."""

    waiver: Waiver
    file: str


def _matched_intended(entry: EntryResult, waiver_id: str) -> bool:
    """Whether the waiver matched a deny finding on the entry's intended option.

    The core matches waivers against every option of a decision; a waiver that only matched an
    option the project does not use (say, the API while it self-hosts) is of no use to it.
    """
    return entry.option_index is not None and any(
        use.id == waiver_id and entry.option_index in use.matched_options
        for use in entry.decision.waivers)


def _waiver_reports(entries: list[EntryResult], waivers: Sequence[WaiverSource],
                    as_of: dt.date) -> list[WaiverReport]:
    matched: dict[str, list[str]] = {}
    for entry in entries:
        for source in waivers:
            if _matched_intended(entry, source.waiver.id):
                matched.setdefault(source.waiver.id, []).append(entry.label)
    reports = []
    for source in sorted(waivers, key=lambda s: s.waiver.id):
        w = source.waiver
        status: Literal["applied", "expired", "unused"] = (
            "expired" if w.expires < as_of else "applied" if w.id in matched else "unused")
        reports.append(WaiverReport(
            **WaiverReport.terms_of(w), status=status, file=source.file,
            matched=list(dict.fromkeys(matched.get(w.id, [])))))
    return reports


def _rule_infos(entries: list[EntryResult], policies: PolicySet,
                titles: dict[str, Policy]) -> list[RuleInfo]:
    named = {f.rule for e in entries for f in e.denials + e.warnings + e.waived}
    named |= {o.rule for e in entries for o in e.obligations}
    infos = [RuleInfo(id=c.rule.id, policy=c.policy, policy_title=titles[c.policy].title,
                      description=c.rule.description, effect=c.rule.effect,
                      severity=c.rule.severity, rationale=c.rule.rationale.text.strip(),
                      source=c.rule.rationale.source)
             for c in policies.rules if c.rule.id in named]
    if any(e.verdict == "unavailable" for e in entries):
        infos.append(RuleInfo(
            id=UNAVAILABLE_RULE, policy="govern", policy_title="govern check",
            description="the intended deployment does not exist for the model",
            effect="deny", severity="high",
            rationale="A manifest entry must name a way the model can be obtained: one of "
                      "the API offerings its card lists, or self-hosting of open weights.",
            source="govern check"))
    return sorted(infos, key=lambda r: r.id)


def build_report(*, manifest: str, manifest_uri: str, home_url: str | None = None, items: Sequence[CheckItem], decisions: Sequence[Decision],
                 policies: PolicySet, policy_records: dict[str, Policy],
                 waivers: Sequence[WaiverSource], profile: str, as_of: dt.date,
                 fail_on: FailOn) -> CheckReport:
    """The report of a whole run; ``decisions[i]`` is the decision for ``items[i]``."""
    keys = entry_keys(items)
    entries = [check_item(item, decision, fail_on, keys[item.index])
               for item, decision in zip(items, decisions, strict=True)]
    waiver_reports = _waiver_reports(entries, waivers, as_of)
    failed = sum(e.status == "fail" for e in entries)
    summary = Summary(
        checks=len(entries), passed=len(entries) - failed, failed=failed,
        waived=sum(e.status == "pass" and bool(e.waived) for e in entries),
        with_warnings=sum(bool(e.warnings) for e in entries),
        waivers_applied=sum(w.status == "applied" for w in waiver_reports),
        waivers_expired=sum(w.status == "expired" for w in waiver_reports),
        waivers_unused=sum(w.status == "unused" for w in waiver_reports))
    return CheckReport(
        tool="govern", version=__version__, manifest=manifest, manifest_uri=manifest_uri,
        home_url=home_url, as_of=as_of, profile=profile,
        policy_set_digest=policies.digest, fail_on=fail_on, summary=summary, entries=entries,
        waivers=waiver_reports, rules=_rule_infos(entries, policies, policy_records))
