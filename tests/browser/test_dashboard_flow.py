"""The statistics dashboard in Chromium: the province's official opens 统计分析, the
ECharts charts draw (a canvas in each), no script error or CSP refusal occurs; they
filter to Qujing and the totals follow; the Excel export downloads with the same
figures.

The records are written by the statistics builder and aggregated once before the page
is opened (the refresh task is tested on its own)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from skillcert.stats.aggregates import rebuild_all
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.stats.builders_stats import build_stats

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _console(errors: list[str], message: Any) -> None:
    """Console errors, except failed loads (checked as responses, where the favicon's
    404 is told apart). htmx's own indicator style is switched off in base.html, so a
    CSP refusal of any inline style counts as an error here."""
    text = message.text
    if message.type != "error":
        return
    if text.startswith("Failed to load resource"):
        return
    errors.append(text)


def test_the_province_reads_charts_filters_by_city_and_exports(live_server: Any, page: Any) -> None:
    build_stats(build_cast())
    rebuild_all("530000")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: _console(errors, message))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    base = live_server.url

    log_in(page, base, "cast_province")
    page.goto(f"{base}/stats/")
    expect(page.locator("h1")).to_have_text("统计分析")
    expect(page.locator("#total-certificates")).to_have_text("15")
    for chart in ("city", "month", "level", "type", "occupation", "schools"):
        expect(page.locator(f"#chart-{chart} canvas").first).to_be_attached()
    box = page.locator("#chart-city canvas").first.bounding_box()
    assert box is not None
    assert box["height"] > 100
    expect(page.locator("#table-city tbody tr")).to_have_count(2)

    page.select_option("#id_city", "530300")
    page.click("#stats-apply")
    expect(page.locator("#total-certificates")).to_have_text("7")
    expect(page.locator("#table-city tbody tr")).to_have_count(1)
    expect(page.locator("#table-city tbody tr td").first).to_have_text("曲靖市")
    expect(page.locator("#chart-city canvas").first).to_be_attached()

    with page.expect_download() as info:
        page.click("#stats-export")
    path = info.value.path()
    assert path is not None
    book = load_workbook(io.BytesIO(Path(path).read_bytes()))
    totals = [c.value for c in book["总体"][2]]
    assert totals[2] == 7  # certificates in Qujing
    assert [r[0] for r in book["按地市"].iter_rows(min_row=2, values_only=True)] == ["曲靖市"]
    assert errors == []
