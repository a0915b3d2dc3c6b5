"""Filing with the centre: the deadline 5 working days after the last session, overdue
detection, approval only after publicity with no open objection, return and re-filing.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Session
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.results import filing, objections, publication
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults
from skillcert.results.permissions import can_decide
from tests.batches.conftest import at
from tests.conftest import refuses
from tests.results.conftest import ResultsKit
from tests.results.test_composite import computed
from tests.results.test_objections import DURING, own
from tests.results.test_publication import published

pytestmark = pytest.mark.django_db

AFTER_PUBLICITY = date(2024, 10, 11)


def test_filing_is_due_five_working_days_after_the_last_session(rk: ResultsKit) -> None:
    batch = rk.batch
    theory, practical = batch.sessions.order_by("starts_at")
    Session.objects.filter(pk=theory.pk).update(starts_at=at(date(2024, 9, 26), 9))
    # The last session, Friday 27 September 2024, before the National Day holiday.
    Session.objects.filter(pk=practical.pk).update(starts_at=at(date(2024, 9, 27), 14))
    assert filing.filing_due(batch) == (date(2024, 10, 10), False)
    # Counted through a year no calendar covers: provisional.
    Session.objects.filter(pk=practical.pk).update(starts_at=at(date(2040, 3, 1), 14))
    due, provisional = filing.filing_due(batch)
    assert provisional is True
    assert due == date(2040, 3, 8)  # Friday 1 March + 5 weekdays


def test_overdue_until_filed_and_overdue_ones_listed_first(rk: ResultsKit) -> None:
    results = published(rk)
    assert results.filing_due is not None
    due = results.filing_due
    assert filing.is_overdue(results, due) is False
    assert filing.is_overdue(results, due + timedelta(days=1)) is True
    other = BatchResults.objects.create(
        batch=rk.kit.batch(), status=ResultsStatus.PUBLISHED, filing_due=due + timedelta(days=30)
    )
    day = due + timedelta(days=1)
    listed = list(filing.filings_for(rk.centre, today=day))
    assert listed == [results, other]
    assert [r.overdue for r in listed] == [True, False]  # type: ignore[attr-defined]
    assert list(filing.filings_for(rk.cast.actor("city_b"), today=day)) == []
    assert list(filing.filings_for(rk.cast.actor("institution_b"), today=day)) == []
    assert set(filing.filings_for(rk.admin, today=day)) == {results, other}
    filed = filing.results_file(actor=rk.admin, batch=rk.batch, today=day)
    assert filed.status == ResultsStatus.FILED
    assert filing.is_overdue(filed, day) is False
    event = AuditEvent.objects.get(action="results.file")
    assert event.changes["overdue"] is True  # filed late: accepted and flagged


def test_filing_needs_published_results_and_the_institutions_staff(rk: ResultsKit) -> None:
    computed(rk, ["80"] * 4, ["80"] * 4)
    refuses(
        InvalidTransition,
        lambda: filing.results_file(actor=rk.admin, batch=rk.batch),
        "not_published",
    )
    publication.results_publish(actor=rk.admin, batch=rk.batch, today=date(2024, 9, 27))
    for role in ("institution_b", "city_a", "city_b", "candidate", "examiner"):
        refuses(
            PermissionDenied,
            lambda role=role: filing.results_file(actor=rk.cast.actor(role), batch=rk.batch),
        )
    # Filing during publicity is allowed.
    filing.results_file(actor=rk.admin, batch=rk.batch, today=date(2024, 9, 30))
    refuses(InvalidTransition, lambda: filing.results_file(actor=rk.admin, batch=rk.batch))


def test_approval_waits_for_publicity_and_open_objections(rk: ResultsKit) -> None:
    results = published(rk)
    application = own(rk)
    objection = objections.objection_submit(
        actor=rk.cast.actor("candidate"),
        application=application,
        kind="objection",
        text="异议",
        today=DURING,
    )
    refuses(
        InvalidTransition,
        lambda: filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY),
    )  # not filed yet
    filing.results_file(actor=rk.admin, batch=rk.batch, today=DURING)
    error = refuses(
        InvalidTransition,
        lambda: filing.results_approve(
            actor=rk.centre, batch=rk.batch, today=results.publicity_ends
        ),
        "publicity_running",
    )
    assert "2024-10-10" in str(error)
    refuses(
        InvalidTransition,
        lambda: filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY),
        "objections_open",
    )
    objections.objection_handle(
        actor=rk.admin, objection=objection, upheld=False, response="经核实，成绩无误。"
    )
    for role in ("city_b", "institution_a", "institution_b", "candidate", "examiner"):
        refuses(
            PermissionDenied,
            lambda role=role: filing.results_approve(
                actor=rk.cast.actor(role), batch=rk.batch, today=AFTER_PUBLICITY
            ),
        )
    approved = filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY)
    assert approved.status == ResultsStatus.APPROVED
    assert approved.decided_at is not None
    assert rk.batch.status == BatchStatus.RESULTS_FILED
    event = AuditEvent.objects.get(action="results.approve")
    assert event.changes["batch_status"] == ["results_published", "results_filed"]
    # The province's official decides too (属地: the province over every city).
    assert can_decide(rk.cast.actor("province"), rk.batch)


def test_returned_results_are_corrected_and_filed_again(rk: ResultsKit) -> None:
    published(rk)
    filing.results_file(actor=rk.admin, batch=rk.batch, today=DURING)
    refuses(
        DomainError,
        lambda: filing.results_return(actor=rk.centre, batch=rk.batch, reason=" "),
        "reason_required",
    )
    refuses(
        PermissionDenied,
        lambda: filing.results_return(actor=rk.cast.actor("city_b"), batch=rk.batch, reason="x"),
    )
    returned = filing.results_return(actor=rk.centre, batch=rk.batch, reason="缺少评分记录。")
    assert (returned.status, returned.returned_reason) == (ResultsStatus.RETURNED, "缺少评分记录。")
    refuses(
        InvalidTransition,
        lambda: filing.results_return(actor=rk.centre, batch=rk.batch, reason="again"),
    )
    refiled = filing.results_file(actor=rk.admin, batch=rk.batch, today=AFTER_PUBLICITY)
    assert refiled.status == ResultsStatus.FILED
    approved = filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY)
    assert approved.status == ResultsStatus.APPROVED
    actions = list(
        AuditEvent.objects.filter(action__startswith="results.")
        .exclude(action__in=["results.compute", "results.component.enter"])
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "results.publish",
        "results.file",
        "results.return",
        "results.file",
        "results.approve",
    ]
