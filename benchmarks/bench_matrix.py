"""Time the decision matrix and `govern diff` on a large synthetic catalog, beside OPA.

    python -m benchmarks.bench_matrix [--cards 1000] [--tasks 100] [--seed 7] [--opa-cells 2000]

From the repository root. Generates a seeded synthetic catalog in memory (cards and tasks like
the bundled ones, the bundled profiles and policies), then prints:

- the full matrix (cards x tasks x 3 profiles): wall and CPU time, decisions/s, deciding every
  cell and reading its compact summary (recommendation, verdict per option, deny rule ids);
- peak RSS of the process (resource.getrusage);
- `govern diff` of two versions of that matrix: a profile edit (source code may go to CN
  hosts) and a rule edit (MIT no longer approved for self-hosting);
- the same slice of cells decided by the per-decision core (`govern evaluate`'s path) and by
  OPA's batch query on a real `opa run --server` on 127.0.0.1, and the ratios, with the
  decisions checked identical.

Not a test: the numbers depend on the machine (and on what else it is running).
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import time
from collections.abc import Callable
from typing import Any, TypeVar

from benchmarks.synthetic_catalog import synthetic_records
from govern.backends import DecisionRequest
from govern.core import decide
from govern.loading.catalog import DEFAULT_PROFILE, bundled_root, load_catalog
from govern.matrix import Cell, MatrixResult, decide_matrix
from govern.matrix.diff import CatalogVersion, diff_catalogs
from govern.records import Policy, Profile

T = TypeVar("T")


def timed(run: Callable[[], T]) -> tuple[float, float, T]:
    """(wall seconds, CPU seconds, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def summarize_all(matrix: MatrixResult) -> dict[str, int]:
    """Read every cell's compact summary: recommendation, verdict per option, deny rules."""
    compact: dict[int, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    counts = {"api": 0, "self-host": 0, "disallow": 0, "deny rules": 0}
    for row in matrix.rows.values():
        for summary in row:
            found = compact.get(id(summary))
            if found is None:  # summaries are shared: each distinct one is read once
                found = compact[id(summary)] = (
                    summary.recommendation, tuple(o.verdict for o in summary.options),
                    summary.deny_rules)
            counts[found[0]] += 1
            counts["deny rules"] += len(found[2])
    return counts


def edited_profile(profile: Profile) -> Profile:
    classes = dict(profile.data_classes)
    rule = classes["source_code"]
    classes["source_code"] = rule.model_copy(
        update={"host_jurisdictions": [*rule.host_jurisdictions, "CN"]})
    return profile.model_copy(update={"data_classes": classes})


def edited_licence(policy: Policy) -> Policy:
    data: Any = policy.model_dump(mode="json", by_alias=True, exclude_none=True)
    # MIT is no longer approved for self-hosting: the licence rule also fires on it
    complete, approved = data["rules"][0]["when"]["all"]
    data["rules"][0]["when"] = {"all": [complete, {"any": [
        approved, {"fact": "model.license", "equals": "MIT"}]}]}
    return Policy.model_validate(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", default="2026-11-23")
    parser.add_argument("--opa-cells", type=int, default=2000,
                        help="cells of the slice decided by OPA and the per-decision core "
                             "(0: skip OPA)")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    bundled = load_catalog([bundled_root()])
    profiles = list(bundled.profiles.values())
    wall, _, (models, tasks) = timed(lambda: synthetic_records(args.seed, args.cards, args.tasks))
    cells = len(models) * len(tasks) * len(profiles)
    print(f"synthetic catalog: {len(models)} cards x {len(tasks)} tasks x {len(profiles)} "
          f"profiles = {cells:,} cells, {len(bundled.policy_set.rules)} rules "
          f"(seed {args.seed}; generated and validated in {wall:.2f} s)")
    print(f"peak RSS before deciding: {peak_rss_mb():.0f} MB")

    def full_matrix() -> tuple[MatrixResult, dict[str, int]]:
        matrix = decide_matrix(profiles, models, tasks, bundled.policy_set, as_of)
        return matrix, summarize_all(matrix)

    wall, cpu, (matrix, counts) = timed(full_matrix)
    matrix_rate = cells / wall
    print(f"full matrix, decided and summarized: {wall:.2f} s wall, {cpu:.2f} s CPU, "
          f"{matrix_rate:,.0f} decisions/s  ({counts['api']:,} api, "
          f"{counts['self-host']:,} self-host, {counts['disallow']:,} disallow)")
    print(f"peak RSS after the full matrix: {peak_rss_mb():.0f} MB")

    before = CatalogVersion("before", {m.id: m for m in models}, {t.id: t for t in tasks},
                            bundled.profiles, bundled.policies, {})
    edits = {
        "profile edit (source code may go to CN hosts)": CatalogVersion(
            "after", before.models, before.tasks,
            {**bundled.profiles, DEFAULT_PROFILE: edited_profile(
                bundled.profiles[DEFAULT_PROFILE])}, bundled.policies, {}),
        "rule edit (MIT no longer approved for self-hosting)": CatalogVersion(
            "after", before.models, before.tasks, bundled.profiles,
            {**bundled.policies, "licence": edited_licence(bundled.policies["licence"])}, {}),
    }
    for name, after in edits.items():
        wall, cpu, diff = timed(lambda a=after: diff_catalogs(  # type: ignore[misc]
            before, a, list(bundled.profiles), as_of))
        s = diff.summary
        print(f"diff, {name}: {wall:.2f} s wall, {cpu:.2f} s CPU; {s.cells:,} cells: "
              f"{s.count('more-permissive'):,} more permissive, "
              f"{s.count('more-restrictive'):,} more restrictive, "
              f"{s.count('findings'):,} findings, {s.count('messages'):,} messages only")
    print(f"peak RSS after the diffs: {peak_rss_mb():.0f} MB")
    if args.opa_cells:
        compare_on_a_slice(matrix, args.opa_cells, matrix_rate)


def compare_on_a_slice(matrix: MatrixResult, size: int, matrix_rate: float) -> None:
    """The first ``size`` cells (one profile, models in order, every task) decided by the
    per-decision core and by OPA; all three must give identical decisions."""
    from govern.backends.opa import OpaBackend
    from tests.opa.opa_binary import OpaServer, ensure_opa

    slice_cells: list[Cell] = []
    profile = matrix.axis.profiles[0]
    for model in matrix.axis.models:
        for task in matrix.axis.tasks:
            slice_cells.append(Cell(profile.id, model.id, task.id))
    slice_cells = slice_cells[:size]
    models = {m.id: m for m in matrix.axis.models}
    tasks = {t.id: t for t in matrix.axis.tasks}
    requests = [DecisionRequest(models[c.model], tasks[c.task], profile) for c in slice_cells]
    policies = matrix.policies
    wall_core, _, by_core = timed(lambda: [decide(r.model, r.task, r.profile, policies,
                                                  matrix.as_of) for r in requests])
    with OpaServer(ensure_opa()) as server:
        opa = OpaBackend(server.url, timeout=600)
        opa.decide(requests[:1], policies, matrix.as_of)  # uploads the policies
        wall_opa, _, by_opa = timed(lambda: opa.decide(requests, policies, matrix.as_of))
    fast = [matrix.decision(c) for c in slice_cells]
    identical = fast == by_core == by_opa
    n = len(slice_cells)
    print(f"slice of {n:,} cells ({profile.id}): per-decision core {wall_core:.2f} s "
          f"({n / wall_core:,.0f}/s); OPA batch query {wall_opa:.2f} s ({n / wall_opa:,.0f}/s)")
    print(f"fast matrix path: {matrix_rate:,.0f} decisions/s = "
          f"{matrix_rate / (n / wall_opa):,.0f}x OPA, {matrix_rate / (n / wall_core):,.0f}x "
          f"the per-decision core; decisions identical on the slice: "
          f"{'yes' if identical else 'NO'}")
    if not identical:
        raise SystemExit("the engines disagree")


if __name__ == "__main__":
    main()
