"""The text report of ``govern check``: short aligned lines for a terminal, one block per pair."""

from __future__ import annotations

from govern.check.report import CheckReport, EntryResult, WaiverReport
from govern.formats.cited import source_keys
from govern.formats.costs import cost_line, entry_option

_STATUS = {"pass": "PASS", "fail": "FAIL"}


def _entry_lines(entry: EntryResult, manifest: str) -> list[str]:
    where = f"{manifest}:{entry.line}"
    lines = [f"{_STATUS[entry.status]}  {where:<22} {entry.label}"]
    lines += [f"      {reason}" for reason in entry.reasons]
    # compact: the source keys of each denial; --format json/sarif cite them in full
    lines += [f"      {f.rule} {source_keys(f)}" for f in entry.denials if f.sources]
    cost = cost_line(entry.decision, entry_option(entry.decision, entry.option_index))
    lines += [f"      {cost}"] if cost else []
    lines += [f"      obligation {o.obligation}: {o.message}" for o in entry.obligations]
    if entry.status == "pass" or entry.verdict != "allowed":
        lines += [f"      warn {f.rule}: {f.message}" + (f" [{source_keys(f)}]" if f.sources else "")
                  for f in entry.warnings]
    lines += [f"      waived {f.rule} by {f.waiver.id} ({f.waiver.owner}, until "
              f"{f.waiver.expires}, {f.waiver.reference}): {f.waiver.reason}"
              for f in entry.waived if f.waiver]
    lines += [f"      baselined {rule}: in the baseline, not failing" for rule in entry.baselined]
    return lines


def _waiver_line(waiver: WaiverReport) -> str:
    return (f"  {waiver.status:<8} {waiver.id} ({waiver.rule}) owner {waiver.owner}, until "
            f"{waiver.expires}, {waiver.reference}: {waiver.reason}")


def render_check_text(report: CheckReport) -> str:
    lines = [(f"govern check {report.manifest}  (profile {report.profile}, as of "
              f"{report.as_of}, --fail-on {report.fail_on})"), ""]
    for entry in report.entries:
        lines += _entry_lines(entry, report.manifest)
    if report.waivers:
        lines += ["", "waivers:", *(_waiver_line(w) for w in report.waivers)]
    if report.baseline_stale:
        lines += ["", "stale baseline entries (no such finding any more; remove them):",
                  *(f"  {stale}" for stale in report.baseline_stale)]
    s = report.summary
    baselined = f", {s.baselined} baselined" if s.baselined else ""
    lines += ["", (f"{s.checks} checked: {s.passed} passed ({s.waived} waived), "
                   f"{s.failed} failed{baselined}; waivers {s.waivers_applied} applied, "
                   f"{s.waivers_expired} expired, {s.waivers_unused} unused"),
              f"policy set {report.policy_set_digest}"]
    return "\n".join(lines) + "\n"
