"""A local HTTP service for OPA: a bundle service (GET) and a decision-log receiver (POST).

Listens on 127.0.0.1 only. Used by the decision-log tests and by
``benchmarks/bench_decision_log.py``; independent of the engine package.
"""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar


class _Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    uploads: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:  # the bundle service
        body = self.files.get(self.path.split("?")[0])
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def do_POST(self) -> None:  # the decision-log receiver: gzipped JSON arrays of events
        length = int(self.headers.get("Content-Length", "0"))
        self.uploads.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


class LocalService:
    """One HTTP server on 127.0.0.1: serves ``files`` on GET, records POSTed bodies."""

    def __init__(self, files: dict[str, bytes]) -> None:
        handler = type("Handler", (_Handler,), {"files": files, "uploads": []})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.uploads: list[bytes] = handler.uploads
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def serve(self, path: str, body: bytes) -> None:
        """Serve ``body`` at ``path`` from now on (a bundle service publishing a new bundle)."""
        self.server.RequestHandlerClass.files[path] = body  # type: ignore[attr-defined]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def events_of(service: LocalService) -> list[dict[str, Any]]:
    return [event for upload in list(service.uploads)
            for event in json.loads(gzip.decompress(upload))]
