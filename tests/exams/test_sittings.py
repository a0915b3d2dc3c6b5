"""Preparing and opening a sitting: sealed papers only, the batch freezes, clock starts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from skillcert.batches.choices import BatchStatus, SessionStatus
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.exams import sittings
from tests.exams.conftest import ExamKit, make_paper

pytestmark = pytest.mark.django_db


def test_opening_starts_the_common_clock_and_freezes_the_batch(exam: ExamKit) -> None:
    sitting = exam.open()
    assert exam.session.status == SessionStatus.OPEN
    exam.batch.refresh_from_db()
    assert exam.batch.status == BatchStatus.IN_PROGRESS
    assert sitting.opened_at is not None
    assert sitting.ends_at is not None
    expected = max(sitting.opened_at, exam.session.starts_at) + timedelta(minutes=90)
    assert sitting.ends_at == expected


def test_an_unsealed_paper_is_refused(exam: ExamKit) -> None:
    loose = make_paper(exam.kit, exam.batch, "B", seal=False)
    with pytest.raises(DomainError) as refused:
        sittings.sitting_prepare(actor=exam.admin, session=exam.session, papers=[loose])
    assert refused.value.code == "not_sealed"
    assert list(exam.sitting.papers.all()) == [exam.paper]


def test_another_institution_may_not_prepare_or_open(exam: ExamKit) -> None:
    other = exam.cast.actor("institution_b")
    with pytest.raises(PermissionDenied):
        sittings.sitting_prepare(actor=other, session=exam.session, papers=[exam.paper])
    with pytest.raises(PermissionDenied):
        sittings.sitting_open(actor=other, sitting=exam.sitting)


def test_papers_cannot_change_once_open(exam: ExamKit) -> None:
    exam.open()
    other = make_paper(exam.kit, exam.batch, "B")
    with pytest.raises(InvalidTransition):
        sittings.sitting_prepare(actor=exam.admin, session=exam.session, papers=[other])
