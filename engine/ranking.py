"""``govern rank``: every model's allowed options for one task, cheapest per task first.

Pure: decisions in, a ranking out. Options with a known cost per task come first, cheapest
first; then allowed options whose cost is unknown, each saying which fact is missing (an API
option whose price or token count nobody published), then allowed self-host options (not
priced per token). Ties and the unknown part are ordered by model id, then option label, so
the same decisions always give the same ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from govern.core import Decision
from govern.records import Deployment

_SELF_HOST_BASIS = "self-host: not priced per token (the hardware is the profile's own)"


class RankedOption(BaseModel):
    """One allowed option of one model for the task."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rank: int | None
    """1 for the cheapest; None when the cost is unknown (listed last)."""
    model: str
    deployment: Deployment
    provider: str | None
    cost_per_task_usd: float | None
    basis: str
    """The cost's formula with its numbers, or which fact is missing."""
    recommended: bool
    """Whether it is the model's recommended option for the task."""
    obligations: list[str]


class Ranking(BaseModel):
    """The allowed options of every model for one task and profile, as of a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    task: str
    profile: str
    as_of: str
    options: list[RankedOption]
    disallowed_models: list[str]
    """Models with no allowed option for the task."""
    policy_set_digest: str


def _entries(decision: Decision) -> list[RankedOption]:
    return [RankedOption(
        rank=None, model=decision.model, deployment=o.deployment, provider=o.provider,
        cost_per_task_usd=o.cost_per_task.usd if o.cost_per_task else None,
        basis=o.cost_per_task.basis if o.cost_per_task else _SELF_HOST_BASIS,
        recommended=o.recommended, obligations=[b.obligation for b in o.obligations])
        for o in decision.options if o.verdict == "allowed"]


def _order(entry: RankedOption) -> tuple[Any, ...]:
    known = entry.cost_per_task_usd is not None
    return (not known, entry.deployment == "self-host", entry.cost_per_task_usd or 0,
            entry.model, entry.provider or "")


def rank_options(decisions: Sequence[Decision]) -> Ranking:
    """The ranking of ``decisions`` (one per model, all for one task, profile and date)."""
    first = decisions[0]
    entries = sorted((e for d in decisions for e in _entries(d)), key=_order)
    ranked = [e.model_copy(update={"rank": i + 1}) if e.cost_per_task_usd is not None else e
              for i, e in enumerate(entries)]
    return Ranking(task=first.task, profile=first.profile, as_of=first.as_of.isoformat(),
                   options=ranked, policy_set_digest=first.policy_set_digest,
                   disallowed_models=sorted(d.model for d in decisions
                                            if d.recommendation == "disallow"))
