"""What the hostile suite saw, per class, for the line pytest prints at the end of the run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tests.hostile.oracle import Verdict


@dataclass
class HostileSummary:
    seed: int = 0
    per_class: dict[str, Counter[str]] = field(default_factory=dict)

    def record(self, verdict: Verdict) -> None:
        counts = self.per_class.setdefault(verdict.mutant.cls, Counter())
        counts["mutants"] += 1
        counts[verdict.outcome.status] += 1
        counts["failures"] += verdict.failure is not None
        counts["silent allows"] += bool(verdict.loosened)

    def lines(self) -> list[str]:
        if not self.per_class:
            return []
        total: Counter[str] = Counter()
        for counts in self.per_class.values():
            total.update(counts)
        head = (f"hostile input: {_counts(total)} (seed {self.seed}; more with "
                "GOVERN_HOSTILE_MUTANTS=5000)")
        lines = [head]
        lines += [f"  {cls:<18} {_counts(c)}" for cls, c in sorted(self.per_class.items())]
        return lines


def _counts(c: Counter[str]) -> str:
    return (f"{c['mutants']} mutants: {c['refused']} refused, {c['accepted']} accepted, "
            f"{c['crashed']} crashed; silent allows {c['silent allows']}, "
            f"oracle failures {c['failures']}")


SUMMARY = HostileSummary()
