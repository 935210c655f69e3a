"""Policy tests: YAML files of cases that pin down what the policies decide (``govern test``).

Like ``opa test`` or ``kyverno test``: a compliance officer who changes a rule runs the cases
and sees which decisions moved. A test file is a mapping with ``cases``; each case gives an
input (catalog ids, or inline records for a hypothetical model, task or profile) and an
``expect`` block (recommendation, option verdicts, rules that must or must not fire,
obligations). This module holds the record models and the loader; running the cases is
``govern.policy_tests.runner``.

Every file is parsed with the safe loader and checked against the catalog before any case
runs, so a typo in a rule id is an input error (file:line, did-you-mean), never a test that
passes because it asserts nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, model_validator

from govern.core import Recommendation, deployment_label
from govern.errors import InputError, Problem, did_you_mean
from govern.fieldtypes import (
    NO_NULL_IN_SCHEMA,
    AbsentMeans,
    IsoDate,
    NonEmptyStr,
    RecordId,
    RuleId,
)
from govern.loading.catalog import DEFAULT_PROFILE, Catalog
from govern.loading.catalog_files import yaml_files_under
from govern.loading.policy_checks import check_model_card
from govern.loading.validation import validate_record
from govern.loading.yaml_source import LoadedYaml, YamlPath, display_path, read_yaml_file
from govern.records import Deployment, ModelCard, Profile, Record, Task, Waiver


def _id_or_record(value: Any) -> str:
    # A string is a catalog id; anything else is an inline record. Choosing the branch up front
    # keeps errors about an inline record free of "or: input should be a string" noise.
    return "id" if isinstance(value, str) else "record"


TaskRef = Annotated[
    Annotated[RecordId, Tag("id")] | Annotated[Task, Tag("record")],
    Discriminator(_id_or_record),
]
ProfileRef = Annotated[
    Annotated[RecordId, Tag("id")] | Annotated[Profile, Tag("record")],
    Discriminator(_id_or_record),
]


class RuleExpectations(Record):
    """Which rules must, must not, or cannot be checked; shared by a case and an option.

    A rule *fires* when it gives a finding with its own effect: its condition held, or a fact
    was unknown and the rule treats that as insufficient evidence. A 'cannot check' warning
    (``when_unknown: warn``) is not firing; ``cannot_check`` asserts those.
    """

    fires: list[RuleId] = Field(default_factory=list)
    """Rules that must fire (for a case: on at least one option)."""
    does_not_fire: list[RuleId] = Field(default_factory=list)
    """Rules that must not fire (for a case: on no option)."""
    cannot_check: list[RuleId] = Field(default_factory=list)
    """Rules that must give a 'cannot check' warning because a fact is unknown."""
    obligations: Annotated[list[RecordId] | None, AbsentMeans("obligations are not checked"),
                           NO_NULL_IN_SCHEMA] = None
    """Exactly these obligations, in any order (for a case: those of the recommended option;
    none when nothing is recommended)."""

    def rule_lists(self) -> list[tuple[str, list[str]]]:
        return [("fires", self.fires), ("does_not_fire", self.does_not_fire),
                ("cannot_check", self.cannot_check)]

    def has_rule_expectations(self) -> bool:
        return bool(self.fires or self.does_not_fire or self.cannot_check
                    or self.obligations is not None)


class OptionExpectation(RuleExpectations):
    """What one option of the decision must show, found by deployment (and provider)."""

    deployment: Deployment
    """Which option: api or self-host."""
    provider: Annotated[NonEmptyStr | None, AbsentMeans("any provider"),
                        NO_NULL_IN_SCHEMA] = None
    """The API provider; needed when the model has several API offerings."""
    verdict: Annotated[Literal["allowed", "denied"] | None,
                       AbsentMeans("the verdict is not checked"),
                       NO_NULL_IN_SCHEMA] = None
    """allowed or denied; absent: not checked."""
    waived: Annotated[bool | None, AbsentMeans("it is not checked"),
                      NO_NULL_IN_SCHEMA] = None
    """Allowed only because a waiver set a deny finding aside."""
    recommended: Annotated[bool | None, AbsentMeans("it is not checked"),
                           NO_NULL_IN_SCHEMA] = None
    """Whether this option is the recommended one."""

    @model_validator(mode="after")
    def _self_host_has_no_provider(self) -> OptionExpectation:
        if self.deployment == "self-host" and self.provider is not None:
            raise ValueError("a self-host option has no provider")
        return self

    def label(self) -> str:
        return deployment_label(self.deployment, self.provider)


class Expectation(RuleExpectations):
    """What the decision must show. Only what is written is checked."""

    recommendation: Annotated[Recommendation | None,
                              AbsentMeans("the recommendation is not checked"),

                              NO_NULL_IN_SCHEMA] = None
    """api, self-host or disallow; absent: not checked."""
    options: list[OptionExpectation] = Field(default_factory=list)
    """What given options must show; options not listed are not checked."""

    @model_validator(mode="after")
    def _expects_something(self) -> Expectation:
        # A case that asserts nothing would always pass: refuse it rather than count it.
        if self.recommendation is None and not self.options and not self.has_rule_expectations():
            raise ValueError("expects nothing: give a recommendation, options, fires, "
                             "does_not_fire, cannot_check or obligations")
        return self


class PolicyTestCase(Record):
    """One decision to make and what it must show."""

    name: NonEmptyStr
    """Says what the case shows, e.g. 'GLM-5.2 via Z.ai: source code may not go to CN'."""
    model: Annotated[RecordId | None, AbsentMeans("the inline model_card is used"),
                     NO_NULL_IN_SCHEMA] = None
    """Catalog id of the model card; or give ``model_card`` inline instead."""
    model_card: Annotated[ModelCard | None, AbsentMeans("the catalog model is used"),
                          NO_NULL_IN_SCHEMA] = None
    """A full inline model card, for a hypothetical model the catalog does not have."""
    task: TaskRef
    """Catalog id of the task, or an inline task."""
    profile: ProfileRef = DEFAULT_PROFILE
    """Catalog id of the profile, or an inline profile."""
    as_of: Annotated[IsoDate | None, AbsentMeans("the default date"),
                     NO_NULL_IN_SCHEMA] = None
    """Decision date; default the file's ``as_of``, then ``--as-of``, then today."""
    waivers: list[Waiver] = Field(default_factory=list)
    """Inline waivers, used together with the catalog's."""
    expect: Expectation
    """What the decision must show; only what is written is checked."""

    @model_validator(mode="after")
    def _one_model(self) -> PolicyTestCase:
        if (self.model is None) == (self.model_card is None):
            raise ValueError("give exactly one of 'model' (a catalog id) or 'model_card' "
                             "(an inline card)")
        return self


