"""Delivering a theory exam to a candidate: sign-in, the paper, answers, submission.

DESIGN.md lifecycle step 4 and peer-lessons: sign-in with admission number + ID number
only inside an opened sitting; each candidate gets their own order of items and options;
the countdown is the server's; every answer is saved on change and acknowledged with a
sequence number, and an older write never overwrites a newer one; no key or score
reaches the client before the end.

Saving an answer is the hot path (one row lock on the attempt, one conditional UPDATE):
it writes no audit line — the answer row with its ``seq`` and ``saved_at`` is the
record; sign-ins, submissions and closings are audited.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import Component, SessionStatus
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.personal import id_index
from skillcert.enrollment.models import Application, SeatAssignment
from skillcert.exams.choices import (
    CLIENT_EVENT_KINDS,
    OPEN_ATTEMPT,
    AttemptEventKind,
    AttemptStatus,
)
from skillcert.exams.closing import attempt_close, schedule_deadline
from skillcert.exams.models import Answer, Attempt, AttemptEvent, Sitting
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import Paper, PaperItem

LOGIN_FAILURES_ALLOWED = 5  # per admission number per window, then wait
LOGIN_FAILURE_WINDOW = 300  # seconds
MAX_CLIENT_EVENTS = 1000  # per attempt: a page cannot flood the log
MAX_TEXT_ANSWER = 5000  # characters of a short answer


class ExamAuthFailed(DomainError):
    status = 401

    def __init__(self, message: str, *, code: str = "bad_credentials") -> None:
        super().__init__(message, code=code)


class StaleAnswer(DomainError):
    """An answer write older than (or equal to) what the server holds."""

    status = 409

    def __init__(self, current_seq: int) -> None:
        super().__init__(_("该答案已有更新的保存记录，本次保存被忽略。"), code="stale_seq")
        self.extra = {"seq": current_seq}


@dataclass(frozen=True)
class Client:
    """What the server knows of the exam client: for the event log."""

    address: str | None = None
    user_agent: str = ""


@dataclass(frozen=True)
class Login:
    token: str
    attempt: Attempt
    remaining_seconds: int


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _actor_for(application: Application) -> Actor:
    label = f"考生 {application.admission_number}"
    if application.person.user is not None:
        return Actor(user=application.person.user, system_label="")
    return Actor.system(label)


# ---------------------------------------------------------------- sign-in


def _failure_key(admission_number: str) -> str:
    return f"exam-login-fail:{hashlib.sha256(admission_number.encode()).hexdigest()[:32]}"


def _refuse_credentials(admission_number: str) -> ExamAuthFailed:
    key = _failure_key(admission_number)
    cache.add(key, 0, LOGIN_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOGIN_FAILURE_WINDOW)
    return ExamAuthFailed(_("准考证号或证件号码不正确。"))


def _find_application(admission_number: str, id_number: str) -> Application:
    admission_number = admission_number.strip()
    if not admission_number or not id_number.strip():
        raise ExamAuthFailed(_("请填写准考证号和证件号码。"), code="missing")
    if (cache.get(_failure_key(admission_number)) or 0) >= LOGIN_FAILURES_ALLOWED:
        raise ExamAuthFailed(
            _("登录失败次数过多，请%(minutes)s分钟后再试或联系监考人员。")
            % {"minutes": LOGIN_FAILURE_WINDOW // 60},
            code="throttled",
        )
    application = (
        Application.objects.select_related("person__user")
        .filter(admission_number=admission_number)
        .first()
    )
    if application is None:
        raise _refuse_credentials(admission_number)
    person = application.person
    if id_index(person.id_type, id_number) != person.id_number_index:
        raise _refuse_credentials(admission_number)
    return application


def _open_seat(application: Application) -> SeatAssignment:
    seat = (
        SeatAssignment.objects.select_related(
            "session__sitting", "session__room", "session__batch__institution__organisation"
        )
        .filter(
            application=application,
            session__component=Component.THEORY,
            session__status=SessionStatus.OPEN,
            session__sitting__opened_at__isnull=False,
        )
        .first()
    )
    if seat is None:
        raise PermissionDenied(
            _("当前没有您可以参加的考试：监考人员尚未开考，或本场考试已结束。"),
            code="no_open_sitting",
        )
    return seat


def _window(sitting: Sitting) -> tuple[datetime, datetime]:
    """When the sitting opened and when its common deadline falls."""
    if sitting.opened_at is None or sitting.ends_at is None:
        raise PermissionDenied(_("监考人员尚未开考。"), code="no_open_sitting")
    return sitting.opened_at, sitting.ends_at


def late_entry_closes(sitting: Sitting) -> datetime:
    """After this, a first sign-in needs a proctor's authorisation."""
    start = max(_window(sitting)[0], sitting.session.starts_at)
    return start + timedelta(minutes=sitting.late_entry_minutes)


