"""The matrix as tables: CSV (one row per cell, for spreadsheets) and Markdown (a table per
profile, for a pull request or a wiki page)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from govern.core import cheapest_index
from govern.formats.costs import cost_amount
from govern.formats.markdown import cell as md_cell
from govern.formats.matrix_text import cell_word
from govern.matrix import Cell, CellSummary, MatrixResult

_FULL_WORDS = {"api": "api", "self-host": "self-host", "disallow": "disallow"}
CSV_COLUMNS = ["profile", "model", "task", "recommendation", "recommended_option",
               "allowed_options", "deny_rules", "obligations"]
"""One row per (profile, model, task). Lists inside a field are separated by ``; ``."""


def csv_fields(summary: CellSummary) -> list[str]:
    """The CSV fields of a cell after its ids."""
    recommended = next((o for o in summary.options if o.recommended), None)
    return [summary.recommendation, recommended.label if recommended else "",
            "; ".join(summary.allowed), "; ".join(summary.deny_rules),
            "; ".join(recommended.obligations) if recommended else ""]


def render_matrix_csv(result: MatrixResult, color: bool = False) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for cell, summary in result.cells():
        writer.writerow([cell.profile, cell.model, cell.task, *csv_fields(summary)])
        if buffer.tell() > 1 << 16:  # hand text on in pieces: the matrix may be large
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def cell_with_cost(result: MatrixResult, cell: Cell, summary: CellSummary) -> str:
    """The cell's word and, for an API recommendation, its cost per task; when another allowed
    option is cheaper, that one too: ``api $0.2452 (cheapest: api via X $0.1226)``."""
    word = cell_word(summary, _FULL_WORDS)
    if summary.recommendation != "api":
        return word
    costs = result.costs(cell)
    recommended = next(i for i, o in enumerate(summary.options) if o.recommended)
    cost = costs[recommended]
    text = f"{word} {'cost unknown' if cost is None or cost.usd is None else cost_amount(cost)}"
    cheapest = cheapest_index([(o.verdict, c) for o, c in zip(summary.options, costs,
                                                                strict=True)])
    cheaper = None if cheapest in (None, recommended) else costs[cheapest]
    if cheapest is not None and cheaper is not None:
        text += f" (cheapest: {summary.options[cheapest].label} {cost_amount(cheaper)})"
    return text


def render_matrix_markdown(result: MatrixResult, color: bool = False) -> Iterator[str]:
    tasks = [t.id for t in result.axis.tasks]
    yield (f"## govern matrix, as of {result.as_of.isoformat()}\n\n"
           f"{len(result.axis.models)} models × {len(tasks)} tasks; policy set "
           f"{result.policy_set_digest}. api: use a provider's API; self-host: run the open "
           f"weights ourselves; disallow: neither; *: allowed only through a waiver. An api "
           f"cell shows the recommended option's cost per task, and the cheapest allowed "
           f"option when that is another.\n")
    for profile in result.axis.profiles:
        yield f"\n### Profile {md_cell(profile.id)}\n\n"
        yield "| Model | " + " | ".join(md_cell(t) for t in tasks) + " |\n"
        yield "|---|" + "---|" * len(tasks) + "\n"
        for model in result.axis.models:
            words = [cell_with_cost(result, Cell(profile.id, model.id, task), s)
                     for task, s in zip(tasks, result.rows[profile.id, model.id], strict=True)]
            yield "| " + " | ".join([md_cell(model.id), *words]) + " |\n"