class PolicyTestFile(Record):
    """A file of policy test cases."""

    description: str | None = None
    """What the file's cases are about."""
    as_of: Annotated[IsoDate | None, AbsentMeans("the default date"),
                     NO_NULL_IN_SCHEMA] = None
    """Decision date for every case that does not give its own."""
    cases: list[PolicyTestCase] = Field(min_length=1)
    """The cases; at least one."""




# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class LoadedCase:
    """A validated case and where it stands, for reports."""

    case: PolicyTestCase
    file: str
    line: int | None
    file_as_of: dt.date | None
    """The file's default ``as_of``."""


def policy_test_files(paths: Sequence[Path]) -> tuple[list[Path], list[Problem]]:
    """The YAML files under ``paths`` (directories searched recursively), in a stable order,
    and a problem for every file there that govern would not read (see ``catalog_files``)."""
    found: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            files, trouble = yaml_files_under(path)
            found.extend(files)
            problems.extend(trouble)
        else:
            found.append(path)
    return found, problems


def load_policy_tests(paths: Sequence[Path], catalog: Catalog) -> list[LoadedCase]:
    """Every case of every file; one ``InputError`` listing every problem in every file."""
    files, refused = policy_test_files(paths)
    if refused:
        raise InputError(refused)
    if not files:
        shown = ", ".join(display_path(p) for p in paths)
        raise InputError(Problem(shown or "-", None, None, "-", "no policy test files (*.yaml) "
                                                              "found"))
    cases: list[LoadedCase] = []
    problems: list[Problem] = []
    for path in files:
        found, file_problems = _load_file(path, catalog)
        cases.extend(found)
        problems.extend(file_problems)
    if problems:
        raise InputError(problems)
    return cases


