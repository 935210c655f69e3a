"""A decided matrix: every (profile, model, task) cell at one date, under one policy set.

``decide_matrix`` is the seam every consumer uses (the CLI's formats, ``govern diff``, an HTML
report): records in, a ``MatrixResult`` out. The result holds each cell's outline (a shared
``CellSummary``: recommendation, verdicts, fired rules). The full outcome of a cell, messages
included, is decided when asked for, a row at a time (``detail_rows``), and the pydantic
``Decision`` of a cell only for that cell (``decision``): a 300,000-cell matrix never holds
300,000 decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from govern.citations import CitedSource, cite_decision, finding_sources
from govern.core import CostPerTask, Decision, PolicySet, option_costs
from govern.core import decision_document as core_document
from govern.dated import card_as_of
from govern.matrix.fact_values import RecordFacts
from govern.matrix.levels import DetailLevel, Interner, OutlineLevel
from govern.matrix.outcomes import (
    Cell,
    CellOutcome,
    CellSummary,
    to_decision,
)
from govern.matrix.rows import RowEngine
from govern.records import ModelCard, Option, Profile, Task, Waiver


@dataclass(frozen=True)
class Axis:
    """The records along the sides of the matrix, in the order they are shown."""

    profiles: tuple[Profile, ...]
    models: tuple[ModelCard, ...]
    tasks: tuple[Task, ...]

    @cached_property
    def task_index(self) -> dict[str, int]:
        return {t.id: i for i, t in enumerate(self.tasks)}

    @cached_property
    def profile_by_id(self) -> dict[str, Profile]:
        return {p.id: p for p in self.profiles}

    @cached_property
    def model_by_id(self) -> dict[str, ModelCard]:
        return {m.id: m for m in self.models}


@dataclass
class MatrixResult:
    """Every (profile, model, task) cell decided as of one date under one policy set."""

    axis: Axis
    as_of: dt.date
    policies: PolicySet
    waivers: tuple[Waiver, ...]
    rows: dict[tuple[str, str], list[CellSummary]]
    """(profile id, model id) -> each task's outline, in ``axis.tasks`` order."""
    interner: Interner = field(default_factory=Interner, repr=False)
    facts: RecordFacts | None = field(default=None, repr=False)
    """The records' facts as the outline read them, for the detail to reuse."""
    outline: RowEngine[Any, Any, CellSummary] | None = field(default=None, repr=False)
    """The engine that decided the outlines (and can decide more, e.g. one rule's column)."""
    _cards_as_of: dict[str, ModelCard] = field(default_factory=dict, repr=False)

    @property
    def policy_set_digest(self) -> str:
        return self.policies.digest

    def __len__(self) -> int:
        return len(self.axis.profiles) * len(self.axis.models) * len(self.axis.tasks)

    def cells(self) -> Iterator[tuple[Cell, CellSummary]]:
        """Every cell with its outline: by profile, then model, then task, in axis order."""
        for profile in self.axis.profiles:
            for model in self.axis.models:
                row = self.rows[profile.id, model.id]
                for task, summary in zip(self.axis.tasks, row, strict=True):
                    yield Cell(profile.id, model.id, task.id), summary

    def summary(self, cell: Cell) -> CellSummary:
        return self.rows[cell.profile, cell.model][self.axis.task_index[cell.task]]

    # ------------------------------------------------------------ the full outcomes

    @cached_property
    def _detail_level(self) -> DetailLevel:
        return DetailLevel(self.policies, self.as_of, self.interner, self.waivers)

    @cached_property
    def _details(self) -> RowEngine[Any, Any, CellOutcome]:
        return RowEngine(self._detail_level, self.axis.tasks, self.policies, self.as_of,
                         self.waivers, self.facts)

    def detail_rows(self, profile: Profile, models: Sequence[ModelCard] | None = None
                    ) -> Iterator[tuple[ModelCard, list[CellOutcome]]]:
        """Each model's full outcome for every task (in task order), under ``profile``."""
        return self._details.rows(profile, self.axis.models if models is None else models)

    def rule_findings(self, profile: Profile, model: ModelCard, rules: set[str]
                      ) -> list[tuple[Option, dict[str, list[int]]]]:
        """For each option of a row: the finding each of ``rules`` (by id) gives it, task by
        task in axis order, as numbers of ``interner.findings`` (0: none), before waivers.
        Cheaper than whole outcomes when only some rules matter (``govern.matrix.diff``)."""
        return self._details.rule_columns(profile, model, rules)

    def outcomes(self) -> Iterator[tuple[Cell, CellOutcome]]:
        """Every cell with its full outcome, in ``cells()`` order, decided a row at a time."""
        for profile in self.axis.profiles:
            for model, row in self.detail_rows(profile):
                for task, outcome in zip(self.axis.tasks, row, strict=True):
                    yield Cell(profile.id, model.id, task.id), outcome

    def outcome(self, cell: Cell) -> CellOutcome:
        profile, model = self.axis.profile_by_id[cell.profile], self.axis.model_by_id[cell.model]
        ((_, row),) = self.detail_rows(profile, [model])
        return row[self.axis.task_index[cell.task]]

    def costs(self, cell: Cell) -> list[CostPerTask | None]:
        """The cell's options' costs per task (they read no policy, so no outcome holds them)."""
        return option_costs(self.card_as_of(cell.model),  # prices in force on the date
                            self.axis.tasks[self.axis.task_index[cell.task]],
                            self.axis.profile_by_id[cell.profile])

    def document(self, cell: Cell, outcome: CellOutcome) -> dict[str, Any]:
        """The cell's decision as JSON-ready data, as ``govern evaluate --format json`` has it."""
        return core_document(self._cited(cell, to_decision(
            cell, outcome, self.as_of.isoformat(), self.policy_set_digest, self.costs(cell))))

    def decision(self, cell: Cell) -> Decision:
        """The cell's pydantic ``Decision``, equal to ``govern.core.decide``'s."""
        return self._cited(cell, to_decision(cell, self.outcome(cell), self.as_of.isoformat(),
                                             self.policy_set_digest, self.costs(cell)))

    def card_as_of(self, model_id: str) -> ModelCard:
        """The card of ``model_id`` as of the matrix's date (``govern.dated``)."""
        card = self._cards_as_of.get(model_id)
        if card is None:
            card = self._cards_as_of[model_id] = card_as_of(self.axis.model_by_id[model_id],
                                                            self.as_of)
        return card

    def citations(self, cell: Cell, outcome: CellOutcome
                  ) -> dict[tuple[int, str], list[CitedSource]]:
        """Per (option index, rule id) of the cell's findings, the sources it cites."""
        card = self.card_as_of(cell.model)
        rules = self.policies.rule_by_id
        return {(i, f.rule): finding_sources(rules[f.rule], card, self.as_of, option.provider,
                                             list(f.unknown_facts))
                for i, option in enumerate(outcome.options) for f in option.findings}

    def _cited(self, cell: Cell, decision: Decision) -> Decision:
        """The decision with its findings' citations (``govern.citations``), which depend on
        the card, not on the facts a rule's value was memoized on."""
        return cite_decision(decision, self.card_as_of(cell.model), self.as_of, self.policies)


