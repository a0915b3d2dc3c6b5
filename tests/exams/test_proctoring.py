"""Proctor actions through the services: each state change, its record line, event and
audit, and the refusals (wrong state, closed session, wrong person, no reason)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from skillcert.batches.choices import SessionStatus, StaffRole
from skillcert.batches.models import StaffAssignment
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams import proctoring, sittings
from skillcert.exams.choices import (
    AttemptEventKind,
    AttemptStatus,
    GradingStatus,
    ProctorAction,
)
from skillcert.exams.closing import attempt_close
from skillcert.exams.models import Answer, Attempt, AttemptEvent, Incident
from skillcert.itembank.models import PaperItem
from tests.exams.conftest import ExamKit

pytestmark = pytest.mark.django_db


def start_attempt(
    exam: ExamKit, index: int = 0, *, answered: int = 0, minutes: int = 90
) -> Attempt:
    """The attempt a sign-in would start: one answer row per paper item, ``answered`` of
    them saved by the candidate."""
    now = timezone.now()
    items = list(PaperItem.objects.filter(paper=exam.paper).order_by("position"))
    attempt = Attempt.objects.create(
        seat=exam.seat(index),
        sitting=exam.sitting,
        paper=exam.paper,
        started_at=now,
        deadline=now + timedelta(minutes=minutes),
        token_digest=uuid.uuid4().hex,
        item_order=[item.pk for item in items],
    )
    Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            position=position,
            paper_item=item,
            response=["A"] if position <= answered else None,
            seq=1 if position <= answered else 0,
            saved_at=now if position <= answered else None,
        )
        for position, item in enumerate(items, start=1)
    )
    return attempt


def make_proctor(exam: ExamKit, name: str = "examiner", index: int = 0) -> Actor:
    """Link the cast member ``name`` to the kit's proctor ``index`` in the staff registry
    (proctors 0 and 1 are assigned to the theory session, 2 and 3 are not)."""
    member = exam.kit.proctors[index]
    member.user = exam.cast.users[name]
    member.save(update_fields=["user"])
    return exam.cast.actor(name)


@pytest.fixture
def live(exam: ExamKit) -> ExamKit:
    exam.open()
    return exam


@pytest.fixture
def scheduled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, Any]]:
    """The (attempt, deadline) pairs handed to ``closing.schedule_deadline`` (the test
    backend cannot defer tasks, so nothing would be queued to look at)."""
    calls: list[tuple[int, Any]] = []
    monkeypatch.setattr(
        proctoring,
        "schedule_deadline",
        lambda attempt: calls.append((attempt.pk, attempt.deadline)),
    )
    return calls


def _last_line(attempt: Attempt) -> Incident:
    line = Incident.objects.filter(attempt=attempt).order_by("-pk").first()
    assert line is not None
    return line


def _proctor_events(attempt: Attempt) -> list[dict[str, Any]]:
    return [
        e.detail
        for e in AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.PROCTOR)
    ]


def test_pause_stops_the_clock_and_writes_the_record(live: ExamKit) -> None:
    attempt = start_attempt(live, minutes=30)
    paused = proctoring.attempt_pause(actor=live.admin, attempt=attempt, reason="  考生身体不适  ")
    paused.refresh_from_db()
    assert paused.status == AttemptStatus.PAUSED
    assert paused.paused_remaining_seconds is not None
    assert 30 * 60 - 5 <= paused.paused_remaining_seconds <= 30 * 60
    line = _last_line(attempt)
    assert (line.action, line.reason, line.minutes) == (ProctorAction.PAUSE, "考生身体不适", None)
    assert line.seat_id == attempt.seat_id
    assert line.author_label == live.admin.label
    assert _proctor_events(attempt) == [{"action": "pause", "minutes": None}]
    event = AuditEvent.objects.get(action="exams.proctor.pause")
    assert event.object_id == str(attempt.pk)
    assert event.changes["reason"] == "考生身体不适"


def test_resume_restarts_the_clock_from_the_time_left(
    live: ExamKit, scheduled: list[tuple[int, Any]]
) -> None:
    attempt = start_attempt(live)
    proctoring.attempt_pause(actor=live.admin, attempt=attempt, reason="更换电脑")
    Attempt.objects.filter(pk=attempt.pk).update(paused_remaining_seconds=600)
    resumed = proctoring.attempt_resume(actor=live.admin, attempt=attempt, reason="已更换")
    resumed.refresh_from_db()
    assert resumed.status == AttemptStatus.IN_PROGRESS
    assert resumed.paused_remaining_seconds is None
    left = (resumed.deadline - timezone.now()).total_seconds()
    assert 595 <= left <= 600
    assert scheduled == [(attempt.pk, resumed.deadline)], "the time-out check follows"
    assert [d["action"] for d in _proctor_events(attempt)] == ["pause", "resume"]


def test_extend_moves_the_deadline_or_the_paused_time(
    live: ExamKit, scheduled: list[tuple[int, Any]]
) -> None:
    attempt = start_attempt(live)
    before = attempt.deadline
    proctoring.attempt_extend(actor=live.admin, attempt=attempt, minutes=10, reason="断电")
    attempt.refresh_from_db()
    assert attempt.deadline == before + timedelta(minutes=10)
    assert scheduled == [(attempt.pk, attempt.deadline)]
    line = _last_line(attempt)
    assert (line.action, line.minutes) == (ProctorAction.EXTEND, 10)
    assert _proctor_events(attempt) == [{"action": "extend", "minutes": 10}]

    proctoring.attempt_pause(actor=live.admin, attempt=attempt, reason="暂停")
    attempt.refresh_from_db()
    left = attempt.paused_remaining_seconds or 0
    proctoring.attempt_extend(actor=live.admin, attempt=attempt, minutes=5, reason="补时")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAUSED
    assert attempt.paused_remaining_seconds == left + 300
    assert len(scheduled) == 1, "a paused clock is scheduled when it resumes"


@pytest.mark.parametrize("minutes", [None, 0, 61, -5])
def test_extend_needs_one_to_sixty_minutes(live: ExamKit, minutes: int | None) -> None:
    attempt = start_attempt(live)
    with pytest.raises(DomainError) as refused:
        proctoring.attempt_extend(actor=live.admin, attempt=attempt, minutes=minutes, reason="x")
    assert refused.value.code == "bad_minutes"
    assert "1至60分钟" in str(refused.value.message)
    assert not Incident.objects.exists()


def test_terminate_closes_through_the_shared_path(live: ExamKit) -> None:
    attempt = start_attempt(live, answered=2)
    closed = proctoring.attempt_terminate(actor=live.admin, attempt=attempt, reason="夹带资料")
    closed.refresh_from_db()
    assert closed.status == AttemptStatus.TERMINATED
    assert closed.closed_at is not None
    assert _last_line(attempt).action == ProctorAction.TERMINATE
    # attempt_close wrote the event and the audit line; the answers stay.
    assert _proctor_events(attempt) == [{"reason": "夹带资料"}]
    assert AuditEvent.objects.filter(action="exams.attempt.close").count() == 1
    assert Answer.objects.filter(attempt=attempt, seq__gt=0).count() == 2


def test_reopen_gives_a_closed_attempt_new_time_and_clears_its_grading(
    live: ExamKit, scheduled: list[tuple[int, Any]]
) -> None:
    attempt = start_attempt(live, answered=3)
    attempt_close(actor=live.admin, attempt_id=attempt.pk, status=AttemptStatus.SUBMITTED)
    Attempt.objects.filter(pk=attempt.pk).update(
        grading_status=GradingStatus.GRADED, score=Decimal("40.00")
    )
    Answer.objects.filter(attempt=attempt, seq__gt=0).update(
        is_correct=True, points_awarded=Decimal(20)
    )
    proctoring.attempt_reopen(actor=live.admin, attempt=attempt, minutes=15, reason="误交卷")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert attempt.closed_at is None
    assert attempt.grading_status == GradingStatus.PENDING
    assert attempt.score is None
    left = (attempt.deadline - timezone.now()).total_seconds()
    assert 15 * 60 - 5 <= left <= 15 * 60
    answers = Answer.objects.filter(attempt=attempt)
    assert not answers.filter(is_correct__isnull=False).exists()
    assert not answers.filter(points_awarded__isnull=False).exists()
    assert answers.filter(seq__gt=0).count() == 3, "the candidate's answers are kept"
    assert (_last_line(attempt).action, _last_line(attempt).minutes) == (ProctorAction.REOPEN, 15)
    assert scheduled == [(attempt.pk, attempt.deadline)]


def test_authorise_allows_one_sign_in_from_another_device(live: ExamKit) -> None:
    attempt = start_attempt(live)
    proctoring.attempt_authorise(actor=live.admin, attempt=attempt, reason="电脑死机")
    attempt.refresh_from_db()
    assert attempt.relogin_authorised
    with pytest.raises(InvalidTransition) as again:
        proctoring.attempt_authorise(actor=live.admin, attempt=attempt, reason="再次")
    assert again.value.code == "already_authorised"
    assert Incident.objects.filter(action=ProctorAction.AUTHORISE).count() == 1


def test_a_late_candidate_is_authorised_by_seat(live: ExamKit) -> None:
    seat = live.seat(1)
    assert not proctoring.late_entry_authorised(seat)
    line = proctoring.seat_act(
        actor=live.admin, seat=seat, action=ProctorAction.AUTHORISE, reason="交通事故迟到"
    )
    assert isinstance(line, Incident)
    assert (line.seat_id, line.attempt_id, line.action) == (seat.pk, None, "authorise")
    assert proctoring.late_entry_authorised(seat)
    assert not proctoring.late_entry_authorised(live.seat(2))
    assert AuditEvent.objects.filter(action="exams.proctor.authorise").count() == 1
    with pytest.raises(InvalidTransition) as again:
        proctoring.late_entry_authorise(actor=live.admin, seat=seat, reason="再次")
    assert again.value.code == "already_authorised"
    # An authorisation given to a signed-in candidate is not a late entry.
    attempt = start_attempt(live, 2)
    proctoring.attempt_authorise(actor=live.admin, attempt=attempt, reason="换机")
    assert not proctoring.late_entry_authorised(live.seat(2))


def test_a_late_entry_needs_no_authorisation_once_signed_in(live: ExamKit) -> None:
    start_attempt(live, 1)
    with pytest.raises(InvalidTransition) as refused:
        proctoring.late_entry_authorise(actor=live.admin, seat=live.seat(1), reason="迟到")
    assert refused.value.code == "already_started"


@pytest.mark.parametrize(
    ("status", "action", "minutes"),
    [
        (AttemptStatus.PAUSED, ProctorAction.PAUSE, None),
        (AttemptStatus.IN_PROGRESS, ProctorAction.RESUME, None),
        (AttemptStatus.IN_PROGRESS, ProctorAction.REOPEN, 10),
        (AttemptStatus.PAUSED, ProctorAction.REOPEN, 10),
        (AttemptStatus.SUBMITTED, ProctorAction.PAUSE, None),
        (AttemptStatus.SUBMITTED, ProctorAction.RESUME, None),
        (AttemptStatus.TIMED_OUT, ProctorAction.EXTEND, 10),
        (AttemptStatus.TERMINATED, ProctorAction.TERMINATE, None),
        (AttemptStatus.SUBMITTED, ProctorAction.AUTHORISE, None),
    ],
)
def test_actions_that_make_no_sense_for_the_state_are_refused(
    live: ExamKit, status: str, action: str, minutes: int | None
) -> None:
    attempt = start_attempt(live)
    Attempt.objects.filter(pk=attempt.pk).update(status=status, paused_remaining_seconds=60)
    audits = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as refused:
        proctoring.seat_act(
            actor=live.admin, seat=attempt.seat, action=action, reason="测试", minutes=minutes
        )
    assert refused.value.code == f"cannot_{action}"
    assert not Incident.objects.exists()
    assert AuditEvent.objects.count() == audits
    attempt.refresh_from_db()
    assert attempt.status == status


def test_nothing_happens_unless_the_session_is_open(exam: ExamKit) -> None:
    attempt = start_attempt(exam)  # the sitting was prepared but never opened
    with pytest.raises(InvalidTransition) as refused:
        proctoring.attempt_pause(actor=exam.admin, attempt=attempt, reason="测试")
    assert refused.value.code == "session_not_open"
    exam.open()
    sittings.sitting_close(actor=exam.admin, sitting=exam.sitting, reason="收卷")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TERMINATED
    with pytest.raises(InvalidTransition) as late:
        proctoring.attempt_reopen(actor=exam.admin, attempt=attempt, minutes=5, reason="测试")
    assert late.value.code == "session_not_open"
    with pytest.raises(InvalidTransition):
        proctoring.late_entry_authorise(actor=exam.admin, seat=exam.seat(1), reason="迟到")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_every_action_needs_a_reason(live: ExamKit, reason: str | None) -> None:
    attempt = start_attempt(live)
    with pytest.raises(DomainError) as refused:
        proctoring.attempt_pause(actor=live.admin, attempt=attempt, reason=reason)  # type: ignore[arg-type]  # a form may send nothing
    assert refused.value.code == "reason_required"
    assert str(refused.value.message) == "请填写事由。"
    with pytest.raises(DomainError):
        proctoring.incident_note(actor=live.admin, sitting=live.sitting, reason=reason or "")
    assert not Incident.objects.exists()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_a_reason_has_a_length_limit(live: ExamKit) -> None:
    attempt = start_attempt(live)
    with pytest.raises(DomainError) as refused:
        proctoring.attempt_pause(actor=live.admin, attempt=attempt, reason="长" * 501)
    assert refused.value.code == "reason_too_long"


def test_an_assigned_proctor_acts_and_writes_notes(live: ExamKit) -> None:
    proctor = make_proctor(live)
    attempt = start_attempt(live)
    proctoring.attempt_pause(actor=proctor, attempt=attempt, reason="举手提问")
    line = _last_line(attempt)
    assert line.author_id == live.cast.users["examiner"].pk
    note = proctoring.incident_note(
        actor=proctor, sitting=live.sitting, reason="3号机键盘失灵，已更换", seat=live.seat(2)
    )
    assert (note.action, note.attempt_id, note.seat_id) == ("", None, live.seat(2).pk)
    assert AuditEvent.objects.filter(action="exams.proctor.note").count() == 1


def test_a_batch_wide_proctor_may_act_too(live: ExamKit) -> None:
    # Planning puts proctors on sessions today; a row for the whole batch still counts.
    StaffAssignment.objects.create(
        batch=live.batch, staff=live.kit.proctors[2], role=StaffRole.PROCTOR, session=None
    )
    proctor = make_proctor(live, index=2)
    attempt = start_attempt(live)
    proctoring.attempt_pause(actor=proctor, attempt=attempt, reason="举手提问")
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.PAUSED


@pytest.mark.parametrize("who", ["institution_b", "city_a", "province", "education", "candidate"])
def test_others_may_not_act(live: ExamKit, who: str) -> None:
    attempt = start_attempt(live)
    actor = live.cast.actor(who)
    with pytest.raises(PermissionDenied):
        proctoring.attempt_pause(actor=actor, attempt=attempt, reason="越权")
    with pytest.raises(PermissionDenied):
        proctoring.seat_act(
            actor=actor, seat=live.seat(1), action=ProctorAction.AUTHORISE, reason="越权"
        )
    with pytest.raises(PermissionDenied):
        proctoring.incident_note(actor=actor, sitting=live.sitting, reason="越权")
    assert not Incident.objects.exists()
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS


def test_an_unassigned_or_inactive_proctor_may_not_act(live: ExamKit) -> None:
    stranger = make_proctor(live, index=3)  # in the registry, not assigned to this batch
    attempt = start_attempt(live)
    with pytest.raises(PermissionDenied):
        proctoring.attempt_pause(actor=stranger, attempt=attempt, reason="越权")
    member = live.kit.proctors[0]
    member.user = live.cast.users["candidate"]
    member.save(update_fields=["user"])
    # The same person acting as a candidate is not proctoring.
    with pytest.raises(PermissionDenied):
        proctoring.attempt_pause(actor=live.cast.actor("candidate"), attempt=attempt, reason="x")
    proctor = make_proctor(live)
    live.kit.proctors[0].is_active = False
    live.kit.proctors[0].save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        proctoring.attempt_pause(actor=proctor, attempt=attempt, reason="已离职")


def test_who_may_view(live: ExamKit) -> None:
    session = live.session
    assert proctoring.can_view(live.cast.actor("city_a"), session)
    assert proctoring.can_view(live.cast.actor("province"), session)
    assert not proctoring.can_act(live.cast.actor("city_a"), session)
    assert not proctoring.can_view(live.cast.actor("city_b"), session)
    assert not proctoring.can_view(live.cast.actor("education"), session)
    assert not proctoring.can_view(live.cast.actor("institution_b"), session)
    assert not proctoring.can_view(live.cast.actor("examiner"), session)
    assert proctoring.can_view(make_proctor(live), session)


def test_a_seat_with_no_attempt_takes_no_attempt_action(live: ExamKit) -> None:
    with pytest.raises(InvalidTransition) as refused:
        proctoring.seat_act(actor=live.admin, seat=live.seat(0), action="pause", reason="x")
    assert refused.value.code == "no_attempt"
    with pytest.raises(DomainError) as unknown:
        proctoring.seat_act(actor=live.admin, seat=live.seat(0), action="explode", reason="x")
    assert unknown.value.code == "unknown_action"


def test_a_note_names_a_seat_of_this_session_only(live: ExamKit) -> None:
    practical = live.batch.sessions.exclude(pk=live.session.pk).get()
    other = SeatAssignment.objects.create(
        session=practical, application=live.candidates[0], seat_number=1
    )
    with pytest.raises(DomainError) as refused:
        proctoring.incident_note(actor=live.admin, sitting=live.sitting, reason="x", seat=other)
    assert refused.value.code == "wrong_seat"


def test_available_actions_follow_the_state() -> None:
    actions = proctoring.available_actions
    assert actions(None) == ["authorise"]
    assert actions(None, late_authorised=True) == []
    assert actions(AttemptStatus.IN_PROGRESS) == ["pause", "extend", "terminate", "authorise"]
    assert actions(AttemptStatus.IN_PROGRESS, relogin_authorised=True) == [
        "pause",
        "extend",
        "terminate",
    ]
    assert actions(AttemptStatus.PAUSED) == ["resume", "extend", "terminate", "authorise"]
    assert actions(AttemptStatus.SUBMITTED) == ["reopen"]


def test_the_session_status_check_reads_the_row(live: ExamKit) -> None:
    attempt = start_attempt(live)
    type(live.session).objects.filter(pk=live.session.pk).update(status=SessionStatus.CLOSED)
    with pytest.raises(InvalidTransition):
        proctoring.attempt_pause(actor=live.admin, attempt=attempt, reason="x")
