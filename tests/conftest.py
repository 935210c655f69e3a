"""Shared fixtures: the repository, the bundled catalog, and running the real CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from govern.cli import main
from govern.loading import yaml_source
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from govern.loading.yaml_composers import COMPOSERS

REPO = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 23)
"""The date every test decides as of, so results do not change with the calendar."""


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog([bundled_root()])


RunLine = Callable[..., Result]


@pytest.fixture
def run_line() -> RunLine:
    """Run ``govern`` with a list of arguments, as a user would; stderr kept apart."""

    def run(args: list[str], **kwargs: object) -> Result:
        runner = CliRunner()
        return runner.invoke(main, args, catch_exceptions=False, **kwargs)  # type: ignore[arg-type]

    return run


@pytest.fixture(params=sorted(COMPOSERS))
def each_yaml_composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once with each YAML composer govern has (libyaml's C one where PyYAML has
    it, and the pure-Python fallback): every refusal must hold on both."""
    name: str = request.param
    monkeypatch.setattr(yaml_source, "composer", name)
    return name
