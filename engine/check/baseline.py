"""A baseline for legacy estates: today's failing findings, recorded, so ``govern check`` fails
only on new ones.

A finding is identified by the manifest entry (its stable ``EntryResult.entry``), the model and
task of the pair, the intended option (deployment and provider) and the rule: never by message
text, so rewording a policy or moving lines does not turn an accepted finding into a new one.
A baseline entry that no longer matches any finding is *stale* (the use was fixed or removed)
and is reported, so the baseline shrinks instead of hiding future regressions.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from govern.check.report import CheckReport, EntryResult, standing
from govern.errors import InputError, Problem

BASELINE_VERSION = 1


class BaselineFinding(BaseModel):
    """One accepted finding: which pair, which option, which rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    entry: str
    model: str
    task: str
    deployment: str
    provider: str | None
    rule: str

    def describe(self) -> str:
        via = f" via {self.provider}" if self.provider else ""
        return f"{self.entry}: {self.model} / {self.task} / {self.deployment}{via}: {self.rule}"


class Baseline(BaseModel):
    """The file ``--write-baseline`` writes and ``--baseline`` reads."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    govern_baseline: int
    """The format's version (1)."""
    manifest: str
    findings: list[BaselineFinding]


def _key(entry: EntryResult, rule: str) -> BaselineFinding:
    return BaselineFinding(entry=entry.entry, model=entry.model, task=entry.task,
                           deployment=entry.deployment, provider=entry.provider, rule=rule)


def failing_findings(report: CheckReport) -> list[BaselineFinding]:
    """Every finding a pair of the report fails on, in manifest order."""
    return [_key(e, s.rule) for e in report.entries for s in standing(e, report.fail_on)
            if s.failing]


def baseline_text(report: CheckReport) -> str:
    """The baseline of today's failing findings, byte-identical for identical inputs."""
    findings = sorted(set(failing_findings(report)), key=lambda f: f.model_dump_json())
    baseline = Baseline(govern_baseline=BASELINE_VERSION, manifest=report.manifest,
                        findings=findings)
    return json.dumps(baseline.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def read_baseline(path: Path, shown: str) -> Baseline:
    """A baseline file, or an ``InputError`` naming it (exit 2, never a silent pass)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise InputError(Problem(shown, None, None, "--baseline",
                                 f"cannot read: {e.strerror or e}")) from e
    except json.JSONDecodeError as e:
        raise InputError(Problem(shown, e.lineno, e.colno, "--baseline",
                                 f"not JSON: {e.msg}")) from e
    try:
        baseline = Baseline.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "-"
        raise InputError(Problem(shown, None, None, key, first["msg"])) from e
    if baseline.govern_baseline != BASELINE_VERSION:
        raise InputError(Problem(shown, None, None, "govern_baseline",
                                 f"unknown baseline version {baseline.govern_baseline}; "
                                 f"this govern writes {BASELINE_VERSION}"))
    return baseline


def apply_baseline(report: CheckReport, baseline: Baseline) -> CheckReport:
    """The report with every failing pair whose failing findings are all in the baseline turned
    into a pass (its findings listed as ``baselined``), and the stale baseline entries named."""
    accepted = set(baseline.findings)
    entries = []
    for entry in report.entries:
        failing = [s.rule for s in standing(entry, report.fail_on) if s.failing]
        known = [rule for rule in failing if _key(entry, rule) in accepted]
        if entry.status == "fail" and failing and len(known) == len(failing):
            entry = entry.model_copy(update={"status": "pass", "baselined": known})
        elif known:
            entry = entry.model_copy(update={"baselined": known})
        entries.append(entry)
    current = set(failing_findings(report))
    stale = [f.describe() for f in baseline.findings if f not in current]
    failed = sum(e.status == "fail" for e in entries)
    summary = report.summary.model_copy(update={
        "passed": len(entries) - failed, "failed": failed,
        "baselined": sum(bool(e.baselined) and e.status == "pass" for e in entries)})
    return report.model_copy(update={"entries": entries, "summary": summary,
                                     "baseline_stale": stale})


__all__ = ["Baseline", "BaselineFinding", "apply_baseline", "baseline_text",
           "failing_findings", "read_baseline"]
