"""Measure the decision-log events govern's OPA queries make: how many, and how large gzipped.

    python -m benchmarks.bench_decision_log [--as-of 2026-11-23]   # from the repo root

For each mode (bundle: records by id; load: every record inline) and batch size, starts a real
OPA that uploads its decision logs to a local receiver, decides 500 requests (the bundled
matrix, repeated, in a fixed shuffled order so neighbouring requests differ), and prints the
events received and their largest gzipped size against OPA's default upload limit. Checks the
decisions equal the native engine's. Not a test: the figures guide ``BATCH_SIZE``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
from pathlib import Path
from tempfile import TemporaryDirectory

import govern.backends.opa as opa_backend
from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from govern.rego.bundle import build_bundle

try:
    # test code (finding or building OPA, the local receiver) stays in tests/, out of the wheel
    from tests.opa.log_service import LocalService, events_of
    from tests.opa.opa_binary import OpaServer, ensure_opa
except ModuleNotFoundError as e:
    if e.name != "tests":
        raise
    raise SystemExit("run from the repository root: python -m benchmarks.bench_decision_log") from e

REQUESTS = 500
BATCH_SIZES = (50, 100, 200, 500)
CONFIG = """\
services:
  decision-logs:
    url: {url}
decision_logs:
  service: decision-logs
  reporting:
    min_delay_seconds: 1
    max_delay_seconds: 2
"""


def shuffled_requests(catalog: Catalog) -> list[DecisionRequest]:
    matrix = [DecisionRequest(m, t, p) for m in catalog.models.values()
              for t in catalog.tasks.values() for p in catalog.profiles.values()]
    requests = (matrix * (REQUESTS // len(matrix) + 1))[:REQUESTS]
    random.Random(0).shuffle(requests)
    return requests


def measure(mode: str, batch_size: int, catalog: Catalog, as_of: dt.date,
            workdir: Path) -> tuple[int, int, int]:
    """(events received, largest gzipped event, largest uncompressed event) for one run."""
    receiver = LocalService({})
    bundle = workdir / "bundle.tar.gz"
    bundle.write_bytes(build_bundle(catalog))
    config = workdir / "config.yaml"
    config.write_text(CONFIG.format(url=receiver.url), encoding="utf-8")
    extra = ["--bundle", str(bundle)] if mode == "bundle" else []
    requests = shuffled_requests(catalog)
    waivers = list(catalog.waivers.values())
    opa_backend.BATCH_SIZE = batch_size  # a benchmark's knob; the shipped value is a constant
    try:
        with OpaServer(ensure_opa(), "--config-file", str(config), *extra) as server:
            backend = opa_backend.OpaBackend(server.url, mode=mode)  # type: ignore[arg-type]
            decided = backend.decide(requests, catalog.policy_set, as_of, waivers)
        # leaving the block stopped OPA, which uploads what it still buffers
        assert decided == NativeBackend().decide(requests, catalog.policy_set, as_of, waivers)
        events = events_of(receiver)
    finally:
        receiver.close()
    sizes = [json.dumps(e).encode() for e in events]
    return (len(events), max((len(gzip.compress(s)) for s in sizes), default=0),
            max((len(s) for s in sizes), default=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default="2026-11-23")
    args = parser.parse_args()
    catalog = load_catalog([bundled_root()])
    shipped = opa_backend.BATCH_SIZE
    limit = opa_backend.DECISION_LOG_UPLOAD_LIMIT
    print(f"{REQUESTS} requests; upload limit {limit} bytes gzipped; BATCH_SIZE is {shipped}")
    print(f"{'mode':<8}{'batch':>6}{'events':>8}{'expected':>10}{'max gzipped':>13}"
          f"{'max raw':>10}  fits")
    with TemporaryDirectory() as tmp:
        for mode in ("bundle", "load"):
            for size in BATCH_SIZES:
                count, gz, raw = measure(mode, size, catalog, dt.date.fromisoformat(args.as_of),
                                         Path(tmp))
                expected = -(-REQUESTS // size)
                print(f"{mode:<8}{size:>6}{count:>8}{expected:>10}{gz:>13}{raw:>10}  "
                      f"{'yes' if gz < limit and count == expected else 'NO'}")


if __name__ == "__main__":
    main()
