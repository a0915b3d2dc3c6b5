"""Proctor actions on a live sitting, and the session record (考场记录表).

DESIGN.md step 4: proctors authorise, pause, resume, extend, terminate and reopen, each
logged. Every action needs a reason and runs in one transaction that locks the attempt
row, changes it, and writes a line of the session record (:class:`Incident`), an event
in the attempt's log and an audit event. The record is archived with the batch
(云人社函〔2023〕1号 二(三): session records are kept at least 3 years).

Who acts: the proctors assigned to the session (or to the whole batch) and the
institution's admin and exam staff. The HR authorities over the institution may read
the console and the record, never act.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.batches.choices import SessionStatus, StaffRole
from skillcert.batches.models import Session, StaffAssignment
from skillcert.batches.permissions import can_plan
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import (
    CLOSED_ATTEMPT,
    OPEN_ATTEMPT,
    AttemptEventKind,
    AttemptStatus,
    GradingStatus,
    ProctorAction,
)
from skillcert.exams.closing import attempt_close, schedule_deadline
from skillcert.exams.models import Answer, Attempt, AttemptEvent, Incident, Sitting
from skillcert.institutions.permissions import is_authority_over

REASON_MAX_LENGTH = 500
MINUTES_MIN, MINUTES_MAX = 1, 60
# Actions that grant time take a number of minutes.
TIMED_ACTIONS = frozenset({ProctorAction.EXTEND, ProctorAction.REOPEN})


# --- who may act ---------------------------------------------------------------------


def is_assigned_proctor(actor: Actor, session: Session) -> bool:
    """A proctor of this session, or of the whole batch, signed in as themself.

    The staff registry links a member to a user; an actor acting for another
    organisation, or as a candidate, is not proctoring.
    """
    if actor.user_id is None or actor.role == Role.CANDIDATE:
        return False
    own = session.batch.institution.organisation_id
    if actor.organisation_id not in (None, own):
        return False
    return (
        StaffAssignment.objects.filter(
            batch_id=session.batch_id,
            role=StaffRole.PROCTOR,
            staff__user_id=actor.user_id,
            staff__is_active=True,
        )
        .filter(Q(session_id=session.pk) | Q(session__isnull=True))
        .exists()
    )


def can_act(actor: Actor, session: Session) -> bool:
    """Take proctor actions and write notes: the institution's admin and exam staff, or an
    assigned proctor."""
    return can_plan(actor, session.batch.institution) or is_assigned_proctor(actor, session)


def can_view(actor: Actor, session: Session) -> bool:
    """Read the console and the record: those who act, and the HR authorities over the
    institution (read-only supervision, 属地监管)."""
    return can_act(actor, session) or is_authority_over(actor, session.batch.institution)


def require_actor(actor: Actor, session: Session) -> None:
    if not can_act(actor, session):
        raise PermissionDenied(
            _("只有本场次的监考人员或本机构的管理员、考务人员可以执行监考操作。")
        )


# --- input checks ----------------------------------------------------------------------


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError(_("请填写事由。"), code="reason_required")
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(
            _("事由不能超过%(n)s个字。") % {"n": REASON_MAX_LENGTH}, code="reason_too_long"
        )
    return text


def clean_minutes(minutes: int | None) -> int:
    if minutes is None or not MINUTES_MIN <= minutes <= MINUTES_MAX:
        raise DomainError(
            _("时间须为%(low)s至%(high)s分钟。") % {"low": MINUTES_MIN, "high": MINUTES_MAX},
            code="bad_minutes",
        )
    return minutes


def _require_open_session(session: Session) -> None:
    # Read again inside the transaction: closing the sitting may have raced us.
    status = Session.objects.filter(pk=session.pk).values_list("status", flat=True).first()
    if status != SessionStatus.OPEN:
        raise InvalidTransition(_("本场次不在考试中，不能执行监考操作。"), code="session_not_open")


# --- what each state allows ------------------------------------------------------------

_ALLOWED: dict[str, frozenset[str]] = {
    ProctorAction.PAUSE: frozenset({AttemptStatus.IN_PROGRESS}),
    ProctorAction.RESUME: frozenset({AttemptStatus.PAUSED}),
    ProctorAction.EXTEND: OPEN_ATTEMPT,
    ProctorAction.TERMINATE: OPEN_ATTEMPT,
    ProctorAction.REOPEN: CLOSED_ATTEMPT,
    ProctorAction.AUTHORISE: OPEN_ATTEMPT,
}

_REFUSAL: dict[str, Promise] = {
    ProctorAction.PAUSE: gettext_lazy("只有作答中的考生可以暂停。"),
    ProctorAction.RESUME: gettext_lazy("只有已暂停的考生可以恢复作答。"),
    ProctorAction.EXTEND: gettext_lazy("该考生已结束作答，不能延时；如需继续作答请重新开放。"),
    ProctorAction.TERMINATE: gettext_lazy("该考生已结束作答，不能终止。"),
    ProctorAction.REOPEN: gettext_lazy("该考生仍在作答，不需要重新开放。"),
    ProctorAction.AUTHORISE: gettext_lazy("该考生已结束作答，不能授权登录。"),
}


def available_actions(
    status: str | None, *, relogin_authorised: bool = False, late_authorised: bool = False
) -> list[str]:
    """The actions that make sense for a seat now (``status`` None: not signed in)."""
    if status is None:
        return [] if late_authorised else [ProctorAction.AUTHORISE]
    return [
        action
        for action, states in _ALLOWED.items()
        if status in states and not (action == ProctorAction.AUTHORISE and relogin_authorised)
    ]


def _require_state(attempt: Attempt, action: str) -> None:
    if attempt.status not in _ALLOWED[action]:
        raise InvalidTransition(_REFUSAL[action], code=f"cannot_{action}")


# --- the record lines ------------------------------------------------------------------


def _incident(
    actor: Actor,
    sitting: Sitting,
    reason: str,
    *,
    action: str = "",
    attempt: Attempt | None = None,
    seat: SeatAssignment | None = None,
    minutes: int | None = None,
) -> Incident:
    return Incident.objects.create(
        sitting=sitting,
        attempt=attempt,
        seat=seat or (attempt.seat if attempt is not None else None),
        action=action,
        minutes=minutes,
        reason=reason,
        author=actor.user,
        author_label=actor.label[:128],
    )


def _audit(
    actor: Actor, action: str, obj: Attempt | SeatAssignment | Sitting, **changes: object
) -> None:
    session = obj.sitting.session if isinstance(obj, Attempt) else obj.session
    audit_record(
        actor=actor,
        action=f"exams.proctor.{action}",
        obj=obj,
        organisation=session.batch.institution.organisation,
        changes=dict(changes),
    )


def _lock(attempt: Attempt) -> Attempt:
    return (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("sitting__session__batch__institution__organisation", "seat__session")
        .get(pk=attempt.pk)
    )


def _act(
    actor: Actor,
    attempt: Attempt,
    action: str,
    reason: str,
    change: Callable[[Attempt, int], list[str]],
    *,
    minutes: int | None = None,
) -> Attempt:
    """The shared shape of a proctor action on an attempt: check, lock, change, log.

    ``change`` edits the locked row (given the checked minutes, 0 when the action takes
    none) and returns the fields it changed.
    """
    session = attempt.sitting.session
    require_actor(actor, session)
    reason = clean_reason(reason)
    granted = clean_minutes(minutes) if action in TIMED_ACTIONS else None
    with transaction.atomic():
        _require_open_session(session)
        locked = _lock(attempt)
        _require_state(locked, action)
        before = {"status": locked.status, "deadline": locked.deadline}
        fields = change(locked, granted or 0)
        locked.save(update_fields=fields)
        now = timezone.now()
        AttemptEvent.objects.create(
            attempt=locked,
            kind=AttemptEventKind.PROCTOR,
            at=now,
            detail={"action": action, "minutes": granted},
        )
        _incident(actor, locked.sitting, reason, action=action, attempt=locked, minutes=granted)
        _audit(
            actor,
            action,
            locked,
            before=before,
            after={"status": locked.status, "deadline": locked.deadline},
            minutes=granted,
            reason=reason,
        )
        if locked.status == AttemptStatus.IN_PROGRESS and action != ProctorAction.AUTHORISE:
            schedule_deadline(locked)
    return locked


# --- the actions -----------------------------------------------------------------------


def attempt_pause(*, actor: Actor, attempt: Attempt, reason: str) -> Attempt:
    """Stop the candidate's clock; the time left is kept to the second."""

    def change(locked: Attempt, _minutes: int) -> list[str]:
        left = (locked.deadline - timezone.now()).total_seconds()
        locked.status = AttemptStatus.PAUSED
        locked.paused_remaining_seconds = max(0, int(left))
        return ["status", "paused_remaining_seconds"]

    return _act(actor, attempt, ProctorAction.PAUSE, reason, change)


