"""Chromium through Playwright: Debian's ``chromium`` on PATH, never a downloaded browser.

Without a browser these tests skip, unless SKILLCERT_BROWSER_REQUIRED=1 (CI), where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls
# happen in another thread, but fixtures here touch the ORM alongside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = _chromium_path()
    if path is None:
        if os.environ.get("SKILLCERT_BROWSER_REQUIRED") == "1":
            pytest.fail("Chromium is required (SKILLCERT_BROWSER_REQUIRED=1) but not on PATH")
        pytest.skip("Chromium not on PATH; install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[Callable[[], Any]]:
    """Pages in fresh browser contexts (another person, another session)."""
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context(locale="zh-CN")  # type: ignore[attr-defined]
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()
