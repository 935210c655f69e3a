"""Every suggestion of ``govern explain`` is proven: applied, as its JSON document states it, to
copies of the records and re-decided with ``govern.core.decide``, the option becomes allowed;
and no strict subset of its changes does that (minimal). On every denied option of every
bundled model × task × profile, and on generated catalogs."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from govern.core import Decision, PolicySet, decide
from govern.dated import card_fixed_as_of
from govern.explain import Explanation, catalog_pools, explain_decision
from govern.explain.levers import OPTION_FIELDS_WITHOUT_SOURCE, OPTION_SOURCES, fact_addresses
from govern.facts import DERIVED, DERIVED_READS, FACTS
from govern.lineage import revalidated_card
from govern.loading.catalog import bundled_root, load_catalog
from govern.matrix.diff import option_keys
from govern.records import (
    DataClassRule,
    ModelCard,
    Option,
    Policy,
    Profile,
    Task,
    Waiver,
    WaiverScope,
)
from tests.opa.opa_worlds import model_cards, policy_sets, profiles, tasks

BUNDLED = load_catalog([bundled_root()])
AS_OF = dt.date(2026, 11, 23)
KINDS = {"card": ("model", ModelCard), "task": ("task", Task), "profile": ("profile", Profile)}


def _edit(data: Any, keys: list[str], op: str, value: Any) -> Any:
    """An independent reading of a change's JSON: ``field`` is dotted, digits index lists."""
    if not keys:
        if op == "set":
            return value
        if op == "add":
            return [*(data or []), value]
        return [x for x in (data or []) if x != value]
    key, rest = keys[0], keys[1:]
    if key.isdigit():
        copied = list(data)
        copied[int(key)] = _edit(data[int(key)], rest, op, value)
        return copied
    mapping = dict(data or {})
    edited = _edit(mapping.get(key), rest, op, value)
    if edited is None:
        mapping.pop(key, None)
    else:
        mapping[key] = edited
    return mapping


def apply(changes: list[dict[str, Any]], model: ModelCard, task: Task, profile: Profile
          ) -> tuple[ModelCard, Task, Profile, list[Waiver]]:
    records: dict[str, Any] = {"model": model, "task": task, "profile": profile}
    data = {k: r.model_dump(mode="python", by_alias=True, exclude_none=True)
            for k, r in records.items()}
    waivers = []
    for n, change in enumerate(changes):
        if change["op"] == "waive":
            waivers.append(Waiver(id=f"w{n}", rule=change["rule"],
                                  scope=WaiverScope(**change["scope"]), owner="o", reason="r",
                                  reference="x", expires=AS_OF))
            continue
        kind, _ = KINDS[change["who"]]
        data[kind] = _edit(data[kind], change["field"].split("."), change["op"],
                           change["value"])
    return (revalidated_card(data["model"], model), Task.model_validate(data["task"]),
            Profile.model_validate(data["profile"]), waivers)


def allowed_after(changes: list[dict[str, Any]], decision: Decision, key: Any,
                  model: ModelCard, task: Task, profile: Profile, policies: PolicySet,
                  waivers: list[Waiver]) -> bool:
    try:
        m, t, p, proposed = apply(changes, model, task, profile)
    except ValidationError:
        return False  # a subset that leaves no valid record (a task without data) is no world
    after = decide(m, t, p, policies, AS_OF, [*waivers, *proposed])
    by_key = dict(zip(option_keys(after.options), after.options, strict=True))
    return key in by_key and by_key[key].verdict == "allowed"


def assert_proven(explanation: Explanation, model: ModelCard, task: Task, profile: Profile,
                  policies: PolicySet, waivers: list[Waiver]) -> int:
    """Every suggestion allows its option and is minimal; the number proven. Suggestions are
    changes to the card as it stands on the date (``card_fixed_as_of``)."""
    model = card_fixed_as_of(model, AS_OF)
    decision = explanation.decision
    keys = dict(zip([id(o) for o in decision.options], option_keys(decision.options),
                    strict=True))
    denied = [o for o in decision.options if o.verdict == "denied"]
    assert [o.option for o in explanation.options] == denied
    proven = 0
    for option in explanation.options:
        key = keys[id(option.option)]
        document = option.document()
        assert document["suggestions"], f"{option.option.label}: at least the waivers"
        for suggestion in document["suggestions"]:
            changes = suggestion["changes"]
            assert allowed_after(changes, decision, key, model, task, profile, policies,
                                 waivers), (option.option.label, changes)
            for size in range(len(changes)):
                for subset in itertools.combinations(changes, size):
                    assert not allowed_after(list(subset), decision, key, model, task,
                                             profile, policies, waivers), (changes, subset)
            proven += 1
    return proven


