"""A city official logs in, sees only their city, switches language, logs out."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import build_cast
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_official_session(live_server: Any, page: Any) -> None:
    build_cast()
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/login/?next=/")
    assert page.locator("h1").inner_text() == "登录"

    page.fill("#id_username", "cast_city_a")
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")

    assert page.locator("#current-organisation").inner_text() == "昆明市人社局"
    rows = page.locator("#scope-organisations tbody tr td:first-child").all_inner_texts()
    assert sorted(rows) == sorted(["昆明市人社局", "昆明市鉴定中心", "机构A"])
    assert "曲靖" not in page.content()

    page.click("#switch-language")
    page.wait_for_selector("html[lang='en']")
    assert page.locator("#logout").inner_text() == "Log out"
    assert "Organisations in your scope" in page.content()

    page.click("#switch-language")
    page.wait_for_selector("html[lang='zh-hans']")
    page.click("#logout")
    page.wait_for_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    assert page.url.endswith("/login/?next=/")
