"""The dashboard page and its Excel export over HTTP: scoping, refusals, filters, the
workbook's numbers and a bounded number of queries."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.core.models import AuditEvent
from skillcert.stats import views_dashboard
from skillcert.stats.aggregates import rebuild_all
from skillcert.stats.selectors_dashboard import Filters, dashboard
from tests.conftest import Cast
from tests.stats.builders_stats import StatsWorld, build_stats

URL = reverse("stats-dashboard")
EXPORT = reverse("stats-dashboard-export")
PAGE_QUERIES = 13  # on PostgreSQL: session, user and navigation, then the figures
SQLITE_EXTRA = 7  # a GROUP BY per breakdown instead of one GROUPING SETS query


@pytest.fixture
def sw(cast: Cast) -> StatsWorld:
    world = build_stats(cast)
    rebuild_all("530000")
    return world


def test_the_province_reads_the_dashboard(sw: StatsWorld) -> None:
    response = sw.cast.client("province").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="total-certificates">15<' in html
    assert 'id="total-pass-rate">65.2%<' in html
    assert "数据更新时间" in html
    assert 'id="stats-stale">0<' in html
    assert 'id="stats-data"' in html
    assert "vendor/echarts.min.js" in html
    assert 'id="table-institutions"' in html
    assert 'id="stats-students"' in html
    assert response["Cache-Control"] == "private, no-store"


def test_city_b_sees_only_its_city(sw: StatsWorld) -> None:
    html = sw.cast.client("city_b").get(URL).content.decode()
    assert "机构B" in html
    assert "机构A" not in html
    assert sw.inst_c.organisation.name not in html
    assert 'name="city"' not in html  # no city filter below the province


def test_an_institution_sees_only_itself(sw: StatsWorld) -> None:
    html = sw.cast.client("institution_a").get(URL).content.decode()
    assert "机构A" in html
    assert "机构B" not in html
    assert 'id="stats-students"' not in html


def test_education_officials_see_no_institution_table(sw: StatsWorld) -> None:
    html = sw.cast.client("education").get(URL).content.decode()
    assert 'id="table-institutions"' not in html
    assert 'id="stats-students"' in html


@pytest.mark.parametrize("role", ["candidate", "examiner"])
@pytest.mark.parametrize("url", [URL, EXPORT])
def test_other_roles_are_refused(sw: StatsWorld, role: str, url: str) -> None:
    before = AuditEvent.objects.count()
    assert sw.cast.client(role).get(url).status_code == 403
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_anonymous_goes_to_login(sw: StatsWorld, url: str) -> None:
    response = sw.cast.client("anonymous").get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_posting_is_not_allowed(sw: StatsWorld) -> None:
    assert sw.cast.client("province").post(URL).status_code == 405


def test_filters_narrow_the_figures(sw: StatsWorld) -> None:
    client = sw.cast.client("province")
    html = client.get(URL, {"year": "2024", "city": "530100"}).content.decode()
    # Kunming in 2024: institution A's two batches.
    assert 'id="total-certificates">5<' in html
    assert 'id="total-results">9<' in html
    # An unknown choice is shown as an error and ignored.
    response = client.get(URL, {"year": "1999", "level": "5"})
    assert response.status_code == 200
    assert 'id="total-certificates">7<' in response.content.decode()


def test_the_workbook_has_the_pages_numbers(sw: StatsWorld) -> None:
    response = sw.cast.client("province").get(EXPORT, {"year": "2025"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "总体",
        "按地市",
        "按职业",
        "按等级",
        "按机构类型",
        "按月份",
        "职业等级合格率",
        "学生取证",
        "学校取证覆盖",
        "评价机构",
    ]
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters(year=2025))
    totals = [c.value for c in book["总体"][2]]
    assert totals[1] == 2025
    assert totals[2:10] == [
        board.totals.certificates,
        board.totals.valid,
        board.totals.revoked,
        board.totals.students,
        board.totals.results,
        board.totals.passed,
        board.totals.failed,
        board.totals.void,
    ]
    cities = {row[0]: row[1] for row in book["按地市"].iter_rows(min_row=2, values_only=True)}
    assert cities == {r.label: r.tally.certificates for r in board.by_city}
    institutions = {
        row[0]: (row[3], row[7], row[13], row[12])
        for row in book["评价机构"].iter_rows(min_row=2, values_only=True)
    }
    assert board.institutions is not None
    assert institutions == {
        i.name: (i.tally.certificates, i.tally.results, i.credit_grade or None, i.credit_score)
        for i in board.institutions
    }
    students = [c.value for c in book["学生取证"][2]]
    assert board.students is not None
    assert students[:3] == [2025, board.students.graduating, board.students.certified]


def test_city_bs_workbook_holds_only_its_city(sw: StatsWorld) -> None:
    response = sw.cast.client("city_b").get(EXPORT)
    book = load_workbook(io.BytesIO(response.content))
    cities = [row[0] for row in book["按地市"].iter_rows(min_row=2, values_only=True)]
    assert cities == ["曲靖市"]
    names = [row[0] for row in book["评价机构"].iter_rows(min_row=2, values_only=True)]
    assert names == ["机构B"]


def test_long_tables_show_the_largest_rows_and_the_export_holds_all(
    sw: StatsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views_dashboard, "INSTITUTIONS_SHOWN", 1)
    monkeypatch.setattr(views_dashboard, "SCHOOLS_SHOWN", 1)
    client = sw.cast.client("province")
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters())
    assert board.institutions is not None
    assert board.students is not None
    assert len(board.institutions) == 3
    assert len(board.students.schools) == 2
    html = client.get(URL).content.decode()
    table = html[html.index('id="table-institutions"') : html.index('id="institutions-more"')]
    top = board.institutions[0]
    assert table.count("<tr data-key=") == 1
    assert f'<tr data-key="{top.pk}"><td>{top.name}</td>' in table
    assert "发证数最多的1家评价机构；其余2家见导出的Excel。" in html
    biggest = max(board.students.schools, key=lambda r: r["graduating"])
    schools = html[html.index('id="table-schools"') : html.index('id="schools-more"')]
    assert schools.count("<tr><td>") == 1
    assert f"<tr><td>{biggest['school']}</td><td>{biggest['graduating']}</td>" in schools
    assert "毕业生人数最多的1所学校；其余1所见导出的Excel。" in html
    book = load_workbook(io.BytesIO(client.get(EXPORT).content))
    names = {row[0] for row in book["评价机构"].iter_rows(min_row=2, values_only=True)}
    assert names == {i.name for i in board.institutions}
    schools_sheet = [row[0] for row in book["学校取证覆盖"].iter_rows(min_row=2, values_only=True)]
    assert schools_sheet == [r["school"] for r in board.students.schools]


def test_short_tables_are_shown_whole(sw: StatsWorld) -> None:
    html = sw.cast.client("province").get(URL).content.decode()
    table = html[
        html.index('id="table-institutions"') : html.index(
            "</table>", html.index('id="table-institutions"')
        )
    ]
    assert table.count("<tr data-key=") == 3
    assert 'id="institutions-more"' not in html
    assert 'id="schools-more"' not in html


def test_the_page_costs_a_bounded_number_of_queries(
    sw: StatsWorld, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client = sw.cast.client("province")
    client.get(URL)  # warm the session
    # The figures' share: see test_dashboard.py (one GROUPING SETS pass on PostgreSQL).
    limit = PAGE_QUERIES + (0 if connection.vendor == "postgresql" else SQLITE_EXTRA)
    with django_assert_max_num_queries(limit):
        assert client.get(URL, {"year": "2025"}).status_code == 200
    with django_assert_max_num_queries(limit):
        assert client.get(URL).status_code == 200