def _load_file(path: Path, catalog: Catalog) -> tuple[list[LoadedCase], list[Problem]]:
    try:
        loaded = read_yaml_file(path)
    except InputError as e:
        return [], e.problems
    return check_test_file(loaded, catalog)


def check_test_file(loaded: LoadedYaml, catalog: Catalog
                    ) -> tuple[list[LoadedCase], list[Problem]]:
    """The cases of a parsed test file, or every problem with it (ids checked against
    ``catalog``)."""
    tests, problems = validate_record(loaded, PolicyTestFile)
    if tests is None:
        return [], problems
    problems = [loaded.problem(p, msg) for p, msg in _check_against_catalog(tests, catalog)]
    problems.extend(_check_inline_cards(tests, loaded))
    cases = [LoadedCase(case, loaded.file, loaded.position(("cases", i))[0], tests.as_of)
             for i, case in enumerate(tests.cases)]
    return ([] if problems else cases), problems


def _check_inline_cards(tests: PolicyTestFile, loaded: LoadedYaml) -> list[Problem]:
    # The same logic check a catalog card gets (disputes must name real facts).
    problems: list[Problem] = []
    for i, case in enumerate(tests.cases):
        if case.model_card is not None:
            raw = loaded.data["cases"][i]["model_card"]
            base: YamlPath = ("cases", i, "model_card")
            problems.extend(loaded.problem(base + p, msg)
                            for p, msg in check_model_card(case.model_card, raw))
    return problems


def _unknown(label: str, value: str, known: Iterable[str], listing: str) -> str:
    return f"unknown {label} '{value}'{did_you_mean(value, known)}; 'govern list {listing}' shows them"


def _check_against_catalog(tests: PolicyTestFile, catalog: Catalog
                           ) -> list[tuple[YamlPath, str]]:
    """Ids the catalog must know: models, tasks, profiles, and every rule named anywhere."""
    rules = {c.rule.id for c in catalog.policy_set.rules}
    problems: list[tuple[YamlPath, str]] = []
    names: dict[str, int] = {}
    for i, case in enumerate(tests.cases):
        base: YamlPath = ("cases", i)
        if case.name in names:
            message = f"case name '{case.name}' is already used by cases[{names[case.name]}]"
            problems.append((base + ("name",), message))
        names.setdefault(case.name, i)
        refs: list[tuple[str, object, Collection[str], str, str]] = [
            ("model", case.model, catalog.models.keys(), "model", "models"),
            ("task", case.task, catalog.tasks.keys(), "task", "tasks"),
            ("profile", case.profile, catalog.profiles.keys(), "profile", "profiles")]
        for key, value, known, label, listing in refs:
            if isinstance(value, str) and value not in known:
                problems.append((base + (key,), _unknown(label, value, known, listing)))
        for j, waiver in enumerate(case.waivers):
            if waiver.rule not in rules:
                problems.append((base + ("waivers", j, "rule"),
                                 _unknown("rule", waiver.rule, rules, "rules")))
        problems.extend(_check_rule_ids(case.expect, base + ("expect",), rules))
        for k, option in enumerate(case.expect.options):
            problems.extend(_check_rule_ids(option, base + ("expect", "options", k), rules))
    return problems


def _check_rule_ids(expect: RuleExpectations, base: YamlPath, rules: set[str]
                    ) -> list[tuple[YamlPath, str]]:
    return [(base + (key, j), _unknown("rule", rule, rules, "rules"))
            for key, listed in expect.rule_lists()
            for j, rule in enumerate(listed) if rule not in rules]
