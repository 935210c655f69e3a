"""Find (or build) a real OPA v1 binary and run it as a server: for the tests and benchmarks.

Order: ``OPA_BIN``; ``opa`` on PATH if it is OPA v1; the cache
``${XDG_CACHE_HOME:-~/.cache}/govern/opa/v1.22.2/opa``; else build it there with
``go install github.com/open-policy-agent/opa@v1.22.2`` (pinned). Without Go the caller
decides: skip locally, fail under ``CI=true`` (see conftest.py).

Independent of the engine package on purpose, so the benchmark can import it too.
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Self

OPA_VERSION = "v1.22.2"
OPA_MODULE = "github.com/open-policy-agent/opa"
HOW_TO_ENABLE = ("install Go (https://go.dev/dl/) so the tests can build OPA "
                 f"{OPA_VERSION}, or set OPA_BIN to an OPA v1 binary")


class OpaUnavailable(Exception):
    """No OPA binary, and none can be built here."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govern" / "opa" / OPA_VERSION


def _is_opa_v1(binary: str) -> bool:
    try:
        out = subprocess.run([binary, "version"], check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "Version: 1." in out.stdout


def find_opa() -> Path | None:
    """An existing OPA v1 binary, or None."""
    if env := os.environ.get("OPA_BIN"):
        return Path(env)  # the user's explicit choice: used as is, errors show up loudly
    on_path = shutil.which("opa")
    if on_path and _is_opa_v1(on_path):
        return Path(on_path)
    cached = cache_dir() / "opa"
    return cached if cached.is_file() and os.access(cached, os.X_OK) else None


def build_opa() -> Path:
    """``go install`` the pinned OPA into the cache directory."""
    go = shutil.which("go")
    if go is None:
        raise OpaUnavailable(f"no OPA binary found and Go is not installed: {HOW_TO_ENABLE}")
    target = cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([go, "install", f"{OPA_MODULE}@{OPA_VERSION}"],
                            env={**os.environ, "GOBIN": str(target)}, check=False,
                            capture_output=True, text=True, timeout=1800)
    if result.returncode != 0 or not (target / "opa").is_file():
        raise OpaUnavailable(f"building OPA {OPA_VERSION} failed:\n{result.stderr[-2000:]}")
    return target / "opa"


def ensure_opa() -> Path:
    return find_opa() or build_opa()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OpaServer:
    """``opa run --server`` on a free local port, until ``stop()``.

    With ``tls=(certificate, key)`` it serves https, and ``ca_file`` is what the health check
    trusts; ``/health`` must be open to anonymous requests when an authz policy is loaded.
    """

    def __init__(self, binary: Path, *extra_args: str, tls: tuple[Path, Path] | None = None,
                 ca_file: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        if tls is not None:
            extra_args = (*extra_args, "--tls-cert-file", str(tls[0]),
                          "--tls-private-key-file", str(tls[1]))
        self._context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None
        self.process = subprocess.Popen(
            [str(binary), "run", "--server", "--addr", f"127.0.0.1:{self.port}",
             "--log-level", "error", "--disable-telemetry", *extra_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"opa exited with {self.process.returncode}: "
                                   f"{self.process.stderr.read() if self.process.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{self.url}/health?bundles=true", timeout=1,
                                            context=self._context):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"opa at {self.url} did not become healthy within {timeout}s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
