"""A seeded synthetic catalog: model cards and tasks like the bundled ones, in any number.

Every record is built as the dict a YAML file would hold and validated by the real pydantic
models, so the benchmark decides the same kind of input a team's catalog gives. The same seed
gives the same catalog on every machine.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from govern.records import ModelCard, Task

JURISDICTIONS = ["US", "EU", "CN", "GB", "IN", "JP", "KR", "CA"]
REGIONS = ["us-east", "us-west", "eu-west", "eu-central", "cn-north", "uk-south", "ap-south",
           "ap-northeast"]
PROVIDERS = ["Z.ai", "Anthropic", "OpenAI", "DeepSeek", "Moonshot", "MiniMax", "AWS Bedrock",
             "Azure", "Google Vertex", "Together", "Fireworks", "OpenRouter", "Mistral",
             "Groq", "Cerebras"]
LICENCES = ["MIT", "Apache-2.0", "BSD-3-Clause", "proprietary", "LicenseRef-Llama-community",
            "LicenseRef-Qwen", "MIT OR Apache-2.0", None]
DATA_CLASSES = ["public_text", "internal_documents", "source_code", "trade_secrets",
                "personal_data", "regulated_data", "research_data", "legal_documents",
                "security_findings"]
SOURCE = [{"publication": "Synthetic benchmark catalog"}]


def _quarter(value: float) -> float:
    """Numbers in the domain both engines print alike (docs/opa.md, "Numbers")."""
    return round(value * 4) / 4


def _maybe(rng: random.Random, value: Any, known: float = 0.8) -> Any:
    return value if rng.random() < known else None


def _offering(rng: random.Random) -> dict[str, Any]:
    return {
        "provider": rng.choice(PROVIDERS),
        "host_jurisdiction": _maybe(rng, rng.choice(JURISDICTIONS), 0.9),
        "regions": _maybe(rng, sorted(rng.sample(REGIONS, rng.randint(1, 3))), 0.6),
        "pricing": {"input_usd_per_mtok": _maybe(rng, _quarter(rng.uniform(0.25, 20))),
                    "output_usd_per_mtok": _maybe(rng, _quarter(rng.uniform(0.25, 80)))},
        "data_terms": {"retention_days": _maybe(rng, rng.choice([0, 7, 30, 90, 365]), 0.5),
                       "trains_on_customer_data": _maybe(rng, rng.random() < 0.2, 0.5)},
    }


def card(rng: random.Random, index: int) -> dict[str, Any]:
    """One model card as the dict its YAML file would hold."""
    open_weights = _maybe(rng, rng.random() < 0.6)
    total = _quarter(rng.uniform(1, 2000))
    status = rng.choice(["available"] * 8 + ["suspended", "withdrawn", None])
    data: dict[str, Any] = {
        "id": f"model-{index:04d}",
        "name": f"Model {index:04d}",
        "vendor": {"name": f"Vendor {index % 97}",
                   "jurisdiction": _maybe(rng, rng.choice(JURISDICTIONS), 0.9)},
        "license": rng.choice(LICENCES),
        "open_weights": open_weights,
        "parameters": {"total_billion": total, "active_billion": _maybe(rng, _quarter(total / 10))},
        "context_window_tokens": _maybe(rng, rng.choice([32_000, 128_000, 200_000, 1_000_000])),
        "api_offerings": [_offering(rng) for _ in range(rng.choice([0, 1, 1, 2, 2, 3]))],
        "revocation": {"status": status,
                       "since": "2026-06-12" if status in ("suspended", "withdrawn") else None,
                       "government_can_revoke": _maybe(rng, rng.random() < 0.5, 0.6)},
        "safeguards": {"audits": rng.choice([None, None, [], [{
            "auditor": "Example Labs", "scope": "safeguards", "source": "synthetic"}]])},
        "as_of": (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 330))).isoformat(),
        "sources": SOURCE,
    }
    if open_weights is not False and rng.random() < 0.7:
        data["kv_cache"] = {"layers": rng.choice([32, 61, 92]), "kv_heads": rng.choice([4, 8]),
                            "head_dim": 128, "source": "synthetic"}
    if rng.random() < 0.5:
        data["tokens_per_task"] = {"output": rng.choice([8_000, 24_000, 43_000]),
                                   "measured_by": "synthetic", "source": "synthetic"}
    if rng.random() < 0.15:
        data["disputes"] = [{"fact": "parameters.total_billion", "recorded": "the larger",
                             "claims": [{"value": total, "source": "vendor"},
                                        {"value": _quarter(total * 0.97), "source": "analyst"}]}]
    return data


def task(rng: random.Random, index: int) -> dict[str, Any]:
    """One task as the dict its YAML file would hold."""
    return {
        "id": f"task-{index:03d}",
        "name": f"Task {index:03d}",
        "description": "A synthetic use case.",
        "risk_tier": rng.choice(["high", "lower", "lower"]),
        "data_classes": rng.sample(DATA_CLASSES, rng.randint(1, 3)),
        "business_critical": rng.random() < 0.3,
        # absent, not null: a task leaves out what it does not estimate
        "tokens_per_task": {key: value for key, value in (
            ("input", rng.choice([None, 8_000, 40_000])),
            ("output", rng.choice([None, None, 3_000]))) if value is not None},
        "context_tokens": rng.choice([None, 32_000, 128_000]),
    }


def synthetic_records(seed: int, cards: int, tasks: int) -> tuple[list[ModelCard], list[Task]]:
    """``cards`` validated model cards and ``tasks`` validated tasks from ``seed``."""
    rng = random.Random(seed)
    return ([ModelCard.model_validate(card(rng, i)) for i in range(cards)],
            [Task.model_validate(task(rng, i)) for i in range(tasks)])
