"""The OPA backend: govern's policies compiled to Rego, evaluated on an Open Policy Agent server.

Two ways to use a server (see docs/opa.md):

- ``load`` (default): govern PUTs the compiled modules and ``data.govern.policy_set`` onto the
  server, once per policy set, then asks ``data.govern.decisions``.
- ``bundle``: the server was started with ``govern bundle build``'s bundle and owns the
  ``govern`` root; govern checks that the server holds exactly the local policy set (the
  modules and data themselves, not only the bundle's revision label) and asks.

The queries are made to suit OPA's decision logs (see docs/opa.md): each batch is one logged
event, small enough for OPA's default upload limit; a record the server's catalog holds with
exactly the local content (bundle mode) is sent by id, any other inline; waiver owners are never
sent nor asked back. Reading the server's policies and data back for the content checks goes
through APIs OPA does not decision-log (``GET /v1/policies``, ``POST /v1/compile``). So the
answer depends only on what govern sent and on the content it verified. After every query govern
reads the policies (and the catalog records it named by id) back again (another writer may have
changed them meanwhile) and checks each decision for consistency (``answer_checks``) before
trusting it. Each request is
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
from govern.backends.opa_content import (
    modules_problem,
    parse_answer,
    policy_data_problem,
    readback_query,
    readback_value,
    record_problem,
)
from govern.backends.opa_settings import CA_BUNDLE_ENV, DEFAULT_TIMEOUT
from govern.backends.opa_transport import MAX_ANSWER_BYTES, bounded_session
from govern.citations import cite_decision
from govern.core import Decision, PolicySet
from govern.dated import card_as_of
from govern.errors import EngineError, InputError, Problem
from govern.lineage import lineage_of
from govern.records import ModelCard, Record, Waiver
from govern.rego.bundle import ROOT
from govern.rego.compiler import CompiledPolicySet, compile_policy_set

DECISION_LOG_UPLOAD_LIMIT = 32768
"""OPA's default ``decision_logs.reporting.upload_size_limit_bytes``: the gzipped size over
which OPA drops a decision-log event instead of uploading it."""

BATCH_SIZE = 100
"""Requests per POST, so that the one decision-log event a batch makes stays well under
``DECISION_LOG_UPLOAD_LIMIT``: measured (``python -m benchmarks.bench_decision_log``, shuffled
bundled decisions) at under 8 kB gzipped for 100 with records sent by id (bundle mode) and under
19 kB for 100 with every record inline (load mode); 500 inline made an event OPA dropped."""

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
        held = self._read_back(f"{ROOT}.policy_set")
        loaded = held.get("digest") if isinstance(held, dict) else None
        if loaded is None:
            raise EngineError(f"OPA server {self.url}: no govern policy set is loaded (start it "
                              "with `opa run --server --bundle <govern bundle>`)")
        if loaded != digest:
            raise EngineError(f"OPA server {self.url}: policy set mismatch: the server has "
                              f"{loaded}, the local policy set is {digest} (rebuild the bundle "
                              "with `govern bundle build` and reload it)")
        revisions = self._read_back("system.bundles")
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
            defined, held = self._read_back_defined(f"{ROOT}.policy_set")
            problem = (policy_data_problem(held, compiled) if defined
                       else f"data.{ROOT}.policy_set is undefined")
        if problem is not None:
            raise EngineError(f"OPA server {self.url}: {verdict}: {problem}")

    def _read_back_defined(self, ref: str) -> tuple[bool, Any]:
        """(defined, value) of ``data.<ref>``, read without a decision-log event (numbers exact).
        """
        def read() -> tuple[bool, Any]:
            response = self._session.post(f"{self._client.root_url}/compile",
                                          json=readback_query(ref))
            return readback_value(parse_answer(response.content, exact=True), ref)

        return self._call(f"reading data.{ref} back", read)

    def _read_back(self, ref: str) -> Any:
        """The value of ``data.<ref>``, or None when it is undefined there."""
        return self._read_back_defined(ref)[1]

    def _server_catalog(self) -> dict[str, Any]:
        """``data.govern.catalog`` in bundle mode (exact numbers); empty in load mode, where
        govern owns ``data.govern`` and sends every record inline."""
        if self.mode != "bundle":
            return {}
        held = self._read_back(f"{ROOT}.catalog")
        return held if isinstance(held, dict) else {}

    # ------------------------------------------------------------ deciding

    def decide(self, requests: Sequence[DecisionRequest], policies: PolicySet, as_of: dt.date,
               waivers: Sequence[Waiver] = ()) -> list[Decision]:
        compiled = self._prepare(policies)
        named = _Named(self._server_catalog())
        shared = [named.waiver(w) for w in waivers]
        decisions: list[Decision] = []
        for start in range(0, len(requests), BATCH_SIZE):
            batch = requests[start:start + BATCH_SIZE]
            body = {"requests": [named.request(r, as_of) for r in batch], "waivers": shared,
                    "waiver_owners": False}
            answer = self._query(body)
            # another writer may have changed the policies or the catalog since they were
            # uploaded or verified
            self._verify_content(compiled, "the policies on the server changed while govern "
                                           "was deciding")
            self._verify_named(named)
            _restore_owners(answer, waivers)
            decisions.extend(self._decisions(answer, [Asked(r, policies, as_of, waivers)
                                                      for r in batch]))
        return decisions

    def _verify_named(self, named: _Named) -> None:
        """Refuse unless every record sent by id is still, on the server, the local record."""
        if not named.sent:
            return
        catalog = self._server_catalog()
        for (kind, record_id), local in sorted(named.sent.items()):
            held = catalog.get(kind, {}).get(record_id) if isinstance(
                catalog.get(kind), dict) else None
            problem = record_problem(held, local, f"data.{ROOT}.catalog.{kind}[{record_id!r}]")
            if problem is not None:
                raise EngineError(f"OPA server {self.url}: the catalog on the server changed "
                                  f"while govern was deciding: {problem}")

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
        # Citations are the rule's and the card's, not the engine's: attached here exactly
        # as the native engine attaches them.
        return cite_decision(decision, card_as_of(request.model, asked.as_of), asked.as_of,
                             asked.policies)


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


def _record_json(record: Record) -> dict[str, Any]:
    if isinstance(record, ModelCard):
        # A card decided outside a catalog still sends its lineage: the Rego engine reads the
        # licences' normal forms from it (it cannot parse SPDX).
        record = record.model_copy(update={"lineage": lineage_of(record)})
    return record.model_dump(mode="json", by_alias=True)


def _dates_its_licence(card: ModelCard) -> bool:
    """Rego cannot read an SPDX licence: it approves on the normal forms in the card's lineage,
    which the loader computed from the undated licences. A card that dates its licence, or
    whose lineage holds a base that dates its own, is therefore sent inline as of the decision
    date (``govern.dated.card_as_of``), its lineage's entries holding the licences in force,
    exactly as the native engine decides it; its
    history stays (messages may name it), each dated licence already in normal spelling
    (``govern.dated.in_normal_form``) as Rego re-applies it."""
    return (any(v.fact == "license" and v.offering is None for v in card.dated_values)
            or any(entry.dated for entry in lineage_of(card).licenses))


class _Named:
    """How a batch names each record: by id when the server's catalog holds exactly the local
    record (the decision is then the same, and the logged input small), else inline. Waiver
    owners are never sent (personal data stays out of decision logs)."""

    def __init__(self, server_catalog: dict[str, Any]) -> None:
        self._catalog = server_catalog
        self.sent: dict[tuple[str, str], dict[str, Any]] = {}
        """(kind, id) -> the local record's JSON, for every record sent by id."""

    def _held(self, kind: str, record_id: str) -> Any:
        records = self._catalog.get(kind)
        return records.get(record_id) if isinstance(records, dict) else None

    def _name(self, kind: str, record: Record, inline: dict[str, Any]) -> str | dict[str, Any]:
        local = _record_json(record)
        record_id = local["id"]
        if (kind, record_id) in self.sent:
            return str(record_id)
        held = self._held(kind, record_id)
        if held is not None and record_problem(held, local, kind) is None:
            self.sent[(kind, record_id)] = local
            return str(record_id)
        return inline

    def request(self, request: DecisionRequest, as_of: dt.date) -> dict[str, Any]:
        return {
            "model": (_record_json(card_as_of(request.model, as_of))
                      if _dates_its_licence(request.model)
                      else self._name("model_cards", request.model,
                                      _record_json(request.model))),
            "task": self._name("tasks", request.task, _record_json(request.task)),
            "profile": self._name("profiles", request.profile, _record_json(request.profile)),
            "as_of": as_of.isoformat(),
        }

    def waiver(self, waiver: Waiver) -> str | dict[str, Any]:
        without_owner = {k: v for k, v in _record_json(waiver).items() if k != "owner"}
        return self._name("waivers", waiver, without_owner)


def _restore_owners(answer: Any, waivers: Sequence[Waiver]) -> None:
    """Put back the owners the server was asked to leave out (``waiver_owners: false``), by
    waiver id, from the waivers govern sent; an unknown id keeps its null (then malformed)."""
    owners = {w.id: w.owner for w in waivers}
    results = answer.get("result") if isinstance(answer, dict) else None
    for decision in results if isinstance(results, list) else []:
        if not isinstance(decision, dict):
            continue
        shown = [u for u in decision.get("waivers") or [] if isinstance(u, dict)]
        for option in decision.get("options") or []:
            for finding in (option.get("findings") or []) if isinstance(option, dict) else []:
                if isinstance(finding, dict) and isinstance(finding.get("waiver"), dict):
                    shown.append(finding["waiver"])
        for waiver in shown:
            if waiver.get("owner") is None and waiver.get("id") in owners:
                waiver["owner"] = owners[waiver["id"]]