def attempt_resume(*, actor: Actor, attempt: Attempt, reason: str) -> Attempt:
    """Restart the clock with the time that was left when paused."""

    def change(locked: Attempt, _minutes: int) -> list[str]:
        left = locked.paused_remaining_seconds or 0
        locked.status = AttemptStatus.IN_PROGRESS
        locked.deadline = timezone.now() + timedelta(seconds=left)
        locked.paused_remaining_seconds = None
        return ["status", "deadline", "paused_remaining_seconds"]

    return _act(actor, attempt, ProctorAction.RESUME, reason, change)


def attempt_extend(*, actor: Actor, attempt: Attempt, minutes: int | None, reason: str) -> Attempt:
    """Give the candidate more time (a paused clock keeps the extra time until resumed)."""

    def change(locked: Attempt, minutes: int) -> list[str]:
        locked.deadline += timedelta(minutes=minutes)
        if locked.status == AttemptStatus.PAUSED:
            locked.paused_remaining_seconds = (locked.paused_remaining_seconds or 0) + minutes * 60
        return ["deadline", "paused_remaining_seconds"]

    return _act(actor, attempt, ProctorAction.EXTEND, reason, change, minutes=minutes)


def attempt_reopen(*, actor: Actor, attempt: Attempt, minutes: int | None, reason: str) -> Attempt:
    """Let a candidate whose attempt closed continue, for the minutes the proctor grants,
    while the session is still open; grading starts over when it closes again."""

    def change(locked: Attempt, minutes: int) -> list[str]:
        locked.status = AttemptStatus.IN_PROGRESS
        locked.closed_at = None
        locked.deadline = timezone.now() + timedelta(minutes=minutes)
        locked.paused_remaining_seconds = None
        locked.grading_status = GradingStatus.PENDING
        locked.score = None
        Answer.objects.filter(attempt=locked).update(is_correct=None, points_awarded=None)
        return [
            "status",
            "closed_at",
            "deadline",
            "paused_remaining_seconds",
            "grading_status",
            "score",
        ]

    return _act(actor, attempt, ProctorAction.REOPEN, reason, change, minutes=minutes)


