"""Complaints and reports through the services: submission (tracking number, handler,
working-day due date, anonymity, validation, the per-client limit) and handling (assign,
transfer, reply, decline, phone reveal), with refusals that write nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.personal import phone_index
from skillcert.supervision import complaints
from skillcert.supervision.choices import ComplaintKind, ComplaintStatus
from skillcert.supervision.models import Complaint, ComplaintFile
from skillcert.supervision.policies import policy_for
from skillcert.supervision.selectors_complaints import (
    complaint_by_tracking_number,
    complaint_list,
    overdue_working_days,
)
from tests.conftest import Cast, Refused
from tests.supervision.builders_complaints import ComplaintWorld, at, complaint_world, pdf_upload

TRACKING = re.compile(r"^TS\d{8}[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


@pytest.fixture
def world(cast: Cast) -> ComplaintWorld:
    return complaint_world(cast)


def _nothing_stored() -> None:
    assert Complaint.objects.count() == 0
    assert ComplaintFile.objects.count() == 0


# --- submission -------------------------------------------------------------------------


def test_a_complaint_about_an_institution_goes_to_its_city_with_a_random_number(
    world: ComplaintWorld,
) -> None:
    complaint = world.submit(files=[pdf_upload()])
    assert TRACKING.match(complaint.tracking_number), complaint.tracking_number
    assert complaint.tracking_number[2:10] == timezone.localdate().strftime("%Y%m%d")
    assert complaint.handler == world.cast.orgs["city_a"]
    assert complaint.status == ComplaintStatus.RECEIVED
    assert complaint.files.get().sha256 == complaint.files.get().sha256 != ""
    event = AuditEvent.objects.get(action="supervision.complaint_submit")
    assert event.actor_label == "public"
    assert event.actor_id is None
    assert event.organisation_id == world.cast.orgs["city_a"].pk
    assert event.changes["files"] == 1
    other = world.submit(institution=world.inst_b)
    assert other.handler == world.cast.orgs["city_b"]
    assert other.tracking_number[10:] != complaint.tracking_number[10:]


def test_without_an_institution_the_province_handles_it(world: ComplaintWorld) -> None:
    complaint = complaints.complaint_submit(
        province=world.province,
        kind=ComplaintKind.REPORT,
        subject_text="某培训机构",
        content="冒用评价机构名义收费并承诺包过，地点在昆明市。",
    )
    assert complaint.handler == world.cast.orgs["province_hr"]
    assert complaint.institution is None


def test_tracking_numbers_are_unique_and_unrelated(world: ComplaintWorld) -> None:
    numbers = {world.submit().tracking_number[10:] for _n in range(20)}
    assert len(numbers) == 20


def test_the_reply_is_due_in_working_days_across_national_day(
    world: ComplaintWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Received on 30 September 2026: 1–7 October are off, Saturday 10 October is worked.
    monkeypatch.setattr(timezone, "now", lambda: at(date(2026, 9, 30)))
    complaint = world.submit()
    assert complaint.due_on == date(2026, 10, 27)
    assert complaint.due_provisional is False
    assert complaint.tracking_number.startswith("TS20260930")
    policy = policy_for(world.province)
    policy.complaint_reply_working_days = 5
    policy.save()
    assert world.submit().due_on == date(2026, 10, 13)


def test_a_due_date_in_a_year_without_a_holiday_schedule_is_provisional(
    world: ComplaintWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "now", lambda: at(date(2040, 9, 28)))
    complaint = world.submit()
    assert complaint.due_provisional is True
    # Weekends and 1–3 October are off in the provisional rule.
    assert complaint.due_on == date(2040, 10, 24)


def test_an_anonymous_complaint_keeps_no_personal_data(world: ComplaintWorld) -> None:
    complaint = world.submit(complainant_name="", phone="")
    complaint.refresh_from_db()
    assert complaint.complainant_name == ""
    assert not complaint.complainant_phone
    assert complaint.complainant_phone_index == ""
    event = AuditEvent.objects.get(action="supervision.complaint_submit")
    assert event.changes["anonymous"] is True


def test_the_phone_is_stored_encrypted_with_its_blind_index(world: ComplaintWorld) -> None:
    complaint = world.submit(complainant_name="王五", phone="139 1234 5678")
    complaint.refresh_from_db()
    assert complaint.complainant_phone.plain == "13912345678"
    assert complaint.complainant_phone_index == phone_index("13912345678")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT complainant_phone FROM supervision_complaint WHERE id = %s", [complaint.pk]
        )
        (stored,) = cursor.fetchone()
    assert "13912345678" not in stored
    event = AuditEvent.objects.get(action="supervision.complaint_submit")
    assert "13912345678" not in str(event.changes)
    assert event.changes["anonymous"] is False


def test_a_bad_phone_is_refused_in_chinese_and_nothing_is_stored(
    world: ComplaintWorld, refused: Refused
) -> None:
    error = refused(
        DomainError, lambda: world.submit(phone="12345", files=[pdf_upload()]), "invalid_phone"
    )
    assert "电话号码格式不正确" in str(error.message)
    _nothing_stored()


def test_a_file_that_is_not_a_document_is_refused_and_nothing_is_stored(
    world: ComplaintWorld, refused: Refused
) -> None:
    fake = SimpleUploadedFile(
        "photo.pdf", b"not really a pdf at all", content_type="application/pdf"
    )
    error = refused(DomainError, lambda: world.submit(files=[pdf_upload(), fake]), code="file_type")
    assert "photo.pdf" in str(error.message)
    assert "只能上传PDF、JPEG或PNG文件" in str(error.message)
    _nothing_stored()


def test_more_than_three_files_are_refused(world: ComplaintWorld, refused: Refused) -> None:
    files = [pdf_upload(f"e{n}.pdf") for n in range(4)]
    error = refused(DomainError, lambda: world.submit(files=files), code="too_many_files")
    assert "最多上传3个" in str(error.message)
    _nothing_stored()
    assert world.submit(files=files[:3]).files.count() == 3


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "praise"}, "invalid_kind"),
        ({"subject_text": "  "}, "subject_required"),
        ({"subject_text": "甲" * 201}, "subject_too_long"),
        ({"content": "太短了"}, "content_too_short"),
        ({"content": "长" * 5001}, "content_too_long"),
        ({"complainant_name": "名" * 65}, "name_too_long"),
    ],
)
def test_invalid_submissions_are_refused(
    world: ComplaintWorld, refused: Refused, overrides: dict[str, Any], code: str
) -> None:
    refused(DomainError, lambda: world.submit(**overrides), code=code)
    _nothing_stored()


def test_the_institution_must_be_in_the_province(world: ComplaintWorld, refused: Refused) -> None:
    from skillcert.core.models import Region

    other = Region.objects.filter(level="province").exclude(code="530000").first()
    assert other is not None
    refused(
        DomainError,
        lambda: complaints.complaint_submit(
            province=other,
            kind=ComplaintKind.COMPLAINT,
            subject_text="机构A",
            content="这是一条关于外省机构的投诉内容。",
            institution=world.inst_a,
        ),
        code="invalid_institution",
    )


def test_submissions_are_limited_per_client(
    world: ComplaintWorld, refused: Refused, settings: Any
) -> None:
    settings.COMPLAINT_RATE_LIMIT = "2/3600"
    world.submit(client="203.0.113.7")
    world.submit(client="203.0.113.7")
    error = refused(DomainError, lambda: world.submit(client="203.0.113.7"), code="rate_limited")
    assert "提交过于频繁" in str(error.message)
    assert Complaint.objects.count() == 2
    world.submit(client="203.0.113.8")  # another client is not affected
    settings.COMPLAINT_RATE_LIMIT = "off"
    world.submit(client="203.0.113.7")
    assert Complaint.objects.count() == 4


# --- handling ---------------------------------------------------------------------------


def test_the_city_assigns_one_of_its_officials(world: ComplaintWorld, refused: Refused) -> None:
    cast = world.cast
    complaint = world.submit()
    done = complaints.complaint_assign(
        actor=cast.actor("city_a"), complaint=complaint, assignee=cast.users["city_a"]
    )
    assert done.status == ComplaintStatus.ASSIGNED
    assert done.assignee == cast.users["city_a"]
    event = AuditEvent.objects.get(action="supervision.complaint_assign")
    assert event.changes["assignee"] == [None, cast.users["city_a"].pk]
    # A province official may be given it too; a city B official may not.
    complaints.complaint_assign(
        actor=cast.actor("province"), complaint=complaint, assignee=cast.users["province"]
    )
    refused(
        DomainError,
        lambda: complaints.complaint_assign(
            actor=cast.actor("city_a"), complaint=complaint, assignee=cast.users["city_b"]
        ),
        code="invalid_assignee",
    )
    refused(
        DomainError,
        lambda: complaints.complaint_assign(
            actor=cast.actor("city_a"), complaint=complaint, assignee=cast.users["education"]
        ),
        code="invalid_assignee",
    )


@pytest.mark.parametrize("role", ["city_b", "education", "institution_a", "examiner", "candidate"])
def test_others_may_not_handle_it(world: ComplaintWorld, refused: Refused, role: str) -> None:
    cast = world.cast
    complaint = world.submit()
    actor = cast.actor(role)
    refused(
        PermissionDenied,
        lambda: complaints.complaint_assign(
            actor=actor, complaint=complaint, assignee=cast.users["city_a"]
        ),
    )
    refused(
        PermissionDenied,
        lambda: complaints.complaint_reply(
            actor=actor, complaint=complaint, reply="已核实。", upheld=False
        ),
    )
    refused(
        PermissionDenied,
        lambda: complaints.complaint_decline(actor=actor, complaint=complaint, reason="重复"),
    )
    refused(
        PermissionDenied,
        lambda: complaints.complaint_phone_reveal(actor=actor, complaint=complaint),
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_the_province_transfers_it_to_another_city(world: ComplaintWorld, refused: Refused) -> None:
    cast = world.cast
    complaint = world.submit()
    complaints.complaint_assign(
        actor=cast.actor("city_a"), complaint=complaint, assignee=cast.users["city_a"]
    )
    due = complaint.due_on
    refused(
        PermissionDenied,
        lambda: complaints.complaint_transfer(
            actor=cast.actor("city_a"), complaint=complaint, handler=cast.orgs["city_b"]
        ),
    )
    refused(
        DomainError,
        lambda: complaints.complaint_transfer(
            actor=cast.actor("province"), complaint=complaint, handler=cast.orgs["institution_b"]
        ),
        code="invalid_handler",
    )
    moved = complaints.complaint_transfer(
        actor=cast.actor("province"), complaint=complaint, handler=cast.orgs["city_b"]
    )
    assert moved.handler == cast.orgs["city_b"]
    assert moved.assignee is None
    assert moved.status == ComplaintStatus.RECEIVED
    assert moved.due_on == due
    assert complaints.can_handle(cast.actor("city_b"), moved)
    assert not complaints.can_handle(cast.actor("city_a"), moved)
    event = AuditEvent.objects.get(action="supervision.complaint_transfer")
    assert event.changes["handler"] == [cast.orgs["city_a"].pk, cast.orgs["city_b"].pk]


def test_a_reply_closes_it_once(world: ComplaintWorld, refused: Refused) -> None:
    cast = world.cast
    complaint = world.submit()
    refused(
        DomainError,
        lambda: complaints.complaint_reply(
            actor=cast.actor("city_a"), complaint=complaint, reply="  ", upheld=True
        ),
        code="reply_required",
    )
    done = complaints.complaint_reply(
        actor=cast.actor("city_a"),
        complaint=complaint,
        reply="经核实，情况属实，已立案处理。",
        upheld=True,
    )
    assert done.status == ComplaintStatus.REPLIED
    assert done.upheld is True
    assert done.replied_at is not None
    assert done.replied_by_label == cast.users["city_a"].display_name
    refused(
        InvalidTransition,
        lambda: complaints.complaint_reply(
            actor=cast.actor("city_a"), complaint=complaint, reply="再次答复", upheld=False
        ),
        code="closed",
    )
    refused(
        InvalidTransition,
        lambda: complaints.complaint_assign(
            actor=cast.actor("city_a"), complaint=complaint, assignee=cast.users["city_a"]
        ),
        code="closed",
    )


def test_declining_keeps_the_reason_as_the_reply(world: ComplaintWorld, refused: Refused) -> None:
    cast = world.cast
    complaint = world.submit()
    refused(
        DomainError,
        lambda: complaints.complaint_decline(
            actor=cast.actor("province"), complaint=complaint, reason=""
        ),
        code="reason_required",
    )
    done = complaints.complaint_decline(
        actor=cast.actor("province"), complaint=complaint, reason="不属于职业技能等级认定事项。"
    )
    assert done.status == ComplaintStatus.DECLINED
    assert done.reply == "不属于职业技能等级认定事项。"
    assert done.upheld is None


def test_revealing_the_phone_is_audited(world: ComplaintWorld) -> None:
    complaint = world.submit(phone="13912345678")
    value = complaints.complaint_phone_reveal(actor=world.cast.actor("city_a"), complaint=complaint)
    assert value == "13912345678"
    event = AuditEvent.objects.get(action="supervision.complaint_phone_reveal")
    assert event.actor_id == world.cast.users["city_a"].pk


# --- reading ----------------------------------------------------------------------------


def test_the_list_is_scoped_and_puts_overdue_first(world: ComplaintWorld) -> None:
    cast = world.cast
    a_late, a_fresh, b = world.submit(), world.submit(), world.submit(institution=world.inst_b)
    today = timezone.localdate()
    Complaint.objects.filter(pk=a_late.pk).update(due_on=today - timedelta(days=20))
    Complaint.objects.filter(pk=a_fresh.pk).update(due_on=today - timedelta(days=40))
    complaints.complaint_reply(
        actor=cast.actor("city_a"), complaint=a_fresh, reply="已答复。", upheld=False
    )
    rows = list(complaint_list(actor=cast.actor("city_a")))
    assert [c.pk for c in rows] == [a_late.pk, a_fresh.pk]  # a replied one is never overdue
    assert [c.pk for c in complaint_list(actor=cast.actor("city_b"))] == [b.pk]
    assert set(complaint_list(actor=cast.actor("province"))) == {a_late, a_fresh, b}
    assert list(complaint_list(actor=cast.actor("institution_a"))) == []
    overdue = complaint_list(actor=cast.actor("province"), overdue=True)
    assert [c.pk for c in overdue] == [a_late.pk]
    replied = complaint_list(actor=cast.actor("province"), status=ComplaintStatus.REPLIED)
    assert [c.pk for c in replied] == [a_fresh.pk]
    a_late.refresh_from_db()
    assert overdue_working_days(a_late, today) > 0
    a_fresh.refresh_from_db()
    assert overdue_working_days(a_fresh, today) == 0


def test_the_status_look_up_forgives_case_and_spaces_only(world: ComplaintWorld) -> None:
    complaint = world.submit()
    number = complaint.tracking_number
    spaced = f" {number[:6].lower()} {number[6:12]}-{number[12:].lower()} "
    assert complaint_by_tracking_number(spaced) == complaint
    assert complaint_by_tracking_number(number[:-1]) is None
    wrong = number[:-1] + ("2" if number[-1] != "2" else "3")
    assert complaint_by_tracking_number(wrong) is None
    assert complaint_by_tracking_number("") is None


# --- the demo ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_adds_one_replied_and_one_open_complaint_once() -> None:
    from skillcert.catalog.demo import seed_catalog_demo
    from skillcert.core.demo import seed_demo
    from skillcert.institutions.demo import seed_institutions_demo
    from skillcert.supervision.demo_complaints import seed_complaints_demo

    seed_demo()
    seed_catalog_demo()
    seed_institutions_demo()
    line = seed_complaints_demo()
    assert line == "Complaints: 2 added (1 replied); status page /public/complaints/status/"
    replied = Complaint.objects.get(status=ComplaintStatus.REPLIED)
    assert replied.institution is not None
    assert replied.institution.name == "滇池职业技术学校（演示）"
    assert replied.handler.name == "昆明市人力资源和社会保障局"
    assert replied.upheld is True
    still_open = Complaint.objects.get(status=ComplaintStatus.ASSIGNED)
    assert still_open.handler.name == "曲靖市人力资源和社会保障局"
    assert still_open.complainant_name == ""
    events = AuditEvent.objects.count()
    assert seed_complaints_demo() is None
    assert Complaint.objects.count() == 2
    assert AuditEvent.objects.count() == events
