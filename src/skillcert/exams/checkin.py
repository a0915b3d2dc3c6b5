"""Geolocated check-in at the exam site (考场定位打卡, 云人社函〔2023〕1号 三(二)).

Candidates and the staff assigned to a session check themselves in from their phone's
browser, which reports its position; exam staff at the room's desk record a candidate's
arrival by admission number or by the ticket's QR payload. Every check-in keeps the
great-circle distance to the site and whether it fell inside the site's radius; one
outside the radius, or without a position, is kept and flagged, never refused: the
early warnings of the authority (DESIGN.md step 8) read these flags.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import Component, SessionStatus, StaffRole
from skillcert.batches.models import Session, StaffAssignment
from skillcert.batches.permissions import can_plan
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.documents import can_read_documents
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import CheckInRole
from skillcert.exams.models import CheckIn
from skillcert.exams.tickets import looks_like_payload, ticket_verify
from skillcert.institutions.models import StaffMember

# Check-in opens two hours before the start, on the session's day, and closes at its end.
OPENS_BEFORE = timedelta(hours=2)
EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG)
_COORDINATE = Decimal("0.000001")  # the model keeps six decimals (~0.1 m)
MAX_ACCURACY_M = 100_000
# Staff assigned to the whole batch who are expected at every session; examiners and the
# review panel are expected at the components they score.
_EXPECTED_BATCH_ROLES = {
    Component.THEORY: {StaffRole.EXAM_STAFF, StaffRole.INTERNAL_SUPERVISOR},
    Component.COURSE: {StaffRole.EXAM_STAFF, StaffRole.INTERNAL_SUPERVISOR},
    Component.PRACTICAL: {
        StaffRole.EXAM_STAFF,
        StaffRole.INTERNAL_SUPERVISOR,
        StaffRole.EXAMINER,
    },
    Component.REVIEW: {
        StaffRole.EXAM_STAFF,
        StaffRole.INTERNAL_SUPERVISOR,
        StaffRole.REVIEW_PANEL,
    },
}
# Who may keep a session's desk besides the institution's admin and exam staff.
_DESK_ROLES = frozenset({StaffRole.EXAM_STAFF, StaffRole.PROCTOR})


# ---------------------------------------------------------------- location


@dataclass(frozen=True)
class Location:
    """The browser's reported position (navigator.geolocation)."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None = None


def parse_location(latitude: str, longitude: str, accuracy: str = "") -> Location | None:
    """Form fields to a location; both coordinates empty means the browser gave none."""
    latitude, longitude, accuracy = latitude.strip(), longitude.strip(), accuracy.strip()
    if not latitude and not longitude:
        return None
    try:
        lat = Decimal(latitude).quantize(_COORDINATE, ROUND_HALF_UP)
        lon = Decimal(longitude).quantize(_COORDINATE, ROUND_HALF_UP)
        acc = round(float(accuracy)) if accuracy else None
    except (InvalidOperation, ValueError, OverflowError):
        raise DomainError(_("定位数据无效，请重新获取定位。"), code="bad_location") from None
    location = Location(latitude=lat, longitude=lon, accuracy_m=acc)
    _check_location(location)
    return location


def _check_location(location: Location) -> None:
    if not (
        location.latitude.is_finite()
        and location.longitude.is_finite()
        and -90 <= location.latitude <= 90
        and -180 <= location.longitude <= 180
    ):
        raise DomainError(_("定位数据无效：经纬度超出范围。"), code="bad_location")
    if location.accuracy_m is not None and not 0 <= location.accuracy_m <= MAX_ACCURACY_M:
        raise DomainError(_("定位数据无效：定位精度超出范围。"), code="bad_location")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# ---------------------------------------------------------------- windows and rights


def window(session: Session) -> tuple[datetime, datetime]:
    """When check-in is accepted: from two hours before the start (but not before the
    session's day begins, local time) until the end."""
    start = timezone.localtime(session.starts_at)
    day_begins = start.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(start - OPENS_BEFORE, day_begins), session.ends_at


def window_text(session: Session) -> str:
    opens, closes = (timezone.localtime(t) for t in window(session))
    return f"{opens:%Y-%m-%d %H:%M}—{closes:%H:%M}"


def _require_window(session: Session, now: datetime) -> None:
    opens, closes = window(session)
    if session.status == SessionStatus.CLOSED or not opens <= now <= closes:
        raise InvalidTransition(
            _("不在签到时间内：本场次签到时间为 %(window)s。") % {"window": window_text(session)},
            code="outside_window",
        )


