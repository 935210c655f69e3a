"""GitHub Actions workflow commands: an annotation on the manifest line of each pair.

``::error`` for a failing pair, ``::warning`` for a tolerated denial, for warn findings on an
intended option and for expired or unused waivers, ``::notice`` for a pair that passes thanks
to a waiver. Escaping follows GitHub's toolkit (``@actions/core`` ``command.ts``): in messages
``%``, CR and LF; in properties also ``:`` and ``,``.
"""

from __future__ import annotations

from govern.check.report import CheckReport, EntryResult, WaiverReport
from govern.formats.costs import cost_line, entry_option


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str) -> str:
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
    return f"::{kind} {props}::{escape_data(message)}" if props else \
        f"::{kind}::{escape_data(message)}"


def _entry_commands(entry: EntryResult, manifest: str) -> list[str]:
    where = {"file": manifest, "line": str(entry.line), "col": str(entry.column)}
    cost = cost_line(entry.decision, entry_option(entry.decision, entry.option_index))
    message = "\n".join([*entry.reasons, *([cost] if cost else [])])
    if entry.status == "fail":
        return [command("error", message, **where, title=f"govern: {entry.label}")]
    found = []
    if entry.verdict == "denied":
        found.append(command("warning", message, **where, title=f"govern: {entry.label}"))
    if entry.warnings:
        found.append(command("warning", "\n".join(f"{f.rule} ({f.severity}): {f.message}"
                                                   for f in entry.warnings),
                             **where, title=f"govern warnings: {entry.label}"))
    for f in entry.waived:
        if f.waiver is not None:
            found.append(command(
                "notice", f"{f.rule} is waived by {f.waiver.id} ({f.waiver.owner}, until "
                          f"{f.waiver.expires}, {f.waiver.reference}): {f.waiver.reason}",
                **where, title=f"govern waiver: {entry.label}"))
    return found


def _waiver_command(waiver: WaiverReport) -> str | None:
    if waiver.status == "applied":
        return None
    text = (f"waiver {waiver.id} expired on {waiver.expires}; its rule {waiver.rule} applies "
            f"again" if waiver.status == "expired" else
            f"waiver {waiver.id} ({waiver.rule}) matched nothing in this check; remove it?")
    return command("warning", f"{text} (owner {waiver.owner}, {waiver.reference})",
                   file=waiver.file, title=f"govern waiver {waiver.status}")


def render_check_github(report: CheckReport) -> str:
    lines = [c for e in report.entries for c in _entry_commands(e, report.manifest)]
    lines += [c for w in report.waivers if (c := _waiver_command(w)) is not None]
    s = report.summary
    lines.append(f"govern check {report.manifest}: {s.passed} passed, {s.failed} failed "
                 f"(profile {report.profile}, as of {report.as_of})")
    return "\n".join(lines) + "\n"
