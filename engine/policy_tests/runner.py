"""Running policy test cases: decide each one, compare with its expectations, count coverage.

Cases are decided by a ``Backend`` (the native core by default, or OPA), exactly as
``govern evaluate`` decides, so a passing test says something about what users will see.
A failure is a short readable line ("api via Z.ai: verdict: expected denied, got allowed"),
and the run records which rules fired so rules no case exercises can be reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from govern.backends import Backend, DecisionRequest
from govern.core import CompiledRule, Decision, Finding, OptionDecision, PolicySet
from govern.lineage import resolve_lineage
from govern.loading.catalog import Catalog
from govern.policy_tests.cases import (
    Expectation,
    LoadedCase,
    OptionExpectation,
    PolicyTestCase,
    RuleExpectations,
)
from govern.records import ModelCard, Profile, Task


@dataclass(frozen=True)
class CaseResult:
    file: str
    line: int | None
    name: str
    failures: tuple[str, ...]
    """Readable differences between expected and actual; empty when the case passed."""
    fired: frozenset[str]
    """Rules that fired on any option of this case's decision."""

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@dataclass(frozen=True)
class PolicyCoverage:
    policy: str
    rules: tuple[str, ...]
    fired: tuple[str, ...]

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(r for r in self.rules if r not in self.fired)


@dataclass(frozen=True)
class TestRun:
    results: tuple[CaseResult, ...]
    coverage: tuple[PolicyCoverage, ...]

    __test__ = False  # not a pytest test class, despite the name

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def rules_total(self) -> int:
        return sum(len(c.rules) for c in self.coverage)

    @property
    def uncovered(self) -> tuple[str, ...]:
        return tuple(r for c in self.coverage for r in c.uncovered)


# ---------------------------------------------------------------- firing


def fires(finding: Finding, rule: CompiledRule) -> bool:
    """Whether a finding is its rule firing, rather than a 'cannot check' warning.

    A rule with ``when_unknown: warn`` whose facts are unknown only warns that it could not be
    checked; counting that as firing would let a rule look tested when its condition never
    held.
    """
    return not (finding.unknown_facts and rule.rule.when_unknown == "warn")


def _fired(option: OptionDecision, rules: dict[str, CompiledRule]) -> dict[str, Finding]:
    return {f.rule: f for f in option.findings if fires(f, rules[f.rule])}


def _cannot_check(option: OptionDecision, rules: dict[str, CompiledRule]) -> dict[str, Finding]:
    return {f.rule: f for f in option.findings if not fires(f, rules[f.rule])}


# ---------------------------------------------------------------- comparing


