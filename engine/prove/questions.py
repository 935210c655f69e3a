"""The questions ``govern prove`` answers over every well-formed input, and how.

Over every card, task, profile and decision date the schemas admit (see govern.prove.symbolic
for the model and its bounds), comparing the current policy set (with its waivers) to the base:

- **more permissive**: some option of some card is denied under the base and allowed now;
- **more restrictive**: some option is allowed under the base and denied now;
- **equivalent**: neither, so every option's verdict and so every recommendation is the same
  (the recommendation is a function of the verdicts and the profile's preference). A
  recommendation going ``disallow`` -> ``api`` needs an option going denied -> allowed, so
  "more permissive" covers it; obligations and warnings are findings, not verdicts, and are
  not compared.

An option's verdict depends on the card, that option, the task, the profile and the date only,
so one option of each kind (api, self-host) per question is enough.

A "no" is a proof when the solver shows no input exists (and no fact it read was
over-approximated); a "yes" is proven by its counterexample, which govern.core decides
differently under the two versions before it is shown. Lint questions are asked of the current
policy set alone.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import z3

from govern.conditions import (
    AllOf,
    AnyOf,
    FactRef,
    NotOf,
    iter_tests,
    referenced_facts,
    test_operator,
)
from govern.core import PolicySet
from govern.facts import FACTS
from govern.prove.derived import EXTRA_CONSTANTS, licence_constants
from govern.prove.encode import Encoder, RuleTerms, VersionTerms, version_terms
from govern.prove.shapes import record_shapes
from govern.prove.symbolic import SIGNIFICANT_DIGITS, Grid, Space, Strings, build_space
from govern.prove.witness import Checked, Version, check, flipped_options, realize
from govern.records import DEPLOYMENTS, Rule

MODEL_NOTES = [
    ("unknown: every fact the schemas let be missing may be unknown, conditions are "
    "three-valued and when_unknown applies"),
    ("strings: each word the policies, waivers and schemas name, or any other string the "
    "field's type accepts"),
    "lists: sets of such strings, of any size the schemas allow",
    "dates: any day from 0001-01-01 to 9999-12-31, the decision date included",
]
Status = Literal["proof", "bounded"]
Reply = Literal["yes", "no", "possibly", "possibly not", "unknown"]
"""'possibly' (a difference the model found but re-deciding did not confirm) reads 'possibly
not' for the equivalence question."""
KINDS = DEPLOYMENTS
READABLE_ROUNDS = 50
"""How many conflicts between readability wishes are resolved before the first model is
kept."""
DEFAULT_TIMEOUT_S = 60.0
"""Seconds the solver may take on one query before the answer is 'unknown'."""
INCREMENTAL_TRY_MS = 2000
"""Milliseconds a query may take on the shared incremental solver before a fresh one is tried."""


@dataclass(frozen=True)
class Answer:
    question: str
    reply: Reply
    status: Status
    reasons: tuple[str, ...] = ()
    """Why the answer is bounded, or why the solver gave up."""
    counterexample: Checked | None = None
    option: int | None = None
    """Index of the option whose verdict differs, in the counterexample's decisions."""


@dataclass(frozen=True)
class LintFinding:
    check: Literal["never-fires", "always-fires", "shadowed", "contradiction"]
    rule: str
    detail: str


@dataclass
class ProofReport:
    base: str
    current: str
    answers: list[Answer]
    lint: list[LintFinding]
    lint_status: Status
    model: list[str]
    """How the inputs are modelled (what the answers range over)."""
    bounds: list[str]
    """Why answers are bounded rather than proofs (empty: every answer is exact)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time per question (for the benchmark; never printed in reports)."""


# ---------------------------------------------------------------- what the spaces range over


def _literals(policies: PolicySet) -> list[Any]:
    values: list[Any] = []
    for compiled in policies.rules:
        if compiled.rule.when is None:
            continue
        for test in iter_tests(compiled.rule.when):
            _, operand = test_operator(test)
            if not isinstance(operand, FactRef):
                values.extend(operand if isinstance(operand, list) else [operand])
    return values


