"""A misbehaving OPA for tests: a proxy in front of a real OPA server that spoils one answer.

Every request is forwarded to the real server, so uploads, read-backs and decisions are real;
the answer to the request the test aims at (by default the decision query) is replaced by what
a ``Misbehaviour`` writes: an error status, a broken body, a slow drip, an oversized stream or a
forged decision. Listens on 127.0.0.1 only; every loop is bounded.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import urlsplit

DECISIONS = ("POST", "/v1/data/govern/decisions")

Misbehaviour = Callable[["ProxyHandler", int, bytes], None]
"""Writes the whole raw answer, given the real server's status and body."""


class ProxyHandler(BaseHTTPRequestHandler):
    upstream: str = ""
    target: tuple[str, str] = DECISIONS
    misbehave: Misbehaviour | None = None
    before: Callable[[str], None] | None = None
    """Run (with the upstream URL) before the target request is forwarded: another writer."""

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        aimed_at = (self.command, self.path.split("?")[0]) == self.target
        if aimed_at and self.before is not None:
            type(self).before(self.upstream)  # type: ignore[misc]
        status, headers, answer = self._forward(body)
        if aimed_at and self.misbehave is not None:
            type(self).misbehave(self, status, answer)  # type: ignore[misc]
            self.close_connection = True
            return
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _handle

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(self.upstream)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def write_raw(self, data: bytes) -> bool:
        """Write bytes as they are; False once the client has gone."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            return False
        return True

    def log_message(self, *args: object) -> None:
        pass


class TamperingProxy:
    """A proxy on a free local port in front of ``upstream``, spoiling the ``target`` answer."""

    def __init__(self, upstream: str, misbehave: Misbehaviour | None = None,
                 target: tuple[str, str] = DECISIONS,
                 before: Callable[[str], None] | None = None) -> None:
        handler = type("Handler", (ProxyHandler,), {"upstream": upstream, "target": target,
                                                    "misbehave": misbehave, "before": before})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- misbehaviours


def head(status: int = 200, content_type: str = "application/json", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}", "Connection: close",
             *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(status: int, body: bytes, content_type: str = "application/json") -> Misbehaviour:
    """A complete answer of the wrong kind."""
    def write(handler: ProxyHandler, _: int, __: bytes) -> None:
        handler.write_raw(head(status, content_type, Content_Length=str(len(body))) + body)

    return write


def truncated(handler: ProxyHandler, _: int, real: bytes) -> None:
    """Declares the real length plus 1000 bytes, sends a little, and closes."""
    handler.write_raw(head(Content_Length=str(len(real) + 1000)) + real[:len(real) // 2])


def drip(delay: float, where: str = "body", limit: int = 200) -> Misbehaviour:
    """One byte every ``delay`` seconds (at most ``limit`` bytes), in the headers or the body."""
    def write(handler: ProxyHandler, _: int, real: bytes) -> None:
        whole = head(Content_Length=str(len(real))) + real
        if where == "body":
            start = whole.index(b"\r\n\r\n") + 4
            handler.write_raw(whole[:start])
            whole = whole[start:]
        for byte in whole[:limit]:
            if not handler.write_raw(bytes([byte])):
                return
            time.sleep(delay)

    return write


def oversized(megabytes: int, framing: str) -> Misbehaviour:
    """``megabytes`` MiB of JSON-looking bytes: declared up front, chunked, or ended by closing."""
    block = b" " * 2**20

    def write(handler: ProxyHandler, _: int, __: bytes) -> None:
        if framing == "declared":
            handler.write_raw(head(Content_Length=str(megabytes * 2**20)) + b"{")
            return
        extra = {"Transfer_Encoding": "chunked"} if framing == "chunked" else {}
        if not handler.write_raw(head(**extra)):
            return
        for _ in range(megabytes):
            data = b"%x\r\n%s\r\n" % (len(block), block) if framing == "chunked" else block
            if not handler.write_raw(data):
                return
        if framing == "chunked":
            handler.write_raw(b"0\r\n\r\n")

    return write


def forged(edit: Callable[[list[dict[str, Any]]], None]) -> Misbehaviour:
    """The real decisions, edited by ``edit`` (in place), sent back as a valid answer."""
    def write(handler: ProxyHandler, status: int, real: bytes) -> None:
        document = json.loads(real)
        edit(document["result"])
        body = json.dumps(document).encode()
        handler.write_raw(head(status, Content_Length=str(len(body))) + body)

    return write
