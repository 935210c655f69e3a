"""Fixtures for every test: the bundled catalog and running the real CLI.

Only fixtures: what tests import (REPO, AS_OF, RunLine, …) is in tests/support.py.
"""

from __future__ import annotations

import pytest

from govern.loading.catalog import Catalog, bundled_root, load_catalog
from tests.support import RunLine, run_govern


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog([bundled_root()])


@pytest.fixture
def run_line() -> RunLine:
    """Run ``govern`` with a list of arguments, as a user would; stderr kept apart."""
    return run_govern
