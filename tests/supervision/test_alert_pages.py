"""The early-warning pages over HTTP: who reads them, the list's order, filters and counts,
the detail's evidence links, assignment, closure, the scan button and the Excel export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from openpyxl import load_workbook

from skillcert.core.models import AuditEvent
from skillcert.supervision.choices import AlertClosure, AlertRule, AlertStatus
from skillcert.supervision.models import Alert
from skillcert.supervision.selectors_alerts import evidence_url
from tests.conftest import CAST_ROLES, Cast
from tests.supervision.matrix_alerts import alert_of_a, supervision_alerts_matrix

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", sorted(supervision_alerts_matrix()))
def test_access(cast: Cast, name: str) -> None:
    kwargs_for, expected = supervision_alerts_matrix()[name]
    url = reverse(name, kwargs=kwargs_for(cast))
    seen = {role: cast.client(role).get(url).status_code for role in CAST_ROLES}
    assert seen == expected


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _detail(alert: Alert) -> str:
    return reverse("supervision-alert-detail", args=[alert.pk])


# ---------------------------------------------------------------- the list


def test_the_list_shows_open_alerts_first_with_counts(cast: Cast) -> None:
    closed = alert_of_a(cast, "k:closed", "已经办结的预警")
    Alert.objects.filter(pk=closed.pk).update(status=AlertStatus.CLOSED)
    open_ = alert_of_a(cast, "k:open", "尚未办结的预警")
    response = cast.client("city_a").get(reverse("supervision-alerts"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("尚未办结的预警") < body.index("已经办结的预警")
    assert f'id="alert-{open_.pk}" data-status="open"' in body
    counts = response.context["counts"]
    row = next(c for c in counts if c.rule == AlertRule.OUT_OF_SCOPE)
    assert (row.open, row.total) == (1, 2)
    assert response["Cache-Control"] == "private, no-store"


def test_city_b_lists_none_of_city_a_alerts(cast: Cast) -> None:
    alert_of_a(cast)
    response = cast.client("city_b").get(reverse("supervision-alerts"))
    assert response.status_code == 200
    assert "矩阵测试预警" not in response.content.decode()
    assert 'id="no-alerts"' in response.content.decode()


def test_the_list_filters_by_status_and_rule(cast: Cast) -> None:
    closed = alert_of_a(cast, "k:closed", "已经办结的预警")
    Alert.objects.filter(pk=closed.pk).update(status=AlertStatus.CLOSED)
    alert_of_a(cast, "k:open", "尚未办结的预警")
    client = cast.client("province")
    body = client.get(reverse("supervision-alerts"), {"status": "closed"}).content.decode()
    assert "已经办结的预警" in body
    assert "尚未办结的预警" not in body
    body = client.get(reverse("supervision-alerts"), {"rule": "pass_rate"}).content.decode()
    assert "已经办结的预警" not in body
    assert 'id="no-alerts"' in body


def test_the_list_filters_by_institution(cast: Cast) -> None:
    alert = alert_of_a(cast)
    client = cast.client("province")
    response = client.get(reverse("supervision-alerts"), {"institution": alert.institution_id})
    assert "矩阵测试预警" in response.content.decode()
    # An institution not in the choices is an invalid filter: the list is unfiltered.
    response = client.get(reverse("supervision-alerts"), {"institution": 999999})
    assert "矩阵测试预警" in response.content.decode()


def test_the_list_does_not_query_per_row(cast: Cast) -> None:
    alert_of_a(cast, "k:0")
    client = cast.client("province")
    url = reverse("supervision-alerts")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 6):
        alert_of_a(cast, f"k:{n}")
    with CaptureQueriesContext(connection) as six:
        response = client.get(url)
    assert len(response.context["page"]) == 6
    assert len(six) == len(one)


# ---------------------------------------------------------------- the detail


def test_the_detail_links_evidence_to_the_records(cast: Cast) -> None:
    alert = alert_of_a(cast)
    response = cast.client("city_a").get(_detail(alert))
    body = response.content.decode()
    assert reverse("institution-detail", args=[alert.institution_id]) in body
    assert "<td>测试</td>" in body  # a line without a record: plain text
    assert 'id="assign-form"' in body
    try:
        case_url = reverse("supervision-case-new")
    except NoReverseMatch:
        assert 'id="alert-to-case"' not in body
    else:
        assert f"{case_url}?alert={alert.pk}" in body


def test_the_province_reads_but_a_closed_alert_has_no_forms(cast: Cast) -> None:
    alert = alert_of_a(cast)
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.CLOSED)
    body = cast.client("province").get(_detail(alert)).content.decode()
    assert "矩阵测试预警" in body
    assert 'id="assign-form"' not in body
    assert 'id="close-form"' not in body


# ---------------------------------------------------------------- assign and close


def test_the_city_assigns_over_http(cast: Cast) -> None:
    alert = alert_of_a(cast)
    url = reverse("supervision-alert-assign", args=[alert.pk])
    response = cast.client("city_a").post(url, {"assignee": cast.users["city_a"].pk})
    assert response.status_code == 302
    assert response["Location"] == _detail(alert)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ASSIGNED
    assert alert.assignee == cast.users["city_a"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("city_b", 404), ("education", 403), ("institution_a", 403), ("candidate", 403)],
)
def test_others_cannot_assign_or_close(cast: Cast, role: str, status: int) -> None:
    alert = alert_of_a(cast)
    before = AuditEvent.objects.count()
    client = cast.client(role)
    assign = reverse("supervision-alert-assign", args=[alert.pk])
    close = reverse("supervision-alert-close", args=[alert.pk])
    assert client.post(assign, {"assignee": cast.users["city_a"].pk}).status_code == status
    assert client.post(close, {"closure": "explained", "note": "无"}).status_code == status
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert AuditEvent.objects.count() == before


def test_anonymous_posts_go_to_the_login(cast: Cast) -> None:
    alert = alert_of_a(cast)
    response = Client().post(reverse("supervision-alert-close", args=[alert.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_assignee_out_of_scope_is_refused_with_a_message(cast: Cast) -> None:
    alert = alert_of_a(cast)
    url = reverse("supervision-alert-assign", args=[alert.pk])
    response = cast.client("province").post(url, {"assignee": cast.users["city_b"].pk})
    assert response.status_code == 302
    assert _messages(response)  # not among the choices: a form error
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_closing_needs_a_note(cast: Cast) -> None:
    alert = alert_of_a(cast)
    url = reverse("supervision-alert-close", args=[alert.pk])
    client = cast.client("city_a")
    response = client.post(url, {"closure": AlertClosure.EXPLAINED, "note": ""})
    assert _messages(response)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    response = client.post(url, {"closure": AlertClosure.EXPLAINED, "note": "核实无问题"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    body = client.get(_detail(alert)).content.decode()
    assert "核实无问题" in body
    assert 'id="close-form"' not in body


# ---------------------------------------------------------------- scan and export


def test_the_province_scans_now(cast: Cast) -> None:
    url = reverse("supervision-alerts-scan")
    assert cast.client("city_a").post(url).status_code == 403
    assert cast.client("education").post(url).status_code == 403
    response = cast.client("province").post(url)
    assert response.status_code == 302
    assert any("预警扫描已完成" in m for m in _messages(response))
    assert AuditEvent.objects.filter(action="supervision.alerts_scan").count() == 1
    body = cast.client("province").get(reverse("supervision-alerts")).content.decode()
    assert 'id="scan-now"' in body
    body = cast.client("city_a").get(reverse("supervision-alerts")).content.decode()
    assert 'id="scan-now"' not in body


def test_the_export_lists_the_filtered_alerts(cast: Cast) -> None:
    alert_of_a(cast, "k:a", "=危险公式预警")
    response = cast.client("city_a").get(reverse("supervision-alerts-export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号"
    assert len(rows) == 2
    assert rows[1][5] == "'=危险公式预警"  # formula-safe
    response = cast.client("city_b").get(reverse("supervision-alerts-export"))
    other = load_workbook(io.BytesIO(response.content)).active
    assert other is not None
    assert len(list(other.iter_rows())) == 1


def test_evidence_urls_map_record_types_to_their_pages() -> None:
    assert evidence_url("batches.batch", 5) == reverse("batch-detail", args=[5])
    assert evidence_url("enrollment.application", "7") == reverse("application-detail", args=[7])
    assert evidence_url("certificates.certificate", 3) == reverse("certificates-detail", args=[3])
    assert evidence_url("exams.sitting", 2) == reverse("sitting-scores", args=[2])
    assert evidence_url("batches.session", 4) == reverse("proctor-record", args=[4])
    assert evidence_url("results.batchresults", 999999) == ""  # no such record
    assert evidence_url("unknown.thing", 1) == ""
    assert evidence_url("batches.batch", "") == ""
