"""Deciding the matrix one row at a time: a (profile, model) and every task at once.

``RowEngine`` does the work both levels share; a ``Level`` says what a rule gives and how
options and cells are made of it:

- the outline (``govern.matrix.levels.OutlineLevel``): which rules fire with which effect,
  the verdicts and the recommendation; what grids, CSV and the first pass of a diff need;
- the detail (``DetailLevel``): the whole decision, messages included.

How the work is cut down, each step keeping the result exactly what ``govern.core.decide``
gives:

- Facts are read once per record and once per option, and only those some rule reads.
- Options are built once per (profile, model) by ``govern.core.build_options`` itself.
- What a rule gives is memoized on the values of the facts it reads (``rule_plan``): a rule
  with no task side is computed once per distinct option-side values, the others once per
  distinct pair of option-side values and task-side value ids.
- Along a row, a rule gives either one value for every task or a column of values; an
  option's result for each task comes from a tuple of those values, built once per distinct
  tuple, and a cell's from its options' results.
- In the outline, a row depends only on the profile and the options' signatures (what each
  rule gave), so models with equal signatures share one row.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from govern.core import PolicySet, build_options
from govern.dated import card_as_of
from govern.facts import record_facts
from govern.matrix.fact_values import DerivedColumns, OptionContext, RecordFacts
from govern.matrix.rule_plan import Reads, RulePlan, ScopeClass, plan_rule
from govern.records import ModelCard, Option, Profile, Task, Waiver

V = TypeVar("V", bound=Hashable)
"""What a rule gives on one option and task: hashable, so option results can be shared."""
O = TypeVar("O")
"""An option's result for one task, before the cell picks the recommended option."""
C = TypeVar("C")
"""A cell's result."""


class Column(tuple[Any, ...]):
    """What a rule gives on an option, task by task (in task order)."""


class Level(ABC, Generic[V, O, C]):
    """What a row is made of."""

    shares_rows: bool = False
    """Whether rows of models with equal signatures are shared (worth it when a rule's value
    rarely names the model, as in the outline)."""

    @abstractmethod
    def reads(self, plan: RulePlan) -> Reads:
        """The facts what a rule gives depends on."""

    @abstractmethod
    def evaluate(self, plan: RulePlan, facts: dict[str, Any]) -> V:
        """What the rule gives on these facts; ``self.none`` when it does not fire."""

    none: Any = None

    @abstractmethod
    def option(self, option: Option, given: list[tuple[RulePlan, V]], waivers: list[Waiver],
               task: Task) -> O:
        """An option's result from the values its applicable rules gave (in rule order),
        the waivers that may match its findings, and the task."""

    @abstractmethod
    def cell(self, profile: Profile, options: list[O]) -> C:
        """A cell's result from its options' results, in option order."""


class RowEngine(Generic[V, O, C]):
    """Decides rows of the matrix at one date under one policy set and set of waivers."""

    def __init__(self, level: Level[V, O, C], tasks: Sequence[Task], policies: PolicySet,
                 as_of: dt.date, waivers: Sequence[Waiver] = (),
                 facts: RecordFacts | None = None) -> None:
        self.level = level
        self.as_of = as_of
        self.waivers = sorted(waivers, key=lambda w: w.id)
        self.facts = facts if facts is not None else RecordFacts(tasks)
        self.values = self.facts.values
        self.tasks = self.facts.tasks
        self.profile_free_columns: dict[tuple[str, tuple[Any, ...]], list[int]] = {}
        """Columns of derived facts that read no profile fact, shared by every profile."""
        self.plans = [plan_rule(i, c) for i, c in enumerate(policies.rules)]
        scopes: list[ScopeClass] = [(t.risk_tier, t.business_critical) for t in self.tasks.tasks]
        self.scopes = sorted(set(scopes))
        self.scope_ids = [self.scopes.index(s) for s in scopes]
        self.applies = [[plan.applies_to_tasks_of(scope) for scope in self.scopes]
                        for plan in self.plans]
        """Per rule and scope number: whether the rule applies to tasks of that scope."""
        self._memo: dict[tuple[int, tuple[Any, ...]], dict[Any, V]] = {}
        self._option_results: dict[Hashable, O] = {}
        self._last_profile: _ProfileRows[V, O, C] | None = None

    def rows(self, profile: Profile, models: Sequence[ModelCard]
             ) -> Iterator[tuple[ModelCard, list[C]]]:
        """For each model, its result for every task (in task order), under ``profile``."""
        rows = _ProfileRows(self, profile)
        for model in models:
            yield model, rows.of(model)

    def rule_columns(self, profile: Profile, model: ModelCard, rules: set[str]
                     ) -> list[tuple[Option, dict[str, list[V]]]]:
        """For each option of the model under ``profile``: what each of ``rules`` (by id) gives
        it task by task, where it applies (``level.none`` where it does not), before waivers.
        Rows are compared this way when only some rules can differ (``govern.matrix.diff``)."""
        if self._last_profile is None or self._last_profile.profile is not profile:
            self._last_profile = _ProfileRows(self, profile)
        return self._last_profile.rule_columns(model, rules)

    def evaluate(self, plan: RulePlan, reads: Reads, context: OptionContext,
                 task_index: int | None, task_derived: dict[str, Any]) -> V:
        """What the rule gives on one option and task (or every task, for a static rule)."""
        task_facts = {} if task_index is None else self.tasks.facts[task_index]
        return self.level.evaluate(plan, context.facts_for(reads, task_facts, task_derived))

    def memo(self, plan: RulePlan, option_key: tuple[Any, ...]) -> dict[Any, V]:
        """What the rule gave, by task-side key, on options with these option-side values."""
        return self._memo.setdefault((plan.index, option_key), {})

    def waivers_for(self, model: ModelCard, option: Option) -> tuple[Waiver, ...]:
        """Waivers that may match this option's findings for some task (sorted by id)."""
        return tuple(w for w in self.waivers
                     if w.scope.model in (None, model.id)
                     and w.scope.deployment in (None, option.deployment)
                     and w.scope.provider in (None, option.provider))

    def option_result(self, option: Option, applicable: tuple[tuple[int, Any], ...],
                      waivers: Sequence[Waiver], task: Task) -> O:
        """The option's result from the (rule number, value) of each rule that fired and
        applies to the task, in rule order; computed once per distinct option, values and
        waivers (and task, when a waiver names one)."""
        named = any(w.scope.task is not None for w in waivers)
        cache_key = (option.deployment, option.provider, applicable,
                     tuple(w.id for w in waivers), task.id if named else None)
        found = self._option_results.get(cache_key)
        if found is None:
            found = self._option_results[cache_key] = self.level.option(
                option, [(self.plans[i], v) for i, v in applicable], list(waivers), task)
        return found


