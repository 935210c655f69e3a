"""Fact values for the matrix: read once per record, numbered, and laid out along the tasks.

- ``ValueIds`` numbers distinct fact values (equal values, equal ids; see ``freeze``) and keeps
  one original of each, so a rule computed on a miss sees a real value.
- ``TaskFacts`` reads every task once and gives, per task fact, the column of value ids over
  the tasks.
- ``OptionContext`` is one (profile, model, option): the facts on the option side, read once.
- ``DerivedColumns`` gives, per profile, the column of a task-dependent derived fact's value
  ids over the tasks, computed once per distinct option-side inputs (``DERIVED_INPUTS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govern.facts import DERIVERS, record_facts
from govern.matrix.rule_plan import Reads, freeze, option_inputs, reads_profile, task_inputs
from govern.records import ModelCard, Option, Profile, Task


@dataclass
class ValueIds:
    """Small integer ids for fact values, and one original value per id."""

    ids: dict[Any, int] = field(default_factory=dict)
    originals: list[Any] = field(default_factory=list)

    def id_of(self, value: Any) -> int:
        frozen = freeze(value)
        found = self.ids.get(frozen)
        if found is None:
            found = self.ids[frozen] = len(self.originals)
            self.originals.append(value)
        return found


class TaskFacts:
    """The tasks' facts, read once; columns of value ids per task fact path."""

    def __init__(self, tasks: Sequence[Task], values: ValueIds) -> None:
        self.tasks = list(tasks)
        self.facts = [record_facts("task", t) for t in self.tasks]
        self._values = values
        self._columns: dict[str, list[int]] = {}

    def column(self, path: str) -> list[int]:
        found = self._columns.get(path)
        if found is None:
            found = self._columns[path] = [self._values.id_of(f.get(path)) for f in self.facts]
        return found


class RecordFacts:
    """The facts of the records of one matrix, read once and shared by everything that
    decides its rows (the outline, then the detail)."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.values = ValueIds()
        self.tasks = TaskFacts(tasks, self.values)
        self._models: dict[str, dict[str, Any]] = {}
        self._options: dict[tuple[str, int], tuple[Option, dict[str, Any]]] = {}

    def of_model(self, model: ModelCard) -> dict[str, Any]:
        """The card's facts, read once for every profile (one card per id in a matrix)."""
        found = self._models.get(model.id)
        if found is None:
            found = self._models[model.id] = record_facts("model", model)
        return found

    def of_option(self, model: ModelCard, index: int, option: Option) -> dict[str, Any]:
        """An option's facts. An API offering reads the same under every profile, so the
        facts of an option equal to the last one seen at this place of the card are reused."""
        seen = self._options.get((model.id, index))
        if seen is not None and seen[0] == option:
            return seen[1]
        facts = record_facts("option", option)
        self._options[model.id, index] = (option, facts)
        return facts


@dataclass
class OptionContext:
    """One (profile, model, option) and its option-side facts."""

    profile: Profile
    model: ModelCard
    option: Option
    facts: dict[str, Any]
    """``model.*``, ``option.*`` and ``profile.*`` facts."""
    _derived: dict[str, Any] = field(default_factory=dict)
    _frozen: dict[str, Any] = field(default_factory=dict)

    def derived(self, path: str) -> Any:
        """A derived fact computed without the task (``rule_plan.reads_task`` is false)."""
        if path not in self._derived:
            # No task is passed: DERIVED_INPUTS says this one reads none.
            self._derived[path] = DERIVERS[path](self.model, self.option, None,  # type: ignore[arg-type]
                                                 self.profile)
        return self._derived[path]

    def key(self, reads: Reads) -> tuple[Any, ...]:
        """The values of the option side of ``reads``: with the task side, all a rule sees."""
        frozen = self._frozen
        for path in reads.option_facts:
            if path not in frozen:
                frozen[path] = freeze(self.facts.get(path))
        for path in reads.option_derived:
            if path not in frozen:
                frozen[path] = freeze(self.derived(path))
        return tuple([frozen[p] for p in reads.option_facts]
                     + [frozen[p] for p in reads.option_derived])

    def facts_for(self, reads: Reads, task_facts: dict[str, Any],
                  task_derived: dict[str, Any]) -> dict[str, Any]:
        """Every fact ``reads`` names, for one task: what ``evaluate_rule`` is given."""
        facts = {p: self.facts.get(p) for p in reads.option_facts}
        facts.update((p, self.derived(p)) for p in reads.option_derived)
        facts.update((p, task_facts.get(p)) for p in reads.task_facts)
        facts.update(task_derived)
        return facts


class DerivedColumns:
    """Per profile: the value ids, over the tasks, of derived facts that read the task. A
    derived fact that reads no profile fact (``govern.facts.DERIVED_READS``: the cost per task,
    the lineage's licences) has one column for every profile, kept in ``shared``."""

    def __init__(self, tasks: TaskFacts, values: ValueIds,
                 shared: dict[tuple[str, tuple[Any, ...]], list[int]]) -> None:
        self._tasks = tasks
        self._values = values
        self._columns: dict[tuple[str, tuple[Any, ...]], list[int]] = {}
        self._shared = shared

    def column(self, path: str, context: OptionContext) -> list[int]:
        inputs = tuple(freeze(context.facts.get(p)) for p in option_inputs(path))
        columns = self._columns if reads_profile(path) else self._shared
        found = columns.get((path, inputs))
        if found is None:
            found = columns[path, inputs] = self._derive(path, context)
        return found

    def _derive(self, path: str, context: OptionContext) -> list[int]:
        """The column, derived once per distinct values of the task facts it reads (a few
        token estimates or context sizes stand for a hundred tasks)."""
        derive, tasks = DERIVERS[path], self._tasks
        reads = [tasks.column(p) for p in task_inputs(path)]
        keys = list(zip(*reads, strict=True)) if reads else [()] * len(tasks.tasks)
        by_key: dict[tuple[int, ...], int] = {}
        column = []
        for task, key in zip(tasks.tasks, keys, strict=True):
            found = by_key.get(key)
            if found is None:
                found = by_key[key] = self._values.id_of(
                    derive(context.model, context.option, task, context.profile))
            column.append(found)
        return column