def outline_engine(tasks: Sequence[Task], policies: PolicySet, as_of: dt.date,
                   waivers: Sequence[Waiver] = (), interner: Interner | None = None
                   ) -> RowEngine[Any, Any, CellSummary]:
    """The engine that decides outlines (``decide_matrix`` makes one when not given one)."""
    level = OutlineLevel(policies, as_of, interner or Interner())
    return RowEngine(level, tasks, policies, as_of, waivers, RecordFacts(tasks))


def decide_matrix(profiles: Sequence[Profile], models: Sequence[ModelCard],
                  tasks: Sequence[Task], policies: PolicySet, as_of: dt.date,
                  waivers: Sequence[Waiver] = (), interner: Interner | None = None,
                  reuse: Mapping[tuple[str, str], list[CellSummary]] | None = None,
                  engine: RowEngine[Any, Any, CellSummary] | None = None) -> MatrixResult:
    """Decide every (profile, model, task) cell's outline as of ``as_of``. Pure.

    ``interner`` may be shared with another call (as ``govern diff`` does) so outcomes equal
    on both sides are the same objects. ``reuse`` gives rows already decided from the same
    profile, card, tasks, policies, waivers and date (the caller vouches for that); they are
    taken as they are. ``engine`` is an ``outline_engine`` made from these same arguments.
    Model, task and profile ids must be unique.
    """
    interner = interner or Interner()
    reuse = reuse or {}
    engine = engine or outline_engine(tasks, policies, as_of, waivers, interner)
    rows = {}
    for profile in profiles:
        needed = [m for m in models if (profile.id, m.id) not in reuse]
        decided = {model.id: row for model, row in engine.rows(profile, needed)}
        for model in models:
            key = (profile.id, model.id)
            rows[key] = reuse[key] if key in reuse else decided[model.id]
    return MatrixResult(Axis(tuple(profiles), tuple(models), tuple(tasks)), as_of, policies,
                        tuple(waivers), rows, interner, engine.facts, engine)
