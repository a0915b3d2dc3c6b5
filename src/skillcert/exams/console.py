"""What the proctor console and the session record (考场记录表) show.

Each seat's live state comes from one query (the candidate, the check-in, the attempt,
and per-attempt counts as subqueries), so the console costs the same number of queries
for 5 seats or 50 while it refreshes itself every few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Session, StaffAssignment
from skillcert.core import pdf
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.core.errors import PermissionDenied
from skillcert.enrollment.documents import session_time
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams import proctoring
from skillcert.exams.choices import (
    CLOSED_ATTEMPT,
    AttemptEventKind,
    AttemptStatus,
    CheckInRole,
    ProctorAction,
)
from skillcert.exams.models import Answer, AttemptEvent, CheckIn, Incident, Sitting

_SESSION_RELATED = (
    "batch__institution__organisation",
    "batch__occupation",
    "batch__work_type",
    "room__site",
    "sitting",
)


def console_session(*, actor: Actor, session_id: int) -> Session | None:
    """The session whose console and record ``actor`` may read.

    ``None`` when it is out of reach (the view answers 404, as for a missing one);
    :class:`PermissionDenied` when it is in scope but not for this role (an education
    official reads certification data, not exam rooms). Assigned proctors act for
    themselves, so the organisation scope finds nothing for them; their assignment does.
    """
    session = (
        Session.objects.for_actor(actor)
        .select_related(*_SESSION_RELATED)
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        assigned = Session.objects.select_related(*_SESSION_RELATED).filter(pk=session_id).first()
        if assigned is not None and proctoring.is_assigned_proctor(actor, assigned):
            return assigned
        return None
    if not proctoring.can_view(actor, session):
        raise PermissionDenied(_("您的身份不能查看考场监考信息。"))
    return session


def sitting_of(session: Session) -> Sitting | None:
    """The session's computer-based sitting, when papers have been prepared for it."""
    try:
        # The reverse one-to-one is known to the django-stubs plugin only on a fresh run.
        return session.sitting  # type: ignore[attr-defined, no-any-return, unused-ignore]
    except Sitting.DoesNotExist:
        return None


