"""A real headless Chromium, driven over the DevTools protocol, for the HTML report's tests.

Why the protocol rather than ``chromium --dump-dom`` or ``--screenshot``: the tests must see
console errors, every network request and any alert a script would open, and click a cell;
only a live session shows those. It is a plain JSON-over-websocket exchange (the
``websocket-client`` package), every wait bounded by a deadline.

The browser is Debian's ``chromium``: found on ``PATH`` (or ``CHROMIUM``), installed with
apt-get when absent and running as root. Under ``CI=true`` a missing browser fails the run;
elsewhere the tests are skipped with a message saying how to enable them.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

from tests.support import ToolMissing, required_tool

INSTALL_HINT = ("the HTML report's browser tests need Debian's chromium: "
                "`apt-get install -y chromium` (or set CHROMIUM to a Chromium binary)")
TIMEOUT = 20.0
"""Seconds any one wait may take before the test fails."""
WIDTH, HEIGHT = 1400, 900
"""The window: a laptop screen."""


def chromium_binary() -> str:
    """The Chromium to run; installs Debian's when absent and allowed; ToolMissing when there
    is none."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        for step in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium"]):
            subprocess.run(step, check=False, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=600,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which("chromium")
    if found is None:
        raise ToolMissing(INSTALL_HINT)
    return found


class Browser:
    """One headless Chromium, listening for DevTools on a loopback port it picks itself."""

    def __init__(self, binary: str) -> None:
        self.profile = Path(tempfile.mkdtemp(prefix="govern-chromium-"))
        self.process = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             # any host name resolves nowhere: a page that tried the network would fail
             "--host-resolver-rules=MAP * ~NOTFOUND",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.port = self._port()

    def _port(self) -> int:
        marker = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    def new_page(self) -> Page:
        """A fresh tab, with the console, network and dialogs recorded."""
        import urllib.request

        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/json/new?about:blank",
                                         method="PUT")
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            target = json.load(answer)
        return Page(websocket.create_connection(target["webSocketDebuggerUrl"],
                                                timeout=TIMEOUT, suppress_origin=True))

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


@dataclass
class Page:
    """A tab: send DevTools commands, and keep every event that arrives meanwhile."""

    socket: websocket.WebSocket
    events: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 0

    def __post_init__(self) -> None:
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
                  deviceScaleFactor=1, mobile=False)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self.events.append(message)
                if message["method"] == "Page.javascriptDialogOpening":
                    # a dialog blocks the page: dismiss it, the test reads the event
                    self.socket.send(json.dumps({"id": 0, "method": "Page.handleJavaScriptDialog",
                                                 "params": {"accept": False}}))
        raise TimeoutError(f"no answer to {method}")

    def open(self, path: Path) -> None:
        """Load a file and wait until it has loaded."""
        self.send("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = [e for e in self.events if e["method"] == method]
            if found:
                return found[-1]
            self.send("Runtime.evaluate", expression="0")  # let events arrive
            time.sleep(0.02)
        raise TimeoutError(f"no {method} event")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def on(self, selector: str, expression: str) -> Any:
        """The value of ``expression`` about ``e``, the element ``selector`` names."""
        return self.evaluate(f"(e => {expression})(document.querySelector({json.dumps(selector)}))")

    def click(self, selector: str) -> None:
        """A real mouse click at the middle of the element ``selector`` names."""
        box = self.evaluate(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                            " e.scrollIntoView({block: 'center'});"
                            " const r = e.getBoundingClientRect();"
                            " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)

    def screenshot(self, path: Path) -> Path:
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def console_errors(self) -> list[str]:
        """Errors the page logged or threw, and any console.error call."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args"))[:500])
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e["method"] == "Network.requestWillBeSent"]

    def dialogs(self) -> list[str]:
        return [e["params"]["message"] for e in self.events
                if e["method"] == "Page.javascriptDialogOpening"]

    def close(self) -> None:
        self.socket.close()


def running_browser() -> Iterator[Browser]:
    """For a session fixture: one browser for every test, stopped at the end."""
    browser = Browser(required_tool("Chromium", chromium_binary))
    try:
        yield browser
    finally:
        browser.close()
