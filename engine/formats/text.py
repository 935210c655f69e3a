"""The text format: short and aligned, for a person at a terminal; colour only when asked."""

from __future__ import annotations

from govern.core import Decision, Finding
from govern.formats.cited import source_keys
from govern.formats.costs import cost_text

_COLOURS = {"red": "31", "green": "32", "yellow": "33", "dim": "2", "bold": "1"}
_EFFECT_COLOUR = {"deny": "red", "require": "yellow", "warn": "yellow"}
_RECOMMENDATION_COLOUR = {"api": "green", "self-host": "green", "disallow": "red"}


def paint(text: str, colour: str, enabled: bool) -> str:
    """``text`` in an ANSI colour when ``enabled`` (a terminal), else as it is."""
    return f"\033[{_COLOURS[colour]}m{text}\033[0m" if enabled else text


def _finding_line(finding: Finding, color: bool) -> str:
    effect = paint(f"{finding.effect:<7}", _EFFECT_COLOUR[finding.effect], color)
    line = f"    {effect} {finding.severity:<8} {finding.rule}\n{'':>21}{finding.message}"
    if finding.sources:
        # compact: the card's source keys; --format json has publications, titles and facts
        line += f"\n{'':>21}{source_keys(finding)}"
    if finding.waiver is not None:
        w = finding.waiver
        line += (f"\n{'':>21}waived by {w.id} ({w.owner}, until {w.expires}, {w.reference}): "
                 f"{w.reason}")
    return line


def render_decision_text(decision: Decision, color: bool = False) -> str:
    rec = decision.recommendation
    lines = [
        (f"{decision.model} for {decision.task}  (profile {decision.profile}, as of "
        f"{decision.as_of})"),
        "recommendation: " + paint(rec, _RECOMMENDATION_COLOUR[rec], color),
    ]
    if not decision.options:
        lines.append("  no known way to obtain this model: no API offering, no open weights")
    for option in decision.options:
        verdict = option.verdict + (", waived" if option.waived else "")
        mark = ("  <- recommended" if option.recommended else "") + (
            "  <- cheapest" if option.cheapest else "")
        colour = "green" if option.verdict == "allowed" else "red"
        lines.append("")
        lines.append(f"  {paint(f'{verdict:<16}', colour, color)} {option.label}{mark}")
        if option.cost_per_task is not None:
            lines.append(f"    {cost_text(option.cost_per_task)}")
        lines.extend(_finding_line(f, color) for f in option.findings)
        if option.obligations:
            names = ", ".join(o.obligation for o in option.obligations)
            lines.append(f"    obligations: {names}")
    for use in decision.waivers:
        lines.append(f"  waiver {use.id} ({use.rule}): {use.status}, expires {use.expires}")
    lines.append("")
    lines.append(paint(f"policy set {decision.policy_set_digest}", "dim", color))
    return "\n".join(lines) + "\n"
