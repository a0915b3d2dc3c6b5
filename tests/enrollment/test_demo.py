"""The enrollment demo: applicants in every review state, a spot check, idempotent."""

from __future__ import annotations

import pytest

from skillcert.batches.demo import seed_batches_demo
from skillcert.catalog.demo import seed_catalog_demo
from skillcert.core.audit import verify_chain
from skillcert.core.demo import seed_demo
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.demo import seed_enrollment_demo
from skillcert.enrollment.models import Application, SpotCheckDraw
from skillcert.enrollment.services.spotchecks import spot_check_replay
from skillcert.institutions.demo import seed_institutions_demo


@pytest.fixture
def demo(db: None) -> list[Application]:
    seed_demo()
    seed_catalog_demo()
    seed_institutions_demo()
    seed_batches_demo()
    return seed_enrollment_demo()


def test_without_enrolling_batches_it_does_nothing(db: None) -> None:
    seed_demo()
    assert seed_enrollment_demo() == []
    assert not Application.objects.exists()


def test_every_review_state_and_the_pending_diploma(demo: list[Application]) -> None:
    states = set(Application.objects.values_list("status", flat=True))
    assert states == {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.MORE_INFO,
        ApplicationStatus.APPROVED,
        ApplicationStatus.REJECTED,
    }
    own = Application.objects.get(person__user__username="candidate_a")
    assert own.status == ApplicationStatus.SUBMITTED
    assert own.eligible
    pending = Application.objects.get(diploma_pending=True)
    assert pending.status == ApplicationStatus.APPROVED
    assert pending.admission_number
    assert pending.person.student_statuses.exists()
    for application in Application.objects.exclude(status=ApplicationStatus.DRAFT):
        assert application.eligibility, application
    rejected = Application.objects.get(status=ApplicationStatus.REJECTED)
    assert not rejected.eligible


def test_the_spot_check_replays(demo: list[Application]) -> None:
    draw = SpotCheckDraw.objects.get()
    assert draw.selected
    assert spot_check_replay(draw) == draw.selected


def test_idempotent_and_the_chain_holds(demo: list[Application]) -> None:
    before = AuditEvent.objects.count()
    assert seed_enrollment_demo() == []
    assert AuditEvent.objects.count() == before
    assert verify_chain()[1] is None
