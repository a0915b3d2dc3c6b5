"""Closing attempts: by the candidate, by the server at the deadline, by a proctor.

DESIGN.md step 4: at time-out the server closes the attempt with the last acknowledged
answers, never waiting for a last client request. The closing transaction is tiny (one
row lock, one status write, one event, one audit line); grading runs after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.exams.choices import OPEN_ATTEMPT, AttemptEventKind, AttemptStatus
from skillcert.exams.models import Attempt, AttemptEvent

logger = logging.getLogger(__name__)

_EVENT_OF = {
    AttemptStatus.SUBMITTED: AttemptEventKind.SUBMIT,
    AttemptStatus.TIMED_OUT: AttemptEventKind.TIMEOUT,
    AttemptStatus.TERMINATED: AttemptEventKind.PROCTOR,
}


def attempt_close(
    *,
    actor: Actor,
    attempt_id: int,
    status: str,
    reason: str = "",
    only_if_due: bool = False,
) -> Attempt | None:
    """Close an open attempt; returns None when it was already closed (or not yet due).

    ``only_if_due``: the time-out path, which re-checks the deadline under the row lock
    so an extension granted a moment ago wins.
    """
    now = timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None or attempt.status not in OPEN_ATTEMPT:
            return None
        if only_if_due and (attempt.status != AttemptStatus.IN_PROGRESS or attempt.deadline > now):
            return None
        previous = attempt.status
        attempt.status = status
        attempt.closed_at = now
        attempt.save(update_fields=["status", "closed_at"])
        AttemptEvent.objects.create(
            attempt=attempt,
            kind=_EVENT_OF[AttemptStatus(status)],
            at=now,
            detail={"reason": reason} if reason else {},
        )
        audit_record(
            actor=actor,
            action="exams.attempt.close",
            obj=attempt,
            changes={"status": [previous, status], "reason": reason},
            organisation=attempt.sitting.session.batch.institution.organisation,
        )
        transaction.on_commit(lambda: grade_attempt_task.enqueue(attempt.pk))
    return attempt


def close_due_attempts(now: datetime | None = None) -> int:
    """Close every in-progress attempt whose deadline has passed; returns how many."""
    now = now or timezone.now()
    due = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lte=now)
    system = Actor.system("exam-timer")
    closed = 0
    for attempt_id in due.values_list("pk", flat=True).iterator():
        if attempt_close(
            actor=system, attempt_id=attempt_id, status=AttemptStatus.TIMED_OUT, only_if_due=True
        ):
            closed += 1
    return closed


def schedule_deadline(attempt: Attempt) -> None:
    """After commit, queue the time-out check for the attempt's current deadline.

    Each extension or resume schedules another; a check that finds the attempt not yet
    due (or closed) does nothing, so stale checks are harmless. A backend that cannot
    defer (the in-process one of tests and demos) relies on ``close_due_attempts``, run
    by the ``close_due_attempts`` command, and on reads closing overdue attempts.
    """
    if not close_at_deadline_task.get_backend().supports_defer:
        return
    attempt_id, deadline = attempt.pk, attempt.deadline
    transaction.on_commit(
        lambda: close_at_deadline_task.using(run_after=deadline).enqueue(attempt_id)
    )


@task()
def close_at_deadline_task(attempt_id: int) -> bool:
    closed = attempt_close(
        actor=Actor.system("exam-timer"),
        attempt_id=attempt_id,
        status=AttemptStatus.TIMED_OUT,
        only_if_due=True,
    )
    return closed is not None


@task()
def grade_attempt_task(attempt_id: int) -> None:
    # Imported here: grading imports this module for the closing path.
    from skillcert.exams.grading import grade_objective

    grade_objective(attempt_id)
