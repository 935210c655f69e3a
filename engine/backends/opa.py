"""The OPA backend: govern's policies compiled to Rego, evaluated on an Open Policy Agent server.

Two ways to use a server (see docs/opa.md):

- ``load`` (default): govern PUTs the compiled modules and ``data.govern.policy_set`` onto the
  server, once per policy set, then asks ``data.govern.decisions``.
- ``bundle``: the server was started with ``govern bundle build``'s bundle and owns the
  ``govern`` root; govern checks that the server holds exactly the local policy set (the
  modules and data themselves, not only the bundle's revision label) and asks.

Either way every request carries its records inline (model card, task, profile, waivers), so
the answer depends only on what govern sent and on the policy set it verified. After every
query govern reads the policies back again (another writer may have changed them meanwhile) and
checks each decision for consistency (``answer_checks``) before trusting it. Each request is
bounded in time and size (``opa_transport``). Anything that goes wrong (refused, timed out, HTTP
errors, compile errors, an undefined, malformed, oversized or inconsistent answer, policies that
differ) is an ``EngineError`` naming the server and the cause: never an allow.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import ssl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
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

from govern.backends import Backend, DecisionRequest, OpaMode
from govern.backends.answer_checks import Asked, decision_problem
from govern.backends.opa_content import modules_problem, parse_answer, policy_data_problem
from govern.backends.opa_settings import CA_BUNDLE_ENV, DEFAULT_TIMEOUT
from govern.backends.opa_transport import MAX_ANSWER_BYTES, bounded_session
from govern.core import Decision, PolicySet
from govern.errors import EngineError, InputError, Problem
from govern.records import Waiver
from govern.rego.bundle import ROOT
from govern.rego.compiler import CompiledPolicySet, compile_policy_set

BATCH_SIZE = 500
"""Requests per POST: large enough to amortise HTTP, small enough to bound one body."""

T = TypeVar("T")


class _BoundedClient(OpaClient):  # type: ignore[misc]
    """An OpaClient on govern's bounded session, which raises on every 4xx/5xx answer.

    The client reads error bodies as JSON before looking at the status, so a proxy's HTML
    502 page would surface as a JSON parse error; raising first keeps the status and body.
    """

    def __init__(self, session: requests.Session, **kwargs: Any) -> None:
        self._bounded_session = session
        super().__init__(**kwargs)

    def _init_session(self) -> requests.Session:
        session = self._bounded_session
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


def _server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, https) of an OPA URL; InputError when it is not http(s)://HOST[:PORT]."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise InputError(Problem("-", None, None, "--opa-url",
                                 f"expected http(s)://HOST:PORT, got {url!r}"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as e:
        raise InputError(Problem("-", None, None, "--opa-url", f"{url!r}: {e}")) from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return host, port, parts.scheme == "https"


class OpaBackend(Backend):
    name = "opa"

    def __init__(self, url: str, mode: OpaMode = "load", *, timeout: float = DEFAULT_TIMEOUT,
                 token: str | None = None, ca_bundle: Path | None = None,
                 max_answer_bytes: int = MAX_ANSWER_BYTES) -> None:
        """``timeout`` bounds each request, connect to last byte; ``token`` is sent as a bearer
        token; ``ca_bundle`` holds the CAs an https server's certificate must chain to."""
        host, port, https = _server_address(url)
        if ca_bundle is not None and not https:
            raise InputError(Problem("-", None, None, CA_BUNDLE_ENV,
                                     f"a CA bundle is set but {url} is not https"))
        self.url = url.rstrip("/")
        self.mode = mode
        self.timeout = timeout
        self._session = bounded_session(timeout, token=token, ca_bundle=ca_bundle,
                                        max_bytes=max_answer_bytes)
        self._client = _BoundedClient(self._session, host=host, port=port, ssl=https,
                                      timeout=timeout, retries=0)
        self._ready: CompiledPolicySet | None = None
        """The compiled policy set known to be on the server (uploaded or verified)."""

    # ------------------------------------------------------------ talking to the server

    @contextmanager
    def _talking(self, doing: str) -> Iterator[None]:
        """Turn whatever goes wrong while ``doing`` into an EngineError naming server and cause."""
        try:
            yield
        except EngineError:
            raise
        except requests.Timeout:  # the whole request was over its deadline
            raise EngineError(f"OPA server {self.url}: {doing}: {_timeout_cause(self.timeout)}"
                              ) from None
        except requests.ConnectionError as e:
            text = str(e).lower()
            if "timed out" in text:
                cause = _timeout_cause(self.timeout)
            elif "refused" in text:
                cause = "connection refused"
            elif isinstance(e, requests.exceptions.SSLError):
                cause = f"TLS failure ({_ssl_reason(e)})"
            else:
                cause = f"cannot connect ({e})"
            raise EngineError(f"OPA server {self.url}: {doing}: {cause}") from None
        except requests.HTTPError as e:
            raise EngineError(f"OPA server {self.url}: {doing}: {e}") from None
        except requests.exceptions.ChunkedEncodingError as e:
            raise EngineError(f"OPA server {self.url}: {doing}: the answer ended early "
                              f"(truncated: {_first_line(e)})") from None
        except (requests.RequestException, ValueError, TypeError, RegoParseError,
                PolicyNotFoundError, QueryExecuteError, ConnectionsError) as e:
            # the client's own errors and unparseable answers: all mean 'no decision'
            cause = getattr(e, "message", None) or str(e) or type(e).__name__
            raise EngineError(f"OPA server {self.url}: {doing}: {cause}") from None

    def _call(self, doing: str, action: Callable[[], T]) -> T:
        with self._talking(doing):
            return action()

    def _get_exact(self, doing: str, path: str) -> Any:
        """GET ``/v1/<path>`` and parse the answer with exact numbers."""
        def get() -> Any:
            response = self._session.get(f"{self._client.root_url}/{path}")
            return parse_answer(response.content, exact=True)

        return self._call(doing, get)

    # ------------------------------------------------------------ getting the policies there

    def _prepare(self, policies: PolicySet) -> CompiledPolicySet:
        if self._ready is not None and self._ready.digest == policies.digest:
            return self._ready
        compiled = compile_policy_set(policies)
        if self.mode == "bundle":
            self._verify_bundle(compiled)
        else:
            self._upload(compiled)
        self._ready = compiled
        return compiled

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

    def _verify_bundle(self, compiled: CompiledPolicySet) -> None:
        digest = compiled.digest
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
        self._verify_content(compiled, f"the bundle says revision {digest} but its content is "
                                       "not the local policy set")

    def _verify_content(self, compiled: CompiledPolicySet, verdict: str) -> None:
        """Refuse unless the server holds exactly ``compiled`` (see ``opa_content``)."""
        listing = self._get_exact("reading the policy modules back", "policies")
        problem = modules_problem(listing, compiled)
        if problem is None:
            answer = self._get_exact(f"reading data.{ROOT}.policy_set back",
                                     f"data/{ROOT}/policy_set")
            if not isinstance(answer, dict) or "result" not in answer:
                problem = f"data.{ROOT}.policy_set is undefined"
            else:
                problem = policy_data_problem(answer["result"], compiled)
        if problem is not None:
            raise EngineError(f"OPA server {self.url}: {verdict}: {problem}")

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
        compiled = self._prepare(policies)
        shared = [w.model_dump(mode="json", by_alias=True) for w in waivers]
        decisions: list[Decision] = []
        for start in range(0, len(requests), BATCH_SIZE):
            batch = requests[start:start + BATCH_SIZE]
            body = {"requests": [_request_input(r, as_of) for r in batch], "waivers": shared}
            answer = self._query(body)
            # another writer may have changed the policies since they were uploaded or verified
            self._verify_content(compiled, "the policies on the server changed while govern "
                                           "was deciding")
            decisions.extend(self._decisions(answer, [Asked(r, policies, as_of, waivers)
                                                      for r in batch]))
        return decisions

    def _query(self, body: dict[str, Any]) -> Any:
        def post() -> Any:
            response = self._session.post(f"{self._client.root_url}/data/{ROOT}/decisions",
                                          json={"input": body})
            return parse_answer(response.content)

        return self._call("querying data.govern.decisions", post)

    def _decisions(self, answer: Any, batch: Sequence[Asked]) -> list[Decision]:
        results = answer.get("result") if isinstance(answer, dict) else None
        if results is None:
            raise EngineError(f"OPA server {self.url}: data.govern.decisions is undefined "
                              "(are govern's policies loaded?)")
        if not isinstance(results, list) or len(results) != len(batch):
            raise EngineError(f"OPA server {self.url}: malformed answer: expected a list of "
                              f"{len(batch)} decision(s)")
        return [self._decision(result, asked)
                for result, asked in zip(results, batch, strict=True)]

    def _decision(self, result: Any, asked: Asked) -> Decision:
        request = asked.request
        about = f"{request.model.id}/{request.task.id}/{request.profile.id}"
        if result is None:
            raise EngineError(f"OPA server {self.url}: the decision for {about} is undefined")
        try:
            decision = Decision.model_validate_json(json.dumps(result), strict=True)
        except ValidationError as e:
            raise EngineError(f"OPA server {self.url}: malformed decision for {about}: "
                              f"{e.errors()[0]['loc']}: {e.errors()[0]['msg']}") from None
        problem = decision_problem(decision, asked)
        if problem is not None:
            raise EngineError(f"OPA server {self.url}: inconsistent decision for {about}: "
                              f"{problem}")
        return decision


