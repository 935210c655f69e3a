"""govern against real OPA servers through the CLI: same bytes as native; failures exit 3."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.backends.opa import OpaBackend
from govern.citations import cite_decision
from govern.core import Decision
from govern.dated import card_as_of
from govern.errors import EngineError
from govern.loading.catalog import Catalog
from tests.opa.opa_binary import OpaServer, free_port
from tests.support import AS_OF, REPO, RunLine

ARGS = ["evaluate", "--model", "glm-5.2", "--task", "refactoring", "--as-of", AS_OF.isoformat()]


# ---------------------------------------------------------------- same answers as native


@pytest.mark.parametrize("format_name", ["json", "text"])
def test_evaluate_on_opa_prints_the_native_bytes(run_line: RunLine, opa_server: OpaServer,
                                                 format_name: str) -> None:
    native = run_line([*ARGS, "--format", format_name])
    opa = run_line([*ARGS, "--format", format_name, "--engine", "opa",
                    "--opa-url", opa_server.url])
    assert (opa.exit_code, opa.stdout) == (native.exit_code, native.stdout), opa.stderr
    assert opa.stdout and opa.stderr == ""


def test_opa_run_bundle_answers_the_documented_query(bundle_server: OpaServer,
                                                     catalog: Catalog) -> None:
    model, task = catalog.models["glm-5.2"], catalog.tasks["refactoring"]
    profile = catalog.profiles["eu-regulated-enterprise"]
    native = NativeBackend().decide([DecisionRequest(model, task, profile)], catalog.policy_set,
                                    AS_OF, list(catalog.waivers.values()))[0]
    by_id: dict[str, Any] = {"model": "glm-5.2", "task": "refactoring", "profile": "eu-regulated-enterprise",
             "as_of": AS_OF.isoformat()}
    inline = {**by_id, "model": model.model_dump(mode="json")}
    for query in (by_id, inline):
        answer = requests.post(f"{bundle_server.url}/v1/data/govern/decision",
                               json={"input": query}, timeout=30).json()
        # the raw answer carries no citations: govern attaches them (docs/opa.md)
        raw = Decision.model_validate(answer["result"])
        assert all(f.sources == [] and f.rationale is None
                   for o in raw.options for f in o.findings)
        assert cite_decision(raw, card_as_of(model, AS_OF), AS_OF, catalog.policy_set) == native
    unknown = requests.post(f"{bundle_server.url}/v1/data/govern/decision",
                            json={"input": {**by_id, "model": "no-such-model"}}, timeout=30)
    assert "result" not in unknown.json()  # undefined, never a default allow


def test_bundle_mode_matches_native_on_the_whole_matrix(bundle_server: OpaServer,
                                                        catalog: Catalog) -> None:
    requests_ = [DecisionRequest(m, t, p) for m in catalog.models.values()
                 for t in catalog.tasks.values() for p in catalog.profiles.values()]
    waivers = list(catalog.waivers.values())
    native = NativeBackend().decide(requests_, catalog.policy_set, AS_OF, waivers)
    backend = OpaBackend(bundle_server.url, mode="bundle")
    assert backend.decide(requests_, catalog.policy_set, AS_OF, waivers) == native


def test_bundle_mode_through_the_cli(run_line: RunLine, bundle_server: OpaServer) -> None:
    native = run_line([*ARGS, "--format", "json"])
    opa = run_line([*ARGS, "--format", "json", "--engine", "opa", "--opa-url",
                    bundle_server.url, "--opa-mode", "bundle"])
    assert (opa.exit_code, opa.stdout) == (native.exit_code, native.stdout), opa.stderr


# ---------------------------------------------------------------- failures: exit 3


def _assert_engine_failure(result: object, url: str, *causes: str) -> None:
    assert result.exit_code == 3, (result.stdout, result.stderr)  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("error: engine failure: OPA server " + url), stderr
    for cause in causes:
        assert cause in stderr, stderr


def test_bundle_mode_refuses_a_different_policy_set(run_line: RunLine, bundle_server: OpaServer,
                                                    tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    policy = (REPO / "policies" / "licence.yaml").read_text()
    (tmp_path / "policies" / "licence.yaml").write_text(policy.replace("180 days", "181 days"))
    result = run_line([*ARGS, "--catalog", str(tmp_path), "--engine", "opa", "--opa-url",
                       bundle_server.url, "--opa-mode", "bundle"])
    _assert_engine_failure(result, bundle_server.url, "policy set mismatch", "govern bundle build")


def test_load_mode_on_a_bundle_server_says_how_to_use_it(run_line: RunLine,
                                                         bundle_server: OpaServer) -> None:
    result = run_line([*ARGS, "--engine", "opa", "--opa-url", bundle_server.url])
    _assert_engine_failure(result, bundle_server.url, "owned by bundle", "--opa-mode bundle")


def test_bundle_mode_on_an_empty_server(run_line: RunLine, opa_bin: Path) -> None:
    with OpaServer(opa_bin) as empty:
        result = run_line([*ARGS, "--engine", "opa", "--opa-url", empty.url, "--opa-mode",
                           "bundle"])
    _assert_engine_failure(result, empty.url, "no govern policy set is loaded")


def test_refused_connection(run_line: RunLine) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = run_line([*ARGS, "--engine", "opa", "--opa-url", url])
    _assert_engine_failure(result, url, "connection refused")


def test_timeout(run_line: RunLine) -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        result = run_line([*ARGS, "--engine", "opa", "--opa-url", url],
                          env={"GOVERN_OPA_TIMEOUT": "0.5"})
    _assert_engine_failure(result, url, "timed out", "0.5s")


def test_compile_errors_are_engine_errors(opa_server: OpaServer, catalog: Catalog,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from govern.rego import compiler

    original = compiler.static_module
    broken = "\nbroken := undefined_function(1)\n"
    monkeypatch.setattr(compiler, "static_module",
                        lambda name: original(name) + (broken if name == "conditions.rego" else ""))
    backend = OpaBackend(opa_server.url)
    with pytest.raises(EngineError, match="uploading policy module govern/conditions.rego: "
                                          "HTTP 400.*undefined_function"):
        backend.decide([DecisionRequest(catalog.models["glm-5.2"], catalog.tasks["refactoring"],
                                        catalog.profiles["us-enterprise"])],
                       catalog.policy_set, AS_OF)


def test_bad_url_is_bad_usage(run_line: RunLine) -> None:
    result = run_line([*ARGS, "--engine", "opa", "--opa-url", "ftp://x/y"])
    assert result.exit_code == 2 and "--opa-url" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("format_name", ["json", "sarif", "junit"])
def test_check_on_opa_gives_the_native_report_with_waivers(
        run_line: RunLine, opa_server: OpaServer, monkeypatch: pytest.MonkeyPatch,
        format_name: str) -> None:
    """The CI gate on OPA: the example project (with applied, expired and unused waivers)."""
    monkeypatch.chdir(REPO / "examples" / "ci")
    args = ["check", "--as-of", AS_OF.isoformat(), "--format", format_name]
    native = run_line(args)
    opa = run_line([*args, "--engine", "opa", "--opa-url", opa_server.url])
    assert native.exit_code == 1  # one entry of the example fails on purpose
    assert (opa.exit_code, opa.stdout) == (native.exit_code, native.stdout), opa.stderr


def test_check_on_an_unreachable_opa_exits_3_and_reports_nothing(
        run_line: RunLine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "examples" / "ci")
    url = f"http://127.0.0.1:{free_port()}"
    result = run_line(["check", "--engine", "opa", "--opa-url", url, "--format", "sarif"])
    assert result.exit_code == 3 and result.stdout == ""
    assert url in result.stderr
