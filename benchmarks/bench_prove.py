"""Time `govern prove` on the bundled policy set: each question, wall and CPU time.

    python -m benchmarks.bench_prove [--repeat 3]

From the repository root. Proves the bundled policy set against itself (every answer a proof
of absence: the solver must cover the whole input space) and against edits that make each
answer "yes" (the solver finds a counterexample, which is then written as records, loaded and
re-decided by the core). Prints, per scenario, the time to encode the policies and per
question (equivalent, more permissive, more restrictive, lint), the best of --repeat runs.

Not a test: the numbers depend on the machine (and on what else it is running).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

from govern.core import PolicySet
from govern.loading.catalog import bundled_root, load_catalog
from govern.prove.questions import prove
from govern.prove.witness import Version
from govern.records import Policy

AS_OF = dt.date(2026, 11, 23)


def _edit(policies: list[Policy], rule_id: str, **changes: object) -> list[Policy]:
    edited = []
    for policy in policies:
        rules = [r.model_copy(update=changes) if r.id == rule_id else r for r in policy.rules]
        edited.append(policy.model_copy(update={"rules": rules}))
    return edited


def scenarios(policies: list[Policy]) -> dict[str, Callable[[], list[Policy]]]:
    return {
        "unchanged (all proofs of absence)": lambda: policies,
        "deny -> warn (more permissive)": lambda: _edit(
            policies, "licence.weights-not-known-open", effect="warn"),
        "when_unknown warn -> fire (more restrictive)": lambda: _edit(
            policies, "residency.provider-trains-on-confidential-data", when_unknown="fire"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    catalog = load_catalog([bundled_root()])
    waivers = tuple(catalog.waivers.values())
    base = Version("bundled", catalog.policy_set, waivers)
    rules = len(catalog.policy_set.rules)
    print(f"govern prove on the bundled policy set ({rules} rules), best of {args.repeat}")
    for name, make in scenarios(list(catalog.policies.values())).items():
        current = Version(name, PolicySet(make()), waivers)
        best: dict[str, float] = {}
        cpu_best = float("inf")
        for _ in range(args.repeat):
            cpu = time.process_time()
            report = prove(base, current, AS_OF)
            cpu_best = min(cpu_best, time.process_time() - cpu)
            for step, seconds in report.seconds.items():
                best[step] = min(best.get(step, float("inf")), seconds)
        replies = ", ".join(f"{a.question} {a.reply} ({a.status})" for a in report.answers)
        print(f"\n{name}\n  answers: {replies}; lint findings: {len(report.lint)}")
        for step, seconds in best.items():
            print(f"  {step:<18}{seconds:8.3f} s wall")
        print(f"  {'total':<18}{sum(best.values()):8.3f} s wall, {cpu_best:.3f} s CPU")


if __name__ == "__main__":
    main()
