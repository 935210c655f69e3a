"""derived.cost_per_task_usd: the task's input tokens and the output tokens (the task's own
estimate, else the card's measurement) at the option's prices, exactly, or unknown saying why."""

from __future__ import annotations

from typing import Any

import pytest

from govern.core import build_options
from govern.facts import read_facts
from govern.lineage import revalidated_card
from govern.loading.catalog import Catalog
from govern.record_data import record_input
from govern.records import ModelCard, Task


def _api_facts(catalog: Catalog, model: ModelCard, task: Task) -> dict[str, Any]:
    profile = catalog.profiles["us-enterprise"]
    (option,) = [o for o in build_options(model, profile) if o.deployment == "api"]
    return read_facts(model, option, task, profile)


def _priced(model: ModelCard, price_in: float | None, price_out: float | None) -> ModelCard:
    card = record_input(model)
    card["api_offerings"][0]["pricing"] = {"input_usd_per_mtok": price_in,
                                           "output_usd_per_mtok": price_out}
    return revalidated_card(card, model)


def test_measured_output_tokens_when_the_task_declares_none(catalog: Catalog) -> None:
    facts = _api_facts(catalog, catalog.models["glm-5.2"], catalog.tasks["refactoring"])
    assert facts["derived.cost_per_task_usd"] == 0.2452  # 40000 x 1.4/M + 43000 x 4.4/M
    assert facts["derived.cost_per_task_basis"] == (
        "40000 input tokens (task) x $1.4/M + 43000 output tokens (measured: Artificial Analysis "
        "Intelligence Index, Il Sole 24 Ore, Alessandro Longo (undated), citing Artificial "
        "Analysis) x $4.4/M = $0.2452")


def test_the_tasks_declared_output_tokens_win(catalog: Catalog) -> None:
    facts = _api_facts(catalog, catalog.models["glm-5.2"], catalog.tasks["document-analysis"])
    assert facts["derived.cost_per_task_usd"] == 0.0832  # 50000 x 1.4/M + 3000 x 4.4/M
    assert "3000 output tokens (task)" in facts["derived.cost_per_task_basis"]


@pytest.mark.parametrize(("task_id", "missing"), [
    ("refactoring", "task.tokens_per_task.output or model.tokens_per_task.output"),
])
def test_unknown_output_tokens_leave_the_cost_unknown(catalog: Catalog, task_id: str,
                                                      missing: str) -> None:
    facts = _api_facts(catalog, catalog.models["gpt-5.5"], catalog.tasks[task_id])
    assert facts["derived.cost_per_task_usd"] is None
    assert facts["derived.cost_per_task_basis"] == f"unknown: {missing} unknown"


def test_every_missing_input_is_named(catalog: Catalog) -> None:
    model = _priced(catalog.models["gpt-5.5"], None, None)
    task = catalog.tasks["refactoring"].model_copy(update={"tokens_per_task": catalog.tasks[
        "refactoring"].tokens_per_task.model_copy(update={"input": None})})
    assert _api_facts(catalog, model, task)["derived.cost_per_task_basis"] == (
        "unknown: task.tokens_per_task.input, task.tokens_per_task.output or "
        "model.tokens_per_task.output, option.pricing.input_usd_per_mtok, "
        "option.pricing.output_usd_per_mtok unknown")


@pytest.mark.parametrize(("price_in", "price_out", "cost"), [
    (0.1, 0.2, 0.0126),            # 40000 x 0.1 + 43000 x 0.2 in floats: 0.012600000000000002
    (0.000001, 0, 0.00000004),
    (0.0000001, 1, None),          # seven decimals: not exact in millionths
    (1_000_000, 1, None),          # a million dollars per million tokens: refused as a typo
    (99_999.999999, 0, 3999.99999996),
    (999_999.999999, 0, None),     # 40000 x 999999999999 millionths passes 2**53: unknown
])
def test_the_cost_is_exact_or_unknown(catalog: Catalog, price_in: float, price_out: float,
                                      cost: float | None) -> None:
    model = _priced(catalog.models["glm-5.2"], price_in, price_out)
    facts = _api_facts(catalog, model, catalog.tasks["refactoring"])
    assert facts["derived.cost_per_task_usd"] == cost
    if cost is None:
        assert facts["derived.cost_per_task_basis"].startswith("not computed")


def test_self_host_has_no_cost_per_task(catalog: Catalog) -> None:
    model, profile = catalog.models["glm-5.2"], catalog.profiles["us-enterprise"]
    (option,) = [o for o in build_options(model, profile) if o.deployment == "self-host"]
    facts = read_facts(model, option, catalog.tasks["refactoring"], profile)
    assert facts["derived.cost_per_task_usd"] is None
    assert facts["derived.cost_per_task_basis"] is None
