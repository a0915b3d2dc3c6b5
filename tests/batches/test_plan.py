"""Planning services: rooms, the batch, sessions and staffing — what they write and refuse."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from skillcert.batches.choices import BatchStatus, Component, RoomKind, StaffRole
from skillcert.batches.models import Batch, StaffAssignment
from skillcert.batches.services import plan, workflow
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import Institution
from tests.batches.conftest import SYSTEM, Kit, at, room
from tests.institutions.conftest import person

Refused = Callable[..., Any]


# ---------------------------------------------------------------- rooms


def test_room_add(kit: Kit) -> None:
    made = plan.room_add(
        actor=kit.admin, site=kit.site, name=" 302机房 ", kind=RoomKind.COMPUTER, capacity=40
    )
    assert (made.name, made.capacity) == ("302机房", 40)
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.organisation_id) == ("batch.room_add", kit.inst.organisation_id)


def test_room_add_refusals(kit: Kit, refused: Refused) -> None:
    refused(
        PermissionDenied,
        lambda: plan.room_add(
            actor=kit.cast.actor("institution_b"),
            site=kit.site,
            name="x",
            kind="computer",
            capacity=1,
        ),
    )
    refused(
        PermissionDenied,
        lambda: plan.room_add(
            actor=kit.centre, site=kit.site, name="x", kind="computer", capacity=1
        ),
    )
    refused(
        DomainError,
        lambda: plan.room_add(
            actor=kit.admin, site=kit.site, name="301机房", kind="computer", capacity=30
        ),
        code="room_exists",
    )
    refused(
        DomainError,
        lambda: plan.room_add(
            actor=kit.admin, site=kit.site, name="y", kind="computer", capacity=0
        ),
    )


# ---------------------------------------------------------------- the batch


def test_batch_create(kit: Kit) -> None:
    batch = kit.batch(3, work_type=kit.world.cnc)
    assert batch.status == BatchStatus.DRAFT
    assert batch.occupation == kit.world.lathe  # from the standard
    assert (batch.level, batch.work_type) == (3, kit.world.cnc)
    assert batch.pass_mark == 60
    assert batch.filing_due is not None  # the draft already shows its due date
    event = AuditEvent.objects.latest("seq")
    assert (event.action, event.object_id) == ("batch.create", str(batch.pk))


def test_codes_are_allocated_per_institution_and_year(kit: Kit) -> None:
    first, second = kit.batch(), kit.batch()
    serial = kit.inst.site_serial
    assert serial  # approval assigned it
    year = first.created_at.year
    assert first.code == f"53{serial}-{year}-001"
    assert second.code == f"53{serial}-{year}-002"


def test_codes_before_a_site_serial(kit: Kit) -> None:
    Institution.objects.filter(pk=kit.inst.pk).update(site_serial="", site_province="")
    kit.inst.refresh_from_db()
    with transaction.atomic():
        code = plan.allocate_code(kit.inst, 2027)
    assert code == f"53I{kit.inst.pk}-2027-001"


def test_batch_create_refusals(kit: Kit, refused: Refused) -> None:
    level = kit.level(5)
    base = {
        "institution": kit.inst,
        "title": "x",
        "planned_candidates": 10,
        "enrollment_opens": kit.today,
        "enrollment_closes": kit.today,
    }
    for role in ("institution_b", "city_a", "province", "examiner", "candidate"):
        refused(
            PermissionDenied,
            lambda role=role: plan.batch_create(
                actor=kit.cast.actor(role), standard_level=level, **base
            ),
        )
    refused(
        DomainError,
        lambda: plan.batch_create(actor=kit.admin, standard_level=level, level=4, **base),
        code="level_mismatch",
    )
    other = kit.world.electrician.work_types.create(name="维修电工")
    refused(
        DomainError,
        lambda: plan.batch_create(actor=kit.admin, standard_level=level, work_type=other, **base),
        code="work_type_mismatch",
    )
    standard = kit.world.lathe_std
    standard.is_active = False
    standard.save()
    refused(
        DomainError,
        lambda: plan.batch_create(actor=kit.admin, standard_level=kit.level(5), **base),
        code="standard_inactive",
    )
    assert not Batch.objects.exists()


def test_exam_staff_may_plan(kit: Kit) -> None:
    from skillcert.core.actors import Actor
    from skillcert.core.choices import Role
    from tests.factories import MembershipFactory

    membership = MembershipFactory(role=Role.EXAM_STAFF, organisation=kit.inst.organisation)
    staff = Actor(user=membership.user, membership=membership)
    batch = plan.batch_create(
        actor=staff,
        institution=kit.inst,
        standard_level=kit.level(5),
        title="考务人员制定",
        planned_candidates=5,
        enrollment_opens=kit.today,
        enrollment_closes=kit.today + timedelta(days=3),
    )
    assert batch.pk


def test_batch_update(kit: Kit) -> None:
    batch = kit.batch()
    changed = plan.batch_update(
        actor=kit.admin, batch=batch, title=" 新名称 ", planned_candidates=12, pass_mark=None
    )
    assert (changed.title, changed.planned_candidates, changed.pass_mark) == ("新名称", 12, 60)
    event = AuditEvent.objects.latest("seq")
    assert event.action == "batch.update"
    assert event.changes["before"] == {"title": "车工5级测试批次", "planned_candidates": 15}


def test_the_due_date_follows_a_draft(kit: Kit) -> None:
    batch = kit.batch()
    due = batch.filing_due
    assert due is not None
    kit.session(batch, Component.THEORY, starts_at=at(batch.enrollment_closes + timedelta(days=2)))
    batch.refresh_from_db()
    assert batch.filing_due == batch.enrollment_closes + timedelta(days=1)  # the day before
    assert batch.filing_due < due


def test_batch_update_refusals(kit: Kit, refused: Refused) -> None:
    batch = kit.filed()
    refused(
        InvalidTransition,
        lambda: plan.batch_update(actor=kit.admin, batch=batch, title="y"),
        code="invalid_state",
    )
    refused(
        PermissionDenied,
        lambda: plan.batch_update(actor=kit.centre, batch=batch, title="y"),
    )
    draft = kit.batch()
    refused(
        DomainError,
        lambda: plan.batch_update(actor=kit.admin, batch=draft, theory_weight=Decimal(-1)),
    )
    refused(
        DomainError,
        lambda: plan.batch_update(
            actor=kit.admin, batch=draft, component_pass_marks={"practical": 101}
        ),
        code="pass_mark",
    )
    refused(
        DomainError,
        lambda: plan.batch_update(actor=kit.admin, batch=draft, component_pass_marks={"x": 60}),
        code="pass_mark",
    )


# ---------------------------------------------------------------- sessions


def test_session_add_and_remove(kit: Kit) -> None:
    batch = kit.batch()
    session = kit.session(batch, Component.THEORY)
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert AuditEvent.objects.latest("seq").action == "batch.session_add"
    kit.assign(batch, kit.proctors[0], StaffRole.PROCTOR, session)
    plan.session_remove(actor=kit.admin, session=session)
    assert not batch.sessions.exists()
    assert not StaffAssignment.objects.filter(batch=batch).exists()  # its proctors go too
    assert AuditEvent.objects.latest("seq").action == "batch.session_remove"


def test_session_add_refusals(kit: Kit, refused: Refused) -> None:
    batch = kit.batch()
    day = at(batch.enrollment_closes + timedelta(days=5))
    refused(
        DomainError,
        lambda: kit.session(batch, Component.REVIEW),
        code="component_not_assessed",
    )
    refused(
        DomainError,
        lambda: kit.session(batch, Component.COURSE, starts_at=day, minutes=90),
        code="component_not_assessed",
    )
    other = kit.world.inst_b.sites.create(
        name="B", address="曲靖", latitude=Decimal(25), longitude=Decimal(103)
    )
    foreign = room(other, "B机房", RoomKind.COMPUTER, 30)
    refused(
        DomainError, lambda: kit.session(batch, Component.THEORY, foreign), code="room_not_owned"
    )
    refused(
        DomainError,
        lambda: plan.session_add(
            actor=kit.admin,
            batch=batch,
            component=Component.THEORY,
            room=kit.computer_room,
            starts_at=day.replace(tzinfo=None),
            duration_minutes=90,
        ),
        code="naive_datetime",
    )
    refused(
        PermissionDenied,
        lambda: plan.session_add(
            actor=kit.cast.actor("institution_b"),
            batch=batch,
            component=Component.THEORY,
            room=kit.computer_room,
            starts_at=day,
            duration_minutes=90,
        ),
    )


# ---------------------------------------------------------------- staffing


def test_staff_assign_refusals(kit: Kit, refused: Refused) -> None:
    batch = kit.batch(2)
    theory = kit.session(batch, Component.THEORY)
    practical = kit.session(batch, Component.PRACTICAL)
    stranger = person(kit.world.inst_b, StaffKind.EXAMINER)
    cases = [
        (stranger, StaffRole.EXAMINER, None, "staff_not_owned"),
        (kit.proctors[0], StaffRole.EXAMINER, None, "wrong_staff_kind"),
        (kit.examiners[0], StaffRole.INTERNAL_SUPERVISOR, None, "wrong_staff_kind"),
        (kit.supervisor, StaffRole.PROCTOR, theory, "wrong_staff_kind"),
        (kit.proctors[0], StaffRole.PROCTOR, None, "session_required"),
        (kit.examiners[0], StaffRole.EXAMINER, theory, "session_component_mismatch"),
        (kit.experts[0], StaffRole.REVIEW_PANEL, practical, "session_component_mismatch"),
    ]
    for staff, role, session, code in cases:
        refused(
            DomainError,
            lambda staff=staff, role=role, session=session: kit.assign(batch, staff, role, session),
            code=code,
        )
    kit.assign(batch, kit.examiners[0], StaffRole.EXAMINER)
    refused(
        DomainError,
        lambda: kit.assign(batch, kit.examiners[0], StaffRole.EXAMINER),
        code="already_assigned",
    )
    kit.proctors[1].is_active = False
    kit.proctors[1].save()
    refused(
        DomainError,
        lambda: kit.assign(batch, kit.proctors[1], StaffRole.PROCTOR, theory),
        code="staff_inactive",
    )
    message = refused(
        DomainError, lambda: kit.assign(batch, kit.proctors[0], StaffRole.EXAMINER)
    ).message
    assert message == f"{kit.proctors[0].full_name}是专职工作人员，不能担任考评人员。"


def test_staff_unassign(kit: Kit) -> None:
    batch = kit.batch()
    kit.assign(batch, kit.supervisor, StaffRole.INTERNAL_SUPERVISOR)
    assignment = batch.assignments.get()
    plan.staff_unassign(actor=kit.admin, assignment=assignment)
    assert not batch.assignments.exists()
    event = AuditEvent.objects.latest("seq")
    assert event.action == "batch.staff_unassign"
    assert event.changes["before"]["role"] == StaffRole.INTERNAL_SUPERVISOR


# ---------------------------------------------------------------- changing a plan in review


def test_nothing_changes_while_the_centre_reviews(kit: Kit, refused: Refused) -> None:
    batch = kit.filed()
    for call in (
        lambda: kit.session(batch, Component.THEORY),
        lambda: kit.assign(batch, kit.proctors[3], StaffRole.EXAM_STAFF),
        lambda: plan.session_remove(actor=kit.admin, session=batch.sessions.first()),
        lambda: plan.staff_unassign(actor=kit.admin, assignment=batch.assignments.first()),
    ):
        refused(InvalidTransition, call, code="invalid_state")


def test_an_approved_plan_may_be_adjusted_until_a_session_opens(kit: Kit, refused: Refused) -> None:
    batch = kit.approved()
    # A second theory room once more candidates are expected: audited, no refiling.
    extra = kit.session(batch, Component.THEORY, room(kit.site, "302机房", "computer", 30))
    assert AuditEvent.objects.latest("seq").action == "batch.session_add"
    # Until its proctors are assigned the plan does not validate, so enrollment stays shut.
    message = refused(
        DomainError,
        lambda: workflow.batch_open_enrollment(actor=kit.admin, batch=batch),
        code="plan_invalid",
    ).message
    assert message.startswith("计划调整后不符合要求，不能开始报名：1. ")
    assert "监考人员" in message
    for proctor in kit.proctors[2:4]:
        kit.assign(batch, proctor, StaffRole.PROCTOR, extra)
    opened = workflow.batch_open_enrollment(actor=kit.admin, batch=batch)
    assert opened.status == BatchStatus.ENROLLING
    batch.refresh_from_db()
    assert batch.filing_due == batch.enrollment_closes + timedelta(days=9)  # kept from filing


def test_the_batch_row_is_locked_by_every_change(kit: Kit) -> None:
    # SQLite ignores FOR UPDATE; the locking query is what matters on PostgreSQL.
    batch = kit.batch()
    with transaction.atomic():
        kit.session(batch, Component.THEORY)
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT


def test_the_system_may_plan_for_an_institution(kit: Kit) -> None:
    batch = plan.batch_create(
        actor=SYSTEM,
        institution=kit.inst,
        standard_level=kit.level(4),
        title="系统代办",
        planned_candidates=5,
        enrollment_opens=kit.today,
        enrollment_closes=kit.today,
    )
    assert AuditEvent.objects.latest("seq").actor_label == "test"
    assert batch.level == 4
