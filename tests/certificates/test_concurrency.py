"""Concurrent issuers on PostgreSQL: 8 issuers × 500 numbers on one 16-character prefix
give 4,000 distinct, consecutive numbers; parallel runs over one batch issue each
candidate exactly once."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import timezone

from skillcert.certificates import issuance
from skillcert.certificates.models import Certificate
from skillcert.certificates.numbering import allocate_number, certificate_prefix
from skillcert.core.audit import verify_chain
from skillcert.institutions.models import Institution
from tests.batches.conftest import build_kit
from tests.certificates.conftest import build_issuable
from tests.concurrency import race_errors
from tests.conftest import build_cast

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent issuers need PostgreSQL (SQLite has a single writer)",
    ),
    pytest.mark.django_db(transaction=True),
]

ISSUERS = 8
PER_ISSUER = 500


def test_parallel_issuers_get_distinct_consecutive_numbers() -> None:
    institution = Institution.objects.get(pk=build_kit(build_cast()).inst.pk)
    year = timezone.localdate().year
    got: list[list[str]] = [[] for _n in range(ISSUERS)]

    def issuer(index: int) -> Callable[[], object]:
        def run() -> None:
            for _n in range(PER_ISSUER):
                with transaction.atomic():  # one transaction per certificate
                    got[index].append(allocate_number(institution, year, 5))

        return run

    started = time.monotonic()
    assert race_errors([issuer(i) for i in range(ISSUERS)]) == []
    elapsed = time.monotonic() - started
    numbers = [n for chunk in got for n in chunk]
    prefix = certificate_prefix(institution, year, 5)
    assert len(numbers) == len(set(numbers)) == ISSUERS * PER_ISSUER
    assert sorted(numbers) == [f"{prefix}{n:06d}" for n in range(1, ISSUERS * PER_ISSUER + 1)]
    # Each issuer's own numbers rise: a counter never goes back.
    assert all(chunk == sorted(chunk) for chunk in got)
    assert elapsed < 60


def test_parallel_runs_over_one_batch_issue_each_candidate_once() -> None:
    ck = build_issuable(build_cast(), passed=6, failed=1)
    ids = [a.pk for a in ck.passed + ck.failed]

    def run(order: list[int]) -> Callable[[], object]:
        def issue() -> None:
            for application_id in order:
                issuance.issue_application(actor=ck.admin, application_id=application_id)

        return issue

    orders = [ids, ids[::-1], ids[3:] + ids[:3], ids[::2] + ids[1::2]]
    assert race_errors([run(order) for order in orders]) == []
    assert sorted(Certificate.objects.values_list("application_id", flat=True)) == sorted(
        a.pk for a in ck.passed
    )
    year = timezone.localdate().year % 100
    assert ck.numbers() == [f"Y000053000001{year:02d}5{n:06d}" for n in range(1, 7)]
    assert verify_chain()[1] is None