def exam_login(*, admission_number: str, id_number: str, client: Client) -> Login:
    """Sign a candidate in: start their attempt, or resume it on another device once a
    proctor has authorised that."""
    application = _find_application(admission_number, id_number)
    seat = _open_seat(application)
    # The reverse one-to-one is known to the django-stubs plugin only on a fresh run.
    sitting: Sitting = seat.session.sitting  # type: ignore[attr-defined, unused-ignore]
    now = timezone.now()
    if now >= _window(sitting)[1]:
        raise InvalidTransition(_("本场考试时间已结束。"), code="sitting_over")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(seat=seat).first()
        if attempt is None:
            if now > late_entry_closes(sitting) and not _late_entry_authorised(seat):
                raise PermissionDenied(
                    _("已超过开考后%(minutes)s分钟，不能再入场；如有特殊情况请联系监考人员。")
                    % {"minutes": sitting.late_entry_minutes},
                    code="late",
                )
            attempt = _start_attempt(seat, sitting, token, now)
            kind = AttemptEventKind.LOGIN
        elif attempt.status not in OPEN_ATTEMPT:
            raise InvalidTransition(_("您已交卷，不能再次登录。"), code="closed")
        elif attempt.token_used and not attempt.relogin_authorised:
            raise PermissionDenied(
                _("您已在其他终端登录。如需更换终端，请举手联系监考人员授权。"),
                code="relogin_needs_authorisation",
            )
        else:
            # Authorised, or a repeat of a sign-in whose token never came back to be used.
            attempt.token_digest = token_digest(token)
            attempt.relogin_authorised = attempt.relogin_authorised and not attempt.token_used
            attempt.token_used = False
            attempt.save(update_fields=["token_digest", "relogin_authorised", "token_used"])
            kind = AttemptEventKind.RELOGIN
        _log(attempt, kind, client, now=now)
        audit_record(
            actor=_actor_for(application),
            action=f"exams.attempt.{kind}",
            obj=attempt,
            organisation=seat.session.batch.institution.organisation,
            changes={"client_address": client.address or ""},
        )
    cache.delete(_failure_key(application.admission_number or ""))
    return Login(token=token, attempt=attempt, remaining_seconds=remaining_seconds(attempt, now))


def _late_entry_authorised(seat: SeatAssignment) -> bool:
    from skillcert.exams.proctoring import late_entry_authorised  # proctoring imports us

    return late_entry_authorised(seat)


def _start_attempt(seat: SeatAssignment, sitting: Sitting, token: str, now: datetime) -> Attempt:
    papers = list(sitting.papers.order_by("form_label", "pk"))
    # Parallel forms alternate by seat, so neighbours sit different forms.
    paper = papers[(seat.seat_number - 1) % len(papers)]
    item_order, option_orders = personal_order(paper_items(paper), random.SystemRandom())
    attempt = Attempt.objects.create(
        seat=seat,
        sitting=sitting,
        paper=paper,
        started_at=now,
        deadline=_window(sitting)[1],
        token_digest=token_digest(token),
        item_order=item_order,
        option_orders=option_orders,
    )
    Answer.objects.bulk_create(
        Answer(attempt=attempt, position=position, paper_item_id=paper_item_id)
        for position, paper_item_id in enumerate(item_order, start=1)
    )
    schedule_deadline(attempt)
    return attempt


