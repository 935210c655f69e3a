"""derived.memory_shortfall_gb is exact (thousandths of a GB) or unknown, never approximate."""

from __future__ import annotations

import pytest

from govern.facts import read_facts
from govern.loading.catalog import Catalog


@pytest.mark.parametrize(("need", "have", "shortfall"), [
    (744, 1280.1, -536.1),          # binary floating point would give -536.0999999999999
    (753.3, 640, 113.3),
    (0.3, 0.1, 0.2),                # and 0.19999999999999998 here
    (1280.1, 1280.1, 0),
    (753.1234, 640, None),          # more than three decimals: not exact in thousandths
    (10**11, 640, None),            # beyond the exact domain
    (640, 99_999_999_999.999, -99_999_999_359.999),
])
def test_the_shortfall_is_exact_or_unknown(catalog: Catalog, need: float, have: float,
                                           shortfall: float | None) -> None:
    from govern.core import build_options

    model = catalog.models["glm-5.2"].model_copy(update={"self_hosting": catalog.models[
        "glm-5.2"].self_hosting.model_copy(update={"estimated_accelerator_memory_gb": need})})
    base = catalog.profiles["us-enterprise"]
    profile = base.model_copy(update={"self_host": base.self_host.model_copy(
        update={"accelerator_memory_gb": have})})
    (option,) = [o for o in build_options(model, profile) if o.deployment == "self-host"]
    facts = read_facts(model, option, catalog.tasks["refactoring"], profile)
    assert facts["derived.memory_shortfall_gb"] == shortfall
