"""What if: replay dated events (a suspension, a price change, an offering moving host, a
profile's capacity or data rules changing) on a copy of the catalog and report, in the diff
format, every cell or manifest use that breaks or changes, with the fallbacks that stay allowed.

- ``scenario``      the scenario file's model (``govern schema scenario``);
- ``scenario_file`` reading it, every problem located, ids checked against the catalog;
- ``events``        the one mapping from an event to record edits;
- here              the report: ``govern.matrix.diff`` of the catalog before and after, the
                    manifest's uses, and the fallbacks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from govern.core import deployment_label
from govern.matrix.diff import CatalogVersion, MatrixDiff, diff_catalogs, summarize_changes
from govern.matrix.outcomes import Cell, CellSummary
from govern.matrix.result import MatrixResult
from govern.whatif.events import apply_scenario
from govern.whatif.scenario import Scenario


@dataclass(frozen=True)
class IntendedUse:
    """One (manifest entry, task) to follow through the scenario."""

    name: str
    line: int
    model: str
    task: str
    deployment: str
    provider: str | None

    @property
    def label(self) -> str:
        return deployment_label(self.deployment, self.provider)


@dataclass(frozen=True)
class UseImpact:
    use: IntendedUse
    before: bool
    """Whether the intended option was allowed before the events."""
    after: bool
    fallbacks: tuple[str, ...]
    """What stays allowed for this task: the model's other options, then other models."""

    @property
    def status(self) -> str:
        if self.before and not self.after:
            return "breaks"
        if not self.before and self.after:
            return "starts to pass"
        return "passes" if self.after else "still fails"

    def document(self) -> dict[str, Any]:
        u = self.use
        return {"name": u.name, "line": u.line, "model": u.model, "task": u.task,
                "intended": u.label, "status": self.status,
                "allowed": {"before": self.before, "after": self.after},
                "fallbacks": list(self.fallbacks)}


@dataclass(frozen=True)
class WhatIfReport:
    scenario: str
    applied: tuple[str, ...]
    pending: tuple[str, ...]
    diff: MatrixDiff
    """The cells that changed (only the manifest's, with a manifest)."""
    fallbacks: tuple[tuple[Cell, tuple[str, ...]], ...]
    """For each changed cell: what stays allowed for its task afterwards."""
    uses: tuple[UseImpact, ...] | None
    """With a manifest: every intended use, before → after."""

    def document(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "applied": list(self.applied),
                "pending": list(self.pending),
                "uses": None if self.uses is None else [u.document() for u in self.uses],
                "fallbacks": [{"profile": c.profile, "model": c.model, "task": c.task,
                               "fallbacks": list(f)} for c, f in self.fallbacks],
                "diff": self.diff.document()}


def _intended_allowed(summary: CellSummary, use: IntendedUse) -> bool:
    return any(o.verdict == "allowed" and o.deployment == use.deployment
               and (use.provider is None or o.provider == use.provider)
               for o in summary.options)


class _Fallbacks:
    """What stays allowed after the events, per (profile, task): read once from the matrix."""

    def __init__(self, after: MatrixResult) -> None:
        self.after = after
        self.by_task: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for cell, summary in after.cells():
            if summary.recommendation != "disallow":
                self.by_task.setdefault((cell.profile, cell.task), []).append(
                    (cell.model, summary.recommendation))

    def of(self, cell: Cell, instead_of: str | None = None) -> tuple[str, ...]:
        own = [f"{cell.model}: {label}" for label in self.after.summary(cell).allowed
               if label != instead_of]
        others = [f"{model}: {recommendation}"
                  for model, recommendation in self.by_task.get((cell.profile, cell.task), [])
                  if model != cell.model]
        return tuple(own + others)


def what_if(before: CatalogVersion, scenario: Scenario, profiles: Sequence[str],
            as_of: dt.date, uses: Sequence[IntendedUse] | None = None) -> WhatIfReport:
    """Decide the matrix before and after the scenario's events and compare. Pure."""
    edited = apply_scenario(scenario, before.models, before.profiles, as_of)
    after = replace(before, label=f"scenario: {scenario.name}", models=edited.models,
                    profiles=edited.profiles)
    diff = diff_catalogs(before, after, profiles, as_of)
    assert diff.matrices is not None
    matrix_before, matrix_after = diff.matrices
    fallbacks = _Fallbacks(matrix_after)
    impacts: tuple[UseImpact, ...] | None = None
    if uses is not None:
        profile = profiles[0]
        impacts = tuple(UseImpact(
            use, _intended_allowed(matrix_before.summary(Cell(profile, u.model, u.task)), u),
            _intended_allowed(matrix_after.summary(Cell(profile, u.model, u.task)), u),
            fallbacks.of(Cell(profile, u.model, u.task), u.label))
            for use in uses for u in [use])
        wanted = {(profile, u.model, u.task) for u in uses}
        cells = tuple(c for c in diff.cells if tuple(c.cell) in wanted)
        diff = replace(diff, cells=cells, summary=summarize_changes(len(wanted), cells))
    changed = tuple((c.cell, fallbacks.of(c.cell)) for c in diff.cells
                    if c.kind in ("more-restrictive", "mixed"))
    return WhatIfReport(scenario.name, tuple(edited.applied), tuple(edited.pending), diff,
                        changed, impacts)


__all__ = ["IntendedUse", "UseImpact", "WhatIfReport", "what_if"]