def own_seat(actor: Actor, session: Session) -> SeatAssignment | None:
    """The acting candidate's seat in ``session``, if they have one."""
    if actor.user_id is None:
        return None
    return (
        SeatAssignment.objects.filter(
            session_id=session.pk, application__person__user_id=actor.user_id
        )
        .select_related("application__person")
        .first()
    )


def _assignments_for(session: Session) -> Q:
    """Assignments to ``session`` itself or to its whole batch."""
    return Q(batch_id=session.batch_id) & (Q(session_id=session.pk) | Q(session__isnull=True))


def own_staff(actor: Actor, session: Session) -> StaffMember | None:
    """The acting user's registry entry when they are assigned to the session or batch."""
    if actor.user_id is None:
        return None
    assignment = (
        StaffAssignment.objects.filter(
            _assignments_for(session), staff__user_id=actor.user_id, staff__is_active=True
        )
        .select_related("staff")
        .order_by("pk")
        .first()
    )
    return assignment.staff if assignment else None


def can_keep_desk(actor: Actor, session: Session) -> bool:
    """The institution's admin and exam staff, and the session's proctors and exam staff."""
    if can_plan(actor, session.batch.institution):
        return True
    return (
        actor.user_id is not None
        and StaffAssignment.objects.filter(
            _assignments_for(session),
            staff__user_id=actor.user_id,
            staff__is_active=True,
            role__in=_DESK_ROLES,
        ).exists()
    )


def can_read_checkins(actor: Actor) -> bool:
    """The list goes where the sign-in sheet goes: the institution and its HR authorities.

    Call it on a session found through ``Session.objects.for_actor``.
    """
    return can_read_documents(actor)


# ---------------------------------------------------------------- recording


class Recorded(NamedTuple):
    checkin: CheckIn
    created: bool  # False: the person had already checked in; nothing was written


def checkin_record(
    *,
    actor: Actor,
    session: Session,
    location: Location | None,
    client_address: str | None = None,
    admission: str = "",
) -> Recorded:
    """Record an arrival at ``session`` (考场定位打卡, 云人社函〔2023〕1号 三(二)).

    Without ``admission`` the actor checks themself in, as the candidate seated in the
    session or as staff assigned to it or its batch. With ``admission`` (an admission
    number or a ticket's QR payload) desk staff record that candidate's arrival. A second
    check-in of the same person returns the first one unchanged.
    """
    if location is not None:
        _check_location(location)
    with transaction.atomic():
        # Serialises check-ins of one session, so a double tap never makes two rows.
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("batch__institution__organisation", "room__site")
            .get(pk=session.pk)
        )
        seat: SeatAssignment | None = None
        staff: StaffMember | None = None
        if admission.strip():
            if not can_keep_desk(actor, session):
                raise PermissionDenied(_("只有本场次的考务人员可以为考生登记签到。"))
            seat = _seat_by_admission(session, admission)
        else:
            seat = own_seat(actor, session)
            staff = None if seat else own_staff(actor, session)
            if seat is None and staff is None:
                raise PermissionDenied(
                    _("您不是本场次的考生，也未被安排为本场次的考务或考评人员。"),
                    code="not_assigned",
                )
        if seat is not None and seat.application.status != ApplicationStatus.APPROVED:
            raise DomainError(_("该考生的资格已取消，不能签到。"), code="not_approved")
        existing = CheckIn.objects.filter(
            Q(seat=seat) if seat is not None else Q(staff=staff), session=session
        ).first()
        if existing is not None:
            return Recorded(existing, created=False)
        _require_window(session, timezone.now())
        checkin = _create(actor, session, seat, staff, location, client_address, admission)
        audit_record(
            actor=actor,
            action="exams.checkin.record",
            obj=checkin,
            organisation=session.batch.institution.organisation,
            changes={
                "session": session.pk,
                "role": checkin.role,
                "seat": seat.pk if seat else None,
                "staff": staff.pk if staff else None,
                "at_desk": bool(admission.strip()),
                "distance_m": checkin.distance_m,
                "within_radius": checkin.within_radius,
            },
        )
    return Recorded(checkin, created=True)


def _seat_by_admission(session: Session, admission: str) -> SeatAssignment:
    text = admission.strip()
    number = ticket_verify(text) if looks_like_payload(text) else text.upper()
    seat = (
        SeatAssignment.objects.filter(session_id=session.pk, application__admission_number=number)
        .select_related("application__person")
        .first()
    )
    if seat is None:
        raise DomainError(
            _("准考证号 %(number)s 的考生不在本场次。") % {"number": number}, code="not_seated"
        )
    return seat


