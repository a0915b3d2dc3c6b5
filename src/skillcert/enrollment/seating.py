"""Seats (考场座位): approved candidates placed in the rooms of a component's sessions.

Candidates are seated in admission-number order; the component's sessions fill one
after another (by start time, then room), each up to its room's capacity. Re-running
keeps every seat already given and places new approvals after each room's last seat,
so printed admission tickets and sign-in sheets stay right (national-rules §1.8).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus, SessionStatus
from skillcert.batches.models import Batch, Session
from skillcert.batches.permissions import is_own_staff
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, SeatAssignment

# Seats are arranged once the plan is approved, until a session opens and freezes it.
SEATING_BATCH_STATUSES = frozenset(
    {BatchStatus.APPROVED, BatchStatus.ENROLLING, BatchStatus.ENROLLMENT_CLOSED}
)


def can_assign_seats(actor: Actor, batch: Batch) -> bool:
    """The batch's own institution arranges its rooms: its admin or its exam staff
    (platform admins and system jobs such as the demo may act for it)."""
    return actor.is_platform_admin or is_own_staff(actor, batch.institution)


def admission_order(number: str) -> tuple[int, str]:
    """Sort key for admission numbers: a longer serial comes after every shorter one."""
    return len(number), number


def component_sessions(session: Session) -> list[Session]:
    """The sessions of ``session``'s batch and component, in the order seats fill them."""
    return list(
        Session.objects.filter(batch_id=session.batch_id, component=session.component)
        .select_related("room__site")
        .order_by("starts_at", "room__site__name", "room__name", "pk")
    )


@transaction.atomic
def seats_assign(*, actor: Actor, session: Session) -> list[SeatAssignment]:
    """Seat every approved, unseated candidate of the batch in ``session``'s component.

    Returns the seats created (none when everyone already has one). Refuses, creating
    nothing, when the rooms are short of seats, saying how many are missing.
    """
    # The batch lock also serialises with approvals, which allocate admission numbers.
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("institution")
        .get(pk=session.batch_id)
    )
    if not can_assign_seats(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以安排考场座位。"))
    if batch.status not in SEATING_BATCH_STATUSES or batch.is_frozen:
        raise InvalidTransition(
            _("批次当前状态为“{status}”，不能安排考场座位。").format(
                status=batch.get_status_display()
            )
        )
    sessions = component_sessions(session)
    if any(s.status != SessionStatus.PLANNED for s in sessions):
        raise InvalidTransition(_("该科目已有场次开考，不能再调整考场座位。"))
    waiting = _unseated_candidates(batch, sessions)
    last_seat = _last_seats(sessions)
    free = sum(max(0, s.room.capacity - last_seat.get(s.pk, 0)) for s in sessions)
    if len(waiting) > free:
        raise DomainError(
            _(
                "考场座位不足：还差 {short} 个座位（待安排 {waiting} 人，空余 {free} 个座位）。"
            ).format(short=len(waiting) - free, waiting=len(waiting), free=free),
            code="capacity_short",
        )
    seats = list(_place(waiting, sessions, last_seat))
    if not seats:
        return []
    for seat in seats:
        # Constraints and foreign keys hold by construction (and under the batch lock).
        seat.full_clean(
            exclude=["application", "session"], validate_unique=False, validate_constraints=False
        )
    SeatAssignment.objects.bulk_create(seats)
    audit_record(
        actor=actor,
        action="seats.assign",
        obj=session,
        organisation=batch.institution.organisation,
        changes={
            "batch": batch.code,
            "component": session.component,
            "added": len(seats),
            "by_session": _count_by_session(seats),
            "first": seats[0].application.admission_number,
            "last": seats[-1].application.admission_number,
        },
    )
    return seats


def _unseated_candidates(batch: Batch, sessions: list[Session]) -> list[Application]:
    seated = SeatAssignment.objects.filter(session__in=sessions).values("application_id")
    candidates = (
        Application.objects.filter(
            batch=batch, status=ApplicationStatus.APPROVED, admission_number__isnull=False
        )
        .exclude(pk__in=seated)
        .only("pk", "admission_number")
    )
    return sorted(candidates, key=lambda a: admission_order(a.admission_number or ""))


def _last_seats(sessions: list[Session]) -> dict[int, int]:
    rows = (
        SeatAssignment.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(last=Max("seat_number"))
        .values_list("session_id", "last")
    )
    return dict(rows)


def _place(
    waiting: list[Application], sessions: list[Session], last_seat: dict[int, int]
) -> Iterator[SeatAssignment]:
    candidates = iter(waiting)
    for session in sessions:
        for number in range(last_seat.get(session.pk, 0) + 1, session.room.capacity + 1):
            application = next(candidates, None)
            if application is None:
                return
            yield SeatAssignment(application=application, session=session, seat_number=number)


def _count_by_session(seats: list[SeatAssignment]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for seat in seats:
        key = str(seat.session_id)
        counts[key] = counts.get(key, 0) + 1
    return counts


@dataclass(frozen=True)
class SessionLoad:
    session: Session
    seated: int


@dataclass(frozen=True)
class SeatingSummary:
    """How the component's rooms are filled, for the seats page."""

    sessions: list[SessionLoad]
    capacity: int
    seated: int
    waiting: int  # approved candidates with an admission number but no seat yet


def seating_summary(session: Session) -> SeatingSummary:
    sessions = component_sessions(session)
    counts = dict(
        SeatAssignment.objects.filter(session__in=sessions)
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    seated_apps = SeatAssignment.objects.filter(session__in=sessions).values("application_id")
    waiting = (
        Application.objects.filter(
            batch_id=session.batch_id,
            status=ApplicationStatus.APPROVED,
            admission_number__isnull=False,
        )
        .exclude(pk__in=seated_apps)
        .count()
    )
    loads = [SessionLoad(s, counts.get(s.pk, 0)) for s in sessions]
    return SeatingSummary(
        sessions=loads,
        capacity=sum(s.room.capacity for s in sessions),
        seated=sum(load.seated for load in loads),
        waiting=waiting,
    )
