"""The batch's states: filing, the centre's decision, enrollment, sessions and the freeze."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from skillcert.batches import selectors
from skillcert.batches.choices import BatchStatus, Component, SessionStatus, StaffRole
from skillcert.batches.models import Batch, Room, Session
from skillcert.batches.services import plan, workflow
from skillcert.batches.validation import plan_filing_due
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, HolidaySchedule
from skillcert.institutions.choices import DirectoryStatus, InstitutionType
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.services import lifecycle
from tests.batches.conftest import Kit, at, build_kit, more_examiners
from tests.conftest import Cast
from tests.institutions.conftest import set_type

Refused = Callable[..., Any]


def _file(kit: Kit, batch: Batch) -> Batch:
    return workflow.batch_file(actor=kit.admin, batch=batch)


# ---------------------------------------------------------------- filing


def test_file(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    filed = _file(kit, batch)
    assert filed.status == BatchStatus.FILED
    assert filed.filed_at is not None
    # Enrollment closes 20 days from now and the sessions are 10 days later: the day
    # before the first session comes before 30 working days.
    assert filed.filing_due == batch.enrollment_closes + timedelta(days=9)
    assert not filed.filing_due_provisional
    assert not selectors.is_filing_overdue(filed)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.changes["overdue"]) == ("batch.file", False)
    assert event.changes["before"] == {"status": "draft"}


def test_a_plan_with_errors_is_refused_with_every_error_listed(kit: Kit, refused: Refused) -> None:
    batch = kit.batch(theory_weight=Decimal(50))
    kit.session(batch, Component.THEORY, minutes=60)
    error = refused(DomainError, lambda: _file(kit, batch), code="plan_invalid")
    message = error.message
    assert message.startswith("认定计划未通过校验，不能报备：1. ")
    for expected in (
        "各科权重之和应为100%，现为120%",
        "尚未安排操作技能考核场次",
        "时长60分钟，少于规定的90分钟",
        "需要至少2名监考人员，现有0名",
        "需要至少3名合格的考评人员（单数），现有0名",
        "尚未安排内部质量督导员",
        "尚未安排考务人员",
    ):
        assert expected in message
    assert error.check.codes >= {"weights_sum", "theory_too_short", "proctors_short"}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    assert batch.filed_at is None


def _refusal(kit: Kit, refused: Refused, batch: Batch, code: str) -> str:
    error = refused(DomainError, lambda: _file(kit, batch), code="plan_invalid")
    assert code in error.check.codes, error.check.codes
    message: str = error.message
    return message


def test_refused_out_of_scope(kit: Kit, refused: Refused) -> None:
    batch = kit.complete(kit.batch())
    entry = kit.inst.filing.entries.get()
    entry.is_active = False
    entry.save()
    message = _refusal(kit, refused, batch, "out_of_scope")
    assert "该机构未备案 车工（6-18-01-01）五级/初级工" in message


def test_refused_over_the_level_cap(kit: Kit, refused: Refused) -> None:
    batch = kit.complete(kit.batch(3))
    set_type(kit.inst, InstitutionType.HIGHER_VOCATIONAL)
    assert _file(kit, batch).status == BatchStatus.FILED  # levels ≤ 3 are allowed
    other = kit.complete(kit.batch(2))
    message = _refusal(kit, refused, other, "over_level_cap")
    assert "高等职业学校只能开展三级/高级工及以下等级的认定" in message


def test_refused_for_a_suspended_institution(kit: Kit, refused: Refused) -> None:
    batch = kit.complete(kit.batch())
    lifecycle.institution_suspend(
        actor=kit.centre,
        institution=kit.inst,
        reason="整改",
        rectification_due=kit.today + timedelta(days=30),
    )
    batch.refresh_from_db()
    message = _refusal(kit, refused, batch, "suspended")
    assert "该机构已被暂停评价" in message


def test_refused_for_an_expired_filing(kit: Kit, refused: Refused) -> None:
    batch = kit.complete(kit.batch())
    kit.inst.filing.valid_until = kit.today
    kit.inst.filing.save()
    Institution.objects.filter(pk=kit.inst.pk).update(status=DirectoryStatus.EXPIRED)
    batch.refresh_from_db()
    message = _refusal(kit, refused, batch, "expired")
    assert f"该机构备案已于{kit.today.isoformat()}到期" in message


@pytest.mark.parametrize(
    ("breakage", "code", "text"),
    [
        ("proctor", "proctors_short", "需要至少2名监考人员，现有1名"),
        ("examiner", "examiners_short", "需要至少3名合格的考评人员（单数），现有2名"),
        ("even", "examiners_even", "考评人员应为单数，现有4名"),
        ("supervisor", "supervisor_missing", "尚未安排内部质量督导员"),
        ("room", "room_capacity", "座位合计20个，少于计划人数30人"),
        ("weights", "weights_sum", "各科权重之和应为100%，现为80%"),
        ("duration", "practical_too_short", "少于规定的120分钟"),
    ],
)
def test_refused_short_of_staff_rooms_or_time(
    kit: Kit, refused: Refused, breakage: str, code: str, text: str
) -> None:
    batch = kit.complete(kit.batch())
    if breakage == "proctor":
        batch.assignments.filter(role=StaffRole.PROCTOR).first().delete()  # type: ignore[union-attr]
    elif breakage == "examiner":
        batch.assignments.filter(role=StaffRole.EXAMINER).first().delete()  # type: ignore[union-attr]
    elif breakage == "even":
        kit.assign(batch, more_examiners(kit, 1)[0], StaffRole.EXAMINER)
    elif breakage == "supervisor":
        batch.assignments.filter(role=StaffRole.INTERNAL_SUPERVISOR).delete()
    elif breakage == "room":
        Batch.objects.filter(pk=batch.pk).update(planned_candidates=30)
    elif breakage == "weights":
        Batch.objects.filter(pk=batch.pk).update(theory_weight=Decimal(10))
    elif breakage == "duration":
        Session.objects.filter(batch=batch, component=Component.PRACTICAL).update(
            duration_minutes=100
        )
    batch.refresh_from_db()
    assert text in _refusal(kit, refused, batch, code)


def test_refused_for_an_unqualified_examiner(kit: Kit, refused: Refused) -> None:
    batch = kit.complete(kit.batch(2))
    kit.examiners[0].qualifications.update(highest_level=4)
    message = _refusal(kit, refused, batch, "examiner_unqualified")
    assert f"{kit.examiners[0].full_name}没有 车工（6-18-01-01）二级/技师 的考评资格" in message


def test_file_refusals(kit: Kit, refused: Refused) -> None:
    batch = kit.complete(kit.batch())
    for role in ("city_a", "province", "institution_b", "education", "examiner", "candidate"):
        refused(
            PermissionDenied,
            lambda role=role: workflow.batch_file(actor=kit.cast.actor(role), batch=batch),
        )
    _file(kit, batch)
    refused(InvalidTransition, lambda: _file(kit, batch), code="invalid_state")


# ---------------------------------------------------------------- the due date


def test_due_date_across_the_2026_national_day_holiday(cast: Cast) -> None:
    """Enrollment closes on Friday 2026-09-25 (中秋节, a day off). Working days after it:
    28–30 Sep (3); 1–7 Oct off (国庆节、中秋节); 8, 9 Oct and the make-up Saturday 10 Oct
    (6); then five a week: 16, 23, 30 Oct, 6 Nov (26) and 9–12 Nov (30) → Thursday
    2026-11-12. Counting weekdays alone would give 2026-11-06."""
    kit = build_kit(cast, approved_on=date(2026, 1, 5))
    batch = kit.batch(opens=date(2026, 9, 1), closes=date(2026, 9, 25))
    due = plan_filing_due(batch, date(2026, 12, 1))
    assert (due.due, due.provisional) == (date(2026, 11, 12), False)
    # The day before the first session wins when it comes first.
    assert plan_filing_due(batch, date(2026, 11, 10)).due == date(2026, 11, 9)
    kit.complete(batch)
    Session.objects.filter(batch=batch, component=Component.THEORY).update(
        starts_at=at(date(2026, 12, 1), 9)
    )
    Session.objects.filter(batch=batch, component=Component.PRACTICAL).update(
        starts_at=at(date(2026, 12, 1), 14)
    )
    filed = _file(kit, batch)
    assert (filed.filing_due, filed.filing_due_provisional) == (date(2026, 11, 12), False)


def test_due_date_in_a_year_without_a_holiday_schedule_is_provisional(cast: Cast) -> None:
    kit = build_kit(cast, approved_on=date(2026, 1, 5))
    # A year neither the library nor a loaded schedule covers.
    HolidaySchedule.objects.filter(year__in=[2035, 2036]).delete()
    batch = kit.batch(opens=date(2035, 12, 1), closes=date(2035, 12, 18))
    due = plan_filing_due(batch, date(2036, 6, 1))
    assert due.provisional
    assert due.due.year == 2036
    assert not plan_filing_due(batch, date(2035, 12, 20)).provisional  # the day before wins


def test_a_late_filing_is_accepted_and_flagged(cast: Cast) -> None:
    # Enrollment closed 100 days ago; the plan is filed only now (sessions in 10 days).
    kit = build_kit(cast, approved_on=timezone.localdate() - timedelta(days=200))
    batch = kit.batch(opens=kit.today - timedelta(days=120), closes=kit.today - timedelta(days=100))
    for component in (Component.THEORY, Component.PRACTICAL):
        hour = 9 if component == Component.THEORY else 14
        kit.session(batch, component, starts_at=at(kit.today + timedelta(days=10), hour))
    theory = batch.sessions.get(component=Component.THEORY)
    for proctor in kit.proctors[:2]:
        kit.assign(batch, proctor, StaffRole.PROCTOR, theory)
    for member in kit.examiners[:3]:
        kit.assign(batch, member, StaffRole.EXAMINER)
    kit.assign(batch, kit.supervisor, StaffRole.INTERNAL_SUPERVISOR)
    kit.assign(batch, kit.exam_staff, StaffRole.EXAM_STAFF)
    assert selectors.is_filing_overdue(batch)  # a draft past its due date
    filed = _file(kit, batch)
    assert filed.status == BatchStatus.FILED
    assert filed.filing_due is not None
    assert filed.filing_due < kit.today
    assert selectors.is_filing_overdue(filed)
    assert AuditEvent.objects.latest("seq").changes["overdue"] is True
    on_time = kit.filed()
    queue = list(selectors.batch_queue(actor=kit.centre))
    assert [b.pk for b in queue] == [filed.pk, on_time.pk]  # late filings first
    assert [b.overdue for b in queue] == [True, False]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the centre's decision


def test_approve(kit: Kit) -> None:
    batch = kit.filed()
    approved = workflow.batch_approve(actor=kit.centre, batch=batch)
    assert approved.status == BatchStatus.APPROVED
    assert approved.decided_at is not None
    assert AuditEvent.objects.latest("seq").action == "batch.approve"
    provincial = workflow.batch_approve(actor=kit.cast.actor("province"), batch=kit.filed())
    assert provincial.status == BatchStatus.APPROVED


def test_approve_refusals(kit: Kit, refused: Refused) -> None:
    draft = kit.complete(kit.batch())
    refused(InvalidTransition, lambda: workflow.batch_approve(actor=kit.centre, batch=draft))
    batch = kit.filed()
    # Another city's official, the institution itself, an education official.
    for role in ("city_b", "institution_a", "institution_b", "education", "examiner"):
        refused(
            PermissionDenied,
            lambda role=role: workflow.batch_approve(actor=kit.cast.actor(role), batch=batch),
        )
    # The institution was suspended after filing: the plan must be returned instead.
    Institution.objects.filter(pk=kit.inst.pk).update(status=DirectoryStatus.SUSPENDED)
    batch.refresh_from_db()
    message = refused(
        DomainError,
        lambda: workflow.batch_approve(actor=kit.centre, batch=batch),
        code="plan_invalid",
    ).message
    assert message.startswith("该计划已不符合要求，请退回机构修改：")


def test_return_edit_and_refile(kit: Kit, refused: Refused) -> None:
    batch = kit.filed()
    refused(
        DomainError,
        lambda: workflow.batch_return(actor=kit.centre, batch=batch, reason="  "),
        code="reason_required",
    )
    refused(
        PermissionDenied,
        lambda: workflow.batch_return(actor=kit.cast.actor("city_b"), batch=batch, reason="x"),
    )
    returned = workflow.batch_return(actor=kit.centre, batch=batch, reason="请补充考场")
    assert (returned.status, returned.returned_reason) == (BatchStatus.RETURNED, "请补充考场")
    assert AuditEvent.objects.latest("seq").changes["reason"] == "请补充考场"
    refused(
        InvalidTransition,
        lambda: workflow.batch_return(actor=kit.centre, batch=batch, reason="again"),
    )
    plan.batch_update(actor=kit.admin, batch=returned, planned_candidates=14)
    refiled = _file(kit, returned)
    assert refiled.status == BatchStatus.FILED


# ---------------------------------------------------------------- enrollment


def test_open_and_close_enrollment(kit: Kit, refused: Refused) -> None:
    batch = kit.approved()
    refused(
        PermissionDenied,
        lambda: workflow.batch_open_enrollment(actor=kit.centre, batch=batch),
    )
    refused(
        InvalidTransition,
        lambda: workflow.batch_close_enrollment(actor=kit.admin, batch=batch),
    )
    enrolling = workflow.batch_open_enrollment(actor=kit.admin, batch=batch)
    assert enrolling.status == BatchStatus.ENROLLING
    refused(
        InvalidTransition,
        lambda: workflow.batch_open_enrollment(actor=kit.admin, batch=batch),
    )
    closed = workflow.batch_close_enrollment(actor=kit.admin, batch=batch)
    assert closed.status == BatchStatus.ENROLLMENT_CLOSED
    assert [e.action for e in AuditEvent.objects.order_by("-seq")[:2]] == [
        "batch.close_enrollment",
        "batch.open_enrollment",
    ]


def test_enrollment_refusals(kit: Kit, refused: Refused) -> None:
    batch = kit.approved()
    late = batch.enrollment_closes + timedelta(days=1)
    refused(
        DomainError,
        lambda: workflow.batch_open_enrollment(actor=kit.admin, batch=batch, today=late),
        code="enrollment_closed",
    )
    Institution.objects.filter(pk=kit.inst.pk).update(status=DirectoryStatus.SUSPENDED)
    batch.refresh_from_db()
    message = refused(
        DomainError,
        lambda: workflow.batch_open_enrollment(actor=kit.admin, batch=batch),
        code="suspended",
    ).message
    assert message.startswith("该机构已被暂停评价")


# ---------------------------------------------------------------- sessions and the freeze


def test_opening_a_session_freezes_the_configuration(kit: Kit, refused: Refused) -> None:
    batch = kit.enrollment_closed()
    theory = batch.sessions.get(component=Component.THEORY)
    opened = workflow.session_open(actor=kit.admin, session=theory)
    assert opened.status == SessionStatus.OPEN
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IN_PROGRESS
    assert batch.frozen_at is not None
    assert batch.is_frozen
    assert AuditEvent.objects.latest("seq").action == "batch.session_open"
    assignment = batch.assignments.first()
    assert assignment is not None
    for call in (
        lambda: plan.batch_update(actor=kit.admin, batch=batch, title="改"),
        lambda: kit.session(batch, Component.THEORY, starts_at=at(kit.today, 16)),
        lambda: kit.assign(batch, kit.proctors[3], StaffRole.PROCTOR, theory),
        lambda: plan.session_remove(actor=kit.admin, session=theory),
        lambda: plan.staff_unassign(actor=kit.admin, assignment=assignment),
    ):
        message = refused(DomainError, call, code="frozen").message
        assert message == "该批次已开考，计划配置已冻结，不能再修改。"


def test_session_open_refusals(kit: Kit, refused: Refused) -> None:
    approved = kit.approved()
    session = approved.sessions.first()
    assert session is not None
    refused(
        InvalidTransition,
        lambda: workflow.session_open(actor=kit.admin, session=session),
    )
    batch = kit.enrollment_closed()
    theory = batch.sessions.get(component=Component.THEORY)
    refused(
        DomainError,
        lambda: workflow.session_open(
            actor=kit.admin, session=theory, today=kit.today - timedelta(days=1)
        ),
        code="not_session_day",
    )
    refused(
        PermissionDenied,
        lambda: workflow.session_open(actor=kit.centre, session=theory),
    )
    workflow.session_open(actor=kit.admin, session=theory)
    refused(InvalidTransition, lambda: workflow.session_open(actor=kit.admin, session=theory))


def test_a_plan_broken_after_approval_cannot_open(kit: Kit, refused: Refused) -> None:
    batch = kit.enrollment_closed()
    StaffMember.objects.filter(pk=kit.supervisor.pk).update(is_active=False)
    theory = batch.sessions.get(component=Component.THEORY)
    message = refused(
        DomainError,
        lambda: workflow.session_open(actor=kit.admin, session=theory),
        code="plan_invalid",
    ).message
    assert "已不在本机构人员名单中" in message


def test_closing_the_last_session_assesses_the_batch(kit: Kit, refused: Refused) -> None:
    batch = kit.enrollment_closed()
    theory, practical = batch.sessions.order_by("starts_at")
    refused(InvalidTransition, lambda: workflow.session_close(actor=kit.admin, session=theory))
    workflow.session_open(actor=kit.admin, session=theory)
    workflow.session_close(actor=kit.admin, session=theory)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IN_PROGRESS
    workflow.session_open(actor=kit.admin, session=practical)
    closed = workflow.session_close(actor=kit.admin, session=practical)
    assert closed.status == SessionStatus.CLOSED
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ASSESSED
    assert AuditEvent.objects.latest("seq").changes["after"]["status"] == BatchStatus.ASSESSED


def test_a_removed_room_is_protected(kit: Kit) -> None:
    kit.complete(kit.batch())
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        Room.objects.filter(pk=kit.computer_room.pk).delete()
    assert timezone.is_aware(at(kit.today))
