"""Impact replay: decisions recorded with ``--record``, decided again under the current
catalog, and reported in the same shape as ``govern diff``.

Each recorded decision is decided again as of its own ``as_of`` (or the date asked for) by
``govern.core.decide``, and compared with what was recorded, cell by cell. A decision whose
model card, task or profile the catalog no longer has is reported as gone, never skipped;
the records that changed since (by the digests the record carries) are named as causes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from govern.core import Decision, decide, digest_of
from govern.matrix.diff import (
    CatalogVersion,
    CellChange,
    MatrixDiff,
    compare_cell,
    outcome_texts,
    summarize_changes,
    waiver_use_changes,
)
from govern.matrix.outcomes import Cell, outcome_of, summarize


@dataclass(frozen=True)
class RecordedDecision:
    """One line of a decision log, validated."""

    at: str
    """Where it was read: ``decisions.jsonl:12``."""
    as_of: dt.date
    decision: Decision
    digests: dict[str, str]
    """sha256 digests of the records it was decided from (``policy_set``, ``model_card``,
    ``task``, ``profile``, ``waivers``)."""


def _missing(current: CatalogVersion, cell: Cell) -> list[str]:
    found = []
    for kind, record_id, known in (("model card", cell.model, current.models),
                                   ("task", cell.task, current.tasks),
                                   ("profile", cell.profile, current.profiles)):
        if record_id not in known:
            found.append(f"{kind} {record_id} is no longer in the catalog")
    return found


def _digest(records: object) -> str:
    return "sha256:" + digest_of(records)  # type: ignore[arg-type]


def _causes(recorded: RecordedDecision, current: CatalogVersion, now: Decision) -> list[str]:
    """The records whose digest differs from the one recorded."""
    cell = recorded.decision
    digests = {
        "policy_set": current.policy_set.digest,
        "model_card": _digest(current.models[cell.model]),
        "task": _digest(current.tasks[cell.task]),
        "profile": _digest(current.profiles[cell.profile]),
        "waivers": _digest([current.waivers[u.id] for u in now.waivers]),
    }
    names = {"policy_set": "policy set", "model_card": f"model card {cell.model}",
             "task": f"task {cell.task}", "profile": f"profile {cell.profile}",
             "waivers": "waivers that match"}
    return [f"{names[key]} changed since recorded" for key, digest in digests.items()
            if recorded.digests.get(key) != digest]


def replay_one(recorded: RecordedDecision, current: CatalogVersion, as_of: dt.date | None
               ) -> CellChange | None:
    before = recorded.decision
    cell = Cell(before.profile, before.model, before.task)
    missing = _missing(current, cell)
    if missing:
        return CellChange(cell, "removed", before.recommendation, None, (), (), tuple(missing),
                          at=recorded.at)
    now = decide(current.models[cell.model], current.tasks[cell.task],
                 current.profiles[cell.profile], current.policy_set,
                 as_of or recorded.as_of, list(current.waivers.values()))
    old, new = outcome_of(before), outcome_of(now)
    change = compare_cell(cell, summarize(old), summarize(new), outcome_texts(old),
                          outcome_texts(new), waivers=waiver_use_changes(old, new))
    if change is None:
        return None
    return replace(change, causes=tuple(_causes(recorded, current, now)), at=recorded.at)


def replay(records: Sequence[RecordedDecision], current: CatalogVersion, log: str,
           as_of: dt.date | None = None) -> MatrixDiff:
    """Every recorded decision decided again under ``current``; what would now differ."""
    changes = [c for r in records if (c := replay_one(r, current, as_of)) is not None]
    recorded_sets = sorted({r.decision.policy_set_digest for r in records})
    dates = sorted({r.as_of.isoformat() for r in records})
    return MatrixDiff(
        before=f"{log} (recorded decisions)", after=current.label,
        as_of=as_of.isoformat() if as_of else "as recorded (" + ", ".join(dates) + ")",
        profiles=tuple(sorted({r.decision.profile for r in records})),
        policy_set_before=", ".join(recorded_sets) or "-",
        policy_set_after=current.policy_set.digest,
        records=(), cells=tuple(changes), summary=summarize_changes(len(records), changes))
