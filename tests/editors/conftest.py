"""Fixtures for the editor tests: the real yaml-language-server, started once per session.

Without node and npm the tests skip saying how to enable them; under ``CI=true`` they fail
instead, so CI never passes by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.editors.language_server import LanguageServer, ServerUnavailable, ensure_server
from tests.support import REPO


@pytest.fixture(scope="session")
def server_command() -> list[str]:
    try:
        return ensure_server()
    except ServerUnavailable as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no yaml-language-server: {e}", pytrace=False)
        pytest.skip(str(e))


@pytest.fixture(scope="session")
def language_server(server_command: list[str]) -> Iterator[LanguageServer]:
    """One server for the session, its workspace the repository."""
    with LanguageServer(server_command, REPO) as server:
        yield server
