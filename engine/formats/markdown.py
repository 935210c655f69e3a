"""Markdown for a pull-request comment or ``$GITHUB_STEP_SUMMARY``: a summary line, a table of
the manifest's pairs with verdicts and reasons, then obligations and waivers.

Table cells escape ``|`` and turn newlines into ``<br>``, so a message can never break the
table; backticks in code spans are avoided by not putting user text in code spans.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govern.core import Decision, Finding, OptionDecision
from govern.formats.cited import citation_lines, source_keys
from govern.formats.costs import cost_amount, cost_line, entry_option

if TYPE_CHECKING:  # only annotations: `evaluate --format markdown` needs no check report
    from govern.check.report import CheckReport, EntryResult, WaiverReport

_STATUS = {"pass": "✅ pass", "fail": "❌ fail"}
_WAIVER_STATUS = {"applied": "applied", "expired": "⚠️ expired", "unused": "⚠️ unused"}


def cell(text: str) -> str:
    """Text made safe for one GitHub-flavoured Markdown table cell."""
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(part.strip() for part in text.replace("\r\n", "\n").split("\n"))


def _row(values: list[str]) -> str:
    return "| " + " | ".join(cell(v) for v in values) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), "|" + "---|" * len(header), *(_row(r) for r in rows)]


def _entry_row(entry: EntryResult) -> list[str]:
    reasons = list(entry.reasons)
    reasons += [f"{f.rule} {source_keys(f)}" for f in entry.denials if f.sources]
    reasons += [f"warning {f.rule}: {f.message}" + (f" [{source_keys(f)}]" if f.sources else "")
                for f in entry.warnings if entry.status == "pass"]
    cost = cost_line(entry.decision, entry_option(entry.decision, entry.option_index))
    return [_STATUS[entry.status], str(entry.line), entry.model, entry.task,
            entry.option or entry.intended, entry.verdict,
            "n/a" if cost is None else cost.removeprefix("cost per task: "), "\n".join(reasons)]


def _obligation_lines(report: CheckReport) -> list[str]:
    return [f"- **{e.label}**: {o.obligation} ({o.rule}): {o.message}"
            for e in report.entries for o in e.obligations]


def _waiver_rows(waivers: list[WaiverReport]) -> list[list[str]]:
    return [[w.id, _WAIVER_STATUS[w.status], w.rule, w.owner, w.reason, w.reference,
             w.expires.isoformat(), ", ".join(w.matched) or "nothing"] for w in waivers]


def render_check_markdown(report: CheckReport) -> str:
    s = report.summary
    verdict = "❌ failed" if s.failed else "✅ passed"
    lines = [
        f"## govern check {verdict}: {s.passed} of {s.checks} passed, {s.failed} failed",
        "",
        (f"Manifest {report.manifest}, profile **{report.profile}**, as of {report.as_of}, "
         f"--fail-on {report.fail_on}; policy set {report.policy_set_digest}."),
        "",
        *_table(["Status", "Line", "Model", "Task", "Deployment", "Verdict", "Cost per task",
                 "Reasons"],
                [_entry_row(e) for e in report.entries]),
    ]
    obligations = _obligation_lines(report)
    if obligations:
        lines += ["", "### Obligations", "", *obligations]
    if report.waivers:
        lines += ["", "### Waivers", "",
                  *_table(["Waiver", "Status", "Rule", "Owner", "Reason", "Reference",
                           "Expires", "Matched"], _waiver_rows(report.waivers))]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- one decision (evaluate)


def _cited(finding: Finding) -> str:
    return "".join(f"\n{p}" for p in citation_lines(finding))


def _option_row(option: OptionDecision) -> list[str]:
    findings = [f"{f.effect} {f.rule} ({f.severity}): {f.message}"
                + (f" — waived by {f.waiver.id}" if f.waiver else "") + _cited(f)
                for f in option.findings]
    cost = option.cost_per_task
    return [option.label + (" (recommended)" if option.recommended else "")
            + (" (cheapest)" if option.cheapest else ""),
            option.verdict + (", waived" if option.waived else ""),
            "n/a" if cost is None else (
                "unknown" if cost.usd is None else cost_amount(cost)) + f": {cost.basis}",
            "\n".join(findings) or "none", ", ".join(o.obligation for o in option.obligations)]


def render_decision_markdown(decision: Decision) -> str:
    lines = [f"## {decision.model} for {decision.task}: {decision.recommendation}", "",
             (f"Profile **{decision.profile}**, as of {decision.as_of}; policy set "
              f"{decision.policy_set_digest}."), "",
             *_table(["Option", "Verdict", "Cost per task", "Findings", "Obligations"],
                     [_option_row(o) for o in decision.options])]
    if decision.waivers:
        lines += ["", "### Waivers", ""]
        lines += [f"- {w.id} ({w.rule}): {w.status}, owner {w.owner}, until {w.expires}, "
                  f"{w.reference}: {w.reason}" for w in decision.waivers]
    return "\n".join(lines) + "\n"
