"""The self-host memory is derived (weights at the profile's precision + the KV cache of the
task's context), exactly or not at all, and says how; the shortfall reads in GB and devices."""

from __future__ import annotations

from typing import Any

import pytest

from govern.core import build_options
from govern.facts import read_facts
from govern.lineage import revalidated_card
from govern.loading.catalog import Catalog
from govern.record_data import record_input
from govern.records import ModelCard, Profile, Task


def _self_host_facts(model: ModelCard, task: Task, profile: Profile) -> dict[str, Any]:
    (option,) = [o for o in build_options(model, profile) if o.deployment == "self-host"]
    return read_facts(model, option, task, profile)


def _with(record: Any, **update: Any) -> Any:
    return record.model_copy(update=update)


@pytest.fixture
def plain_model(catalog: Catalog) -> ModelCard:
    """GLM-5.2 without its disputes and with a one-value-per-token KV cache."""
    card = catalog.models["glm-5.2"]
    return revalidated_card({**record_input(card), "disputes": [],
                             "kv_cache": {"values_per_token": 1, "source": "t"}}, card)


@pytest.mark.parametrize(("need", "have", "shortfall"), [
    (744, 1280.1, -536.1),          # binary floating point would give -536.0999999999999
    (753.3, 640, 113.3),
    (0.3, 0.1, 0.2),                # and 0.19999999999999998 here
    (1280.1, 1280.1, 0),
    (753.1234, 640, None),          # more than three decimals: not exact in thousandths
    (10**11, 640, None),            # beyond the exact domain
    (640, 99_999_999_999.999, None),  # in half-bytes, past 2**53: unknown, never approximate
    (640, 4_000_000, -3_999_360),
])
def test_the_shortfall_is_exact_or_unknown(catalog: Catalog, plain_model: ModelCard,
                                           need: float, have: float,
                                           shortfall: float | None) -> None:
    # at FP8 one parameter is one byte, and a task with no context has an empty KV cache
    model = _with(plain_model, parameters=_with(plain_model.parameters, total_billion=need))
    base = catalog.profiles["us-enterprise"]
    profile = _with(base, self_host=_with(base.self_host, accelerator_memory_gb=have))
    task = _with(catalog.tasks["refactoring"], context_tokens=0)
    assert _self_host_facts(model, task, profile)["derived.memory_shortfall_gb"] == shortfall


def test_glm_5_2_uses_the_larger_disputed_count_and_its_kv_cache_is_unknown(
        catalog: Catalog) -> None:
    facts = _self_host_facts(catalog.models["glm-5.2"], catalog.tasks["refactoring"],
                             catalog.profiles["us-enterprise"])
    assert facts["derived.self_host_weights_gb"] == 753  # 753B (not the recorded 744B) x 1 byte
    assert facts["derived.self_host_kv_cache_gb"] is None
    assert facts["derived.self_host_memory_gb"] is None
    assert facts["derived.memory_shortfall_gb"] is None
    assert facts["derived.self_host_memory_basis"] == (
        "753 billion parameters (the largest of the disputed 744, 753) x 1 byte (FP8) = 753 GB "
        "of weights; KV cache unknown: model.kv_cache unknown")


@pytest.mark.parametrize(("precision", "weights"), [
    ("FP32", 3012), ("FP16", 1506), ("BF16", 1506), ("FP8", 753), ("INT8", 753),
    ("INT4", 376.5)])
def test_weights_follow_the_profiles_precision(catalog: Catalog, precision: str,
                                               weights: float) -> None:
    base = catalog.profiles["us-enterprise"]
    profile = _with(base, self_host=_with(base.self_host, precision=precision))
    facts = _self_host_facts(catalog.models["glm-5.2"], catalog.tasks["refactoring"], profile)
    assert facts["derived.self_host_weights_gb"] == weights


def test_a_profile_without_a_precision_leaves_the_memory_unknown(catalog: Catalog) -> None:
    base = catalog.profiles["us-enterprise"]
    profile = _with(base, self_host=_with(base.self_host, precision=None))
    facts = _self_host_facts(catalog.models["glm-5.2"], catalog.tasks["refactoring"], profile)
    assert facts["derived.self_host_weights_gb"] is None
    assert "weights unknown: profile.self_host.precision unknown" in facts[
        "derived.self_host_memory_basis"]


def test_kv_cache_from_heads_with_the_shortfall_in_devices(catalog: Catalog) -> None:
    glm = catalog.models["glm-5.2"]
    model = revalidated_card({**record_input(glm), "kv_cache": {
        "layers": 92, "kv_heads": 8, "head_dim": 128, "source": "a config.json"}}, glm)
    # 2 x 92 x 8 x 128 = 188,416 values a token x 128,000 tokens x 2 bytes (FP16)
    facts = _self_host_facts(model, catalog.tasks["refactoring"], catalog.profiles["us-enterprise"])
    assert facts["derived.self_host_kv_cache_gb"] == 48.234496
    assert facts["derived.self_host_memory_gb"] == 801.234496
    assert facts["derived.memory_shortfall_gb"] == 161.234496
    assert facts["derived.memory_shortfall_devices"] == 3  # 161.2 GB is 2.02 devices of 80 GB
    assert facts["derived.self_host_memory_basis"].endswith(
        "KV cache 2 x 92 layers x 8 KV heads x 128 head dim x 128000 tokens x 2 bytes (FP16) "
        "= 48.234496 GB; 801.234496 GB in all")


def test_no_shortfall_is_zero_devices(catalog: Catalog, plain_model: ModelCard) -> None:
    facts = _self_host_facts(plain_model, catalog.tasks["refactoring"],
                             catalog.profiles["eu-regulated-enterprise"])
    assert facts["derived.memory_shortfall_gb"] < 0
    assert facts["derived.memory_shortfall_devices"] == 0


def test_api_options_have_no_memory_facts(catalog: Catalog) -> None:
    model = catalog.models["glm-5.2"]
    profile = catalog.profiles["us-enterprise"]
    (api,) = [o for o in build_options(model, profile) if o.deployment == "api"]
    facts = read_facts(model, api, catalog.tasks["refactoring"], profile)
    assert all(facts[f"derived.{name}"] is None for name in (
        "self_host_weights_gb", "self_host_kv_cache_gb", "self_host_memory_gb",
        "self_host_memory_basis", "memory_shortfall_gb", "memory_shortfall_devices"))
