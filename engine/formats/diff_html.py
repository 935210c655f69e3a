"""``govern diff --format html``: what an edit to the catalog changes, as one page.

The summary and the catalog edits first; then, per profile, the heat map of the matrix after
the edit with every changed cell outlined and reading ``before → after``, opening to what
changed (options, findings by rule id, obligations, waivers), the edits that caused it, and
the full decision now; then every changed cell in one table, and the message-only changes
folded away. A replay (no whole matrix) shows the table only. The page is the matrix page
extended (``diff.html.j2`` extends ``matrix.html.j2``'s parent), byte-identical for identical
inputs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from govern.formats.diff_text import KIND_TITLES, message_rule_counts, summary_line
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
from govern.matrix.diff import CHANGE_KINDS, CellChange, ChangeKind, MatrixDiff
from govern.records import ModelCard, Profile, Task


@dataclass(frozen=True)
class ChangedRow:
    """A line of the table of changed cells."""

    change: CellChange
    anchor: str | None
    """The cell in the heat maps, when there are heat maps."""


@dataclass(frozen=True)
class DiffPage:
    """Everything the diff template reads."""

    diff: MatrixDiff
    as_of: str
    profiles: tuple[Profile, ...]
    models: tuple[ModelCard, ...]
    tasks: tuple[Task, ...]
    summary_line: str
    kinds: list[tuple[ChangeKind, str, int]]
    """(kind, title, cells) for each kind of change that happened."""
    changed: list[ChangedRow]
    quiet: list[tuple[str, int]]
    """Message-only changes: (rule, cells)."""
    maps: Iterator[HeatMap]
    rules: dict[str, RuleNote]
    assets: PageAssets


Record = TypeVar("Record", Profile, ModelCard, Task)


@dataclass(frozen=True)
class _Axis:
    """Both versions' records along the sides, the earlier version's order first."""

    profiles: tuple[Profile, ...]
    models: tuple[ModelCard, ...]
    tasks: tuple[Task, ...]


def _union(before: Sequence[Record], after: Sequence[Record],
           wanted: Sequence[str] | None = None) -> tuple[Record, ...]:
    """Records of both versions by id, in the earlier order then the new ones; the later
    version's record where both have one."""
    latest = {r.id: r for r in before} | {r.id: r for r in after}
    order = [*(r.id for r in before), *(r.id for r in after)]
    ids = list(dict.fromkeys(wanted if wanted is not None else order))
    return tuple(latest[i] for i in ids if i in latest)


def _axis(diff: MatrixDiff, matrices: tuple[MatrixResult, MatrixResult]) -> _Axis:
    before, after = (m.axis for m in matrices)
    return _Axis(_union(before.profiles, after.profiles, diff.profiles),
                 _union(before.models, after.models), _union(before.tasks, after.tasks))


def _outcomes(matrix: MatrixResult, profile: str, model: str) -> dict[str, CellOutcome]:
    """A row's full outcomes by task id, or nothing when the version has no such row."""
    if (profile, model) not in matrix.rows:
        return {}
    records = (next(p for p in matrix.axis.profiles if p.id == profile),
               next(m for m in matrix.axis.models if m.id == model))
    ((_, row),) = matrix.detail_rows(records[0], [records[1]])
    return {t.id: o for t, o in zip(matrix.axis.tasks, row, strict=True)}


def _rows(axis: _Axis, matrices: tuple[MatrixResult, MatrixResult], index: int,
          changes: dict[Cell, CellChange]) -> Iterator[HeatRow]:
    profile = axis.profiles[index]
    for m, model in enumerate(axis.models):
        before, after = (_outcomes(x, profile.id, model.id) for x in matrices)
        cells = []
        for t, task in enumerate(axis.tasks):
            now = after.get(task.id)
            outcome = now if now is not None else before.get(task.id)
            cell = Cell(profile.id, model.id, task.id)
            # the decision shown is the version's it came from: cite and price it there
            source = matrices[1] if now is not None else matrices[0]
            cells.append(CellView(anchor(index, m, t), profile, model, task,
                                  now.recommendation if now is not None else "",
                                  now is not None and waived(now), outcome, changes.get(cell),
                                  {} if outcome is None else source.citations(cell, outcome),
                                  {} if outcome is None
                                  else cost_notes(outcome, source.costs(cell))))
        yield HeatRow(model, cells)


def _maps(axis: _Axis, matrices: tuple[MatrixResult, MatrixResult],
          changes: dict[Cell, CellChange]) -> Iterator[HeatMap]:
    after = matrices[1]
    for index, profile in enumerate(axis.profiles):
        tally: Counter[str] = Counter(s.recommendation for model in after.axis.models
                        for s in after.rows.get((profile.id, model.id), ()))
        yield HeatMap(f"profile-{index}", profile, counts(tally),
                      _rows(axis, matrices, index, changes))


def _anchors(axis: _Axis) -> dict[Cell, str]:
    return {Cell(p.id, m.id, t.id): anchor(i, j, k)
            for i, p in enumerate(axis.profiles) for j, m in enumerate(axis.models)
            for k, t in enumerate(axis.tasks)}


def render_diff_html(diff: MatrixDiff) -> str:
    decided = [c for kind in CHANGE_KINDS if kind != "messages"
               for c in diff.cells if c.kind == kind]
    changes = {c.cell: c for c in diff.cells}
    if diff.matrices is not None:
        axis = _axis(diff, diff.matrices)
        anchors = _anchors(axis)
        maps: Iterator[HeatMap] = _maps(axis, diff.matrices, changes)
        notes = rule_notes([m.policies for m in diff.matrices])
    else:
        axis, anchors, maps, notes = _Axis((), (), ()), {}, iter(()), {}
    page = DiffPage(
        diff, diff.as_of, axis.profiles, axis.models, axis.tasks, summary_line(diff.summary),
        [(k, KIND_TITLES[k], diff.summary.count(k)) for k in CHANGE_KINDS
         if diff.summary.count(k)],
        [ChangedRow(c, anchors.get(c.cell)) for c in decided],
        sorted(message_rule_counts([c for c in diff.cells if c.kind == "messages"]).items()),
        maps, notes, page_assets())
    return "".join(environment().get_template("diff.html.j2").generate(page=page))
