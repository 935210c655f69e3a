"""``govern diff`` as Markdown for a pull-request comment: a summary heading, the catalog
edits, a table of the cells whose decision changed (at most ``MAX_ROWS``), and the cells whose
messages alone changed folded away."""

from __future__ import annotations

from govern.formats.diff_text import (
    KIND_TITLES,
    finding_line,
    message_rule_counts,
    recommendation_text,
    summary_line,
    verdict_text,
)
from govern.formats.markdown import cell as md_cell
from govern.matrix.diff import CHANGE_KINDS, CellChange, MatrixDiff
from govern.matrix.record_diff import RecordChange

MAX_ROWS = 100
"""Table rows shown; a PR comment is limited to 65,536 characters. JSON has them all."""
_ICONS = {"more-permissive": "🔓", "more-restrictive": "🔒", "mixed": "🔀", "changed": "↔️"}


def _record_line(record: RecordChange) -> str:
    if record.change != "changed":
        return f"- {record.label}: **{record.change}**"
    fields = "; ".join(f"`{f.text()}`" if "`" not in f.text() else f.text()
                       for f in record.fields)
    return f"- {record.label}: {fields}"


def _row(change: CellChange) -> str:
    options = [f"{o.label}: {verdict_text(o)}" + "".join(f"\n{finding_line(f)}"
                                                         for f in o.findings)
               for o in change.options if o.findings or o.verdict_before != o.verdict_after]
    values = [f"{_ICONS.get(change.kind, '')} {KIND_TITLES[change.kind]}".strip(),
              change.cell.profile, change.cell.model, change.cell.task,
              recommendation_text(change), "\n".join(options), ", ".join(change.rules),
              "; ".join([*change.causes, *([f"recorded at {change.at}"] if change.at else [])])]
    return "| " + " | ".join(md_cell(v) for v in values) + " |"


def render_diff_markdown(diff: MatrixDiff, color: bool = False) -> str:
    s = diff.summary
    lines = [f"## govern diff: {s.decisions_changed} decision(s) changed", "",
             f"{md_cell(summary_line(s))}.", "",
             (f"Before: {md_cell(diff.before)}; after: {md_cell(diff.after)}; as of {diff.as_of}; "
             f"profiles: {md_cell(', '.join(diff.profiles))}."), ""]
    lines += ["### Catalog edits", ""]
    lines += [_record_line(r) for r in diff.records] or ["None."]
    changed = [c for kind in CHANGE_KINDS if kind != "messages"
               for c in diff.cells if c.kind == kind]
    if changed:
        lines += ["", "### Decisions that changed", "",
                  ("| Change | Profile | Model | Task | Recommendation | Options | Rules | "
                  "Because |"), "|---|---|---|---|---|---|---|---|"]
        lines += [_row(c) for c in changed[:MAX_ROWS]]
        if len(changed) > MAX_ROWS:
            lines += ["", (f"… and {len(changed) - MAX_ROWS} more: `govern diff --format json` "
                          "lists every cell.")]
    quiet = [c for c in diff.cells if c.kind == "messages"]
    if quiet:
        counts = message_rule_counts(quiet)
        lines += ["", f"<details><summary>Messages changed only: {len(quiet)} cell(s)</summary>",
                  "", "| Rule | Cells |", "|---|---|"]
        lines += [f"| {md_cell(rule)} | {n} |" for rule, n in sorted(counts.items())]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
