"""Chromium through Playwright for the browser tests: Debian's own build, never a downloaded one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

# Playwright's sync API keeps an event loop running in this thread; Django refuses database
# work from a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
BROWSER_TESTS_DIR = Path(__file__).resolve().parent
ARTIFACTS_DIR = BROWSER_TESTS_DIR.parents[1] / "test-artifacts" / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items, so only those under tests/browser are marked.
    for item in items:
        if BROWSER_TESTS_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's Chromium is missing at {CHROMIUM}; scripts/test installs it "
            "(apt-get install chromium). Browsers are never downloaded.",
            pytrace=False,
        )
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context, so no cookies or storage leak between tests."""
    context = browser.new_context(viewport=DESKTOP_VIEWPORT)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go: test-artifacts/browser/ at the repository root (git-ignored)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


# The signed-in crawl of every page, shared by the tests that visit them all.
from tests.browser.crawl import every_page  # noqa: E402, F401
