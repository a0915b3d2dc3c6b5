"""Admission numbers (准考证号): the batch code and a serial, in approval order, unique."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from skillcert.enrollment.admission import allocate_admission_number
from skillcert.enrollment.models import Application
from tests.conftest import Cast, build_cast
from tests.enrollment.test_documents_world import (
    applicant,
    approve,
    exam_world,
)


def test_numbers_follow_the_batch_code_in_approval_order(cast: Cast) -> None:
    batch = exam_world(cast).batch
    first, second, third = (approve(applicant(batch)) for _n in range(3))
    assert [first.admission_number, second.admission_number, third.admission_number] == [
        f"{batch.code}0001",
        f"{batch.code}0002",
        f"{batch.code}0003",
    ]


def test_each_batch_counts_on_its_own(cast: Cast) -> None:
    exam = exam_world(cast)
    other = exam_world(cast, world=exam.world).batch
    approve(applicant(exam.batch))
    assert approve(applicant(other)).admission_number == f"{other.code}0001"
    assert approve(applicant(exam.batch)).admission_number == f"{exam.batch.code}0002"


def test_the_serial_grows_a_digit_after_9999_and_keeps_counting(cast: Cast) -> None:
    batch = exam_world(cast).batch
    last_four_digit = applicant(batch)
    Application.objects.filter(pk=last_four_digit.pk).update(admission_number=f"{batch.code}9999")
    assert approve(applicant(batch)).admission_number == f"{batch.code}10000"
    # As text "…10000" sorts before "…9999": the next number must still be 10001.
    assert approve(applicant(batch)).admission_number == f"{batch.code}10001"


# --- concurrency (PostgreSQL) -----------------------------------------------------------

APPROVALS = 8


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent approvals need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_get_distinct_consecutive_numbers() -> None:
    batch = exam_world(build_cast()).batch
    applications = [applicant(batch) for _n in range(APPROVALS)]
    barrier = threading.Barrier(APPROVALS)
    errors: list[BaseException] = []

    def worker(application: Application) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                application.admission_number = allocate_admission_number(application)
                application.save(update_fields=["admission_number"])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    numbers = sorted(
        Application.objects.filter(batch=batch).values_list("admission_number", flat=True)
    )
    assert numbers == [f"{batch.code}{n:04d}" for n in range(1, APPROVALS + 1)]
