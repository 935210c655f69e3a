"""Fixtures of the CI tests: real tools installed from their registries when absent.

Without the tool (no npm, no network to the registry) a test skips saying how to enable it;
under ``CI=true`` it fails instead, so CI never passes by skipping.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import required_tool, sarif_multitool


@pytest.fixture(scope="session")
def multitool() -> Path:
    return required_tool("SARIF multitool", sarif_multitool)
