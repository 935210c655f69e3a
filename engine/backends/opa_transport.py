"""HTTP to an OPA server with two hard limits: a deadline per request and a size cap per answer.

requests' ``timeout`` bounds each socket operation, not a request: a server that sends one byte
a second never trips it, and an answer of any size is read into memory. Here every socket
operation of a request (connect, TLS handshake, each send, each receive, the status line and
headers included) is given only the time left until the request's deadline, and the answer is
streamed and counted against ``max_bytes``: a ``Content-Length`` over the cap is refused before
the body is read, and a body without one (chunked, or ended by closing) is refused as soon as it
passes the cap.

The deadline reaches the socket through a context variable set for the duration of one
``BoundedAdapter.send``; sockets of this module's connection classes read it before each
operation. Name resolution is the one step not bounded (OPA is addressed by IP or a local name).
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_ANSWER_BYTES = 64 * 2**20
"""The largest OPA answer govern reads (64 MiB): a decision batch (BATCH_SIZE, 100) is far below it."""
READ_CHUNK = 64 * 1024

_DEADLINE: ContextVar[float | None] = ContextVar("govern_opa_deadline", default=None)
"""time.monotonic() by which the request in progress must be complete, if any."""


class AnswerRefused(requests.RequestException):
    """The answer is larger than the cap or declares an invalid length; it was not read in full."""


class RequestTimedOut(requests.Timeout):
    """The request did not complete, connect to last byte, within its deadline."""


def _time_left() -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out (request deadline passed)")
    return left


def _arm(sock: socket.socket) -> None:
    """Give the next operation on ``sock`` only the time left to the deadline."""
    left = _time_left()
    if left is not None:
        sock.settimeout(left)


class _DeadlineReader(io.RawIOBase):
    """The socket's raw file, each receive armed with the time left to the deadline."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self._sock = sock
        # makefile, not recv on the socket: the file keeps the socket open after http.client
        # hands the connection over to the response (HTTP/1.0, Connection: close)
        self._raw: Any = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        _arm(self._sock)
        count: int = self._raw.readinto(buffer)
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocketView:
    """What http.client.HTTPResponse asks of a socket: a file to read the answer from."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock))


class _DeadlineResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(_DeadlineSocketView(sock), *args, **kwargs)  # type: ignore[arg-type]


class _DeadlineConnectionMixin:
    """Arms the socket before the TLS handshake and before every send."""

    sock: socket.socket | None
    response_class: Any = _DeadlineResponse

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _arm(sock)  # the TLS handshake (if any) gets only what the TCP connect left
        return sock

    def send(self, data: Any) -> None:
        if self.sock is not None:
            _arm(self.sock)
        super().send(data)  # type: ignore[misc]


class _DeadlineHTTPConnection(_DeadlineConnectionMixin, HTTPConnection):
    pass


class _DeadlineHTTPSConnection(_DeadlineConnectionMixin, HTTPSConnection):
    pass


class _DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class BoundedAdapter(HTTPAdapter):
    """A transport adapter giving each request ``timeout`` seconds in all and reading at most
    ``max_bytes`` of its answer. No retries: a failure is reported at once, with its cause."""

    def __init__(self, timeout: float, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.total_timeout = timeout
        self.max_bytes = max_bytes
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool,
                                                   "https": _DeadlineHTTPSPool}

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: bool | str = True, cert: Any = None,
             proxies: dict[str, str] | None = None) -> requests.Response:
        deadline = time.monotonic() + self.total_timeout
        token = _DEADLINE.set(deadline)
        try:
            response = super().send(request, stream=True, timeout=self.total_timeout,
                                    verify=verify, cert=cert, proxies=proxies)
            try:
                response._content = self._read_body(response)
            finally:
                response.close()
            return response
        except (requests.RequestException, OSError) as e:
            if time.monotonic() >= deadline and not isinstance(e, AnswerRefused):
                raise RequestTimedOut(f"no complete answer within {self.total_timeout:g}s "
                                      "(timed out)", request=request) from e
            raise
        finally:
            _DEADLINE.reset(token)

    def _read_body(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared is not None:
            if not (declared.strip().isascii() and declared.strip().isdigit()):
                raise AnswerRefused(f"invalid Content-Length {declared[:40]!r}; not read")
            if int(declared) > self.max_bytes:
                raise AnswerRefused(f"answer of {int(declared)} bytes (Content-Length) is over "
                                     f"the {_size(self.max_bytes)} cap; not read")
        body = bytearray()
        for chunk in response.iter_content(READ_CHUNK):
            body += chunk
            if len(body) > self.max_bytes:
                raise AnswerRefused(f"answer is over the {_size(self.max_bytes)} cap; "
                                     "stopped reading")
        return bytes(body)


def _size(n: int) -> str:
    return f"{n // 2**20} MiB" if n % 2**20 == 0 else f"{n} bytes"


def bounded_session(timeout: float, *, token: str | None = None,
                    ca_bundle: Path | None = None,
                    max_bytes: int = MAX_ANSWER_BYTES) -> requests.Session:
    """A session for one OPA server: bounded requests, the bearer token, the CA bundle.

    It ignores the environment (proxies, REQUESTS_CA_BUNDLE, .netrc): what govern sends where
    is decided by its own settings only.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = BoundedAdapter(timeout, max_bytes)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    # identity: an answer's size on the wire is its size in memory (no compression bombs)
    session.headers["Accept-Encoding"] = "identity"
    if token is not None:
        session.headers["Authorization"] = f"Bearer {token}"
    session.verify = str(ca_bundle) if ca_bundle is not None else True
    return session


def tls_context_problem(ca_bundle: Path) -> str | None:
    """Why ``ca_bundle`` cannot serve as a CA bundle, or None when it loads."""
    try:
        ssl.create_default_context(cafile=str(ca_bundle))
    except (OSError, ssl.SSLError, ValueError) as e:
        return f"not a readable PEM CA bundle ({getattr(e, 'strerror', None) or e})"
    return None