@dataclass(frozen=True)
class SeatState:
    """One seat as the console shows it."""

    seat_id: int
    seat_number: int
    admission_number: str
    name: str
    checked_in: bool
    attempt_id: int | None
    status: str | None  # None: not signed in
    answered: int
    total: int
    remaining_seconds: int | None
    last_saved_at: datetime | None
    focus_lost: int
    relogin_authorised: bool
    late_authorised: bool

    @property
    def status_label(self) -> str:
        if self.status is None:
            return _("已授权迟到入场") if self.late_authorised else _("未登录")
        return str(AttemptStatus(self.status).label)

    @property
    def remaining_text(self) -> str:
        if self.remaining_seconds is None:
            return "—"
        minutes, seconds = divmod(self.remaining_seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ATTEMPT


@dataclass(frozen=True)
class Attendance:
    """The head counts of the room (应到、签到、登录、交卷、缺考)."""

    seated: int
    checked_in: int
    signed_in: int
    in_progress: int
    paused: int
    closed: int

    @property
    def absent(self) -> int:
        """Seated but never signed in (缺考 once the session has closed)."""
        return self.seated - self.signed_in


@dataclass(frozen=True)
class RecordLine:
    """A line of the session record."""

    at: datetime
    seat_number: int | None
    name: str
    action: str
    action_label: str
    minutes: int | None
    reason: str
    author_label: str


@dataclass(frozen=True)
class Console:
    session: Session
    sitting: Sitting | None
    seats: list[SeatState]
    attendance: Attendance
    lines: list[RecordLine]
    proctors: list[str]
    now: datetime


def _count(queryset: Any) -> Coalesce:
    per_attempt = queryset.order_by().values("attempt_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_attempt, output_field=IntegerField()), 0)


def _seat_rows(session: Session, seat_id: int | None = None) -> list[dict[str, Any]]:
    attempt = OuterRef("attempt__id")
    answers = Answer.objects.filter(attempt_id=attempt)
    last_saved = (
        answers.order_by().values("attempt_id").annotate(last=Max("saved_at")).values("last")
    )
    seats = SeatAssignment.objects.filter(session_id=session.pk)
    if seat_id is not None:
        seats = seats.filter(pk=seat_id)
    return list(
        seats.order_by("seat_number")
        .annotate(
            checked_in=Exists(
                CheckIn.objects.filter(seat_id=OuterRef("pk"), role=CheckInRole.CANDIDATE)
            ),
            answered=_count(answers.filter(seq__gt=0)),
            total=_count(answers),
            last_saved=Subquery(last_saved),
            focus_lost=_count(
                AttemptEvent.objects.filter(attempt_id=attempt, kind=AttemptEventKind.FOCUS_LOST)
            ),
        )
        .values(
            "pk",
            "seat_number",
            "application__admission_number",
            "application__person__full_name",
            "attempt__id",
            "attempt__status",
            "attempt__deadline",
            "attempt__paused_remaining_seconds",
            "attempt__relogin_authorised",
            "checked_in",
            "answered",
            "total",
            "last_saved",
            "focus_lost",
        )
    )


def remaining_seconds(
    status: str | None, deadline: datetime | None, paused: int | None, now: datetime
) -> int | None:
    """The candidate's time left: frozen while paused, none once closed."""
    if status == AttemptStatus.PAUSED:
        return paused or 0
    if status == AttemptStatus.IN_PROGRESS and deadline is not None:
        return max(0, int((deadline - now).total_seconds()))
    return None


def _seat_state(row: dict[str, Any], late: set[int], now: datetime) -> SeatState:
    status = row["attempt__status"]
    return SeatState(
        seat_id=row["pk"],
        seat_number=row["seat_number"],
        admission_number=row["application__admission_number"] or "",
        name=row["application__person__full_name"],
        checked_in=row["checked_in"],
        attempt_id=row["attempt__id"],
        status=status,
        answered=row["answered"],
        total=row["total"],
        remaining_seconds=remaining_seconds(
            status, row["attempt__deadline"], row["attempt__paused_remaining_seconds"], now
        ),
        last_saved_at=row["last_saved"],
        focus_lost=row["focus_lost"],
        relogin_authorised=bool(row["attempt__relogin_authorised"]),
        late_authorised=row["pk"] in late,
    )


def _incident_rows(sitting: Sitting | None, seat_id: int | None = None) -> list[dict[str, Any]]:
    if sitting is None:
        return []
    rows = Incident.objects.filter(sitting_id=sitting.pk)
    if seat_id is not None:
        rows = rows.filter(seat_id=seat_id)
    fields = ("at", "seat_id", "attempt_id", "action", "minutes", "reason", "author_label")
    return [dict(row) for row in rows.order_by("at", "pk").values(*fields)]


def _late_entries(rows: list[dict[str, Any]]) -> set[int]:
    """Seats authorised to enter late (an authorisation before any attempt existed)."""
    return {
        row["seat_id"]
        for row in rows
        if row["action"] == ProctorAction.AUTHORISE and row["attempt_id"] is None
    }


def _line(row: dict[str, Any], names: dict[int, tuple[int, str]]) -> RecordLine:
    seat_number, name = names.get(row["seat_id"], (None, ""))
    return RecordLine(
        at=row["at"],
        seat_number=seat_number,
        name=name,
        action=row["action"],
        action_label=_action_label(row["action"], late=row["attempt_id"] is None),
        minutes=row["minutes"],
        reason=row["reason"],
        author_label=row["author_label"],
    )


def _action_label(action: str, *, late: bool) -> str:
    if not action:
        return _("记录")
    if action == ProctorAction.AUTHORISE and late:
        return _("授权迟到入场")
    return str(ProctorAction(action).label)


def _attendance(seats: list[SeatState]) -> Attendance:
    return Attendance(
        seated=len(seats),
        checked_in=sum(1 for s in seats if s.checked_in),
        signed_in=sum(1 for s in seats if s.status is not None),
        in_progress=sum(1 for s in seats if s.status == AttemptStatus.IN_PROGRESS),
        paused=sum(1 for s in seats if s.status == AttemptStatus.PAUSED),
        closed=sum(1 for s in seats if s.is_closed),
    )


def session_proctors(session: Session) -> list[str]:
    """The names of the proctors assigned to the session or to the whole batch."""
    return list(
        StaffAssignment.objects.filter(batch_id=session.batch_id, role=StaffRole.PROCTOR)
        .filter(Q(session_id=session.pk) | Q(session__isnull=True))
        .order_by("staff__full_name")
        .values_list("staff__full_name", flat=True)
        .distinct()
    )


def console(session: Session) -> Console:
    """Everything the console and the record show, for a session the caller may read."""
    now = timezone.now()
    sitting = sitting_of(session)
    rows = _seat_rows(session)
    incidents = _incident_rows(sitting)
    late = _late_entries(incidents)
    seats = [_seat_state(row, late, now) for row in rows]
    names = {seat.seat_id: (seat.seat_number, seat.name) for seat in seats}
    return Console(
        session=session,
        sitting=sitting,
        seats=seats,
        attendance=_attendance(seats),
        lines=[_line(row, names) for row in incidents],
        proctors=session_proctors(session),
        now=now,
    )


@dataclass(frozen=True)
class EventLine:
    at: datetime
    kind_label: str
    detail: str
    client_address: str


@dataclass(frozen=True)
class SeatPanel:
    """One seat in detail: its state, its attempt's event log, its record lines and the
    actions that make sense now."""

    seat: SeatState
    events: list[EventLine]
    lines: list[RecordLine]
    actions: list[tuple[str, str]]  # (action, button label)


EVENTS_SHOWN = 50


def _events(attempt_id: int | None) -> list[EventLine]:
    if attempt_id is None:
        return []
    rows = list(
        AttemptEvent.objects.filter(attempt_id=attempt_id)
        .order_by("-at", "-pk")
        .values("at", "kind", "detail", "client_address")[:EVENTS_SHOWN]
    )
    return [
        EventLine(
            at=row["at"],
            kind_label=str(AttemptEventKind(row["kind"]).label),
            detail=_event_detail(row["detail"] or {}),
            client_address=row["client_address"] or "",
        )
        for row in reversed(rows)
    ]


def _event_detail(detail: dict[str, Any]) -> str:
    parts = []
    action = detail.get("action")
    if action in ProctorAction.values:
        parts.append(str(ProctorAction(action).label))
    if detail.get("minutes"):
        parts.append(_("%(n)s分钟") % {"n": detail["minutes"]})
    if detail.get("reason"):
        parts.append(str(detail["reason"]))
    return " · ".join(parts)


def seat_panel(session: Session, seat_id: int) -> SeatPanel | None:
    """The seat ``seat_id`` of the session, or None when it is not one of its seats."""
    now = timezone.now()
    rows = _seat_rows(session, seat_id)
    if not rows:
        return None
    incidents = _incident_rows(sitting_of(session), seat_id)
    seat = _seat_state(rows[0], _late_entries(incidents), now)
    names = {seat.seat_id: (seat.seat_number, seat.name)}
    return SeatPanel(
        seat=seat,
        events=_events(seat.attempt_id),
        lines=[_line(row, names) for row in incidents],
        actions=[
            (action, _button_label(action, signed_in=seat.status is not None))
            for action in proctoring.available_actions(
                seat.status,
                relogin_authorised=seat.relogin_authorised,
                late_authorised=seat.late_authorised,
            )
        ],
    )


def _button_label(action: str, *, signed_in: bool) -> str:
    if action == ProctorAction.AUTHORISE:
        return _("授权更换终端登录") if signed_in else _("授权迟到入场")
    return str(ProctorAction(action).label)


def session_seat(session: Session, seat_id: int) -> SeatAssignment | None:
    """A seat of this session (the console acts on seats it lists, nothing else)."""
    seat = SeatAssignment.objects.filter(session_id=session.pk, pk=seat_id).first()
    if seat is not None:
        seat.session = session
    return seat


# --- the printed record ----------------------------------------------------------------

RECORD_TITLE = "职业技能等级认定考场记录表"
# 时间, 座位, 姓名, 事项, 分钟, 事由, 记录人: 174 mm, the A4 content width.
_LINE_COLUMNS_MM = (16, 12, 22, 24, 12, 62, 26)


def _local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else "—"


def record_pdf(data: Console) -> bytes:
    """The 考场记录表 of one session as a PDF (archived with the batch for at least three
    years, 云人社函〔2023〕1号 二(三))."""
    session = data.session
    styles = pdf.styles()
    story: list[Flowable] = [
        pdf.para(RECORD_TITLE, styles.title),
        _record_facts(data),
        pdf.para("考生情况", styles.heading),
        _record_attendance(data.attendance),
        pdf.para("考场情况记录", styles.heading),
        _record_lines(data.lines),
        Spacer(1, 6 * mm),
        KeepTogether(_record_signatures()),
    ]
    where = f"{session.batch.code} · {session.get_component_display()} · {session.room.name}"
    decor = pdf.PageDecor(
        title=f"{RECORD_TITLE} {session.batch.code} {session.room.name}",
        header_left=session.batch.institution.name,
        header_right=where,
        footer_left="监考人员签字：________________　________________",
    )
    return pdf.build_a4(story, decor, subject=session.batch.title)


def _record_facts(data: Console) -> Flowable:
    session, sitting = data.session, data.sitting
    batch = session.batch
    cell = pdf.styles().cell
    occupation = batch.occupation.name
    if batch.work_type is not None:
        occupation = f"{occupation}（{batch.work_type.name}）"
    rows = [
        ["批次名称", pdf.para(batch.title, cell), "批次编号", batch.code],
        ["职业（工种）", pdf.para(occupation, cell), "等级", str(SkillLevel(batch.level).label)],
        ["科目", session.get_component_display(), "考场", pdf.para(_room(session), cell)],
        [
            "时间",
            pdf.para(session_time(session), cell),
            "评价机构",
            pdf.para(batch.institution.name, cell),
        ],
        [
            "开考时间",
            _local(sitting.opened_at if sitting else None),
            "收卷时间",
            _local(sitting.closed_at if sitting else None),
        ],
        [
            "监考人员",
            pdf.para("、".join(data.proctors) or "—", cell),
            "场次状态",
            session.get_status_display(),
        ],
    ]
    return pdf.grid_table(rows, col_widths=[w * mm for w in (24, 63, 24, 63)], header_rows=0)


def _room(session: Session) -> str:
    return f"{session.room.site.name} {session.room.name}"


def _record_attendance(attendance: Attendance) -> Flowable:
    rows = [
        ["应到", "签到", "登录作答", "已交卷（含收卷、终止）", "未登录（缺考）"],
        [
            str(attendance.seated),
            str(attendance.checked_in),
            str(attendance.signed_in),
            str(attendance.closed),
            str(attendance.absent),
        ],
    ]
    widths = [w * mm for w in (30, 30, 34, 46, 34)]
    return pdf.grid_table(rows, col_widths=widths, centred_columns=range(5))


def _record_lines(lines: list[RecordLine]) -> Flowable:
    small = pdf.styles().cell_small
    rows: list[list[object]] = [["时间", "座位", "姓名", "事项", "分钟", "事由", "记录人"]]
    rows += [
        [
            _local(line.at, "%H:%M:%S"),
            str(line.seat_number) if line.seat_number else "—",
            pdf.para(line.name or "—", small),
            pdf.para(line.action_label, small),
            str(line.minutes) if line.minutes else "",
            pdf.para(line.reason, small),
            pdf.para(line.author_label, small),
        ]
        for line in lines
    ]
    if not lines:
        rows.append(["", "", "", "", "", "本场次无异常情况记录", ""])
    return pdf.grid_table(
        rows, col_widths=[w * mm for w in _LINE_COLUMNS_MM], font_size=9, centred_columns=(0, 1, 4)
    )


def _record_signatures() -> list[Flowable]:
    body = pdf.styles().body
    return [
        pdf.para("监考人员签字：________________　________________", body),
        Spacer(1, 4 * mm),
        pdf.para("考务负责人签字：________________　　质量督导员签字：________________", body),
        Spacer(1, 4 * mm),
        pdf.para("日期：______年____月____日", body),
        Spacer(1, 3 * mm),
        pdf.para(
            "注：本表记录考场开考、收卷及考试过程中的异常情况和监考处置，与签到表一并归档。",
            pdf.styles().small,
        ),
    ]
