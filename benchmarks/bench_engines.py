"""Time the full bundled decision matrix (every model x task x profile) on both engines.

    python -m benchmarks.bench_engines [--rounds 5] [--as-of 2026-11-23]   # from the repo root

Starts its own OPA server (the binary is found as the tests find it: OPA_BIN, PATH, the
cache, or a pinned `go install`), loads the policies once, then takes the best of N rounds
of deciding the whole matrix on each engine; checks both give identical decisions.
Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

from govern.backends import Backend, DecisionRequest
from govern.backends.native import NativeBackend
from govern.backends.opa import OpaBackend
from govern.core import Decision
from govern.loading.catalog import bundled_root, load_catalog

try:
    # The OPA finder is test code (it may build OPA with Go), so it stays in tests/ rather than
    # ship in the wheel; `python -m` from the repository root makes `tests` importable.
    from tests.opa.opa_binary import OpaServer, ensure_opa
except ModuleNotFoundError as e:
    if e.name != "tests":
        raise
    raise SystemExit("run from the repository root: python -m benchmarks.bench_engines") from e


def best_of(rounds: int, run: Callable[[], list[Decision]]) -> tuple[float, list[Decision]]:
    times, result = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--as-of", default="2026-11-23")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    catalog = load_catalog([bundled_root()])
    requests = [DecisionRequest(m, t, p) for m in catalog.models.values()
                for t in catalog.tasks.values() for p in catalog.profiles.values()]
    waivers = list(catalog.waivers.values())
    opa = ensure_opa()
    with OpaServer(opa) as server:
        engines: dict[str, Backend] = {"native": NativeBackend(), "opa": OpaBackend(server.url)}
        # one warm-up call each: the OPA backend uploads the policy set on its first call
        for backend in engines.values():
            backend.decide(requests[:1], catalog.policy_set, as_of, waivers)
        results = {name: best_of(args.rounds, lambda b=backend: b.decide(  # type: ignore[misc]
            requests, catalog.policy_set, as_of, waivers)) for name, backend in engines.items()}
    assert results["native"][1] == results["opa"][1], "the engines disagree"
    n = len(requests)
    print(f"decision matrix: {len(catalog.models)} models x {len(catalog.tasks)} tasks x "
          f"{len(catalog.profiles)} profiles = {n} decisions; best of {args.rounds} rounds")
    print(f"opa binary: {opa}")
    for name, (seconds, _) in results.items():
        print(f"{name:<7} {seconds * 1000:9.1f} ms   {seconds / n * 1e6:9.1f} us/decision")
    ratio = results["opa"][0] / results["native"][0]
    print(f"opa / native: {ratio:.1f}x (opa includes JSON encoding and HTTP on localhost)")
    print("decisions identical: yes")


if __name__ == "__main__":
    main()
