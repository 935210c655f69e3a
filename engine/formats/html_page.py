"""What the HTML reports of ``govern matrix`` and ``govern diff`` share: the Jinja2 environment
their templates are rendered in, and the plain views of a cell the templates read.

Why Jinja2 rather than strings built by hand: every value is escaped by default (autoescape
on), so a card's name, a provider or a rule message from YAML can only ever become text; and
the diff page extends the matrix page (template inheritance) instead of copying it. The
templates, the CSS and the JavaScript ship inside the package (``govern/formats/templates``):
the page they make is one file that loads nothing from anywhere.

Nothing here decides: the views carry the decided outcomes, the records along the axes and
the rules' rationale, looked up by rule id.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

from govern.citations import CitedSource
from govern.core import CostPerTask, PolicySet, cheapest_index
from govern.formats.costs import cost_note
from govern.matrix import CellOutcome, CellSummary
from govern.matrix.diff import CellChange
from govern.records import ModelCard, Profile, Rule, Task

RECOMMENDATION_WORDS = {"api": "api", "self-host": "self-host", "disallow": "disallow"}
"""What a cell says, as in every other format."""


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of the reports: templates from the package, every value
    escaped, an undefined name an error (never an empty string in a report)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("govern.formats", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class PageAssets:
    """The page's own CSS and JavaScript, inlined, and the Content-Security-Policy that lets
    exactly these two run: no request leaves the page, and no script that is not ours runs,
    even if a value ever escaped the escaping."""

    style: Markup
    script: Markup
    content_security_policy: str


def _source_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


@cache
def page_assets() -> PageAssets:
    folder = files("govern.formats") / "templates"
    style = (folder / "report.css").read_text(encoding="utf-8")
    script = (folder / "report.js").read_text(encoding="utf-8")
    policy = (f"default-src 'none'; style-src '{_source_hash(style)}'; "
              f"script-src '{_source_hash(script)}'; base-uri 'none'; form-action 'none'")
    # Our own files from the package, not values from YAML: inlined as they are.
    return PageAssets(Markup(style), Markup(script), policy)


@dataclass(frozen=True)
class RuleNote:
    """What a reader needs about the rule behind a finding: why it exists and on what."""

    policy: str
    description: str
    rationale: str
    source: str


def rule_notes(policies: Sequence[PolicySet]) -> dict[str, RuleNote]:
    """Every rule of the policy sets by id; a later set's text wins (the diff's 'after')."""
    notes: dict[str, RuleNote] = {}
    for policy_set in policies:
        for compiled in policy_set.rules:
            rule: Rule = compiled.rule
            notes[rule.id] = RuleNote(compiled.policy, rule.description, rule.rationale.text,
                                      rule.rationale.source)
    return notes


@dataclass(frozen=True)
class CellView:
    """One cell of a heat map, as a template shows it."""

    anchor: str
    """The HTML id of the cell's details: numbers only, whatever the ids hold."""
    profile: Profile
    model: ModelCard
    task: Task
    recommendation: str
    """The recommendation now (after, in a diff); empty for a cell that no longer exists."""
    waived: bool
    """The recommended option is allowed only through a waiver."""
    outcome: CellOutcome | None
    """The full decision (after, in a diff; before, for a cell gone)."""
    change: CellChange | None = None
    sources: dict[tuple[int, str], list[CitedSource]] = field(default_factory=dict)
    """Per (option index, rule id) of the outcome's findings, the card's sources it cites."""
    costs: dict[int, str] = field(default_factory=dict)
    """Per option index of the outcome, its cost per task with the basis, marked when it is the
    cheapest allowed option (``govern.formats.costs.cost_note``); API options only."""

    @property
    def word(self) -> str:
        return RECOMMENDATION_WORDS.get(self.recommendation, "gone")


@dataclass(frozen=True)
class HeatRow:
    """A model's cells under one profile, in task order."""

    model: ModelCard
    cells: list[CellView]


@dataclass(frozen=True)
class HeatMap:
    """One profile's table."""

    anchor: str
    profile: Profile
    counts: list[tuple[str, int]]
    rows: Iterator[HeatRow]
    """Decided as the page is written."""


def waived(summary: CellSummary | CellOutcome) -> bool:
    return any(o.recommended and o.waived for o in summary.options)


def anchor(profile: int, model: int, task: int) -> str:
    return f"cell-{profile}-{model}-{task}"


def counts(recommendations: Counter[str]) -> list[tuple[str, int]]:
    """(word, count) for each recommendation, in the legend's order."""
    return [(word, recommendations.get(key, 0)) for key, word in RECOMMENDATION_WORDS.items()]


def cost_notes(outcome: CellOutcome, costs: Sequence[CostPerTask | None]) -> dict[int, str]:
    """Per option index, the cost note a cell's detail shows (see ``CellView.costs``)."""
    cheapest = cheapest_index([(o.verdict, c) for o, c in zip(outcome.options, costs,
                                                                strict=True)])
    return {i: cost_note(c, i == cheapest) for i, c in enumerate(costs) if c is not None}
