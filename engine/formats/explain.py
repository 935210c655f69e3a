"""``govern explain``: what it would take for each denied option to be allowed, as text, JSON
or Markdown. Renders only: the search is ``govern.explain``."""

from __future__ import annotations

from typing import Any

from govern.explain import GROUP_TITLES, GROUPS, Explanation, OptionExplanation
from govern.formats.json_format import dumps
from govern.formats.markdown import cell
from govern.formats.text import paint

EXPLAIN_KEY = "what_would_it_take"
"""The key of the section in ``govern evaluate --format json --explain``."""


def explanation_document(explanation: Explanation) -> dict[str, Any]:
    """The section itself: method, bound, closest option, and per denied option its
    suggestions grouped by who can make them."""
    return explanation.document()


def render_explain_json(explanation: Explanation, color: bool = False) -> str:
    decision = explanation.decision
    return dumps({"model": decision.model, "task": decision.task, "profile": decision.profile,
                  "as_of": decision.as_of.isoformat(),
                  "recommendation": decision.recommendation,
                  EXPLAIN_KEY: explanation_document(explanation)})


def _heading(explanation: Explanation) -> str:
    d = explanation.decision
    return f"{d.model} for {d.task}  (profile {d.profile}, as of {d.as_of.isoformat()})"


def _option_lines(option: OptionExplanation, color: bool) -> list[str]:
    lines = [paint(f"{option.option.label}: denied", "red", color)
             + f" by {', '.join(option.blocked_by)}"]
    if not option.suggestions:
        lines.append("  no set of changes within the bound allows it")
    for group in GROUPS:
        chosen = [s for s in option.suggestions if s.group == group]
        if not chosen:
            continue
        lines.append(f"  {GROUP_TITLES[group]}:")
        for suggestion in chosen:
            first, *rest = suggestion.wording
            lines.append(f"    - if {first}")
            lines.extend(f"      and {w}" for w in rest)
    if not option.complete:
        lines.append("  (search stopped at its bound: there may be more)")
    return lines


def _footer(explanation: Explanation) -> list[str]:
    lines = []
    if explanation.closest is not None:
        c = explanation.closest
        lines.append(f"closest to allowed: {c.option.label} "
                     f"({c.fewest_changes} change{'s' if c.fewest_changes != 1 else ''})")
    lines.append(f"searched: every minimal set of up to {explanation.max_changes} changes "
                 "(and the waivers of every deny rule); each one re-decided allows the option")
    return lines


def render_explain_text(explanation: Explanation, color: bool = False) -> str:
    decision = explanation.decision
    lines = [_heading(explanation), f"recommendation: {decision.recommendation}", ""]
    if not explanation.options:
        lines.append("no option is denied: nothing to change")
    for option in explanation.options:
        lines += [*_option_lines(option, color), ""]
    return "\n".join([*lines, *_footer(explanation)]) + "\n"


def render_explain_markdown(explanation: Explanation, color: bool = False) -> str:
    decision = explanation.decision
    lines = [f"### What would it take: {cell(_heading(explanation))}", "",
             f"Recommendation: **{decision.recommendation}**", ""]
    for option in explanation.options:
        lines += [f"#### {cell(option.option.label)}: denied by "
                  + ", ".join(f"`{r}`" for r in option.blocked_by), "",
                  "| who | if … |", "|---|---|"]
        for s in option.suggestions:
            lines.append(f"| {GROUP_TITLES[s.group]} | {cell(' and '.join(s.wording))} |")
        lines.append("")
    lines += [f"- {line}" for line in _footer(explanation)]
    return "\n".join(lines) + "\n"


EXPLAIN_FORMATS = {"text": render_explain_text, "json": render_explain_json,
                   "markdown": render_explain_markdown}
