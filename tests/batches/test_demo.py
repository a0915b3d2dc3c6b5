"""The batches demo: every planning state at the demo school, built through the services."""

from __future__ import annotations

import pytest

from skillcert.batches.choices import BatchStatus
from skillcert.batches.demo import seed_batches_demo
from skillcert.batches.models import Batch
from skillcert.batches.selectors import is_filing_overdue
from skillcert.batches.validation import batch_validate
from skillcert.catalog.demo import seed_catalog_demo
from skillcert.core.audit import verify_chain
from skillcert.core.demo import seed_demo
from skillcert.core.models import AuditEvent
from skillcert.institutions.demo import SENTINEL, seed_institutions_demo


@pytest.fixture
def demo(db: None) -> list[Batch]:
    seed_demo()
    seed_catalog_demo()
    seed_institutions_demo()
    return seed_batches_demo()


def test_every_planning_state(demo: list[Batch]) -> None:
    states = {b.status for b in Batch.objects.all()}
    assert states == {
        BatchStatus.DRAFT,
        BatchStatus.FILED,
        BatchStatus.RETURNED,
        BatchStatus.APPROVED,
        BatchStatus.ENROLLING,
        BatchStatus.ENROLLMENT_CLOSED,
    }
    assert {b.institution.name for b in demo} == {SENTINEL}


def test_the_draft_shows_its_errors_and_the_rest_validate(demo: list[Batch]) -> None:
    draft = Batch.objects.get(status=BatchStatus.DRAFT)
    assert {"component_missing", "theory_too_short", "proctors_short", "examiners_short"} <= (
        batch_validate(draft).codes
    )
    for batch in Batch.objects.exclude(status=BatchStatus.DRAFT):
        assert batch_validate(batch).ok, (batch.title, batch_validate(batch).errors)


def test_filed_batches_show_their_due_dates(demo: list[Batch]) -> None:
    filed = list(Batch.objects.filter(status=BatchStatus.FILED).order_by("enrollment_closes"))
    assert len(filed) == 2
    assert all(b.filing_due is not None for b in filed)
    late, on_time = filed
    assert is_filing_overdue(late)
    assert not is_filing_overdue(on_time)
    returned = Batch.objects.get(status=BatchStatus.RETURNED)
    assert returned.returned_reason


def test_idempotent(demo: list[Batch]) -> None:
    events = AuditEvent.objects.count()
    again = seed_batches_demo()
    assert {b.pk for b in again} == {b.pk for b in demo}
    assert AuditEvent.objects.count() == events
    assert verify_chain()[1] is None
