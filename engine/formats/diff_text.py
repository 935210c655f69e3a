"""``govern diff`` for a person: the catalog edits, a summary line, then every changed cell
grouped by kind with its options and rules before → after; message-only changes last, one
line per rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from govern.formats.text import paint
from govern.matrix.diff import (
    CHANGE_KINDS,
    CellChange,
    ChangeKind,
    DiffSummary,
    FindingChange,
    FindingState,
    MatrixDiff,
    OptionChange,
)
from govern.matrix.record_diff import RecordChange

KIND_TITLES: dict[ChangeKind, str] = {
    "more-permissive": "more permissive", "more-restrictive": "more restrictive",
    "mixed": "mixed (one option loosened, another tightened)",
    "changed": "changed between api and self-host", "findings": "findings changed",
    "messages": "messages changed only", "added": "new cells", "removed": "cells gone",
}
_KIND_COLOURS: dict[ChangeKind, str] = {"more-permissive": "green",
                                        "more-restrictive": "red", "mixed": "yellow"}


def summary_line(summary: DiffSummary) -> str:
    """``180 cells: 1 more permissive, 2 more restrictive, …, 174 unchanged``."""
    parts = [f"{summary.count('more-permissive')} more permissive",
             f"{summary.count('more-restrictive')} more restrictive"]
    parts += [f"{summary.count(k)} {KIND_TITLES[k]}" for k in CHANGE_KINDS[2:]
              if summary.count(k) and k != "messages"]
    line = f"{summary.cells} cells: {', '.join(parts)}, {summary.unchanged} unchanged"
    if summary.count("messages"):
        line += f"; {summary.count('messages')} with messages changed only"
    return line


def record_lines(record: RecordChange) -> list[str]:
    if record.change != "changed":
        return [f"  {record.label}: {record.change}"]
    return [f"  {record.label}", *(f"    {f.text()}" for f in record.fields)]


def state_text(state: FindingState) -> str:
    text = f"{state.effect} {state.severity} {state.rule}"
    if state.waiver:
        text += f" (waived by {state.waiver})"
    return text + (f": {state.message}" if state.message else "")


def finding_line(change: FindingChange) -> str:
    if change.before is None:
        assert change.after is not None
        return f"+ {state_text(change.after)}"
    if change.after is None:
        return f"- {state_text(change.before)}"
    before, after = change.before, change.after
    what = [f"{a} → {b}" for a, b in ((before.effect, after.effect),
                                       (before.severity, after.severity)) if a != b]
    if before.waiver != after.waiver:
        what.append(f"waiver {before.waiver or 'none'} → {after.waiver or 'none'}")
    if before.obligation != after.obligation:
        what.append(f"obligation {before.obligation} → {after.obligation}")
    return f"~ {change.rule}: {', '.join(what)}"


def verdict_text(option: OptionChange) -> str:
    def one(verdict: str | None, recommended: bool) -> str:
        return (verdict or "(no such option)") + (", recommended" if recommended else "")

    before = one(option.verdict_before, option.recommended_before)
    after = one(option.verdict_after, option.recommended_after)
    return after if before == after else f"{before} → {after}"


def option_lines(option: OptionChange) -> list[str]:
    lines = [f"    {option.label}: {verdict_text(option)}"]
    lines += [f"      {finding_line(f)}" for f in option.findings]
    obligations = ([f"+{o}" for o in option.obligations_added]
                   + [f"-{o}" for o in option.obligations_removed])
    if obligations:
        lines.append(f"      obligations: {' '.join(obligations)}")
    return lines


def recommendation_text(change: CellChange) -> str:
    before, after = change.recommendation_before, change.recommendation_after
    if before == after:
        return f"{after} (unchanged)"
    return f"{before or '(no cell)'} → {after or '(no cell)'}"


def cell_lines(change: CellChange) -> list[str]:
    cell = change.cell
    lines = [(f"  {cell.profile} / {cell.model} / {cell.task}: recommendation "
             f"{recommendation_text(change)}")]
    if change.at:
        lines.append(f"    recorded at {change.at}")
    for option in change.options:
        if option.findings or option.verdict_before != option.verdict_after \
                or option.recommended_before != option.recommended_after:
            lines += option_lines(option)
    lines += [f"    waiver {w}" for w in change.waivers]
    if change.rules:
        lines.append(f"    rules: {', '.join(change.rules)}")
    if change.causes:
        lines.append(f"    because: {'; '.join(change.causes)}")
    return lines


def message_rule_counts(cells: Sequence[CellChange]) -> Counter[str]:
    """For the message-only cells: how many cells each rule's text changed on."""
    return Counter(rule for c in cells
                   for rule in dict.fromkeys(f.rule for o in c.options for f in o.messages))


def render_diff_text(diff: MatrixDiff, color: bool = False) -> str:
    lines = [f"govern diff  before: {diff.before}  after: {diff.after}",
             f"as of {diff.as_of}; profiles: {', '.join(diff.profiles)}"]
    if diff.policy_set_before == diff.policy_set_after:
        lines.append(f"policy set unchanged ({diff.policy_set_after})")
    else:
        lines.append(f"policy set {diff.policy_set_before} → {diff.policy_set_after}")
    lines += ["", f"catalog edits ({len(diff.records)}):" if diff.records
              else "catalog edits: none"]
    for record in diff.records:
        lines += record_lines(record)
    lines += ["", summary_line(diff.summary)]
    for kind in CHANGE_KINDS:
        cells = [c for c in diff.cells if c.kind == kind]
        if not cells or kind == "messages":
            continue
        title = paint(f"{KIND_TITLES[kind]} ({len(cells)}):", _KIND_COLOURS.get(kind, "bold"),
                      color)
        lines += ["", title]
        for change in cells:
            lines += cell_lines(change)
    quiet = [c for c in diff.cells if c.kind == "messages"]
    if quiet:
        counts = message_rule_counts(quiet)
        lines += ["", f"messages changed only ({len(quiet)} cells; --format json lists them): "
                  + ", ".join(f"{rule} ({n})" for rule, n in sorted(counts.items()))]
    return "\n".join(lines) + "\n"
