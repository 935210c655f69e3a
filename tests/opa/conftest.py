"""Fixtures for the OPA tests: a real OPA v1 binary and a server on a free local port.

Without an OPA binary and without Go, the tests skip saying how to enable them; under
``CI=true`` they fail instead, so CI never passes by skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from govern.backends.opa import OpaBackend
from govern.loading.catalog import Catalog
from govern.rego.bundle import build_bundle
from tests.opa.opa_binary import OpaServer, OpaUnavailable, ensure_opa
from tests.support import required_tool


@pytest.fixture(scope="session")
def opa_bin() -> Path:
    return required_tool("OPA", ensure_opa, OpaUnavailable)


@pytest.fixture(scope="session")
def opa_server(opa_bin: Path) -> Iterator[OpaServer]:
    """One empty server for the session; each backend uploads the policy set it decides with."""
    with OpaServer(opa_bin) as server:
        yield server


@pytest.fixture(scope="session")
def bundle_server(opa_bin: Path, catalog: Catalog, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[OpaServer]:
    """A server started with the bundled catalog's bundle (``--opa-mode bundle``)."""
    bundle = tmp_path_factory.mktemp("bundle") / "bundle.tar.gz"
    bundle.write_bytes(build_bundle(catalog))
    with OpaServer(opa_bin, "--bundle", str(bundle)) as server:
        yield server


@pytest.fixture
def opa_backend(opa_server: OpaServer) -> OpaBackend:
    return OpaBackend(opa_server.url)
