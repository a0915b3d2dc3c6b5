"""Seats: admission-number order across the component's rooms, idempotent, audited."""

from __future__ import annotations

import pytest

from skillcert.batches.choices import BatchStatus, Component, SessionStatus
from skillcert.batches.models import Batch, Session
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, SeatAssignment
from skillcert.enrollment.seating import admission_order, seating_summary, seats_assign
from tests.conftest import Cast
from tests.enrollment.test_documents_world import (
    applicant,
    approve,
    approved_candidates,
    exam_start,
    exam_world,
)


def _plan(session: Session) -> list[tuple[str, int, str]]:
    """(room, seat, admission number) for the component, in seat-filling order."""
    seats = SeatAssignment.objects.filter(
        session__batch_id=session.batch_id, session__component=session.component
    ).select_related("session__room", "application")
    return sorted(
        (s.session.room.name, s.seat_number, s.application.admission_number or "") for s in seats
    )


def test_rooms_fill_to_capacity_in_session_order_by_admission_number(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(3,))
    # A second room whose session starts earlier fills first, whatever its name.
    early = exam.room_session("201室", 2, starts_at=exam_start(hour=8))
    late = exam.sessions[0]
    candidates = approved_candidates(exam.batch, 5)
    numbers = [a.admission_number for a in candidates]

    seats = seats_assign(actor=cast.actor("institution_a"), session=late)

    assert [(s.session_id, s.seat_number, s.application.admission_number) for s in seats] == [
        (early.pk, 1, numbers[0]),
        (early.pk, 2, numbers[1]),
        (late.pk, 1, numbers[2]),
        (late.pk, 2, numbers[3]),
        (late.pk, 3, numbers[4]),
    ]
    event = AuditEvent.objects.get(action="seats.assign")
    assert event.organisation_id == cast.orgs["institution_a"].pk
    assert event.changes["added"] == 5
    assert event.changes["by_session"] == {str(early.pk): 2, str(late.pk): 3}


def test_other_components_and_unapproved_applications_get_no_seat(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(5,))
    practical = exam.room_session("实操车间", 5, component=Component.PRACTICAL)
    approved_candidates(exam.batch, 2)
    applicant(exam.batch)  # still waiting for review
    rejected = approve(applicant(exam.batch))
    Application.objects.filter(pk=rejected.pk).update(status=ApplicationStatus.REJECTED)

    seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])

    assert SeatAssignment.objects.filter(session=exam.sessions[0]).count() == 2
    assert not SeatAssignment.objects.filter(session=practical).exists()


def test_short_capacity_is_refused_saying_by_how_many(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(2, 1))
    approved_candidates(exam.batch, 5)
    before = AuditEvent.objects.count()

    with pytest.raises(DomainError, match="还差 2 个座位") as info:
        seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])

    assert info.value.code == "capacity_short"
    assert not SeatAssignment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_running_again_keeps_every_seat_and_seats_new_approvals_after_the_last(
    cast: Cast,
) -> None:
    exam = exam_world(cast, capacities=(3, 3))
    approved_candidates(exam.batch, 4)
    admin = cast.actor("institution_a")
    seats_assign(actor=admin, session=exam.sessions[0])
    first_plan = _plan(exam.sessions[0])
    events = AuditEvent.objects.filter(action="seats.assign").count()

    assert seats_assign(actor=admin, session=exam.sessions[1]) == []
    assert _plan(exam.sessions[0]) == first_plan
    assert AuditEvent.objects.filter(action="seats.assign").count() == events

    late = approve(applicant(exam.batch))
    added = seats_assign(actor=admin, session=exam.sessions[0])
    assert [(s.session_id, s.seat_number) for s in added] == [(exam.sessions[1].pk, 2)]
    assert added[0].application_id == late.pk
    assert _plan(exam.sessions[0]) == sorted(
        [*first_plan, ("102室", 2, late.admission_number or "")]
    )


def test_a_withdrawn_candidates_seat_is_not_given_to_anyone_else(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(3,))
    first, _second = approved_candidates(exam.batch, 2)
    admin = cast.actor("institution_a")
    seats_assign(actor=admin, session=exam.sessions[0])
    Application.objects.filter(pk=first.pk).update(status=ApplicationStatus.WITHDRAWN)
    newcomer = approve(applicant(exam.batch))

    added = seats_assign(actor=admin, session=exam.sessions[0])

    assert [(s.application_id, s.seat_number) for s in added] == [(newcomer.pk, 3)]


def test_only_the_institutions_own_staff_assign_seats(cast: Cast) -> None:
    exam = exam_world(cast)
    approved_candidates(exam.batch, 2)
    session = exam.sessions[0]
    for role in ("city_a", "province", "institution_b", "examiner", "candidate", "education"):
        with pytest.raises(PermissionDenied):
            seats_assign(actor=cast.actor(role), session=session)
    assert not SeatAssignment.objects.exists()
    # A system job (the demo) acts for the institution.
    assert len(seats_assign(actor=Actor.system("demo"), session=session)) == 2


def test_exam_staff_of_the_institution_assign_seats(cast: Cast) -> None:
    from skillcert.core.choices import Role
    from tests.factories import MembershipFactory

    staff = MembershipFactory(role=Role.EXAM_STAFF, organisation=cast.orgs["institution_a"])
    exam = exam_world(cast)
    approved_candidates(exam.batch, 1)
    actor = Actor(user=staff.user, membership=staff)
    assert len(seats_assign(actor=actor, session=exam.sessions[0])) == 1


@pytest.mark.parametrize("status", [BatchStatus.DRAFT, BatchStatus.FILED, BatchStatus.IN_PROGRESS])
def test_seats_wait_for_an_approved_plan_and_stop_when_it_is_frozen(
    cast: Cast, status: str
) -> None:
    exam = exam_world(cast)
    approved_candidates(exam.batch, 1)
    Batch.objects.filter(pk=exam.batch.pk).update(status=status)
    with pytest.raises(InvalidTransition):
        seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])
    assert not SeatAssignment.objects.exists()


def test_no_seat_changes_once_a_session_of_the_component_opened(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(2, 2))
    approved_candidates(exam.batch, 1)
    Session.objects.filter(pk=exam.sessions[1].pk).update(status=SessionStatus.OPEN)
    with pytest.raises(InvalidTransition):
        seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])


def test_the_summary_counts_capacity_seats_and_waiting_candidates(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(2, 3))
    approved_candidates(exam.batch, 3)
    seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])
    approved_candidates(exam.batch, 1)
    summary = seating_summary(exam.sessions[0])
    assert (summary.capacity, summary.seated, summary.waiting) == (5, 3, 1)
    assert [load.seated for load in summary.sessions] == [2, 1]


def test_admission_order_puts_longer_serials_last() -> None:
    numbers = ["B0019999", "B00110000", "B0010001"]
    assert sorted(numbers, key=admission_order) == ["B0010001", "B0019999", "B00110000"]
