"""SARIF 2.1.0 for code scanning: one result per failing (or tolerated-denied) manifest pair,
located at the manifest line of its entry; rule metadata from the policies.

GitHub code scanning reads ``ruleId``, ``tool.driver.rules`` (``shortDescription``, ``help``,
``defaultConfiguration.level``) and ``locations``; ``partialFingerprints`` keep an alert the
same alert from run to run even when the manifest's lines move.
"""

from __future__ import annotations

import hashlib
from typing import Any

from govern.check.report import CheckReport, EntryResult, RuleInfo
from govern.formats.json_format import dumps

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule_level(rule: RuleInfo) -> str:
    if rule.effect == "deny":
        return "error"
    return "warning" if rule.severity in ("high", "critical") else "note"


def _rule(rule: RuleInfo) -> dict[str, Any]:
    help_text = f"{rule.rationale}\n\nSource: {rule.source}"
    return {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": f"{rule.description} (policy {rule.policy}: "
                                    f"{rule.policy_title})"},
        "help": {"text": help_text,
                 "markdown": f"**{rule.description}**\n\n{rule.rationale}\n\n"
                             f"*Source:* {rule.source}"},
        "defaultConfiguration": {"level": _rule_level(rule)},
        "properties": {"policy": rule.policy, "severity": rule.severity, "effect": rule.effect,
                       "tags": ["model-governance", rule.policy]},
    }


def _fingerprint(entry: EntryResult) -> str:
    key = "\0".join([entry.model, entry.task, entry.deployment, entry.provider or "",
                     entry.rule or ""])
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _result(entry: EntryResult, manifest: str, index_of: dict[str, int]) -> dict[str, Any]:
    rule = entry.rule or ""
    return {
        "ruleId": rule,
        "ruleIndex": index_of[rule],
        "level": "error" if entry.status == "fail" else "warning",
        "message": {"text": f"{entry.label}: " + "\n".join(entry.reasons)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": manifest},
            "region": {"startLine": entry.line, "startColumn": entry.column},
        }}],
        "partialFingerprints": {"governEntry/v1": _fingerprint(entry)},
        "properties": {"model": entry.model, "task": entry.task,
                       "deployment": entry.deployment, "provider": entry.provider,
                       "verdict": entry.verdict, "obligations":
                       [o.obligation for o in entry.obligations]},
    }


def sarif_document(report: CheckReport) -> dict[str, Any]:
    # A pair that passes only because --fail-on tolerates its denial is still reported (as a
    # warning): hiding a standing denial from code scanning would read as an allow.
    reported = [e for e in report.entries
                if e.status == "fail" or (e.verdict == "denied" and e.rule)]
    used = {e.rule for e in reported}
    rules = [r for r in report.rules if r.id in used]
    index_of = {r.id: i for i, r in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "govern", "version": report.version,
                                "semanticVersion": report.version,
                                "rules": [_rule(r) for r in rules]}},
            "results": [_result(e, report.manifest, index_of) for e in reported],
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