def test_every_suggestion_on_the_bundled_catalog_allows_its_option_and_is_minimal() -> None:
    catalog = BUNDLED
    pools = catalog_pools(list(catalog.models.values()), list(catalog.tasks.values()),
                          list(catalog.profiles.values()), list(catalog.policies.values()))
    proven = denied = 0
    for profile in catalog.profiles.values():
        for model in catalog.models.values():
            for task in catalog.tasks.values():
                decision = decide(model, task, profile, catalog.policy_set, AS_OF)
                denied += sum(o.verdict == "denied" for o in decision.options)
                explanation = explain_decision(decision, model, task, profile,
                                               catalog.policy_set, AS_OF, [], pools)
                proven += assert_proven(explanation, model, task, profile,
                                        catalog.policy_set, [])
    assert denied > 100 and proven > denied  # every denied option has suggestions, most several


def test_glm_api_would_be_allowed_if_hosted_in_the_eu_or_the_profile_let_code_go_to_cn() -> None:
    model, task = BUNDLED.models["glm-5.2"], BUNDLED.tasks["refactoring"]
    profile = BUNDLED.profiles["eu-regulated-enterprise"]
    pools = catalog_pools(list(BUNDLED.models.values()), list(BUNDLED.tasks.values()),
                          list(BUNDLED.profiles.values()), list(BUNDLED.policies.values()))
    decision = decide(model, task, profile, BUNDLED.policy_set, AS_OF)
    (api,) = explain_decision(decision, model, task, profile, BUNDLED.policy_set, AS_OF, [],
                              pools).options
    by_group = {}
    for s in api.document()["suggestions"]:
        by_group.setdefault(s["by"], []).append(
            sorted((c.get("field") or c["rule"], c["op"], str(c.get("value")))
                   for c in s["changes"]))
    assert by_group["card"] == [[("api_offerings.0.host_jurisdiction", "set", "EU")]]
    assert by_group["profile"] == [[
        ("data_classes.source_code.host_jurisdictions", "add", "CN"),
        ("data_classes.trade_secrets.host_jurisdictions", "add", "CN")]]
    assert by_group["waiver"] == [[("jurisdiction.data-class-not-permitted-at-host", "waive",
                                    "None")]]


def test_a_fine_tune_gets_card_suggestions_proven_through_its_lineage(tmp_path: Any) -> None:
    """A card the loader gave a lineage (base_model) is edited and validated again with its
    bases' licences carried over: the card's own facts stay levers, and each suggestion
    re-decided on the edited copy allows its option."""
    folder = tmp_path / "model_cards"
    folder.mkdir()
    glm = (bundled_root() / "model_cards" / "glm-5.2.yaml").read_text()
    (folder / "glm-5.2-coder.yaml").write_text(
        glm.replace("id: glm-5.2\n", "id: glm-5.2-coder\nbase_model: [glm-5.2]\n", 1))
    catalog = load_catalog([bundled_root(), tmp_path])
    model = catalog.models["glm-5.2-coder"]
    assert model.lineage is not None and len(model.lineage.licenses) == 2
    task, profile = catalog.tasks["refactoring"], catalog.profiles["eu-regulated-enterprise"]
    pools = catalog_pools(list(catalog.models.values()), list(catalog.tasks.values()),
                          list(catalog.profiles.values()), list(catalog.policies.values()))
    decision = decide(model, task, profile, catalog.policy_set, AS_OF)
    explanation = explain_decision(decision, model, task, profile, catalog.policy_set, AS_OF,
                                   [], pools)
    groups = {s["by"] for o in explanation.options for s in o.document()["suggestions"]}
    assert "card" in groups
    assert assert_proven(explanation, model, task, profile, catalog.policy_set, []) > 0


