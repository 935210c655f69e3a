"""The OPA backend: govern's policies compiled to Rego, evaluated on an Open Policy Agent server.

Two ways to use a server (see docs/opa.md):

- ``load`` (default): govern PUTs the compiled modules and ``data.govern.policy_set`` onto the
  server, once per policy set, then asks ``data.govern.decisions``.
- ``bundle``: the server was started with ``govern bundle build``'s bundle and owns the
  ``govern`` root; govern only checks that the loaded policy set is the local one (the
  bundle's revision and ``data.govern.policy_set.digest``) and asks.

Either way every request carries its records inline (model card, task, profile, waivers), so
the answer depends only on what govern sent and on the policy set it verified. Anything that
goes wrong (refused, timed out, HTTP errors, compile errors, an undefined or malformed answer)
is an ``EngineError`` naming the server and the cause: never an allow.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from opa_client import OpaClient  # type: ignore[import-untyped]
from opa_client.errors import (  # type: ignore[import-untyped]
    ConnectionsError,
    PolicyNotFoundError,
    QueryExecuteError,
    RegoParseError,
)
from pydantic import ValidationError

from govern.backends import OPA_MODES, Backend, DecisionRequest, OpaMode
from govern.core import Decision, PolicySet
from govern.errors import EngineError, InputError, Problem
from govern.records import Waiver
from govern.rego.bundle import ROOT
from govern.rego.compiler import CompiledPolicySet, compile_policy_set

DEFAULT_TIMEOUT = 10.0
TIMEOUT_ENV = "GOVERN_OPA_TIMEOUT"
BATCH_SIZE = 500
"""Requests per POST: large enough to amortise HTTP, small enough to bound one body."""

T = TypeVar("T")


class _RaisingClient(OpaClient):  # type: ignore[misc]
    """An OpaClient whose session raises on every 4xx/5xx answer.

    The client reads error bodies as JSON before looking at the status, so a proxy's HTML
    502 page would surface as a JSON parse error; raising first keeps the status and body.
    """

    def _init_session(self) -> requests.Session:
        session: requests.Session = super()._init_session()
        session.hooks["response"].append(_raise_for_status)
        return session


def _raise_for_status(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    if response.status_code >= 400:
        raise requests.HTTPError(_http_cause(response), response=response)


def _http_cause(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())[:200]
        return f"HTTP {response.status_code}" + (f": {text}" if text else "")
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}"
    details = [e.get("message", "") for e in body.get("errors", []) if isinstance(e, dict)]
    message = "; ".join(filter(None, [body.get("message"), *details]))
    return f"HTTP {response.status_code} {body.get('code', '')}: {message}".replace(" :", ":")


def _client_for(url: str, timeout: float) -> _RaisingClient:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise InputError(Problem("-", None, None, "--opa-url",
                                 f"expected http(s)://HOST:PORT, got {url!r}"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise InputError(Problem("-", None, None, "--opa-url", f"{url!r}: {e}")) from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    # No retries: a failure is reported at once, with its cause, rather than slowly.
    return _RaisingClient(host=host, port=port, ssl=parts.scheme == "https", timeout=timeout,
                          retries=0)


class OpaBackend(Backend):
    name = "opa"

    def __init__(self, url: str, mode: OpaMode = "load", timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url.rstrip("/")
        self.mode = mode
        self.timeout = timeout
        self._client = _client_for(url, timeout)
        self._ready_digest: str | None = None
        """The policy set known to be on the server (uploaded or verified)."""

    @classmethod
    def configured(cls, url: str, mode: str = "load") -> OpaBackend:
        """A backend for the CLI: ``mode`` from --opa-mode, the timeout from
        ``GOVERN_OPA_TIMEOUT`` (seconds, default 10)."""
        if mode not in OPA_MODES:
            raise InputError(Problem("-", None, None, "--opa-mode", f"unknown mode {mode!r}"))
        text = os.environ.get(TIMEOUT_ENV, str(DEFAULT_TIMEOUT))
        try:
            timeout = float(text)
        except ValueError:
            timeout = -1.0
        if not timeout > 0:
            raise InputError(Problem("-", None, None, TIMEOUT_ENV,
                                     f"expected a number of seconds, got {text!r}"))
        return cls(url, mode="bundle" if mode == "bundle" else "load", timeout=timeout)

    # ------------------------------------------------------------ talking to the server

    @contextmanager
    def _talking(self, doing: str) -> Iterator[None]:
        """Turn whatever goes wrong while ``doing`` into an EngineError naming server and cause."""
        try:
            yield
        except EngineError:
            raise
        except requests.ConnectionError as e:  # includes ConnectTimeout; ReadTimeout is below
            text = str(e).lower()
            # with retries off, urllib3 reports a read timeout as 'max retries exceeded'
            if isinstance(e, requests.Timeout) or "timed out" in text:
                cause = f"no answer within {self.timeout:g}s (timed out)"
            elif "refused" in text:
                cause = "connection refused"
            else:
                cause = f"cannot connect ({e})"
            raise EngineError(f"OPA server {self.url}: {doing}: {cause}") from None
        except requests.Timeout:
            raise EngineError(f"OPA server {self.url}: {doing}: no answer within "
                              f"{self.timeout:g}s (timed out)") from None
        except requests.HTTPError as e:
            raise EngineError(f"OPA server {self.url}: {doing}: {e}") from None
        except (requests.RequestException, ValueError, TypeError, RegoParseError,
                PolicyNotFoundError, QueryExecuteError, ConnectionsError) as e:
            # the client's own errors and unparseable answers: all mean 'no decision'
            cause = getattr(e, "message", None) or str(e) or type(e).__name__
            raise EngineError(f"OPA server {self.url}: {doing}: {cause}") from None

    def _call(self, doing: str, action: Callable[[], T]) -> T:
        with self._talking(doing):
            return action()

    # ------------------------------------------------------------ getting the policies there

    def _prepare(self, policies: PolicySet) -> None:
        if self._ready_digest == policies.digest:
            return
        if self.mode == "bundle":
            self._verify_bundle(policies.digest)
        else:
            self._upload(compile_policy_set(policies))
        self._ready_digest = policies.digest

    def _upload(self, compiled: CompiledPolicySet) -> None:
        try:
            self._call("uploading data.govern.policy_set", lambda: self._client.update_or_create_data(
                compiled.policy_data, f"{ROOT}/policy_set"))
        except EngineError as e:
            if "owned by bundle" in str(e):  # the server runs a bundle: say how to use it
                raise EngineError(f"{e} (use --opa-mode bundle for a server started with a "
                                  "govern bundle)") from None
            raise
        for path, source in compiled.modules.items():  # each upload must compile on its own
            # rego_compat=False: the modules are Rego v1 already; never rewrite them
            self._call(f"uploading policy module {path}", functools.partial(
                self._client.update_policy_from_string, source, path, rego_compat=False))

    def _verify_bundle(self, digest: str) -> None:
        loaded = self._read_data(f"{ROOT}/policy_set/digest")
        if loaded is None:
            raise EngineError(f"OPA server {self.url}: no govern policy set is loaded (start it "
                              "with `opa run --server --bundle <govern bundle>`)")
        if loaded != digest:
            raise EngineError(f"OPA server {self.url}: policy set mismatch: the server has "
                              f"{loaded}, the local policy set is {digest} (rebuild the bundle "
                              "with `govern bundle build` and reload it)")
        revisions = self._read_data("system/bundles")
        if isinstance(revisions, dict):
            for bundle_name, bundle in revisions.items():
                revision = (bundle.get("manifest") or {}).get("revision") if isinstance(
                    bundle, dict) else None
                if revision not in (None, digest):
                    raise EngineError(f"OPA server {self.url}: bundle {bundle_name!r} has "
                                      f"revision {revision}, the local policy set is {digest}")

    def _read_data(self, path: str) -> Any:
        """The value of data at ``path``, or None when it is undefined there."""
        def read() -> Any:
            try:
                return self._client.get_data(path).get("result")
            except PolicyNotFoundError:  # the client's word for 'undefined'
                return None

        return self._call(f"reading data.{path.replace('/', '.')}", read)

    # ------------------------------------------------------------ deciding

    def decide(self, requests: Sequence[DecisionRequest], policies: PolicySet, as_of: dt.date,
               waivers: Sequence[Waiver] = ()) -> list[Decision]:
        self._prepare(policies)
        shared = [w.model_dump(mode="json", by_alias=True) for w in waivers]
        decisions: list[Decision] = []
        for start in range(0, len(requests), BATCH_SIZE):
            batch = requests[start:start + BATCH_SIZE]
            body = {"requests": [_request_input(r, as_of) for r in batch], "waivers": shared}
            answer = self._query(body)
            decisions.extend(self._decisions(answer, batch, policies, as_of))
        return decisions

    def _query(self, body: dict[str, Any]) -> Any:
        return self._call("querying data.govern.decisions",
                          lambda: self._client.query_rule(body, ROOT, "decisions"))

    def _decisions(self, answer: Any, batch: Sequence[DecisionRequest], policies: PolicySet,
                   as_of: dt.date) -> list[Decision]:
        results = answer.get("result") if isinstance(answer, dict) else None
        if results is None:
            raise EngineError(f"OPA server {self.url}: data.govern.decisions is undefined "
                              "(are govern's policies loaded?)")
        if not isinstance(results, list) or len(results) != len(batch):
            raise EngineError(f"OPA server {self.url}: malformed answer: expected a list of "
                              f"{len(batch)} decision(s)")
        return [self._decision(result, request, policies, as_of)
                for result, request in zip(results, batch, strict=True)]

    def _decision(self, result: Any, request: DecisionRequest, policies: PolicySet,
                  as_of: dt.date) -> Decision:
        asked = f"{request.model.id}/{request.task.id}/{request.profile.id}"
        if result is None:
            raise EngineError(f"OPA server {self.url}: the decision for {asked} is undefined")
        try:
            decision = Decision.model_validate_json(json.dumps(result), strict=True)
        except ValidationError as e:
            raise EngineError(f"OPA server {self.url}: malformed decision for {asked}: "
                              f"{e.errors()[0]['loc']}: {e.errors()[0]['msg']}") from None
        answered = (decision.model, decision.task, decision.profile, decision.as_of)
        if answered != (request.model.id, request.task.id, request.profile.id, as_of):
            raise EngineError(f"OPA server {self.url}: asked about {asked}, answered about "
                              f"{'/'.join(answered[:3])} as of {answered[3]}")
        if decision.policy_set_digest != policies.digest:
            raise EngineError(f"OPA server {self.url}: decided with policy set "
                              f"{decision.policy_set_digest}, not {policies.digest}")
        return decision


def _request_input(request: DecisionRequest, as_of: dt.date) -> dict[str, Any]:
    return {
        "model": request.model.model_dump(mode="json", by_alias=True),
        "task": request.task.model_dump(mode="json", by_alias=True),
        "profile": request.profile.model_dump(mode="json", by_alias=True),
        "as_of": as_of.isoformat(),
    }
