"""``govern diff`` reports exactly the cells whose decision differs between two catalog
versions, as deciding every cell of both with ``govern.core.decide`` and comparing shows."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govern.core import decide
from govern.formats.json_format import decision_document
from govern.loading.catalog import bundled_root, load_catalog
from govern.matrix.diff import (
    CatalogVersion,
    CellChange,
    compare_cell,
    diff_catalogs,
    outcome_texts,
    waiver_use_changes,
)
from govern.matrix.outcomes import Cell, outcome_of, summarize
from govern.records import ModelCard, Policy, Profile, Task, Waiver
from tests.opa.opa_worlds import (  # the generators of the OPA differential tests
    AS_OF_DATES,
    model_cards,
    policy_sets,
    profiles,
    rules,
    tasks,
    waivers,
)

BUNDLED = load_catalog([bundled_root()])


def brute_force(before: CatalogVersion, after: CatalogVersion, profile_ids: list[str],
                as_of: dt.date) -> dict[Cell, CellChange]:
    """Every cell in both versions decided with decide() and compared."""
    found = {}
    for p in profile_ids:
        for m in before.models.keys() & after.models.keys():
            for t in before.tasks.keys() & after.tasks.keys():
                if p not in before.profiles or p not in after.profiles:
                    continue
                old, new = (decide(v.models[m], v.tasks[t], v.profiles[p], v.policy_set, as_of,
                                   list(v.waivers.values())) for v in (before, after))
                a, b = outcome_of(old), outcome_of(new)
                cell = Cell(p, m, t)
                change = compare_cell(cell, summarize(a), summarize(b), outcome_texts(a),
                                      outcome_texts(b), waivers=waiver_use_changes(a, b))
                same = ({**decision_document(old), "policy_set_digest": ""}
                        == {**decision_document(new), "policy_set_digest": ""})
                assert (change is None) or not same, cell
                if change is not None:
                    found[cell] = change
    return found


def _version(label: str, raw: dict[str, Any]) -> CatalogVersion:
    policies = {p.id: p for p in BUNDLED.policies.values()}
    policies |= {p["id"]: Policy.model_validate(p) for p in raw["policies"]}
    return CatalogVersion(
        label, {m["id"]: ModelCard.model_validate(m) for m in raw["models"]},
        {t["id"]: Task.model_validate(t) for t in raw["tasks"]},
        {p["id"]: Profile.model_validate(p) for p in raw["profiles"]} | dict(BUNDLED.profiles),
        policies, {w["id"]: Waiver.model_validate(w) for w in raw["waivers"]})


@st.composite
def versions(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A generated catalog, and the same with some records edited, replaced or added."""
    as_of = draw(st.sampled_from([*AS_OF_DATES, "2026-06-11"]))
    generated = draw(policy_sets())
    rule_ids = ([r.id for p in BUNDLED.policies.values() for r in p.rules if r.effect == "deny"]
                + [r["id"] for p in generated for r in p["rules"]])
    base = {"policies": generated,
            "models": [draw(model_cards(f"m{i}")) for i in range(3)],
            "tasks": [draw(tasks(f"t{i}")) for i in range(3)],
            "profiles": [draw(profiles(f"p{i}")) for i in range(2)],
            "waivers": draw(waivers(rule_ids, as_of))}
    edited = json.loads(json.dumps(base))
    for edit in draw(st.lists(st.sampled_from(["profile", "model", "task", "rule", "new rule",
                                               "waivers", "new model"]),
                              min_size=1, max_size=3)):
        if edit == "profile":
            i = draw(st.integers(0, 1))
            edited["profiles"][i] = draw(profiles(f"p{i}"))
        elif edit in ("model", "new model"):
            i = draw(st.integers(0, 2)) if edit == "model" else len(edited["models"])
            card = draw(model_cards(f"m{i}"))
            edited["models"][i:i + 1] = [card]
        elif edit == "task":
            i = draw(st.integers(0, 2))
            edited["tasks"][i] = draw(tasks(f"t{i}"))
        elif edit == "rule":
            policy = draw(st.sampled_from(edited["policies"]))
            i = draw(st.integers(0, len(policy["rules"]) - 1))
            policy["rules"][i] = draw(rules(policy["rules"][i]["id"]))
        elif edit == "new rule":
            edited["policies"][0]["rules"].append(draw(rules("r99.new")))
        else:
            edited["waivers"] = draw(waivers(rule_ids, as_of))
    return base, edited, as_of


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=versions())
def test_diff_names_exactly_the_cells_decide_says_changed(
        case: tuple[dict[str, Any], dict[str, Any], str]) -> None:
    raw_before, raw_after, as_of_text = case
    before, after = _version("before", raw_before), _version("after", raw_after)
    as_of = dt.date.fromisoformat(as_of_text)
    profile_ids = sorted(after.profiles)
    diff = diff_catalogs(before, after, profile_ids, as_of)
    expected = brute_force(before, after, profile_ids, as_of)
    reported = {c.cell: replace(c, causes=()) for c in diff.cells
                if c.kind not in ("added", "removed")}
    try:
        assert reported.keys() == expected.keys()
        for cell, change in expected.items():
            assert reported[cell] == change, cell
        assert diff.summary.cells == len(profile_ids) * len(
            before.models.keys() | after.models.keys()) * len(
            before.tasks.keys() | after.tasks.keys())
    except AssertionError:
        print(json.dumps({"before": raw_before, "after": raw_after, "as_of": as_of_text},
                         ensure_ascii=False))
        raise
    added = {c.cell for c in diff.cells if c.kind == "added"}
    assert added == {Cell(p, m, t) for p in profile_ids for m in after.models
                     if m not in before.models for t in after.tasks}
