"""SARIF 2.1.0 for code scanning: one result per (manifest entry and task, rule) that stands
against the intended option, located at the manifest line of its entry; rule metadata from the
policies.

GitHub code scanning reads ``ruleId``, ``tool.driver.rules`` (``shortDescription``, ``help``,
``defaultConfiguration.level``, ``properties.security-severity``) and ``locations``, and keeps
an alert the same alert from run to run by ``partialFingerprints``. The fingerprint is built
from the entry's stable identity (its name), the task, the intended option and the rule: never
the line, so moving or adding other entries does not close and reopen alerts, and never the
message, so rewording a policy does not either. Locations are relative to ``%SRCROOT%``, the
repository root, so a check run from a sub-folder still points at the right file.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from govern.check.report import CheckReport, EntryResult, RuleInfo, Standing, standing
from govern.formats.costs import cheapest_option, entry_option
from govern.formats.json_format import dumps
from govern.records import Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "governFinding/v2"
"""v2: per (entry, task, option, rule); v1 was per (model, task, deployment, rule) and merged
entries that use one model the same way."""

SECURITY_SEVERITY: dict[Severity, str] = {
    "low": "2.0", "medium": "5.0", "high": "7.5", "critical": "9.5"}
"""GitHub's ``security-severity`` (a number as a string; 9.0+ critical, 7.0+ high, 4.0+ medium,
above 0 low) for govern's severities, each in the middle of its band."""


def _rule_level(rule: RuleInfo) -> str:
    if rule.effect == "deny":
        return "error"
    return "warning" if rule.severity in ("high", "critical") else "note"


def rule_name(rule_id: str) -> str:
    """A Pascal-case friendly name, distinct from the id as SARIF asks:
    ``jurisdiction.data-class-not-permitted-at-host`` -> ``JurisdictionDataClassNotPermittedAtHost``."""
    words = rule_id.replace(".", "-").replace("_", "-").split("-")
    return "".join(word[:1].upper() + word[1:] for word in words if word)


def _rule(rule: RuleInfo, home_url: str | None) -> dict[str, Any]:
    help_text = f"{rule.rationale}\n\nSource: {rule.source}"
    described: dict[str, Any] = {
        "id": rule.id,
        "name": rule_name(rule.id),
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": f"{rule.description} (policy {rule.policy}: "
                                    f"{rule.policy_title})"},
        "help": {"text": help_text,
                 "markdown": f"**{rule.description}**\n\n{rule.rationale}\n\n"
                             f"*Source:* {rule.source}"},
    }
    if home_url:
        # govern has no page per rule: the rule's text is in ``help``; this is where to read on.
        described["helpUri"] = home_url
    described["defaultConfiguration"] = {"level": _rule_level(rule)}
    described["properties"] = {
        "policy": rule.policy, "severity": rule.severity, "effect": rule.effect,
        "security-severity": SECURITY_SEVERITY[rule.severity],
        "tags": ["model-governance", "security", rule.policy]}
    return described


def fingerprint(entry: EntryResult, rule: str) -> str:
    """Stable under unrelated edits: no line, no message, no index."""
    key = "\0".join([entry.entry, entry.model, entry.task, entry.deployment,
                     entry.provider or "", rule])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def reported(report: CheckReport) -> list[tuple[EntryResult, Standing]]:
    """Every (pair, rule) to report. A denial that ``--fail-on`` tolerates is still reported
    (as a warning): hiding a standing denial from code scanning would read as an allow."""
    return [(e, s) for e in report.entries for s in standing(e, report.fail_on)]


def _result(entry: EntryResult, item: Standing, report: CheckReport,
            index_of: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": item.rule,
        "ruleIndex": index_of[item.rule],
        "level": "error" if item.failing else "warning",
        "message": {"text": f"{entry.title}: {entry.reasons[0]}\n{item.message}"},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(report.manifest_uri), "uriBaseId": SRCROOT},
            "region": {"startLine": entry.line, "startColumn": entry.column},
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(entry, item.rule)},
        "properties": {"entry": entry.entry, "model": entry.model, "task": entry.task,
                       "deployment": entry.deployment, "provider": entry.provider,
                       "verdict": entry.verdict, "obligations":
                       [o.obligation for o in entry.obligations], **_costs(entry),
                       **_citations(item)},
    }


def _costs(entry: EntryResult) -> dict[str, Any]:
    """The intended option's cost per task (usd and basis, as ``--format json`` has it) and the
    cheapest allowed option (its label and cost), or null where there is none."""
    option = entry_option(entry.decision, entry.option_index)
    cost = None if option is None else option.cost_per_task
    cheapest = cheapest_option(entry.decision)
    return {"cost_per_task": None if cost is None else cost.model_dump(mode="json"),
            "cheapest_option": None if cheapest is None else {
                "option": cheapest.label, "intended": cheapest is option,
                "cost_per_task": None if cheapest.cost_per_task is None
                else cheapest.cost_per_task.model_dump(mode="json")}}


def _citations(item: Standing) -> dict[str, Any]:
    """The rule's rationale and the card's sources of the facts it read, in full."""
    finding = item.finding
    if finding is None:
        return {}
    return {"rationale": None if finding.rationale is None
            else finding.rationale.model_dump(mode="json"),
            "sources": [s.model_dump(mode="json") for s in finding.sources]}


def _driver(report: CheckReport, rules: list[RuleInfo]) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "govern", "version": report.version,
                              "semanticVersion": report.version}
    if report.home_url:
        driver["informationUri"] = report.home_url
    driver["rules"] = [_rule(r, report.home_url) for r in rules]
    return driver


def sarif_document(report: CheckReport) -> dict[str, Any]:
    results = reported(report)
    used = {s.rule for _, s in results}
    rules = [r for r in report.rules if r.id in used]
    index_of = {r.id: i for i, r in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": _driver(report, rules)},
            # No absolute path here: the same inputs give the same bytes on every machine, and
            # code scanning resolves %SRCROOT% to the checkout itself.
            "originalUriBaseIds": {SRCROOT: {"description": {
                "text": "The repository root (git rev-parse --show-toplevel), or the "
                        "manifest's directory outside a git work tree."}}},
            "results": [_result(e, s, report, index_of) for e, s in results],
            "columnKind": "unicodeCodePoints",
            "properties": {
                "asOf": report.as_of.isoformat(), "profile": report.profile,
                "policySetDigest": report.policy_set_digest, "failOn": report.fail_on,
                "summary": report.summary.model_dump(mode="json"),
                "waivers": [w.model_dump(mode="json") for w in report.waivers],
            },
        }],
    }


def render_check_sarif(report: CheckReport) -> str:
    return dumps(sarif_document(report))