def personal_order(
    items: dict[int, dict[str, Any]], rng: random.Random
) -> tuple[list[int], dict[str, list[str]]]:
    """Items keep the paper's sections (one per type, in paper order) but are shuffled
    within each; choice options are shuffled. ``items`` is :func:`paper_items`. Returns
    PaperItem ids by display position and option keys by position."""
    sections: dict[str, list[int]] = {}
    for pk, item in sorted(items.items(), key=lambda entry: entry[1]["position"]):
        sections.setdefault(item["type"], []).append(pk)
    order: list[int] = []
    for section in sections.values():
        rng.shuffle(section)
        order.extend(section)
    options: dict[str, list[str]] = {}
    for position, pk in enumerate(order, start=1):
        if items[pk]["type"] in (ItemType.SINGLE, ItemType.MULTIPLE):
            keys = list(items[pk]["options"])
            rng.shuffle(keys)
            options[str(position)] = keys
    return order, options


# ---------------------------------------------------------------- the attempt


def attempt_by_token(token: str) -> Attempt:
    attempt = (
        Attempt.objects.select_related("sitting__session__room", "seat__application")
        .filter(token_digest=token_digest(token))
        .first()
    )
    if attempt is None:
        raise ExamAuthFailed(_("登录已失效，请重新登录。"), code="bad_token")
    return attempt


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    if attempt.status == AttemptStatus.PAUSED:
        return attempt.paused_remaining_seconds or 0
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return 0
    left = (attempt.deadline - (now or timezone.now())).total_seconds()
    return max(0, int(left))


@lru_cache(maxsize=64)
def _paper_items(paper_id: int, sealed_hash: str) -> dict[int, dict[str, Any]]:
    """A sealed paper never changes: its items are read once per process (start storms
    fetch the same paper thousands of times). Keys stay on the server."""
    rows = PaperItem.objects.filter(paper_id=paper_id).select_related("item")
    return {
        row.pk: {
            "position": row.position,
            "type": row.item.type,
            "stem": row.item.stem,
            "options": {o["key"]: o["text"] for o in row.item.options},
            "points": f"{row.points:.2f}",
        }
        for row in rows
    }


def paper_items(paper: Paper) -> dict[int, dict[str, Any]]:
    return _paper_items(paper.pk, paper.content_sha256)


def close_if_due(attempt: Attempt) -> Attempt:
    """An attempt read after its deadline is closed now, whatever the timer is doing."""
    if attempt.status == AttemptStatus.IN_PROGRESS and attempt.deadline <= timezone.now():
        attempt_close(
            actor=Actor.system("exam-timer"),
            attempt_id=attempt.pk,
            status=AttemptStatus.TIMED_OUT,
            only_if_due=True,
        )
        attempt.refresh_from_db()
    return attempt


def attempt_view(token: str) -> dict[str, Any]:
    """The paper as this candidate sees it, their answers so far and the time left."""
    attempt = close_if_due(attempt_by_token(token))
    _mark_used(attempt)
    items = paper_items(attempt.paper)
    answers = {
        a.position: a
        for a in Answer.objects.filter(attempt=attempt).only("position", "response", "seq")
    }
    rendered = []
    for position, paper_item_id in enumerate(attempt.item_order, start=1):
        item = items[paper_item_id]
        keys = attempt.option_orders.get(str(position), list(item["options"]))
        rendered.append(
            {
                "position": position,
                "type": item["type"],
                "stem": item["stem"],
                "options": [{"key": k, "text": item["options"][k]} for k in keys],
                "points": item["points"],
            }
        )
    session = attempt.sitting.session
    return {
        "status": attempt.status,
        "remaining_seconds": remaining_seconds(attempt),
        "session": str(session),
        "seat_number": attempt.seat.seat_number,
        "admission_number": attempt.seat.application.admission_number or "",
        "items": rendered,
        "answers": [
            {"position": p, "answer": a.response, "seq": a.seq}
            for p, a in sorted(answers.items())
            if a.seq > 0
        ],
    }


def _mark_used(attempt: Attempt) -> None:
    if not attempt.token_used:
        Attempt.objects.filter(pk=attempt.pk).update(token_used=True)
        attempt.token_used = True