def collect_strings(versions: list[Version]) -> Strings:
    found: set[str] = set(KINDS) | set(EXTRA_CONSTANTS)
    for shape in record_shapes().values():
        found.update(shape.strings.choices or ())
    for version in versions:
        found.update(v for v in _literals(version.policies) if isinstance(v, str))
        for waiver in version.waivers:
            found.update(v for v in (waiver.scope.model, waiver.scope.task,
                                     waiver.scope.provider) if v is not None)
    return Strings(tuple(sorted(found | licence_constants(found))))


def _decimals(number: float) -> int:
    fraction = Fraction(repr(number)) if isinstance(number, float) else Fraction(number)
    places = 0
    while (fraction * 10**places).denominator != 1:
        places += 1
    return places


def choose_grid(versions: list[Version]) -> tuple[Grid, str, list[str]]:
    """A grid one decimal finer than every policy number (and than thousandths, which the
    memory shortfall counts in); how it reads; and why it bounds the answers, if it does."""
    numbers = [v for version in versions for v in _literals(version.policies)
               if isinstance(v, int | float) and not isinstance(v, bool)]
    grid = Grid(max([3, *(_decimals(n) for n in numbers)]) + 1)
    note = (f"numbers: decimals of up to {grid.decimals} places and {SIGNIFICANT_DIGITS} "
            f"significant digits, one place finer than any number the policies compare with, "
            f"so any difference a real number shows also shows on this grid")
    limit = Fraction(10**SIGNIFICANT_DIGITS, grid.unit) / 10
    bounded = [(f"a policy number is {limit} or more: larger card and profile numbers are not "
               f"considered")] if any(abs(Fraction(repr(n)) if isinstance(n, float)
                                         else Fraction(n)) >= limit for n in numbers) else []
    return grid, note, bounded


def _list_comparisons(versions: list[Version]) -> int:
    count = 0
    for version in versions:
        for compiled in version.policies.rules:
            for test in iter_tests(compiled.rule.when) if compiled.rule.when else []:
                _, operand = test_operator(test)
                fact: str = test.fact  # type: ignore[attr-defined]
                if isinstance(operand, FactRef) and "list" in (
                        FACTS[fact].type, FACTS[operand.fact].type):
                    count += 1
    return count


# ---------------------------------------------------------------- the prover


@dataclass
class KindModel:
    space: Space
    encoder: Encoder
    solver: Any
    base: VersionTerms
    current: VersionTerms


def fresh_solver_context() -> None:
    """Start z3 afresh. z3's models depend on what its process-wide context has seen (the
    terms earlier questions declared), so without this a counterexample would depend on what
    ran before it in the same process; with it, the same policies always give the same
    counterexample, byte for byte. z3 has no public way to replace its default context, so
    this resets the module's handle to it; terms of an earlier Prover stay valid in theirs
    (mixing the two is refused by z3, never silently wrong)."""
    z3.z3._main_ctx = z3.Context()


