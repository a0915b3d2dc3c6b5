"""Parallel exam writers on PostgreSQL: the newest acknowledged answer always stands,
a double submit closes once, a save racing the time-out is either refused or kept."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from skillcert.core.errors import DomainError
from skillcert.exams import delivery
from skillcert.exams.choices import AttemptEventKind, AttemptStatus
from skillcert.exams.closing import close_due_attempts
from skillcert.exams.models import Answer, Attempt, AttemptEvent
from tests.concurrency import race
from tests.conftest import build_cast
from tests.exams.conftest import build_exam

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (SQLite has a single writer)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _signed_in() -> tuple[str, Attempt]:
    exam = build_exam(build_cast(), n=1)
    exam.open()
    login = delivery.exam_login(**exam.credentials(0), client=delivery.Client())
    return login.token, login.attempt


def test_racing_saves_leave_the_newest_acknowledged_answer() -> None:
    token, attempt = _signed_in()
    seqs = list(range(1, 13))
    random.Random(7).shuffle(seqs)
    calls = [
        (lambda s=s: delivery.answer_save(token=token, position=1, answer=[("A", "B")[s % 2]],
                                          seq=s))
        for s in seqs
    ]  # fmt: skip
    results = race(calls)
    acknowledged = [r.seq for r in results if isinstance(r, delivery.Saved)]
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, delivery.StaleAnswer) for r in refused), refused
    assert len(acknowledged) + len(refused) == len(seqs)
    stored = Answer.objects.get(attempt=attempt, position=1)
    # Nothing acknowledged is newer than what is stored, and the stored one was acknowledged.
    assert stored.seq == max(acknowledged)
    assert stored.response == [("A", "B")[stored.seq % 2]]


def test_a_double_submit_closes_once() -> None:
    token, attempt = _signed_in()
    results = race([lambda: delivery.attempt_submit(token=token, client=delivery.Client())] * 4)
    assert results == [AttemptStatus.SUBMITTED] * 4
    assert AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.SUBMIT).count() == 1


def test_a_save_racing_the_time_out_is_refused_or_kept() -> None:
    token, attempt = _signed_in()
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() + timedelta(milliseconds=300)
    )
    outcomes: list[Any] = []

    def saver() -> None:
        for seq in range(1, 400):
            try:
                outcomes.append(
                    delivery.answer_save(token=token, position=1, answer=["A"], seq=seq)
                )
            except DomainError as exc:
                outcomes.append(exc)
                return

    def timer() -> int:
        closed = 0
        deadline = timezone.now() + timedelta(seconds=5)
        while not closed and timezone.now() < deadline:
            closed = close_due_attempts()
        return closed

    results = race([saver, timer])
    assert results[1] == 1
    acknowledged = [o.seq for o in outcomes if isinstance(o, delivery.Saved)]
    stored = Answer.objects.get(attempt=attempt, position=1)
    assert stored.seq == (max(acknowledged) if acknowledged else 0)
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.TIMED_OUT