Given = tuple[tuple[RulePlan, Any], ...]
"""What each rule that deploys to an option gave: one value, or a ``Column``."""


class _ProfileRows(Generic[V, O, C]):
    """The rows of one profile, with what they share: derived columns, the columns rules
    gave, the tasks' keys for each combination of columns, options' results (by signature)
    and cells."""

    def __init__(self, engine: RowEngine[V, O, C], profile: Profile) -> None:
        self.engine = engine
        self.profile = profile
        self.facts = record_facts("profile", profile)
        self.derived = DerivedColumns(engine.tasks, engine.values, engine.profile_free_columns)
        self._given: dict[tuple[int, tuple[Any, ...], tuple[int, ...]], Column] = {}
        self._numbers: dict[Hashable, int] = {}
        self._keys: dict[Hashable, tuple[list[int], list[tuple[Any, ...]], list[int]]] = {}
        self._option_columns: dict[Hashable, list[int]] = {}
        self._results: list[O] = []
        self._cells: dict[tuple[int, ...], C] = {}

    def of(self, model: ModelCard) -> list[C]:
        """The model's row: its cell result for every task."""
        model = card_as_of(model, self.engine.as_of)
        columns = [self._option_column(model, index, option)
                   for index, option in enumerate(build_options(model, self.profile))]
        if not columns:
            return [self.engine.level.cell(self.profile, [])] * len(self.engine.tasks.tasks)
        cells = self._cells
        return [cells[key] if key in cells else self._new_cell(key)
                for key in zip(*columns, strict=True)]

    def _new_cell(self, key: tuple[int, ...]) -> C:
        cell = self._cells[key] = self.engine.level.cell(self.profile,
                                                         [self._results[i] for i in key])
        return cell

    def rule_columns(self, model: ModelCard, rules: set[str]
                     ) -> list[tuple[Option, dict[str, list[V]]]]:
        engine = self.engine
        none, applies, scopes = engine.level.none, engine.applies, engine.scope_ids
        model = card_as_of(model, engine.as_of)
        found = []
        for index, option in enumerate(build_options(model, self.profile)):
            context = self._context(model, index, option)
            columns = {}
            for plan in engine.plans:
                if plan.compiled.rule.id not in rules or not plan.deploys_to(option.deployment):
                    continue
                value = self._given_by(plan, context)
                per_task = value if type(value) is Column else [value] * len(scopes)
                where = applies[plan.index]
                columns[plan.compiled.rule.id] = [v if where[scope] else none
                                                  for v, scope in zip(per_task, scopes,
                                                                      strict=True)]
            found.append((option, columns))
        return found

    def _context(self, model: ModelCard, index: int, option: Option) -> OptionContext:
        engine = self.engine
        return OptionContext(self.profile, model, option,
                             engine.facts.of_model(model) | engine.facts.of_option(model, index, option)
                             | self.facts)

    def _option_column(self, model: ModelCard, index: int, option: Option) -> list[int]:
        """Per task, the number of the option's result; options that every rule treats alike
        (same deployment, provider, values given and waivers) share one column."""
        engine = self.engine
        context = self._context(model, index, option)
        given = tuple((plan, self._given_by(plan, context))
                      for plan in engine.plans if plan.deploys_to(option.deployment))
        waivers = engine.waivers_for(model, option)
        columns = tuple(self._number(value) for _, value in given if type(value) is Column)
        signature = (option.deployment, option.provider,
                     tuple(None if type(value) is Column else value for _, value in given),
                     columns, tuple(w.id for w in waivers))
        column = self._option_columns.get(signature)
        if column is None:
            column = self._option_columns[signature] = self._new_option_column(
                option, given, waivers, columns)
        return column

    def _number(self, value: Hashable) -> int:
        return self._numbers.setdefault(value, len(self._numbers))

    def _new_option_column(self, option: Option, given: Given, waivers: tuple[Waiver, ...],
                           numbers: tuple[int, ...]) -> list[int]:
        engine = self.engine
        none, applies = engine.level.none, engine.applies
        named = tuple(sorted({w.scope.task for w in waivers if w.scope.task is not None}))
        key_ids, keys, first = self._task_keys(given, numbers, named)
        static = [(plan.index, value) for plan, value in given
                  if type(value) is not Column and value != none]
        static_by_scope = [[(i, v) for i, v in static if applies[i][scope]]
                           for scope in range(len(engine.scopes))]
        dependent = [plan.index for plan, value in given if type(value) is Column]
        tasks = engine.tasks.tasks
        results = []
        for key_id, key in enumerate(keys):
            scope = key[0]
            fired = static_by_scope[scope] + [
                (i, v) for i, v in zip(dependent, key[1:]) if v != none and applies[i][scope]]
            fired.sort(key=_rule_number)
            results.append(len(self._results))
            self._results.append(engine.option_result(option, tuple(fired), waivers,
                                                      tasks[first[key_id]]))
        return [results[k] for k in key_ids]

    def _task_keys(self, given: Given, numbers: tuple[int, ...], named: tuple[str | None, ...]
                   ) -> tuple[list[int], list[tuple[Any, ...]], list[int]]:
        """Per task, the number of its key (scope, then each column's value); the keys; and
        for each key the first task that has it. The same columns give the same keys, so
        they are laid out once per combination."""
        cache_key = (*numbers, -1, *named)
        found = self._keys.get(cache_key)
        if found is None:
            engine = self.engine
            columns: list[Sequence[Any]] = [engine.scope_ids]
            columns += [value for _, value in given if type(value) is Column]
            if named:  # a waiver of one task: that task's key is its own
                columns.append([t.id if t.id in named else None for t in engine.tasks.tasks])
            numbered: dict[tuple[Any, ...], int] = {}
            key_ids = [numbered.setdefault(key, len(numbered))
                       for key in zip(*columns, strict=True)]
            first = [-1] * len(numbered)
            for task_index, key_id in enumerate(key_ids):
                if first[key_id] < 0:
                    first[key_id] = task_index
            found = self._keys[cache_key] = (key_ids, list(numbered), first)
        return found

    # ------------------------------------------------------------ what a rule gives

    def _given_by(self, plan: RulePlan, context: OptionContext) -> Any:
        """What a rule gives on an option: one value for every task, or a ``Column``."""
        engine = self.engine
        reads = engine.level.reads(plan)
        option_key = context.key(reads)
        if reads.static:
            memo = engine.memo(plan, option_key)
            if None not in memo:
                memo[None] = engine.evaluate(plan, reads, context, None, {})
            return memo[None]
        parts = ([engine.tasks.column(p) for p in reads.task_facts]
                 + [self.derived.column(p, context) for p in reads.task_derived])
        # The parts are kept alive by the task facts and this profile's derived columns,
        # so their ids name them for as long as this cache lives.
        cache_key = (plan.index, option_key, tuple(id(part) for part in parts))
        found = self._given.get(cache_key)
        if found is None:
            found = self._given[cache_key] = self._column(plan, reads, context, parts,
                                                          engine.memo(plan, option_key))
        return found

    def _column(self, plan: RulePlan, reads: Reads, context: OptionContext,
                parts: list[list[int]], memo: dict[Any, V]) -> Column:
        keys: list[Any] = parts[0] if len(parts) == 1 else list(zip(*parts, strict=True))
        missing = object()
        # Where the rule does not apply (its risk tiers, business-critical) it gives nothing:
        # no need to evaluate it there.
        engine = self.engine
        none, where = engine.level.none, engine.applies[plan.index]
        column: list[Any] = [memo.get(k, missing) if where[scope] else none
                             for k, scope in zip(keys, engine.scope_ids, strict=True)]
        derived_parts = parts[len(reads.task_facts):]
        originals = self.engine.values.originals
        for index, value in enumerate(column):
            if value is missing:
                key = keys[index]
                if key not in memo:
                    task_derived = {p: originals[part[index]]
                                    for p, part in zip(reads.task_derived, derived_parts,
                                                       strict=True)}
                    memo[key] = self.engine.evaluate(plan, reads, context, index, task_derived)
                column[index] = memo[key]
        return Column(column)


def _rule_number(given: tuple[int, Any]) -> int:
    return given[0]