def test_disallow_names_the_option_closest_to_allowed() -> None:
    model, task = BUNDLED.models["glm-5.2"], BUNDLED.tasks["refactoring"]
    profile = BUNDLED.profiles["us-enterprise"]  # 640 GB: self-host short; api in CN
    pools = catalog_pools(list(BUNDLED.models.values()), list(BUNDLED.tasks.values()),
                          list(BUNDLED.profiles.values()), list(BUNDLED.policies.values()))
    decision = decide(model, task, profile, BUNDLED.policy_set, AS_OF)
    assert decision.recommendation == "disallow"
    explanation = explain_decision(decision, model, task, profile, BUNDLED.policy_set, AS_OF,
                                   [], pools)
    assert explanation.closest is not None
    fewest = min(o.fewest_changes or 99 for o in explanation.options)
    assert explanation.closest.fewest_changes == fewest
    memory = [s for o in explanation.options for s in o.document()["suggestions"]
              if any(c.get("field") == "self_host.accelerator_memory_gb"
                     for c in s["changes"])]
    assert memory and memory[0]["changes"][0]["value"] == 753.0  # the card's estimate


def test_every_derived_fact_and_option_field_maps_to_record_fields() -> None:
    task = BUNDLED.tasks["refactoring"]
    for path in DERIVED:
        for read in DERIVED_READS[path]:
            data_class = read.removeprefix("profile.data_classes.*.")
            assert read in FACTS or data_class in DataClassRule.model_fields, read
            if not read.startswith("option."):
                assert fact_addresses(read, "self-host", None, task), read
    for name in Option.model_fields:
        assert (name in OPTION_FIELDS_WITHOUT_SOURCE or name in OPTION_SOURCES["self-host"]
                or name in {"pricing", "data_terms"}), f"option.{name} has no record source"


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    return {"policies": draw(policy_sets()), "model": draw(model_cards("m0")),
            "task": draw(tasks("t0")), "profile": draw(profiles("p0"))}


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=worlds())
def test_generated_catalogs_every_suggestion_allows_its_option(raw: dict[str, Any]) -> None:
    policies = PolicySet([*BUNDLED.policies.values(),
                          *(Policy.model_validate(p) for p in raw["policies"])])
    model = ModelCard.model_validate(raw["model"])
    task = Task.model_validate(raw["task"])
    profile = Profile.model_validate(raw["profile"])
    pools = catalog_pools([model, *BUNDLED.models.values()], [task], [profile],
                          list(policies.policies))
    decision = decide(model, task, profile, policies, AS_OF)
    explanation = explain_decision(decision, model, task, profile, policies, AS_OF, [], pools,
                                   max_changes=1)
    assert_proven(explanation, model, task, profile, policies, [])


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_explain_command_formats(fmt: str, run_line: Any) -> None:
    result = run_line(["explain", "--model", "glm-5.2", "--task", "refactoring",
                       "--as-of", "2026-11-23", "--format", fmt])
    assert result.exit_code == 0
    assert "jurisdiction.data-class-not-permitted-at-host" in result.stdout


def test_evaluate_explain_adds_the_documented_key_and_changes_nothing_else(run_line: Any
                                                                           ) -> None:
    args = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--profile",
            "us-enterprise", "--as-of", "2026-11-23", "--format", "json"]
    plain = json.loads(run_line(args).stdout)
    explained_run = run_line([*args, "--explain"])
    assert explained_run.exit_code == 1  # disallow, as without --explain
    explained = json.loads(explained_run.stdout)
    section = explained.pop("what_would_it_take")
    assert explained == plain
    assert section["closest"]["label"] == "api via Z.ai"
    assert [o["label"] for o in section["options"]] == ["api via Z.ai", "self-host"]
    alone = json.loads(run_line(["explain", *args[1:]]).stdout)
    assert alone["what_would_it_take"] == section


def test_the_same_inputs_give_byte_identical_json(run_line: Any) -> None:
    args = ["explain", "--model", "deepseek-v4-pro", "--task", "software-development",
            "--as-of", "2026-11-23", "--format", "json"]
    assert run_line(args).stdout == run_line(args).stdout