def _create(
    actor: Actor,
    session: Session,
    seat: SeatAssignment | None,
    staff: StaffMember | None,
    location: Location | None,
    client_address: str | None,
    admission: str,
) -> CheckIn:
    site = session.room.site
    distance: int | None = None
    within: bool | None = None
    if location is not None:
        metres = distance_m(
            float(location.latitude),
            float(location.longitude),
            float(site.latitude),
            float(site.longitude),
        )
        distance = round(metres)
        within = metres <= site.radius_m
    return CheckIn.objects.create(
        session=session,
        role=CheckInRole.CANDIDATE if seat is not None else CheckInRole.STAFF,
        seat=seat,
        staff=staff,
        user=actor.user,
        at=timezone.now(),
        client_address=client_address or None,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        accuracy_m=location.accuracy_m if location else None,
        distance_m=distance,
        within_radius=within,
        recorded_by_label=actor.label[:128] if admission.strip() else "",
    )


# ---------------------------------------------------------------- reading


@dataclass
class Arrival:
    """One line of the session's check-in list: someone expected, or someone who came."""

    role: str  # CheckInRole
    name: str
    detail: str  # admission number, or the staff member's duties
    seat_number: int | None
    checkin: CheckIn | None

    @property
    def present(self) -> bool:
        return self.checkin is not None

    @property
    def out_of_radius(self) -> bool:
        return self.checkin is not None and self.checkin.within_radius is False

    @property
    def unlocated(self) -> bool:
        return self.checkin is not None and self.checkin.within_radius is None


@dataclass
class Roll:
    """The session's check-in list with its counts."""

    candidates: list[Arrival] = field(default_factory=list)
    staff: list[Arrival] = field(default_factory=list)

    @property
    def rows(self) -> list[Arrival]:
        return self.candidates + self.staff

    def count(self, rows: Iterable[Arrival], what: str) -> int:
        return sum(1 for row in rows if getattr(row, what))

    @property
    def candidates_present(self) -> int:
        return self.count(self.candidates, "present")

    @property
    def candidates_missing(self) -> int:
        return len(self.candidates) - self.candidates_present

    @property
    def staff_present(self) -> int:
        return self.count(self.staff, "present")

    @property
    def out_of_radius(self) -> int:
        return self.count(self.rows, "out_of_radius")

    @property
    def unlocated(self) -> int:
        return self.count(self.rows, "unlocated")


def session_checkins(session: Session) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(session_id=session.pk).select_related(
        "seat__application__person", "staff"
    )


def session_roll(session: Session) -> Roll:
    """Who is expected at ``session`` and who has checked in (for a session in scope).

    Candidates: every seat whose application is approved, and any other seat that checked
    in. Staff: those assigned to the session, batch-wide staff expected at its component,
    and any other assigned staff who checked in. Four queries whatever the size.
    """
    checkins = list(session_checkins(session))
    by_seat = {c.seat_id: c for c in checkins if c.seat_id is not None}
    by_staff = {c.staff_id: c for c in checkins if c.staff_id is not None}
    roll = Roll()
    seats = (
        SeatAssignment.objects.filter(session_id=session.pk)
        .select_related("application__person")
        .order_by("seat_number")
    )
    for seat in seats:
        application = seat.application
        checkin = by_seat.get(seat.pk)
        if application.status != ApplicationStatus.APPROVED and checkin is None:
            continue
        roll.candidates.append(
            Arrival(
                role=CheckInRole.CANDIDATE,
                name=application.person.full_name,
                detail=application.admission_number or "",
                seat_number=seat.seat_number,
                checkin=checkin,
            )
        )
    expected_roles = _EXPECTED_BATCH_ROLES.get(Component(session.component), set())
    duties: dict[int, list[str]] = {}
    names: dict[int, str] = {}
    assignments = (
        StaffAssignment.objects.filter(_assignments_for(session))
        .select_related("staff")
        .order_by("role", "staff__full_name", "pk")
    )
    for assignment in assignments:
        expected = assignment.session_id is not None or assignment.role in expected_roles
        if not expected and assignment.staff_id not in by_staff:
            continue
        names[assignment.staff_id] = assignment.staff.full_name
        duties.setdefault(assignment.staff_id, []).append(assignment.get_role_display())
    for staff_id, name in names.items():
        roll.staff.append(
            Arrival(
                role=CheckInRole.STAFF,
                name=name,
                detail="、".join(dict.fromkeys(duties[staff_id])),
                seat_number=None,
                checkin=by_staff.get(staff_id),
            )
        )
    return roll


@dataclass(frozen=True)
class MySession:
    """A session the actor may check in to, for their check-in home page."""

    session: Session
    role: str  # CheckInRole
    seat_number: int | None
    checkin: CheckIn | None


