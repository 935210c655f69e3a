"""Fixtures for the editor tests: the real yaml-language-server, started once per session.

Without node and npm the tests skip saying how to enable them; under ``CI=true`` they fail
instead, so CI never passes by skipping them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.editors.language_server import LanguageServer, ServerUnavailable, ensure_server
from tests.support import REPO, required_tool


@pytest.fixture(scope="session")
def server_command() -> list[str]:
    return required_tool("yaml-language-server", ensure_server, ServerUnavailable)


@pytest.fixture(scope="session")
def language_server(server_command: list[str]) -> Iterator[LanguageServer]:
    """One server for the session, its workspace the repository."""
    with LanguageServer(server_command, REPO) as server:
        yield server
