"""Fixtures for every test: the bundled catalog and running the real CLI.

Only fixtures: what tests import (REPO, AS_OF, RunLine, …) is in tests/support.py.
"""

from __future__ import annotations

import os

import pytest

from govern.loading import yaml_source
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from govern.loading.yaml_composers import COMPOSERS
from tests.support import RunLine, run_govern


@pytest.fixture(scope="session", autouse=True)
def catalog_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The CLI's validated-catalog cache lives in the session's temporary directory, not in
    the user's ~/.cache; every CLI test runs with it (a wrong hit would change its output)."""
    os.environ["GOVERN_CACHE"] = str(tmp_path_factory.mktemp("catalog-cache"))


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog([bundled_root()])


@pytest.fixture
def run_line() -> RunLine:
    """Run ``govern`` with a list of arguments, as a user would; stderr kept apart."""
    return run_govern


@pytest.fixture(params=sorted(COMPOSERS))
def each_yaml_composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once with each YAML composer govern has (libyaml's C one where PyYAML has
    it, and the pure-Python fallback): every refusal must hold on both."""
    name: str = request.param
    monkeypatch.setattr(yaml_source, "composer", name)
    return name
