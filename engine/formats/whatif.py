"""``govern what-if``: the diff of the catalog before and after the scenario's events (the diff
formats themselves), then the manifest's uses and the fallbacks that stay allowed."""

from __future__ import annotations

from govern.formats.diff_markdown import render_diff_markdown
from govern.formats.diff_text import render_diff_text
from govern.formats.json_format import dumps
from govern.formats.markdown import cell
from govern.whatif import WhatIfReport


def _events(report: WhatIfReport) -> list[str]:
    lines = [f"what if: {report.scenario}", *(f"  {a}" for a in report.applied)]
    lines += [f"  not applied: {p}" for p in report.pending]
    return lines


def _uses(report: WhatIfReport) -> list[str]:
    if report.uses is None:
        return []
    broken = [u for u in report.uses if u.status == "breaks"]
    lines = [f"uses in the manifest: {len(report.uses)}, {len(broken)} break"]
    for impact in report.uses:
        use = impact.use
        lines.append(f"  {impact.status:<14} line {use.line}: {use.name}: {use.model} / "
                     f"{use.task} / {use.label}")
        if impact.status in ("breaks", "still fails"):
            lines.append("                 fall back to: "
                         + ("; ".join(impact.fallbacks) or "nothing stays allowed"))
    return lines


def _fallbacks(report: WhatIfReport) -> list[str]:
    if report.uses is not None or not report.fallbacks:
        return []
    lines = [f"fallbacks for the cells that tightened ({len(report.fallbacks)}):"]
    for c, fallbacks in report.fallbacks:
        lines.append(f"  {c.profile} / {c.model} / {c.task}: "
                     + ("; ".join(fallbacks) or "nothing stays allowed"))
    return lines


def render_whatif_text(report: WhatIfReport, color: bool = False) -> str:
    extra = [*_uses(report), *_fallbacks(report)]
    head = "\n".join(_events(report)) + "\n\n"
    return head + render_diff_text(report.diff, color) + ("\n" + "\n".join(extra) + "\n"
                                                          if extra else "")


def render_whatif_json(report: WhatIfReport, color: bool = False) -> str:
    return dumps(report.document())


def render_whatif_markdown(report: WhatIfReport, color: bool = False) -> str:
    lines = [f"### What if: {cell(report.scenario)}", "",
             *(f"- {cell(a)}" for a in report.applied),
             *(f"- not applied: {cell(p)}" for p in report.pending), ""]
    if report.uses is not None:
        lines += ["| use | model / task | intended | status | fall back to |",
                  "|---|---|---|---|---|"]
        for u in report.uses:
            lines.append(f"| {cell(u.use.name)} | {cell(u.use.model)} / {cell(u.use.task)} | "
                         f"{cell(u.use.label)} | {u.status} | "
                         f"{cell('; '.join(u.fallbacks) or '—')} |")
        lines.append("")
    return "\n".join(lines) + "\n" + render_diff_markdown(report.diff)


WHATIF_FORMATS = {"text": render_whatif_text, "json": render_whatif_json,
                  "markdown": render_whatif_markdown}