def _names(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "none"


def _rule_failures(expect: RuleExpectations, fired: dict[str, Finding],
                   unchecked: dict[str, Finding], obligations: list[str], where: str
                   ) -> list[str]:
    failures = [f"{where}expected {rule} to fire; fired: {_names(sorted(fired))}"
                for rule in expect.fires if rule not in fired]
    failures += [f"{where}expected {rule} not to fire; it did: {fired[rule].message}"
                 for rule in expect.does_not_fire if rule in fired]
    failures += [f"{where}expected {rule} to give 'cannot check'; "
                 f"cannot check: {_names(sorted(unchecked))}"
                 for rule in expect.cannot_check if rule not in unchecked]
    if expect.obligations is not None and sorted(expect.obligations) != sorted(obligations):
        failures.append(f"{where}obligations: expected [{', '.join(sorted(expect.obligations))}],"
                        f" got [{', '.join(sorted(obligations))}]")
    return failures


def _find_option(expect: OptionExpectation, decision: Decision
                 ) -> tuple[OptionDecision | None, str | None]:
    matches = [o for o in decision.options if o.deployment == expect.deployment
               and (expect.provider is None or o.provider == expect.provider)]
    if len(matches) == 1:
        return matches[0], None
    present = _names([o.label for o in decision.options])
    if not matches:
        return None, f"option {expect.label()}: not among the options ({present})"
    return None, (f"option {expect.label()}: matches {len(matches)} options ({present}); "
                  "name the provider")


def _option_failures(expect: OptionExpectation, decision: Decision,
                     rules: dict[str, CompiledRule]) -> list[str]:
    option, missing = _find_option(expect, decision)
    if option is None:
        return [missing or ""]
    where = f"{option.label}: "
    failures = [
        f"{where}{key}: expected {_show(wanted)}, got {_show(actual)}"
        for key, wanted, actual in (("verdict", expect.verdict, option.verdict),
                                    ("waived", expect.waived, option.waived),
                                    ("recommended", expect.recommended, option.recommended))
        if wanted is not None and wanted != actual
    ]
    return failures + _rule_failures(expect, _fired(option, rules), _cannot_check(option, rules),
                                     [o.obligation for o in option.obligations], where)


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def compare(expect: Expectation, decision: Decision, rules: dict[str, CompiledRule]
            ) -> list[str]:
    """Every difference between what a case expects and the decision; empty when it matches."""
    failures = []
    if expect.recommendation is not None and expect.recommendation != decision.recommendation:
        failures.append(f"recommendation: expected {expect.recommendation}, "
                        f"got {decision.recommendation}")
    for option_expect in expect.options:
        failures.extend(_option_failures(option_expect, decision, rules))
    fired: dict[str, Finding] = {}
    unchecked: dict[str, Finding] = {}
    for option in decision.options:
        fired = _fired(option, rules) | fired
        unchecked = _cannot_check(option, rules) | unchecked
    recommended = next((o for o in decision.options if o.recommended), None)
    obligations = [o.obligation for o in recommended.obligations] if recommended else []
    failures.extend(_rule_failures(expect, fired, unchecked, obligations, ""))
    return failures


# ---------------------------------------------------------------- running


def _inline_card(case: PolicyTestCase, catalog: Catalog) -> ModelCard:
    """A hypothetical card, its bases looked up in the catalog like a catalog card's (the walk
    visits each id once, so a base naming the card back ends the walk, not a loop)."""
    card = cast(ModelCard, case.model_card)
    lineage = resolve_lineage(card, {**catalog.models, card.id: card})
    return card.model_copy(update={"lineage": lineage})


def _request(case: PolicyTestCase, catalog: Catalog) -> DecisionRequest:
    # Ids were checked against the catalog when the file was loaded.
    model: ModelCard = catalog.models[case.model] if case.model else _inline_card(case, catalog)
    task: Task = catalog.tasks[case.task] if isinstance(case.task, str) else case.task
    profile: Profile = (catalog.profiles[case.profile] if isinstance(case.profile, str)
                        else case.profile)
    return DecisionRequest(model, task, profile)


def run_case(loaded: LoadedCase, catalog: Catalog, backend: Backend, default_as_of: dt.date
             ) -> CaseResult:
    """Decide one case with the catalog's policies and waivers plus the case's own waivers."""
    case = loaded.case
    as_of = case.as_of or loaded.file_as_of or default_as_of
    waivers = list(catalog.waivers.values()) + list(case.waivers)
    policies: PolicySet = catalog.policy_set
    (decision,) = backend.decide([_request(case, catalog)], policies, as_of, waivers)
    rules = {c.rule.id: c for c in policies.rules}
    fired = {rule for option in decision.options for rule in _fired(option, rules)}
    return CaseResult(loaded.file, loaded.line, case.name,
                      tuple(compare(case.expect, decision, rules)), frozenset(fired))


def coverage(policies: PolicySet, results: Sequence[CaseResult]) -> tuple[PolicyCoverage, ...]:
    """Per policy, its rules and which of them fired in at least one case."""
    fired = set().union(*(r.fired for r in results)) if results else set()
    return tuple(
        PolicyCoverage(policy.id, tuple(r.id for r in policy.rules),
                       tuple(r.id for r in policy.rules if r.id in fired))
        for policy in policies.policies
    )


def run_policy_tests(cases: Sequence[LoadedCase], catalog: Catalog, backend: Backend,
                     default_as_of: dt.date) -> TestRun:
    results = tuple(run_case(c, catalog, backend, default_as_of) for c in cases)
    return TestRun(results, coverage(catalog.policy_set, results))
