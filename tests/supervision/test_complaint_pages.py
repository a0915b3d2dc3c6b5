"""The complaint pages over HTTP: the public form and status page, the officials' list,
export and detail, with the refusals of each role."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from skillcert.core.models import AuditEvent
from skillcert.supervision import complaints
from skillcert.supervision.choices import ComplaintStatus
from skillcert.supervision.models import Complaint, ComplaintFile
from tests.conftest import Cast
from tests.supervision.builders_complaints import ComplaintWorld, complaint_world, pdf_upload

NEW = reverse("public-complaint-new")
STATUS = reverse("public-complaint-status")
LIST = reverse("supervision-complaints")
EXPORT = reverse("supervision-complaints-export")
QUERIES = 5  # session, user, membership, count, page


@pytest.fixture
def world(cast: Cast) -> ComplaintWorld:
    return complaint_world(cast)


def _detail(complaint: Complaint) -> str:
    return reverse("supervision-complaint-detail", kwargs={"pk": complaint.pk})


def _form(world: ComplaintWorld, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "province": world.province.pk,
        "kind": "report",
        "institution": world.inst_a.pk,
        "subject_text": "机构A考务人员",
        "content": "考试期间考务人员替考生答题，多名考生可以作证。",
        "complainant_name": "",
        "phone": "",
    }
    data.update(overrides)
    return data


def _text(response: Any) -> str:
    return str(response.content.decode())


# --- the public form ----------------------------------------------------------------------


def test_the_public_submits_anonymously_and_is_shown_the_number_to_keep(
    world: ComplaintWorld,
) -> None:
    client = Client()
    form = client.get(NEW)
    assert form.status_code == 200
    assert world.inst_a.name in _text(form)  # listed institutions may be named
    response = client.post(NEW, {**_form(world), "evidence": [pdf_upload()]})
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    page = _text(response)
    assert f'id="tracking-number">{complaint.tracking_number}<' in page
    assert "请抄写或截图保存此查询编号" in page
    assert response["Cache-Control"] == "private, no-store"
    assert complaint.tracking_number not in response.get("Location", "")
    assert complaint.handler == world.cast.orgs["city_a"]
    assert complaint.complainant_name == ""
    assert complaint.files.count() == 1


def test_a_bad_phone_is_answered_in_chinese_and_nothing_is_stored(world: ComplaintWorld) -> None:
    response = Client().post(NEW, {**_form(world), "phone": "0000", "evidence": [pdf_upload()]})
    assert response.status_code == 400
    assert "电话号码格式不正确" in _text(response)
    assert Complaint.objects.count() == 0
    assert ComplaintFile.objects.count() == 0


def test_a_bad_file_is_answered_in_chinese_and_nothing_is_stored(world: ComplaintWorld) -> None:
    fake = SimpleUploadedFile("scan.png", b"GIF89a not a png", content_type="image/png")
    response = Client().post(NEW, {**_form(world), "evidence": [fake]})
    assert response.status_code == 400
    assert "只能上传PDF、JPEG或PNG文件" in _text(response)
    assert Complaint.objects.count() == 0
    assert ComplaintFile.objects.count() == 0


def test_a_missing_field_is_a_form_error(world: ComplaintWorld) -> None:
    response = Client().post(NEW, _form(world, content=""))
    assert response.status_code == 400
    assert Complaint.objects.count() == 0


def test_the_form_is_limited_per_client(world: ComplaintWorld, settings: Any) -> None:
    settings.COMPLAINT_RATE_LIMIT = "1/3600"
    client = Client(REMOTE_ADDR="198.51.100.20")
    assert client.post(NEW, _form(world)).status_code == 200
    second = client.post(NEW, _form(world))
    assert second.status_code == 429
    assert "提交过于频繁" in _text(second)
    assert Complaint.objects.count() == 1
    assert Client(REMOTE_ADDR="198.51.100.21").post(NEW, _form(world)).status_code == 200


# --- the public status page -------------------------------------------------------------


def test_the_status_page_shows_progress_then_the_reply(world: ComplaintWorld) -> None:
    complaint = world.submit()
    client = Client()
    assert client.get(STATUS).status_code == 200
    response = client.post(STATUS, {"tracking_number": complaint.tracking_number.lower()})
    assert response.status_code == 200
    page = _text(response)
    assert 'id="status-state">已受理<' in page
    assert 'id="status-kind">投诉<' in page
    assert f'id="status-due">{complaint.due_on:%Y-%m-%d}' in page
    assert "status-reply" not in page
    assert complaint.tracking_number not in page  # not echoed back
    assert response["Cache-Control"] == "private, no-store"
    complaints.complaint_reply(
        actor=world.cast.actor("city_a"),
        complaint=complaint,
        reply="经核实，已责令该机构整改。",
        upheld=True,
    )
    page = _text(client.post(STATUS, {"tracking_number": complaint.tracking_number}))
    assert 'id="status-state">已答复<' in page
    assert "经核实，已责令该机构整改。" in page
    assert 'id="status-upheld">投诉举报属实<' in page


@pytest.mark.parametrize("number", ["TS20260101ABCDEFGH", "ts-nonsense", "X" * 40])
def test_a_wrong_number_gets_the_one_neutral_answer(world: ComplaintWorld, number: str) -> None:
    world.submit()
    response = Client().post(STATUS, {"tracking_number": number})
    assert response.status_code == 404
    assert "未查询到该编号的投诉举报，请核对查询编号。" in _text(response)
    assert "complaint-status" not in _text(response)


def test_the_status_page_is_limited_per_client(world: ComplaintWorld, settings: Any) -> None:
    settings.VERIFY_RATE_LIMIT = "2/60"
    complaint = world.submit()
    client = Client()
    for _n in range(2):
        assert client.post(STATUS, {"tracking_number": "TS20260101ABCDEFGH"}).status_code == 404
    refused = client.post(STATUS, {"tracking_number": complaint.tracking_number})
    assert refused.status_code == 429
    assert "complaint-status" not in _text(refused)


# --- the officials' pages ---------------------------------------------------------------


def test_each_city_lists_its_own_complaints_overdue_first(world: ComplaintWorld) -> None:
    cast = world.cast
    fresh, late = world.submit(), world.submit(subject_text="逾期的投诉")
    b = world.submit(institution=world.inst_b, subject_text="机构B的投诉")
    Complaint.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=30))
    page = _text(cast.client("city_a").get(LIST))
    ids = re.findall(r'<tr id="complaint-(\d+)"', page)
    assert ids == [str(late.pk), str(fresh.pk)]
    assert re.search(rf'<tr id="complaint-{late.pk}" class="overdue">', page)
    assert "已逾期" in page
    assert b.tracking_number not in page
    assert b.tracking_number in _text(cast.client("city_b").get(LIST))
    province = _text(cast.client("province").get(LIST))
    assert all(c.tracking_number in province for c in (fresh, late, b))
    only_late = _text(cast.client("city_a").get(LIST, {"overdue": "on"}))
    assert re.findall(r'<tr id="complaint-(\d+)"', only_late) == [str(late.pk)]
    replied = _text(cast.client("city_a").get(LIST, {"status": ComplaintStatus.REPLIED}))
    assert "no-complaints" in replied


@pytest.mark.parametrize("role", ["education", "institution_a", "examiner", "candidate"])
def test_others_are_refused_the_list(world: ComplaintWorld, role: str) -> None:
    world.submit()
    assert world.cast.client(role).get(LIST).status_code == 403
    assert world.cast.client(role).get(EXPORT).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world: ComplaintWorld) -> None:
    complaint = world.submit()
    for url in (LIST, EXPORT, _detail(complaint)):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


@pytest.mark.parametrize("n", [3, 8])
def test_the_list_reads_a_fixed_number_of_queries(
    world: ComplaintWorld, django_assert_num_queries: Any, n: int
) -> None:
    today = timezone.localdate()
    for k in range(n):
        complaint = world.submit()
        # Open ones with their own due dates, in the future: no overdue count to make.
        Complaint.objects.filter(pk=complaint.pk).update(due_on=today + timedelta(days=k + 1))
    client = world.cast.client("city_a")
    client.get(LIST)  # warm the session
    with django_assert_num_queries(QUERIES):
        assert client.get(LIST).status_code == 200


def test_the_export_lists_the_scope_without_submitters(world: ComplaintWorld) -> None:
    a = world.submit(complainant_name="赵六", phone="13812345678")
    b = world.submit(institution=world.inst_b)
    response = world.cast.client("city_a").get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "查询编号"
    assert [r[0] for r in rows[1:]] == [a.tracking_number]
    flat = str(rows)
    assert "赵六" not in flat
    assert "13812345678" not in flat
    assert b.tracking_number not in flat


def test_city_b_gets_404_for_city_a_complaint(world: ComplaintWorld) -> None:
    complaint = world.submit(files=[pdf_upload()])
    client = world.cast.client("city_b")
    assert client.get(_detail(complaint)).status_code == 404
    response = client.post(
        _detail(complaint), {"action": "reply", "reply-upheld": "1", "reply-reply": "x"}
    )
    assert response.status_code == 404
    file_url = reverse(
        "supervision-complaint-file",
        kwargs={"pk": complaint.pk, "file_pk": complaint.files.get().pk},
    )
    assert client.get(file_url).status_code == 404
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


@pytest.mark.parametrize("role", ["education", "institution_a", "candidate"])
def test_others_are_refused_the_detail(world: ComplaintWorld, role: str) -> None:
    complaint = world.submit()
    client = world.cast.client(role)
    assert client.get(_detail(complaint)).status_code == 403
    response = client.post(_detail(complaint), {"action": "decline", "decline-reason": "不管"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_the_city_assigns_and_replies_on_the_detail_page(world: ComplaintWorld) -> None:
    cast = world.cast
    complaint = world.submit(complainant_name="钱七", phone="13712345678", files=[pdf_upload()])
    client = cast.client("city_a")
    page = _text(client.get(_detail(complaint)))
    assert "137****5678" in page
    assert "13712345678" not in page
    assert 'id="transfer"' not in page  # cities do not transfer
    response = client.post(
        _detail(complaint), {"action": "assign", "assign-assignee": cast.users["city_a"].pk}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ASSIGNED
    revealed = _text(client.post(_detail(complaint), {"action": "reveal"}))
    assert "13712345678" in revealed
    assert AuditEvent.objects.filter(action="supervision.complaint_phone_reveal").count() == 1
    file_row = complaint.files.get()
    download = client.get(
        reverse("supervision-complaint-file", kwargs={"pk": complaint.pk, "file_pk": file_row.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    client.post(
        _detail(complaint),
        {"action": "reply", "reply-upheld": "0", "reply-reply": "经核实，未发现违规。"},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.REPLIED
    assert complaint.upheld is False
    page = _text(client.get(_detail(complaint)))
    assert "经核实，未发现违规。" in page
    assert 'id="reply"' not in page  # closed: no more forms


def test_a_refusal_on_the_detail_page_is_a_message(world: ComplaintWorld) -> None:
    complaint = world.submit()
    client = world.cast.client("city_a")
    response = client.post(
        _detail(complaint),
        {"action": "assign", "assign-assignee": world.cast.users["city_b"].pk},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0].startswith("承办人：")  # city B's official is not among the choices
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.assignee is None


def test_the_province_transfers_on_the_detail_page(world: ComplaintWorld) -> None:
    cast = world.cast
    complaint = world.submit()
    client = cast.client("province")
    assert 'id="transfer"' in _text(client.get(_detail(complaint)))
    client.post(
        _detail(complaint), {"action": "transfer", "transfer-handler": cast.orgs["city_b"].pk}
    )
    complaint.refresh_from_db()
    assert complaint.handler == cast.orgs["city_b"]
    assert cast.client("city_a").get(_detail(complaint)).status_code == 404
    assert cast.client("city_b").get(_detail(complaint)).status_code == 200


def test_declining_on_the_detail_page(world: ComplaintWorld) -> None:
    complaint = world.submit()
    client = world.cast.client("city_a")
    client.post(_detail(complaint), {"action": "decline", "decline-reason": "重复投诉。"})
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.DECLINED
    page = _text(Client().post(STATUS, {"tracking_number": complaint.tracking_number}))
    assert 'id="status-state">不予受理<' in page
    assert "重复投诉。" in page
