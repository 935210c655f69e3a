"""``govern matrix --format html``: one self-contained page a person reads in a browser.

A heat map per profile (models × tasks, each cell ``api``, ``self-host`` or ``disallow`` in
colour and in words), each cell opening to its full reasons: every option with its verdict,
findings (rule, effect, severity, message, the rule's rationale and source, the card's sources
of the facts it read), obligations, waivers, and each API option's cost per task with its basis
(marked when it is the cheapest allowed option). Filters by profile, model, task and
recommendation run in a little inline script; with scripts off the page shows everything. Rendered a row at a time (the outcomes are decided as
the page is written) and byte-identical for identical inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from govern.formats.html_page import (
    CellView,
    HeatMap,
    HeatRow,
    PageAssets,
    RuleNote,
    anchor,
    cost_notes,
    counts,
    environment,
    page_assets,
    rule_notes,
    waived,
)
from govern.matrix import Cell, CellOutcome, MatrixResult
from govern.records import ModelCard, Profile, Task


@dataclass(frozen=True)
class MatrixPage:
    """Everything the matrix template reads."""

    as_of: str
    policy_set_digest: str
    profiles: tuple[Profile, ...]
    models: tuple[ModelCard, ...]
    tasks: tuple[Task, ...]
    cells: int
    maps: Iterator[HeatMap]
    rules: dict[str, RuleNote]
    assets: PageAssets


def _view(result: MatrixResult, index: int, m: int, t: int, profile: Profile, model: ModelCard,
          task: Task, outcome: CellOutcome) -> CellView:
    cell = Cell(profile.id, model.id, task.id)
    return CellView(anchor(index, m, t), profile, model, task, outcome.recommendation,
                    waived(outcome), outcome, sources=result.citations(cell, outcome),
                    costs=cost_notes(outcome, result.costs(cell)))


def _rows(result: MatrixResult, index: int, profile: Profile) -> Iterator[HeatRow]:
    for m, (model, outcomes) in enumerate(result.detail_rows(profile)):
        yield HeatRow(model, [
            _view(result, index, m, t, profile, model, task, outcome)
            for t, (task, outcome) in enumerate(zip(result.axis.tasks, outcomes, strict=True))])


def _maps(result: MatrixResult) -> Iterator[HeatMap]:
    for index, profile in enumerate(result.axis.profiles):
        tally: Counter[str] = Counter(s.recommendation for model in result.axis.models
                        for s in result.rows[profile.id, model.id])
        yield HeatMap(f"profile-{index}", profile, counts(tally), _rows(result, index, profile))


def render_matrix_html(result: MatrixResult) -> Iterator[str]:
    page = MatrixPage(result.as_of.isoformat(), result.policy_set_digest, result.axis.profiles,
                      result.axis.models, result.axis.tasks, len(result), _maps(result),
                      rule_notes([result.policies]), page_assets())
    return environment().get_template("matrix.html.j2").generate(page=page)
