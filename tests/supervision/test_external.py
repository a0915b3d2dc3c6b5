"""An external supervisor's 考场记录表, mode and conclusion, through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.workdays import deadline
from skillcert.supervision import external
from skillcert.supervision.choices import (
    Conclusion,
    InspectionStatus,
    NoteKind,
    PlanKind,
    PlanStatus,
    SupervisionMode,
)
from skillcert.supervision.models import Inspection, SupervisionNote
from tests.conftest import Cast, Refused
from tests.supervision.builders_pool import (
    ExternalWorld,
    assign,
    external_world,
    login_actor,
    member,
    plan,
)


@pytest.fixture
def ew(cast: Cast) -> ExternalWorld:
    return external_world(cast)


def _note(ew: ExternalWorld, kind: str = NoteKind.ARRIVAL, **kwargs: object) -> SupervisionNote:
    values: dict[str, object] = {"text": "督导员到达考场，核对考场安排。"}
    values.update(kwargs)
    return external.note_add(
        actor=ew.supervisor,
        inspection=ew.inspection,
        kind=kind,
        **values,  # type: ignore[arg-type]
    )


def _ready(ew: ExternalWorld) -> None:
    _note(ew, NoteKind.ARRIVAL)
    _note(ew, NoteKind.SUMMARY, text="考场秩序良好。")
    external.supervision_mode_set(
        actor=ew.supervisor, inspection=ew.inspection, mode=SupervisionMode.ONSITE
    )


# --- note_add ----------------------------------------------------------------------------------


def test_the_first_line_starts_the_supervision(ew: ExternalWorld) -> None:
    note = _note(ew)
    assert note.session == ew.session  # the task's own session by default
    assert (note.kind, note.author, note.author_label) == (
        NoteKind.ARRIVAL,
        ew.supervisor.user,
        ew.supervisor.label,
    )
    ew.inspection.refresh_from_db()
    assert ew.inspection.status == InspectionStatus.IN_PROGRESS
    event = AuditEvent.objects.get(action="supervision.note_add")
    assert event.changes["note"] == note.pk
    assert event.changes["started"] is True
    second = _note(ew, NoteKind.CHECK, text="巡查一次。")
    assert (
        AuditEvent.objects.filter(action="supervision.note_add")
        .last()
        .changes[  # type: ignore[union-attr]
            "started"
        ]
        is False
    )
    assert second.pk != note.pk


def test_a_line_may_name_another_session_of_the_batch(ew: ExternalWorld) -> None:
    assert _note(ew, session=ew.sibling).session == ew.sibling


def test_a_session_of_another_batch_is_refused(ew: ExternalWorld, refused: Refused) -> None:
    other_batch = ew.kit.complete(ew.kit.batch())
    stranger = other_batch.sessions.first()
    refused(DomainError, lambda: _note(ew, session=stranger), code="session_not_in_task")
    assert not SupervisionNote.objects.exists()


@pytest.mark.parametrize("who", ["province", "city_a", "institution_a", "candidate"])
def test_only_the_assigned_supervisor_writes(ew: ExternalWorld, refused: Refused, who: str) -> None:
    refused(
        PermissionDenied,
        lambda: external.note_add(
            actor=ew.cast.actor(who), inspection=ew.inspection, kind=NoteKind.CHECK, text="x"
        ),
    )
    assert not SupervisionNote.objects.exists()


def test_another_supervisor_and_a_deactivated_one_are_refused(
    ew: ExternalWorld, refused: Refused
) -> None:
    other = login_actor(ew.cast, "supervisor_other")
    member(actor=other, name="督导员乙")  # in the pool, but not drawn for this task
    refused(
        PermissionDenied,
        lambda: external.note_add(
            actor=other, inspection=ew.inspection, kind=NoteKind.CHECK, text="x"
        ),
    )
    ew.member.is_active = False
    ew.member.save(update_fields=["is_active"])
    refused(PermissionDenied, lambda: _note(ew))
    assert not external.is_assigned(ew.supervisor, ew.inspection)


def test_an_inspection_plan_takes_no_supervision_lines(ew: ExternalWorld, refused: Refused) -> None:
    inspection_plan = plan(ew.cast, PlanKind.INSPECTION)
    inspection = Inspection.objects.create(plan=inspection_plan, institution=ew.kit.inst)
    assign(inspection, ew.member)
    refused(
        DomainError,
        lambda: external.note_add(
            actor=ew.supervisor, inspection=inspection, kind=NoteKind.CHECK, text="x"
        ),
        code="not_external_supervision",
    )


def test_line_time_text_and_kind_are_checked(ew: ExternalWorld, refused: Refused) -> None:
    later = timezone.now() + timedelta(hours=1)
    refused(DomainError, lambda: _note(ew, at=later), code="future_time")
    refused(DomainError, lambda: _note(ew, text="  "), code="text_required")
    refused(DomainError, lambda: _note(ew, text="字" * 2001), code="text_too_long")
    refused(DomainError, lambda: _note(ew, "remark"), code="invalid_kind")
    assert not SupervisionNote.objects.exists()
    earlier = timezone.now() - timedelta(minutes=30)
    assert _note(ew, at=earlier).at == earlier


def test_notes_for_session_are_in_time_order(ew: ExternalWorld) -> None:
    now = timezone.now()
    late = _note(ew, NoteKind.CHECK, at=now - timedelta(minutes=5))
    early = _note(ew, NoteKind.ARRIVAL, at=now - timedelta(minutes=50))
    elsewhere = _note(ew, NoteKind.CHECK, session=ew.sibling)
    # A second supervision of the same session writes into the same record.
    second = Inspection.objects.create(
        plan=ew.plan, institution=ew.kit.inst, batch=ew.session.batch, session=ew.session
    )
    colleague = login_actor(ew.cast, "supervisor_colleague")
    assign(second, member(actor=colleague, name="督导员丙"))
    middle = external.note_add(
        actor=colleague,
        inspection=second,
        kind=NoteKind.IRREGULARITY,
        text="一名考生迟到。",
        at=now - timedelta(minutes=20),
    )
    assert list(external.notes_for_session(ew.session)) == [early, middle, late]
    assert list(external.notes_for_session(ew.sibling)) == [elsewhere]


# --- supervision_mode_set -------------------------------------------------------------------


def test_mode_set(ew: ExternalWorld, refused: Refused) -> None:
    done = external.supervision_mode_set(
        actor=ew.supervisor, inspection=ew.inspection, mode=SupervisionMode.ONLINE
    )
    assert done.mode == SupervisionMode.ONLINE
    assert AuditEvent.objects.get(action="supervision.mode_set").changes == {
        "mode": ["", SupervisionMode.ONLINE]
    }
    # The same mode again changes nothing.
    external.supervision_mode_set(
        actor=ew.supervisor, inspection=ew.inspection, mode=SupervisionMode.ONLINE
    )
    assert AuditEvent.objects.filter(action="supervision.mode_set").count() == 1
    refused(
        DomainError,
        lambda: external.supervision_mode_set(
            actor=ew.supervisor, inspection=ew.inspection, mode="phone"
        ),
        code="invalid_mode",
    )
    refused(
        PermissionDenied,
        lambda: external.supervision_mode_set(
            actor=ew.cast.actor("province"), inspection=ew.inspection, mode=SupervisionMode.ONSITE
        ),
    )
    ew.inspection.refresh_from_db()
    assert ew.inspection.mode == SupervisionMode.ONLINE


# --- supervision_finish -----------------------------------------------------------------------


def _finish(ew: ExternalWorld, conclusion: str = Conclusion.PASSED) -> Inspection:
    return external.supervision_finish(
        actor=ew.supervisor,
        inspection=ew.inspection,
        conclusion=conclusion,
        summary="全程督导，未发现违纪违规。",
    )


def test_finish_needs_the_mode_and_an_arrival_and_an_opinion(
    ew: ExternalWorld, refused: Refused
) -> None:
    _note(ew, NoteKind.ARRIVAL)
    refused(DomainError, lambda: _finish(ew), code="mode_required")
    external.supervision_mode_set(
        actor=ew.supervisor, inspection=ew.inspection, mode=SupervisionMode.ONSITE
    )
    error = refused(DomainError, lambda: _finish(ew), code="notes_missing")
    assert "督导意见" in str(error.message)
    assert "到场" not in str(error.message)
    refused(DomainError, lambda: _finish(ew, "excellent"), code="invalid_conclusion")
    refused(
        DomainError,
        lambda: external.supervision_finish(
            actor=ew.supervisor, inspection=ew.inspection, conclusion=Conclusion.PASSED, summary=""
        ),
        code="summary_required",
    )
    ew.inspection.refresh_from_db()
    assert ew.inspection.status == InspectionStatus.IN_PROGRESS


def test_finish_closes_the_task_and_completes_the_plan(ew: ExternalWorld, refused: Refused) -> None:
    _ready(ew)
    done = _finish(ew)
    assert (done.status, done.conclusion, done.finished_by_label) == (
        InspectionStatus.FINISHED,
        Conclusion.PASSED,
        ew.supervisor.label,
    )
    assert done.finished_at is not None
    assert done.rectification_due is None
    ew.plan.refresh_from_db()
    assert ew.plan.status == PlanStatus.COMPLETED
    event = AuditEvent.objects.get(action="supervision.supervision_finish")
    assert event.changes["plan_completed"] is True
    # A finished record takes no more lines and no other mode.
    refused(InvalidTransition, lambda: _note(ew, NoteKind.CHECK), code="finished")
    refused(
        InvalidTransition,
        lambda: external.supervision_mode_set(
            actor=ew.supervisor, inspection=ew.inspection, mode=SupervisionMode.ONLINE
        ),
        code="finished",
    )
    refused(InvalidTransition, lambda: _finish(ew), code="finished")


def test_the_plan_waits_for_its_other_inspections(ew: ExternalWorld) -> None:
    Inspection.objects.create(plan=ew.plan, institution=ew.kit.inst, batch=ew.session.batch)
    _ready(ew)
    _finish(ew)
    ew.plan.refresh_from_db()
    assert ew.plan.status == PlanStatus.DRAWN


def test_a_rectify_conclusion_sets_the_policy_deadline(ew: ExternalWorld) -> None:
    _ready(ew)
    done = _finish(ew, Conclusion.RECTIFY)
    # 云南 policy default: 20 working days (SupervisionPolicy.rectification_working_days).
    assert done.rectification_due == deadline(timezone.localdate(), 20).due
