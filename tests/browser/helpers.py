"""Steps the browser tests share."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page: Any, base: str, username: str) -> None:
    """Sign in through the login page with the test password."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#logout")).to_be_visible()
