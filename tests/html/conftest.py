"""Fixtures for the HTML report's tests: one headless Chromium for the session, a fresh tab
per test. Without Chromium the browser tests skip saying how to enable them; under
``CI=true`` they fail instead."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.html.chromium import Browser, Page, running_browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    yield from running_browser()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    tab = browser.new_page()
    try:
        yield tab
    finally:
        tab.close()
