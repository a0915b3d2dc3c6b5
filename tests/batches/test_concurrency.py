"""Concurrent writers on PostgreSQL: batch codes never repeat, a state changes once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.services import plan, workflow
from skillcert.core.audit import verify_chain
from skillcert.core.errors import InvalidTransition
from tests.batches.conftest import build_kit
from tests.concurrency import race_errors
from tests.conftest import build_cast

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (SQLite has a single writer)",
    ),
    pytest.mark.django_db(transaction=True),
]

WORKERS = 6


def test_concurrent_plans_get_consecutive_codes() -> None:
    kit = build_kit(build_cast())
    level = kit.level(5)
    today = timezone.localdate()

    def create() -> object:
        return plan.batch_create(
            actor=kit.admin,
            institution=kit.inst,
            standard_level=level,
            title="并发",
            planned_candidates=5,
            enrollment_opens=today,
            enrollment_closes=today + timedelta(days=5),
        )

    assert race_errors([create] * WORKERS) == []
    codes = sorted(Batch.objects.values_list("code", flat=True))
    prefix = f"53{kit.inst.site_serial}-{today.year}-"
    assert codes == [f"{prefix}{n:03d}" for n in range(1, WORKERS + 1)]
    assert verify_chain()[1] is None


def test_a_plan_is_filed_once() -> None:
    kit = build_kit(build_cast())
    batch = kit.complete(kit.batch())
    errors = race_errors([lambda: workflow.batch_file(actor=kit.admin, batch=batch)] * 2)
    assert [type(e) for e in errors] == [InvalidTransition]
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.FILED