def attempt_authorise(*, actor: Actor, attempt: Attempt, reason: str) -> Attempt:
    """Accept one sign-in from another device (the sign-in consumes the authorisation)."""

    def change(locked: Attempt, _minutes: int) -> list[str]:
        if locked.relogin_authorised:
            raise InvalidTransition(
                _("已授权该考生更换终端登录，等待考生登录。"), code="already_authorised"
            )
        locked.relogin_authorised = True
        return ["relogin_authorised"]

    return _act(actor, attempt, ProctorAction.AUTHORISE, reason, change)


def attempt_terminate(*, actor: Actor, attempt: Attempt, reason: str) -> Attempt:
    """End the candidate's exam now (for example a violation); answers saved so far stay."""
    session = attempt.sitting.session
    require_actor(actor, session)
    reason = clean_reason(reason)
    with transaction.atomic():
        _require_open_session(session)
        _require_state(_lock(attempt), ProctorAction.TERMINATE)
        closed = attempt_close(
            actor=actor, attempt_id=attempt.pk, status=AttemptStatus.TERMINATED, reason=reason
        )
        if closed is None:  # not reachable under the lock; kept as a guard
            raise InvalidTransition(_REFUSAL[ProctorAction.TERMINATE])
        _incident(actor, closed.sitting, reason, action=ProctorAction.TERMINATE, attempt=closed)
    return closed