class Prover:
    def __init__(self, base: Version, current: Version, reference: dt.date,
                 timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_ms = int(timeout_s * 1000)
        fresh_solver_context()
        self.base_version, self.current_version = base, current
        versions = [base, current]
        strings = collect_strings(versions)
        grid, note, self.grid_bounds = choose_grid(versions)
        self.notes = [note, *MODEL_NOTES]
        comparisons = _list_comparisons(versions)
        self.kinds: dict[str, KindModel] = {}
        for kind in KINDS:
            space = build_space(kind, strings, grid, comparisons, reference)
            encoder = Encoder(space)
            base_terms = version_terms(encoder, base.policies, base.waivers)
            current_terms = version_terms(encoder, current.policies, current.waivers)
            solver = self._new_solver(space)
            self.kinds[kind] = KindModel(space, encoder, solver, base_terms, current_terms)
        self.reads = {path for v in versions for compiled in v.policies.rules
                      for path in (referenced_facts(compiled.rule.when)
                                   if compiled.rule.when else [])}

    # -- shared machinery

    def _new_solver(self, space: Space) -> Any:
        solver = z3.Solver()
        solver.set("timeout", self.timeout_ms)
        solver.add(space.constraints)
        return solver

    def approximations(self) -> list[str]:
        """Why a 'no' is only bounded: facts or tests the policies read without an exact
        encoding."""
        reasons: set[str] = set(self.grid_bounds)
        for kind in self.kinds.values():
            reasons |= {f"{p} is over-approximated (no exact encoding)"
                        for p in kind.space.approximated & self.reads}
            reasons |= {f"test {t} is over-approximated" for t in kind.encoder.free}
        return sorted(reasons)

    def _solve(self, kind: KindModel, query: Any) -> tuple[str, Any]:
        """Incrementally on the kind's solver first (fast: the space's constraints are already
        digested), briefly; then, if that gave up, on a fresh solver with the full timeout:
        what earlier queries left in the shared solver can lead z3's nonlinear arithmetic
        (the memory and cost figures) astray on a query a fresh solver decides at once."""
        kind.solver.push()
        try:
            kind.solver.set("timeout", min(self.timeout_ms, INCREMENTAL_TRY_MS))
            kind.solver.add(query)
            result = kind.solver.check()
            if result != z3.unknown:
                return str(result), kind.solver.model() if result == z3.sat else None
        finally:
            kind.solver.pop()
        solver = self._new_solver(kind.space)
        solver.add(query)
        result = solver.check()
        return str(result), solver.model() if result == z3.sat else None

    def satisfiable(self, query: Callable[[KindModel], Any]) -> bool | None:
        """Whether some input of some option kind satisfies the query (None: solver gave up)."""
        gave_up = False
        for kind in self.kinds.values():
            result, _ = self._solve(kind, query(kind))
            if result == "sat":
                return True
            gave_up = gave_up or result == "unknown"
        return None if gave_up else False

    # -- comparing versions

    def difference(self, question: str, direction: str | None) -> Answer:
        """Is there an input whose verdict differs (in ``direction``, or either way)?"""
        unconfirmed = False
        gave_up = False
        for kind in self.kinds.values():
            before, after = kind.base.denied, kind.current.denied
            query = (z3.And(before, z3.Not(after)) if direction == "permissive"
                     else z3.And(after, z3.Not(before)) if direction == "restrictive"
                     else before != after)
            result, model = self._solve(kind, query)
            if result == "unknown":
                gave_up = True
                continue
            if result != "sat":
                continue
            records, as_of = realize(kind.space, self._readable(kind, query, model))
            checked = check(records, as_of, self.base_version, self.current_version)
            ways = ["permissive", "restrictive"] if direction is None else [direction]
            flipped = [] if checked is None else [
                i for way in ways for i in flipped_options(checked, way)]
            if checked is not None and flipped:
                return Answer(question, "no" if direction is None else "yes", "proof",
                              counterexample=checked, option=flipped[0])
            unconfirmed = True
        if unconfirmed or gave_up:
            reasons = (["the solver gave up (timeout)"] if gave_up else []) + (
                [("a difference was found in the model but re-deciding its records did not "
                 "confirm it")] if unconfirmed else []) + self.approximations()
            doubt: Reply = "possibly" if direction is not None else "possibly not"
            return Answer(question, "unknown" if gave_up and not unconfirmed else doubt,
                          "bounded", tuple(reasons))
        approximated = self.approximations()
        return Answer(question, "yes" if direction is None else "no",
                      "bounded" if approximated else "proof", tuple(approximated))

    def _readable(self, kind: KindModel, query: Any, model: Any) -> Any:
        """Another model of the same query, as close to the space's preferences as the solver
        finds quickly (any model is a valid counterexample; this one reads better). A solver
        of its own: checking under assumptions leaves the shared solver in a state where later
        nonlinear queries (the memory and cost figures) can run into the timeout."""
        solver = self._new_solver(kind.space)
        solver.push()
        try:
            solver.add(query)
            wishes = {}
            for index, wish in enumerate(kind.space.preferences):
                flag = z3.Bool(f"wish{index}")
                solver.add(z3.Implies(flag, wish))
                wishes[str(flag)] = flag
            for _ in range(READABLE_ROUNDS):  # drop the wishes in conflict, a core at a time
                result = solver.check(*wishes.values())
                if result == z3.sat:
                    return solver.model()
                if result != z3.unsat:
                    break
                for flag in solver.unsat_core():
                    wishes.pop(str(flag), None)
            return model
        finally:
            solver.pop()

    # -- lint

    def _rule_terms(self, kind: KindModel) -> dict[str, RuleTerms]:
        return {terms.rule.id: terms for terms in kind.current.rules}

    def _never(self, rule_id: str, term: Callable[[RuleTerms], Any]) -> bool | None:
        """Whether no input of any option kind makes ``term`` of the rule hold (inverted
        ``satisfiable``: None when the solver gave up)."""
        found = self.satisfiable(lambda k: term(self._rule_terms(k)[rule_id]))
        return None if found is None else not found

    def lint(self) -> list[LintFinding]:
        findings: list[LintFinding] = []
        rules = [c.rule for c in self.current_version.policies.rules]
        can_fire: dict[str, bool] = {}
        for rule in rules:
            never = self._never(rule.id, lambda t: t.finding)
            can_fire[rule.id] = never is not True
            if never is True:
                findings.append(LintFinding("never-fires", rule.id,
                                            "no card, task, profile and date makes it fire "
                                            "(its applies_to, condition and the schemas leave "
                                            "no input)"))
            elif rule.when is not None and self._never(
                    rule.id, lambda t: z3.And(t.applies, z3.Not(t.own_effect))) is True:
                findings.append(LintFinding("always-fires", rule.id,
                                            "its condition holds (or is unknown and fires) "
                                            "wherever the rule applies: 'when' adds nothing"))
            findings.extend(self._contradictions(rule))
        findings.extend(self._shadowing(rules, can_fire))
        return findings

    def _escapes(self, rule_id: str, other_id: str) -> Callable[[KindModel], Any]:
        """The query: the rule gives its effect and the other rule does not."""
        def query(kind: KindModel) -> Any:
            terms = self._rule_terms(kind)
            return z3.And(terms[rule_id].own_effect, z3.Not(terms[other_id].own_effect))
        return query

    def _contradictions(self, rule: Rule) -> list[LintFinding]:
        found: list[LintFinding] = []

        def visit(node: Any, where: str) -> None:
            if self.satisfiable(lambda k: k.encoder.condition(node)[0]) is False:
                found.append(LintFinding("contradiction", rule.id,
                                         f"{where} can never hold for any well-formed input"))
                return
            children: list[tuple[Any, str]] = []
            if isinstance(node, AllOf):
                children = [(c, f"{where}.all[{i}]") for i, c in enumerate(node.all)]
            elif isinstance(node, AnyOf):
                children = [(c, f"{where}.any[{i}]") for i, c in enumerate(node.any)]
            elif isinstance(node, NotOf):
                children = [(node.not_, f"{where}.not")]
            for child, path in children:
                visit(child, path)

        if rule.when is not None:
            visit(rule.when, "when")
        return found

    def _shadowing(self, rules: list[Rule], can_fire: dict[str, bool]) -> list[LintFinding]:
        found: list[LintFinding] = []
        for rule in rules:
            if rule.effect == "warn" or not can_fire[rule.id]:
                continue
            for other in rules:
                if other.id == rule.id or (other.effect, other.obligation) != (
                        rule.effect, rule.obligation):
                    continue
                if self.satisfiable(self._escapes(rule.id, other.id)) is False:
                    what = "denies" if rule.effect == "deny" else f"requires {rule.obligation}"
                    found.append(LintFinding(
                        "shadowed", rule.id,
                        f"wherever it {what}, {other.id} does too: removing it changes no "
                        f"verdict{' or obligation' if rule.effect == 'require' else ''} "
                        f"(waivers aside)"))
                    break
        return found


def prove(base: Version, current: Version, reference: dt.date,
          timeout_s: float = DEFAULT_TIMEOUT_S) -> ProofReport:
    """Every question, in order; times are kept for the benchmark."""
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    prover = Prover(base, current, reference, timeout_s)
    seconds["encode"] = time.perf_counter() - start
    answers = []
    for question, direction in (("equivalent", None), ("more-permissive", "permissive"),
                                ("more-restrictive", "restrictive")):
        start = time.perf_counter()
        answers.append(prover.difference(question, direction))
        seconds[question] = time.perf_counter() - start
    start = time.perf_counter()
    lint = prover.lint()
    seconds["lint"] = time.perf_counter() - start
    approximated = prover.approximations()
    return ProofReport(base.label, current.label, answers, lint,
                       "bounded" if approximated else "proof", prover.notes, approximated,
                       seconds)