def my_sessions(actor: Actor, *, since: datetime | None = None) -> list[MySession]:
    """The actor's own seats and staff assignments at sessions from ``since`` (today) on."""
    if actor.user_id is None:
        return []
    since = since or timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    related = ("batch__institution", "room__site")
    found: dict[int, MySession] = {}
    seats = SeatAssignment.objects.filter(
        application__person__user_id=actor.user_id,
        application__status=ApplicationStatus.APPROVED,
        session__starts_at__gte=since,
    ).select_related(*(f"session__{name}" for name in related))
    for seat in seats:
        found[seat.session_id] = MySession(
            seat.session, CheckInRole.CANDIDATE, seat.seat_number, None
        )
    assignments = StaffAssignment.objects.filter(
        staff__user_id=actor.user_id, staff__is_active=True
    ).values_list("batch_id", "session_id")
    batch_wide = {batch for batch, session in assignments if session is None}
    specific = {session for _batch, session in assignments if session is not None}
    staff_sessions = Session.objects.filter(
        Q(pk__in=specific) | Q(batch_id__in=batch_wide), starts_at__gte=since
    ).select_related(*related)
    for session in staff_sessions:
        found.setdefault(session.pk, MySession(session, CheckInRole.STAFF, None, None))
    mine = _my_checkins(actor, list(found))
    rows = [
        MySession(row.session, row.role, row.seat_number, mine.get(row.session.pk))
        for row in found.values()
    ]
    return sorted(rows, key=lambda row: (row.session.starts_at, row.session.pk))


def _my_checkins(actor: Actor, session_ids: list[int]) -> dict[int, CheckIn]:
    checkins = CheckIn.objects.filter(session_id__in=session_ids).filter(
        Q(seat__application__person__user_id=actor.user_id) | Q(staff__user_id=actor.user_id)
    )
    return {c.session_id: c for c in checkins}


def my_checkin(actor: Actor, session: Session) -> CheckIn | None:
    """The actor's own check-in at ``session`` (as candidate or staff), if any."""
    return _my_checkins(actor, [session.pk]).get(session.pk)


# ---------------------------------------------------------------- finding the session


@dataclass(frozen=True)
class SelfTarget:
    """A session the actor may check themself in to, and as whom."""

    session: Session
    seat: SeatAssignment | None
    staff: StaffMember | None


# What the check-in pages show of a session.
SESSION_RELATED = (
    "batch__institution__organisation",
    "batch__occupation",
    "batch__work_type",
    "room__site",
)


def self_target(actor: Actor, session_pk: int) -> SelfTarget | None:
    """The session with the actor's seat or staff assignment; None when they have neither.

    Candidates and examiners see no sessions through ``for_actor`` (their scope is their
    own person): their seat or their assignment is what lets them in.
    """
    session = Session.objects.select_related(*SESSION_RELATED).filter(pk=session_pk).first()
    if session is None:
        return None
    seat = own_seat(actor, session)
    staff = None if seat else own_staff(actor, session)
    if seat is None and staff is None:
        return None
    return SelfTarget(session=session, seat=seat, staff=staff)


def desk_session(actor: Actor, session_pk: int) -> Session | None:
    """The session when the actor is assigned to keep its desk (proctor, exam staff).

    The institution's own admin and exam staff find it through ``for_actor`` instead.
    """
    if actor.user_id is None:
        return None
    session = Session.objects.select_related(*SESSION_RELATED).filter(pk=session_pk).first()
    if session is None or not can_keep_desk(actor, session):
        return None
    return session


# ---------------------------------------------------------------- export


EXPORT_HEADERS = (
    "类别",
    "姓名",
    "准考证号/职责",
    "座位号",
    "签到状态",
    "签到时间",
    "距考点（米）",
    "定位精度（米）",
    "在考点范围内",
    "终端地址",
    "登记人",
)


def roll_export_rows(roll: Roll) -> list[list[object]]:
    rows: list[list[object]] = []
    for row in roll.rows:
        checkin = row.checkin
        rows.append(
            [
                CheckInRole(row.role).label,
                row.name,
                row.detail,
                row.seat_number,
                _("已签到") if checkin else _("未签到"),
                timezone.localtime(checkin.at).strftime("%Y-%m-%d %H:%M:%S") if checkin else "",
                checkin.distance_m if checkin else None,
                checkin.accuracy_m if checkin else None,
                _status_text(checkin),
                checkin.client_address if checkin else "",
                checkin.recorded_by_label if checkin else "",
            ]
        )
    return rows


def _status_text(checkin: CheckIn | None) -> str:
    if checkin is None:
        return ""
    if checkin.within_radius is None:
        return _("未定位")
    return _("是") if checkin.within_radius else _("否（超出范围）")