def late_entry_authorise(*, actor: Actor, seat: SeatAssignment, reason: str) -> Incident:
    """Let a candidate who has not signed in yet start after the late-entry limit; the
    sign-in checks :func:`late_entry_authorised`."""
    session = seat.session
    require_actor(actor, session)
    reason = clean_reason(reason)
    sitting = Sitting.objects.filter(session_id=session.pk).first()
    if sitting is None:
        raise InvalidTransition(_("本场次尚未安排机考。"), code="no_sitting")
    with transaction.atomic():
        _require_open_session(session)
        locked = SeatAssignment.objects.select_for_update(of=("self",)).get(pk=seat.pk)
        if Attempt.objects.filter(seat=locked).exists():
            raise InvalidTransition(
                _("该考生已登录作答；如需更换终端，请授权该考生再次登录。"),
                code="already_started",
            )
        if late_entry_authorised(locked):
            raise InvalidTransition(
                _("已授权该考生迟到入场，等待考生登录。"), code="already_authorised"
            )
        if sitting.ends_at is not None and timezone.now() >= sitting.ends_at:
            raise InvalidTransition(_("本场考试时间已结束。"), code="sitting_over")
        line = _incident(actor, sitting, reason, action=ProctorAction.AUTHORISE, seat=locked)
        _audit(actor, ProctorAction.AUTHORISE, locked, late_entry=True, reason=reason)
    return line


def late_entry_authorised(seat: SeatAssignment) -> bool:
    """A proctor has authorised this seat's first sign-in after the late-entry limit."""
    return Incident.objects.filter(
        seat_id=seat.pk, action=ProctorAction.AUTHORISE, attempt__isnull=True
    ).exists()


def seat_act(
    *,
    actor: Actor,
    seat: SeatAssignment,
    action: str,
    reason: str,
    minutes: int | None = None,
) -> Attempt | Incident:
    """Run ``action`` on the seat's attempt (authorising a seat with no attempt lets the
    candidate enter late); the console's one entry point."""
    if action not in ProctorAction.values:
        raise DomainError(_("未知的监考操作。"), code="unknown_action")
    attempt = (
        Attempt.objects.filter(seat_id=seat.pk)
        .select_related("sitting__session__batch__institution__organisation")
        .first()
    )
    if action == ProctorAction.AUTHORISE and attempt is None:
        return late_entry_authorise(actor=actor, seat=seat, reason=reason)
    if attempt is None:
        require_actor(actor, seat.session)
        raise InvalidTransition(_("该考生尚未登录作答。"), code="no_attempt")
    if action == ProctorAction.PAUSE:
        return attempt_pause(actor=actor, attempt=attempt, reason=reason)
    if action == ProctorAction.RESUME:
        return attempt_resume(actor=actor, attempt=attempt, reason=reason)
    if action == ProctorAction.EXTEND:
        return attempt_extend(actor=actor, attempt=attempt, minutes=minutes, reason=reason)
    if action == ProctorAction.REOPEN:
        return attempt_reopen(actor=actor, attempt=attempt, minutes=minutes, reason=reason)
    if action == ProctorAction.TERMINATE:
        return attempt_terminate(actor=actor, attempt=attempt, reason=reason)
    return attempt_authorise(actor=actor, attempt=attempt, reason=reason)


def incident_note(
    *, actor: Actor, sitting: Sitting, reason: str, seat: SeatAssignment | None = None
) -> Incident:
    """A free line of the session record (an observation, a device fault, a visitor)."""
    session = sitting.session
    require_actor(actor, session)
    reason = clean_reason(reason)
    if seat is not None and seat.session_id != session.pk:
        raise DomainError(_("该座位不属于本场次。"), code="wrong_seat")
    with transaction.atomic():
        line = _incident(actor, sitting, reason, seat=seat)
        _audit(actor, "note", sitting, reason=reason, seat=seat.pk if seat else None)
    return line