def check_answer(item: dict[str, Any], answer: Any) -> Any:
    """The shape each item type accepts; anything else is refused with a clear message."""
    kind = item["type"]
    if kind == ItemType.SHORT_ANSWER:
        text = answer.get("text") if isinstance(answer, dict) else None
        if not isinstance(text, str) or len(text) > MAX_TEXT_ANSWER:
            raise DomainError(
                _("简答题答案应为不超过%(n)s字的文字。") % {"n": MAX_TEXT_ANSWER},
                code="bad_answer",
            )
        return {"text": text}
    if not isinstance(answer, list) or not all(isinstance(k, str) for k in answer):
        raise DomainError(_("答案格式不正确。"), code="bad_answer")
    keys = sorted(set(answer))
    allowed = {"T", "F"} if kind == ItemType.TRUE_FALSE else set(item["options"])
    if not set(keys) <= allowed:
        raise DomainError(_("答案中有不存在的选项。"), code="bad_answer")
    if kind != ItemType.MULTIPLE and len(keys) > 1:
        raise DomainError(_("该题只能选择一个答案。"), code="bad_answer")
    return keys  # [] clears the answer


@dataclass(frozen=True)
class Saved:
    seq: int
    saved_at: datetime
    remaining_seconds: int


def answer_save(*, token: str, position: int, answer: Any, seq: int) -> Saved:
    """Save one answer if ``seq`` is newer than the stored one; acknowledge with it."""
    if not isinstance(seq, int) or seq < 1:
        raise DomainError(_("保存序号应为正整数。"), code="bad_seq")
    now = timezone.now()
    with transaction.atomic():
        attempt = (
            # One query: the attempt row locked, with its (sealed) paper's hash for the
            # per-process item cache.
            Attempt.objects.select_for_update(of=("self",))
            .select_related("paper")
            .only(
                "pk",
                "status",
                "deadline",
                "item_order",
                "paused_remaining_seconds",
                "token_used",
                "paper__id",
                "paper__content_sha256",
            )
            .filter(token_digest=token_digest(token))
            .first()
        )
        if attempt is None:
            raise ExamAuthFailed(_("登录已失效，请重新登录。"), code="bad_token")
        if not 1 <= position <= len(attempt.item_order):
            raise DomainError(_("题号不存在。"), code="bad_position")
        if attempt.status == AttemptStatus.PAUSED:
            raise InvalidTransition(_("考试已被监考人员暂停，请稍候。"), code="paused")
        if attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline <= now:
            raise InvalidTransition(_("考试已结束，答案不能再修改。"), code="closed")
        value = check_answer(paper_items(attempt.paper)[attempt.item_order[position - 1]], answer)
        updated = Answer.objects.filter(attempt=attempt, position=position, seq__lt=seq).update(
            response=value, seq=seq, saved_at=now
        )
        _mark_used(attempt)
        if not updated:
            current = Answer.objects.filter(attempt=attempt, position=position).values_list(
                "seq", flat=True
            )
            raise StaleAnswer(current.first() or 0)
    return Saved(seq=seq, saved_at=now, remaining_seconds=remaining_seconds(attempt, now))


def attempt_submit(*, token: str, client: Client) -> str:
    """The candidate hands in; a second submit (a double click, a retry) changes nothing."""
    attempt = attempt_by_token(token)
    if attempt.status in OPEN_ATTEMPT:
        if attempt.status == AttemptStatus.PAUSED:
            raise InvalidTransition(_("考试已被监考人员暂停，暂不能交卷。"), code="paused")
        closed = attempt_close(
            actor=_actor_for(attempt.seat.application),
            attempt_id=attempt.pk,
            status=AttemptStatus.SUBMITTED,
        )
        if closed is None:
            attempt.refresh_from_db()
            return attempt.status
        return closed.status
    return attempt.status


def event_report(*, token: str, kind: str, detail: dict[str, Any], client: Client) -> None:
    """An event the page reports (focus lost or back, reconnects)."""
    if kind not in CLIENT_EVENT_KINDS:
        raise DomainError(_("不支持的事件类型。"), code="bad_event")
    attempt = attempt_by_token(token)
    if AttemptEvent.objects.filter(attempt=attempt).count() >= MAX_CLIENT_EVENTS:
        return
    small = {str(k)[:32]: str(v)[:200] for k, v in list(detail.items())[:10]}
    _log(attempt, kind, client, detail=small)


def _log(
    attempt: Attempt,
    kind: str,
    client: Client,
    *,
    now: datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    AttemptEvent.objects.create(
        attempt=attempt,
        kind=kind,
        at=now or timezone.now(),
        client_address=client.address or None,
        user_agent=client.user_agent[:256],
        detail=detail or {},
    )
