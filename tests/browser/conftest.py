"""Browser fixtures: Debian's Chromium driven by Playwright against the local stack (one stack
per session, shared with the e2e suite; one browser per session, a fresh context per test).

The console is served by the stack's gateway from web/dist (`make setup` builds it). Screenshots
of each page go to docs/screenshots/ (the README shows them).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.browser_console import CHROMIUM, CHROMIUM_ARGS, WEB_DIST, Console
from tests.stack_fixtures import *  # noqa: F403  (its fixtures, found by name)
from tests.stack_fixtures import Api, Tenant

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert (WEB_DIST / "index.html").exists(), "the console is not built: run `make web`"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def console(page: Page, api_url: str, tenant: Tenant, api: Api) -> Console:
    return Console(page, api_url, tenant, api)
