"""The real ``yaml-language-server`` (the engine of VS Code's YAML extension), driven over its
language-server protocol (JSON-RPC on stdio), as an editor drives it.

Found, or installed once with npm, at a pinned version under
``${XDG_CACHE_HOME:-~/.cache}/govern/npm/yaml-language-server-VERSION``. Without node and npm
the caller decides: skip locally, fail under ``CI=true`` (see conftest.py). Every wait is
bounded; the server is shut down (and killed if it does not exit) when the block ends.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

SERVER_VERSION = "1.19.2"
HOW_TO_ENABLE = ("install Node.js 18+ with npm (https://nodejs.org) so the tests can install "
                 f"yaml-language-server@{SERVER_VERSION}, or set YAML_LANGUAGE_SERVER to its "
                 "bin/yaml-language-server script")
SETTINGS = {"yaml": {"validate": True, "completion": True, "hover": True,
                     "schemaStore": {"enable": False}, "format": {"enable": False}}}
"""The editor's settings: no schema store (no network), validation and completion on."""


class ServerUnavailable(Exception):
    """No yaml-language-server, and npm cannot install one here."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govern" / "npm" / f"yaml-language-server-{SERVER_VERSION}"


def _server_script(prefix: Path) -> Path:
    return prefix / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"


def ensure_server() -> list[str]:
    """The command that starts the server on stdio, installing it with npm the first time."""
    node = shutil.which("node")
    if node is None:
        raise ServerUnavailable(f"no node on PATH; {HOW_TO_ENABLE}")
    if env := os.environ.get("YAML_LANGUAGE_SERVER"):
        return [node, env, "--stdio"]
    script = _server_script(cache_dir())
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise ServerUnavailable(f"no npm on PATH; {HOW_TO_ENABLE}")
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache_dir()),
             f"yaml-language-server@{SERVER_VERSION}"],
            check=False, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not script.is_file():
            raise ServerUnavailable(f"npm install failed: {done.stderr[-2000:]}; "
                                    f"{HOW_TO_ENABLE}")
    return [node, str(script), "--stdio"]


def _read_message(stream: IO[bytes]) -> dict[str, Any] | None:
    """One framed message (``Content-Length: N`` headers, a blank line, N bytes of JSON)."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        return None
    body = stream.read(length)
    message: dict[str, Any] = json.loads(body)
    return message


class LanguageServer:
    """A running server and a minimal client: requests, notifications, diagnostics."""

    def __init__(self, command: list[str], root: Path, timeout: float = 60.0) -> None:
        self.command = command
        self.root = root
        self.timeout = timeout
        self._next_id = 0
        self._version = 0
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.diagnostics: dict[str, list[list[dict[str, Any]]]] = {}
        """Every publishDiagnostics by document URI, in the order received."""
        self._process: subprocess.Popen[bytes] | None = None
        self.settings: dict[str, Any] = SETTINGS
        """What the client answers when the server asks for its configuration."""

    def __enter__(self) -> Self:
        self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        threading.Thread(target=self._read_all, daemon=True).start()
        self.request("initialize", {
            "processId": os.getpid(), "rootUri": self.root.as_uri(),
            "capabilities": {"workspace": {"configuration": True},
                             "textDocument": {"completion": {"completionItem": {}},
                                              "publishDiagnostics": {}}}})
        self.notify("initialized", {})
        self.configure(SETTINGS)
        return self

    def configure(self, settings: dict[str, Any]) -> None:
        """Change the editor's settings, as a user editing settings.json does."""
        self.settings = settings
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        process = self._process
        assert process is not None
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            process.wait(timeout=10)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    def _read_all(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while (message := _read_message(self._process.stdout)) is not None:
            self._inbox.put(message)
        self._inbox.put(None)  # the server is gone

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process is not None and self._process.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self._process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
        self._process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def _answer(self, message: dict[str, Any]) -> None:
        """Reply to a request from the server: its settings when asked, else null."""
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self.settings.get(item.get("section", ""))
                      for item in message["params"]["items"]]
        self._send({"id": message["id"], "result": result})

    def _pump(self, done: Callable[[dict[str, Any]], bool], deadline: float) -> dict[str, Any]:
        """Handle messages until one satisfies ``done``; TimeoutError at the deadline."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("yaml-language-server did not answer in time")
            try:
                message = self._inbox.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise TimeoutError("yaml-language-server exited")
            if "method" in message and "id" in message:
                self._answer(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self.diagnostics.setdefault(params["uri"], []).append(params["diagnostics"])
            if done(message):
                return message

    def request(self, method: str, params: Any, timeout: float | None = None) -> Any:
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params})
        answer = self._pump(lambda m: m.get("id") == request_id and "method" not in m,
                            time.monotonic() + (timeout or self.timeout))
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return answer.get("result")

    def open(self, path: Path, text: str | None = None) -> str:
        """didOpen ``path`` (with ``text``, default its content); returns its URI."""
        uri = path.resolve().as_uri()
        self.diagnostics.pop(uri, None)
        content = path.read_text(encoding="utf-8") if text is None else text
        # A fresh version on every open: with 1.19.2, a document reopened at the version it
        # was closed with got no new validation (an empty publication only).
        self._version += 1
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": self._version, "text": content}})
        return uri

    def settled_diagnostics(self, uri: str, settle: float = 0.5) -> list[dict[str, Any]]:
        """The last diagnostics published for ``uri`` once none came for ``settle`` seconds
        (the first publication is awaited up to the timeout)."""
        deadline = time.monotonic() + self.timeout
        if not self.diagnostics.get(uri):
            self._pump(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"]["uri"] == uri, deadline)
        while True:
            seen = len(self.diagnostics[uri])
            try:
                self._pump(lambda m: False, min(deadline, time.monotonic() + settle))
            except TimeoutError:
                if time.monotonic() >= deadline or len(self.diagnostics[uri]) == seen:
                    return self.diagnostics[uri][-1]

    def close(self, uri: str) -> None:
        """didClose, and wait for the server to clear the document's diagnostics, so that
        clearing is not taken for the diagnostics of the document opened next at that URI."""
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        try:
            self._pump(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                       and m["params"]["uri"] == uri and m["params"]["diagnostics"] == [],
                       time.monotonic() + 5)
        except TimeoutError:
            pass  # a server that does not clear on close leaves nothing stale to confuse
        self.diagnostics.pop(uri, None)

    def completion_labels(self, uri: str, line: int, character: int) -> list[str]:
        result = self.request("textDocument/completion", {
            "textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
        items = result.get("items", []) if isinstance(result, dict) else (result or [])
        return [item["label"] for item in items]
