"""The matrix's fast path decides every cell exactly as ``govern.core.decide`` does: the same
Decision, the same JSON bytes, and an outline that is the decision without its text."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govern.core import Decision, PolicySet, decide
from govern.formats.json_format import decision_document, dumps, render_decision_json
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from govern.matrix import MatrixResult, decide_matrix
from govern.matrix.outcomes import CellOutcome, summarize
from govern.records import ModelCard, Policy, Profile, Task, Waiver
from tests.opa.opa_worlds import (  # the generators of the OPA differential tests
    AS_OF_DATES,
    model_cards,
    policy_sets,
    profiles,
    tasks,
    waivers,
    with_lineages,
)
from tests.support import REPO

# either side of the Fable 5 and Mythos 5 suspension (12 June 2026), and later
DATES = [dt.date(2026, 6, 11), dt.date(2026, 6, 12), dt.date(2026, 11, 23)]
BUNDLED = load_catalog([bundled_root()])


def assert_matrix_is_decide(matrix: MatrixResult, models: dict[str, ModelCard],
                            tasks_: dict[str, Task], profiles_: dict[str, Profile],
                            policies: PolicySet, waivers_: list[Waiver]) -> int:
    """Every cell of ``matrix`` against ``decide``; the number of cells compared."""
    compared = 0
    outlines = dict(matrix.cells())
    for cell, outcome in matrix.outcomes():
        expected: Decision = decide(models[cell.model], tasks_[cell.task],
                                    profiles_[cell.profile], policies, matrix.as_of, waivers_)
        document = matrix.document(cell, outcome)
        assert document == decision_document(expected), cell
        # the bytes too: same keys in the same order (dict equality ignores order)
        assert json.dumps(document) == json.dumps(decision_document(expected)), cell
        assert outlines.pop(cell) == summarize(outcome), cell
        compared += 1
    assert not outlines and compared == len(matrix)
    return compared


@pytest.fixture(scope="module")
def team_catalog() -> Catalog:
    # the example team catalog brings waivers: applied, expired and unused ones
    return load_catalog([bundled_root(), REPO / "examples" / "ci" / "catalog"])


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_every_bundled_cell_is_what_decide_gives(team_catalog: Catalog, as_of: dt.date) -> None:
    catalog = team_catalog
    waivers_ = list(catalog.waivers.values())
    assert waivers_, "the example catalog's waivers are part of what is compared"
    matrix = decide_matrix(list(catalog.profiles.values()), list(catalog.models.values()),
                           list(catalog.tasks.values()), catalog.policy_set, as_of, waivers_)
    compared = assert_matrix_is_decide(matrix, catalog.models, catalog.tasks, catalog.profiles,
                                       catalog.policy_set, waivers_)
    assert compared == len(catalog.models) * len(catalog.tasks) * len(catalog.profiles)
    statuses = {w.status for _, o in matrix.outcomes() for w in o.waivers}
    assert statuses == {"applied", "expired"} if as_of == DATES[-1] else "applied" in statuses


def test_a_single_cell_gives_the_pydantic_decision_itself(team_catalog: Catalog) -> None:
    catalog = team_catalog
    waivers_ = list(catalog.waivers.values())
    matrix = decide_matrix(list(catalog.profiles.values()), list(catalog.models.values()),
                           list(catalog.tasks.values()), catalog.policy_set, DATES[1], waivers_)
    for cell, _ in matrix.cells():
        expected = decide(catalog.models[cell.model], catalog.tasks[cell.task],
                          catalog.profiles[cell.profile], catalog.policy_set, DATES[1], waivers_)
        assert matrix.decision(cell) == expected
        assert (dumps(matrix.document(cell, matrix.outcome(cell)))
                == render_decision_json(expected)), "what evaluate --format json prints"


# ---------------------------------------------------------------- generated catalogs


def _copies(draw: st.DrawFn, records: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """Some records again under new ids: equal facts in different records must share work
    without mixing up whose they are."""
    extra = draw(st.lists(st.sampled_from(records), max_size=2))
    return records + [{**r, "id": f"{prefix}{len(records) + i}"} for i, r in enumerate(extra)]


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """The bundled policies plus generated rules, and generated cards, tasks, profiles and
    waivers, as the dicts YAML files would hold."""
    as_of = draw(st.sampled_from([*AS_OF_DATES, "2026-06-11", "2026-06-12"]))
    generated = draw(policy_sets())
    rule_ids = ([r.id for p in BUNDLED.policies.values() for r in p.rules if r.effect == "deny"]
                + [r["id"] for p in generated for r in p["rules"]])
    # card i may derive from earlier cards (and from a base no card describes): lineage chains
    models = _copies(draw, [draw(model_cards(f"m{i}", i))
                            for i in range(draw(st.integers(2, 4)))], "m")
    task_records = _copies(draw, [draw(tasks(f"t{i}")) for i in range(draw(st.integers(1, 4)))],
                           "t")
    return {"as_of": as_of, "policies": generated, "models": models, "tasks": task_records,
            "profiles": [draw(profiles(f"p{i}")) for i in range(2)],
            "waivers": draw(waivers(rule_ids, as_of))}


@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=catalogs())
def test_generated_catalogs_are_decided_as_decide_does(raw: dict[str, Any]) -> None:
    bundled = BUNDLED
    policies = PolicySet([*bundled.policies.values(),
                          *(Policy.model_validate(p) for p in raw["policies"])])
    models = {m.id: m for m in with_lineages([ModelCard.model_validate(m)
                                              for m in raw["models"]])}
    tasks_ = {t["id"]: Task.model_validate(t) for t in raw["tasks"]}
    profiles_ = {p["id"]: Profile.model_validate(p) for p in raw["profiles"]}
    profiles_ |= {p.id: p for p in bundled.profiles.values()}
    waivers_ = [Waiver.model_validate(w) for w in raw["waivers"]]
    as_of = dt.date.fromisoformat(raw["as_of"])
    matrix = decide_matrix(list(profiles_.values()), list(models.values()),
                           list(tasks_.values()), policies, as_of, waivers_)
    try:
        assert_matrix_is_decide(matrix, models, tasks_, profiles_, policies, waivers_)
    except AssertionError:
        print(json.dumps(raw, indent=2, ensure_ascii=False))
        raise
    assert isinstance(next(iter(matrix.outcomes()))[1], CellOutcome)


def test_equal_keys_only_for_values_every_rule_treats_alike() -> None:
    # True == 1 in Python, but a rule prints "true" for one and "1" for the other: a memo
    # keyed on raw values would hand one's message to the other.
    from govern.core import render_value
    from govern.matrix.rule_plan import freeze

    assert freeze(True) != freeze(1) and freeze([True]) != freeze([1])
    assert render_value(True) != render_value(1)
    # equal numbers of either type do read and compare alike, so they may share a key
    assert freeze(753) == freeze(753.0) and render_value(753) == render_value(753.0)
    assert freeze(["EU"]) != freeze("EU") and freeze([]) != freeze(None)