def _timeout_cause(timeout: float) -> str:
    return f"no complete answer within {timeout:g}s (timed out)"


def _first_line(error: Exception) -> str:
    """The innermost message of a wrapped urllib3 error, on one line."""
    while error.args and isinstance(error.args[-1], Exception):
        error = error.args[-1]
    return " ".join(str(error).split())[:200]


def _ssl_reason(error: BaseException) -> str:
    """``CERTIFICATE_VERIFY_FAILED: self-signed certificate`` from a wrapped ssl error."""
    seen: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending and len(seen) < 20:  # the wrappers nest a few levels; bounded all the same
        current = pending.pop()
        seen.append(current)
        if isinstance(current, ssl.SSLError):
            detail = getattr(current, "verify_message", None) or current.strerror or str(current)
            return f"{current.reason}: {detail}" if current.reason else str(detail)
        pending.extend(a for a in current.args if isinstance(a, BaseException))
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return " ".join(str(error).split())[:200]


def _request_input(request: DecisionRequest, as_of: dt.date) -> dict[str, Any]:
    return {
        "model": request.model.model_dump(mode="json", by_alias=True),
        "task": request.task.model_dump(mode="json", by_alias=True),
        "profile": request.profile.model_dump(mode="json", by_alias=True),
        "as_of": as_of.isoformat(),
    }
