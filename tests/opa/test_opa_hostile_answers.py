"""A misbehaving OPA, through the real CLI: every bad answer is exit 3, never an allow.

The misbehaving server is a proxy in front of a real OPA (tests/opa/fake_opa.py): uploads,
read-backs and decisions are real, and one answer (by default the decision query) is spoiled.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import Result

from govern.backends.opa_transport import MAX_ANSWER_BYTES
from govern.loading.catalog import Catalog
from govern.rego.bundle import build_bundle
from tests.opa.fake_opa import (
    DECISIONS,
    Misbehaviour,
    TamperingProxy,
    answer,
    drip,
    forged,
    oversized,
    truncated,
)
from tests.opa.opa_binary import OpaServer
from tests.support import AS_OF, REPO, RunLine

ARGS = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", AS_OF.isoformat(),
        "--format", "json"]
TIMEOUT = {"GOVERN_OPA_TIMEOUT": "5"}
"""Ample for the real requests; the drip tests set their own, shorter one."""
CAP_MIB = MAX_ANSWER_BYTES // 2**20


def assert_engine_failure(result: Result, url: str, *causes: str) -> None:
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("error: engine failure: OPA server " + url), result.stderr
    for cause in causes:
        assert cause in result.stderr, result.stderr


@pytest.fixture(scope="module")
def opa_server(opa_bin: Path) -> Iterator[OpaServer]:
    """A server of this module's own, so no other test's policy set slows its uploads."""
    with OpaServer(opa_bin) as server:
        yield server


def run_through(run_line: RunLine, upstream: str, misbehave: Misbehaviour | None, *extra: str,
                target: tuple[str, str] = DECISIONS, before: Callable[[str], None] | None = None,
                env: dict[str, str] = TIMEOUT) -> tuple[Result, str]:
    with TamperingProxy(upstream, misbehave, target, before) as proxy:
        result = run_line([*ARGS, "--engine", "opa", "--opa-url", proxy.url, *extra], env=env)
    return result, proxy.url


# ---------------------------------------------------------------- broken transport and bodies

BROKEN: dict[str, tuple[Misbehaviour, list[str]]] = {
    "http-500": (answer(500, b"<html><body>internal trouble</body></html>", "text/html"),
                 ["HTTP 500", "internal trouble"]),
    "html-body": (answer(200, b"<!DOCTYPE html><html>login</html>", "text/html"),
                  ["querying data.govern.decisions: the answer is not valid JSON"]),
    "malformed-json": (answer(200, b'{"result": [{"model": "glm-5.2",'),
                       ["querying data.govern.decisions: the answer is not valid JSON"]),
    "truncated": (truncated, ["ended early", "truncated"]),
    "undefined": (answer(200, b"{}"), ["data.govern.decisions is undefined"]),
    "null-decision": (answer(200, b'{"result": [null]}'), ["decision for glm-5.2/refactoring/",
                                                          "is undefined"]),
    "not-a-decision": (answer(200, b'{"result": [{"model": "glm-5.2"}]}'),
                       ["malformed decision"]),
    "nan": (answer(200, b'{"result": [NaN]}'), ["NaN is not a JSON number"]),
    "declared-oversize": (oversized(CAP_MIB + 1, "declared"),
                          ["(Content-Length) is over the 64 MiB cap"]),
}


@pytest.mark.parametrize("mode", ["load", "bundle"])
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_answers_exit_3(run_line: RunLine, opa_server: OpaServer,
                               bundle_server: OpaServer, mode: str, name: str) -> None:
    misbehave, causes = BROKEN[name]
    upstream = bundle_server.url if mode == "bundle" else opa_server.url
    result, url = run_through(run_line, upstream, misbehave, "--opa-mode", mode)
    assert_engine_failure(result, url, *causes)


@pytest.mark.parametrize("framing", ["chunked", "close-delimited"])
def test_an_oversized_answer_without_length_is_refused_at_the_cap(
        run_line: RunLine, opa_server: OpaServer, framing: str) -> None:
    result, url = run_through(run_line, opa_server.url, oversized(CAP_MIB + 8, framing))
    assert_engine_failure(result, url, "is over the 64 MiB cap; stopped reading")


def test_the_cap_applies_to_every_request_not_only_the_decision(
        run_line: RunLine, bundle_server: OpaServer) -> None:
    result, url = run_through(run_line, bundle_server.url, oversized(CAP_MIB + 1, "declared"),
                              "--opa-mode", "bundle", target=("GET", "/v1/policies"))
    assert_engine_failure(result, url, "reading the policy modules back", "64 MiB cap")


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_drip_fails_within_about_the_timeout(run_line: RunLine, opa_server: OpaServer,
                                               where: str) -> None:
    # 10 bytes a second would take 20 s to send 200 bytes; each byte resets a per-read timeout
    started = time.monotonic()
    result, url = run_through(run_line, opa_server.url, drip(0.1, where),
                              env={"GOVERN_OPA_TIMEOUT": "1.5"})
    elapsed = time.monotonic() - started
    assert_engine_failure(result, url, "querying data.govern.decisions",
                          "no complete answer within 1.5s (timed out)")
    assert elapsed < 5, elapsed  # uploads and read-backs included; the drip alone would be 20 s


# ---------------------------------------------------------------- forged and inconsistent decisions


def _options(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = decisions[0]["options"]
    return options


def flip_to_allowed(decisions: list[dict[str, Any]]) -> None:
    """The denied api option becomes the allowed, recommended one."""
    for option in _options(decisions):
        option["recommended"] = option["verdict"] == "denied"
        if option["recommended"]:
            option["verdict"] = "allowed"
            decisions[0]["recommendation"] = option["deployment"]


def downgrade_deny(decisions: list[dict[str, Any]]) -> None:
    """The deny finding becomes a warning and its option allowed: consistent but for the rule."""
    for option in _options(decisions):
        for finding in option["findings"]:
            if finding["effect"] == "deny":
                finding["effect"] = "warn"
                option["verdict"] = "allowed"


def mark_denied_recommended(decisions: list[dict[str, Any]]) -> None:
    for option in _options(decisions):
        option["recommended"] = option["verdict"] == "denied"


def reverse_options(decisions: list[dict[str, Any]]) -> None:
    _options(decisions).reverse()


def drop_last_option(decisions: list[dict[str, Any]]) -> None:
    _options(decisions).pop()


def invent_rule(decisions: list[dict[str, Any]]) -> None:
    _options(decisions)[0]["findings"][0]["rule"] = "evil.always-allow"


def move_rule_to_other_policy(decisions: list[dict[str, Any]]) -> None:
    _options(decisions)[0]["findings"][0]["policy"] = "licence"


def drop_obligations(decisions: list[dict[str, Any]]) -> None:
    for option in _options(decisions):
        option["obligations"] = []


def lower_severity(decisions: list[dict[str, Any]]) -> None:
    _options(decisions)[0]["findings"][0]["severity"] = "low"


def swap_answer_order(decisions: list[dict[str, Any]]) -> None:
    decisions[0]["model"] = "glm-5.1"


FORGERIES: dict[str, tuple[Callable[[list[dict[str, Any]]], None], str]] = {
    "flip-to-allowed": (flip_to_allowed, "option api via Z.ai: verdict allowed with 1 standing"),
    "downgrade-deny": (downgrade_deny, "effect warn, the rule gives deny"),
    "recommend-denied": (mark_denied_recommended, "marks api via Z.ai as recommended"),
    "reorder-options": (reverse_options, "the options are [self-host, api via Z.ai]"),
    "drop-option": (drop_last_option, "the local catalog gives [api via Z.ai, self-host]"),
    "unknown-rule": (invent_rule, "finding of unknown rule 'evil.always-allow'"),
    "wrong-policy": (move_rule_to_other_policy, "belongs to policy api-host-jurisdiction"),
    "drop-obligations": (drop_obligations, "obligations do not match its require findings"),
    "lower-severity": (lower_severity, "severity low, the rule says high"),
    "other-model": (swap_answer_order, "answered about glm-5.1/refactoring"),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forged_and_inconsistent_decisions_exit_3(run_line: RunLine, opa_server: OpaServer,
                                                  name: str) -> None:
    edit, cause = FORGERIES[name]
    result, url = run_through(run_line, opa_server.url, forged(edit))
    assert_engine_failure(result, url, "inconsistent decision for glm-5.2/refactoring/"
                          if name != "other-model" else "glm-5.2", cause)


def test_a_recommendation_against_the_preference_order_exits_3(
        run_line: RunLine, opa_server: OpaServer, tmp_path: Path) -> None:
    """Both options allowed; the profile prefers api; the forged answer recommends self-host."""
    startup = (REPO / "profiles" / "cost-sensitive-startup.yaml").read_text()
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "roomy-startup.yaml").write_text(
        startup.replace("id: cost-sensitive-startup", "id: roomy-startup")
        .replace("accelerator_memory_gb: 160", "accelerator_memory_gb: 1280"))
    args = ["--catalog", str(tmp_path), "--profile", "roomy-startup"]
    native = run_line([*ARGS, *args])
    assert [o["verdict"] for o in json.loads(native.stdout)["options"]] == ["allowed", "allowed"]

    def prefer_self_host(decisions: list[dict[str, Any]]) -> None:
        decisions[0]["recommendation"] = "self-host"
        for option in _options(decisions):
            option["recommended"] = option["deployment"] == "self-host"

    result, url = run_through(run_line, opa_server.url, forged(prefer_self_host), *args)
    assert_engine_failure(result, url, "recommends self-host; the verdicts and the profile's "
                                       "preference give api")
    honest, _ = run_through(run_line, opa_server.url, None, *args)
    assert (honest.exit_code, honest.stdout) == (native.exit_code, native.stdout)


# ---------------------------------------------------------------- the policies on the server


def tampered_bundle(catalog: Catalog, edit: Callable[[dict[str, bytes]], None]) -> bytes:
    """The real bundle with its files edited, the same .manifest revision kept."""
    with tarfile.open(fileobj=io.BytesIO(build_bundle(catalog)), mode="r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    edit(files)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, content in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def deny_to_warn(files: dict[str, bytes]) -> None:
    data = json.loads(files["data.json"])
    rule = next(r for r in data["govern"]["policy_set"]["rules"]
                if r["id"] == "jurisdiction.data-class-not-permitted-at-host")
    rule["effect"] = "warn"
    files["data.json"] = json.dumps(data).encode()


def never_fire(files: dict[str, bytes]) -> None:
    files["govern/rules.rego"] = files["govern/rules.rego"].replace(
        b"rule_0000(ctx) := ", b"rule_0000(_) := false\n\nunused_0000(ctx) := ")


@pytest.mark.parametrize(("edit", "cause"), [
    (deny_to_warn, ('data.govern.policy_set.rules[0].effect is "warn" on the server, '
                    '"deny" locally')),
    (never_fire, "bundle.tar.gz/govern/rules.rego differs from the local compilation"),
])
def test_a_tampered_bundle_with_the_same_revision_exits_3(
        run_line: RunLine, opa_bin: Path, catalog: Catalog, tmp_path: Path,
        edit: Callable[[dict[str, bytes]], None], cause: str) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(tampered_bundle(catalog, edit))
    with OpaServer(opa_bin, "--bundle", str(bundle)) as server:
        bundles = requests.get(f"{server.url}/v1/data/system/bundles", timeout=10).json()
        (loaded,) = bundles["result"].values()
        assert loaded["manifest"]["revision"] == catalog.policy_set.digest  # the label is intact
        result = run_line([*ARGS, "--engine", "opa", "--opa-url", server.url, "--opa-mode",
                           "bundle"])
    assert_engine_failure(result, server.url, "its content is not the local policy set", cause)


def test_an_extra_module_in_a_govern_package_exits_3(run_line: RunLine, opa_bin: Path,
                                                     catalog: Catalog, tmp_path: Path) -> None:
    def add_module(files: dict[str, bytes]) -> None:
        files["govern/extra.rego"] = b"package govern.rules\n\nhelper := true\n"

    bundle = tmp_path / "bundle.tar.gz"
    bundle.write_bytes(tampered_bundle(catalog, add_module))
    with OpaServer(opa_bin, "--bundle", str(bundle)) as server:
        result = run_line([*ARGS, "--engine", "opa", "--opa-url", server.url, "--opa-mode",
                           "bundle"])
    assert_engine_failure(result, server.url, "bundle.tar.gz/govern/extra.rego in package "
                                              "govern.rules, which is not part of the local")


def test_load_mode_detects_another_writer_between_upload_and_query(
        run_line: RunLine, opa_server: OpaServer) -> None:
    def other_writer(upstream: str) -> None:
        current = requests.get(f"{upstream}/v1/data/govern/policy_set", timeout=10).json()
        policy_set = current["result"]
        for rule in policy_set["rules"]:
            if rule["effect"] == "deny":
                rule["effect"] = "warn"
        requests.put(f"{upstream}/v1/data/govern/policy_set", json=policy_set,
                     timeout=10).raise_for_status()

    result, url = run_through(run_line, opa_server.url, None, before=other_writer)
    assert_engine_failure(result, url, "the policies on the server changed while govern was "
                                       "deciding", "on the server, \"deny\" locally")
