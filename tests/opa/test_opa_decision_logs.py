"""OPA's decision logs with govern: the documented bundle service + decision-log configuration,
run by a real OPA that pulls the bundle over HTTP from a local server and uploads its decision
logs to a local receiver.

What a user relies on: every query govern makes arrives as an event (none dropped for size,
none extra), each event fits OPA's default upload limit, no waiver owner (an e-mail address)
is in any of them, and the decisions are the native engine's.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.backends.opa import BATCH_SIZE, DECISION_LOG_UPLOAD_LIMIT, OpaBackend
from govern.loading.catalog import bundled_root, load_catalog
from govern.rego.bundle import build_bundle
from tests.opa.log_service import LocalService, events_of
from tests.opa.opa_binary import OpaServer
from tests.support import AS_OF, REPO, RunLine, waiver

EMAIL = re.compile(rb"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
WAIT_SECONDS = 30.0


def documented_config() -> str:
    """The OPA configuration docs/opa.md shows (the block after its marker)."""
    text = (REPO / "docs" / "opa.md").read_text(encoding="utf-8")
    after = text.split("<!-- opa-config-example:", 1)[1]
    return after.split("```yaml\n", 1)[1].split("```", 1)[0]


class LoggingOpa:
    """A real OPA run with the documented configuration, its bundle service and log receiver."""

    def __init__(self, opa_bin: Path, bundle: bytes, tmp_path: Path) -> None:
        self.bundle_service = LocalService({"/bundles/govern.tar.gz": bundle})
        self.log_receiver = LocalService({})
        config = (documented_config()
                  .replace("http://127.0.0.1:8282", self.bundle_service.url)
                  .replace("http://127.0.0.1:8383", self.log_receiver.url))
        (tmp_path / "opa-config.yaml").write_text(config, encoding="utf-8")
        self.opa = OpaServer(opa_bin, "--config-file", str(tmp_path / "opa-config.yaml"))

    def flushed_events(self, expected: int) -> list[dict[str, Any]]:
        """The events that arrived. OPA is stopped first: on a graceful shutdown it uploads what
        it still buffers, so no event waits for the reporting delay; then the receiver is polled
        until ``expected`` events are in (bounded), and none may come beyond those."""
        self.opa.stop()
        deadline = time.monotonic() + WAIT_SECONDS
        while len(events_of(self.log_receiver)) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        return events_of(self.log_receiver)

    def close(self) -> None:
        self.opa.stop()
        self.bundle_service.close()
        self.log_receiver.close()


@pytest.fixture
def team_catalog(tmp_path: Path) -> Path:
    """A team catalog with a waiver whose owner is an e-mail address, matching a deny finding
    (Z.ai's API for GLM-5.2 refactoring under the EU profile)."""
    waiver(tmp_path, "zai-pilot", "jurisdiction.data-class-not-permitted-at-host",
           "2027-03-31", model="glm-5.2", deployment="api")
    return tmp_path / "catalog"


@pytest.fixture
def logging_opa(opa_bin: Path, team_catalog: Path, tmp_path: Path) -> Iterator[LoggingOpa]:
    catalog = load_catalog([bundled_root(), team_catalog])
    server = LoggingOpa(opa_bin, build_bundle(catalog), tmp_path)
    try:
        yield server
    finally:
        server.close()


def owners(value: Any) -> Iterator[Any]:
    """The value of every ``owner`` key anywhere inside ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "owner":
                yield item
            yield from owners(item)
    elif isinstance(value, list):
        for item in value:
            yield from owners(item)


def assert_log_friendly(events: list[dict[str, Any]], uploads: list[bytes]) -> None:
    for event in events:
        assert event["path"] == "govern/decisions"  # govern's queries only: no reads logged
        size = len(gzip.compress(json.dumps(event).encode()))
        assert size < DECISION_LOG_UPLOAD_LIMIT, size
        raw = json.dumps(event).encode()
        assert not EMAIL.search(raw), EMAIL.search(raw)
        assert set(owners(event)) <= {None}  # left out of inputs, null in results
    assert all(len(upload) <= DECISION_LOG_UPLOAD_LIMIT for upload in uploads)


def test_the_documented_configuration_logs_each_cli_query_once(
        run_line: RunLine, logging_opa: LoggingOpa, team_catalog: Path) -> None:
    args = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of",
            AS_OF.isoformat(), "--format", "json", "--catalog", str(team_catalog)]
    native = run_line(args)
    via_opa = run_line([*args, "--engine", "opa", "--opa-url", logging_opa.opa.url,
                        "--opa-mode", "bundle"])
    assert via_opa.exit_code == native.exit_code == 0, via_opa.stderr
    assert via_opa.stdout == native.stdout
    assert "security@example.com" in native.stdout  # the waiver applied, owner shown locally
    events = logging_opa.flushed_events(expected=1)
    assert len(events) == 1, [e.get("path") or e.get("query") for e in events]
    assert_log_friendly(events, logging_opa.log_receiver.uploads)
    # ids, not records: the whole input is a few hundred bytes
    (request,) = events[0]["input"]["requests"]
    assert request == {"model": "glm-5.2", "task": "refactoring",
                       "profile": "eu-regulated-enterprise", "as_of": AS_OF.isoformat()}
    assert events[0]["input"]["waivers"] == ["zai-pilot"]
    (decision,) = events[0]["result"]
    assert decision["waivers"][0]["id"] == "zai-pilot" and decision["waivers"][0]["owner"] is None


def test_a_whole_matrix_arrives_in_events_under_the_limit(
        logging_opa: LoggingOpa, team_catalog: Path, tmp_path: Path) -> None:
    # A waiver the server's catalog lacks goes inline, still without its owner.
    waiver(tmp_path / "local", "local-only", "capacity.self-host-memory-shortfall",
           "2027-03-31", model="glm-5.2")
    local = load_catalog([bundled_root(), team_catalog, tmp_path / "local" / "catalog"])
    requests = [DecisionRequest(m, t, p) for m in local.models.values()
                for t in local.tasks.values() for p in local.profiles.values()]
    waivers = list(local.waivers.values())
    backend = OpaBackend(logging_opa.opa.url, mode="bundle")
    assert backend.decide(requests, local.policy_set, AS_OF, waivers) == NativeBackend().decide(
        requests, local.policy_set, AS_OF, waivers)
    batches = -(-len(requests) // BATCH_SIZE)
    events = logging_opa.flushed_events(expected=batches)
    assert len(events) == batches >= 2
    assert sum(len(e["input"]["requests"]) for e in events) == len(requests)
    assert_log_friendly(events, logging_opa.log_receiver.uploads)
    sent_waivers = events[0]["input"]["waivers"]
    assert "zai-pilot" in sent_waivers  # by id: the server holds it unchanged
    inline = [w for w in sent_waivers if isinstance(w, dict)]
    assert [w["id"] for w in inline] == ["local-only"] and "owner" not in inline[0]
    assert all(isinstance(r["model"], str) for e in events for r in e["input"]["requests"])

