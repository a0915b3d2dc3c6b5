"""Objections during publicity, score reviews within their window, their handling, and an
upheld correction that changes the result and the announcement.

Published on Friday 2024-09-27: publicity until 10 October, reviews until 23 October
(see test_publication.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.models import Application
from skillcert.results import composite, filing, objections
from skillcert.results.choices import ComponentState, ObjectionStatus, Outcome, ResultsStatus
from skillcert.results.models import BatchResults, ComponentScore, Objection
from tests.conftest import refuses
from tests.results.conftest import ResultsKit
from tests.results.test_composite import result_of
from tests.results.test_publication import published

pytestmark = pytest.mark.django_db

DURING = date(2024, 10, 8)
LAST_PUBLICITY_DAY = date(2024, 10, 10)
AFTER_PUBLICITY = date(2024, 10, 11)
LAST_REVIEW_DAY = date(2024, 10, 23)


def own(rk: ResultsKit, index: int = 1) -> Application:
    """Candidate ``index``'s application, signed in as the cast's candidate."""
    application = rk.candidates[index]
    application.person.user = rk.cast.users["candidate"]
    application.person.save(update_fields=["user"])
    return application


def test_the_candidate_objects_during_publicity_and_asks_for_review_later(
    rk: ResultsKit,
) -> None:
    published(rk)
    application = own(rk)
    candidate = rk.cast.actor("candidate")
    objection = objections.objection_submit(
        actor=candidate,
        application=application,
        kind="objection",
        text="理论成绩与本人估分不符。",
        component="theory",
        today=LAST_PUBLICITY_DAY,
    )
    assert objection.status == ObjectionStatus.SUBMITTED
    assert objection.submitted_by == rk.cast.users["candidate"]
    error = refuses(
        InvalidTransition,
        lambda: objections.objection_submit(
            actor=candidate,
            application=application,
            kind="objection",
            text="再次异议",
            today=AFTER_PUBLICITY,
        ),
        "window_closed",
    )
    assert "2024-10-10" in str(error)
    review = objections.objection_submit(
        actor=candidate,
        application=application,
        kind="review",
        text="请复核操作技能合分。",
        component="practical",
        today=LAST_REVIEW_DAY,
    )
    assert review.kind == "review"
    refuses(
        InvalidTransition,
        lambda: objections.objection_submit(
            actor=candidate,
            application=application,
            kind="review",
            text="请复核理论。",
            component="theory",
            today=date(2024, 10, 24),
        ),
        "window_closed",
    )
    assert list(objections.open_objections(rk.batch)) == [objection, review]
    event = AuditEvent.objects.filter(action="results.objection.submit").first()
    assert event is not None
    assert event.changes["by_candidate"] is True


def test_staff_record_a_paper_objection_but_others_cannot_act_for_the_candidate(
    rk: ResultsKit,
) -> None:
    published(rk)
    own(rk, 1)
    other = rk.candidates[2]  # not the cast candidate's application
    for role in ("candidate", "institution_b", "city_a", "city_b", "examiner"):
        refuses(
            PermissionDenied,
            lambda role=role: objections.objection_submit(
                actor=rk.cast.actor(role),
                application=other,
                kind="objection",
                text="异议",
                today=DURING,
            ),
        )
    recorded = objections.objection_submit(
        actor=rk.admin, application=other, kind="objection", text="考生书面异议。", today=DURING
    )
    assert recorded.submitted_by_label == rk.admin.label
    refuses(
        InvalidTransition,
        lambda: objections.objection_submit(
            actor=rk.admin, application=other, kind="objection", text="重复", today=DURING
        ),
        "duplicate",
    )


def test_nothing_is_objected_before_publication_and_reviews_name_a_component(
    rk: ResultsKit,
) -> None:
    application = own(rk)
    candidate = rk.cast.actor("candidate")
    refuses(
        InvalidTransition,
        lambda: objections.objection_submit(
            actor=candidate, application=application, kind="objection", text="异议", today=DURING
        ),
        "not_published",
    )
    published(rk)
    refuses(
        DomainError,
        lambda: objections.objection_submit(
            actor=candidate, application=application, kind="review", text="复核", today=DURING
        ),
        "component_required",
    )
    refuses(
        DomainError,
        lambda: objections.objection_submit(
            actor=candidate, application=application, kind="objection", text="  ", today=DURING
        ),
        "text_required",
    )


def test_an_upheld_review_with_a_sum_error_corrects_the_result_and_the_announcement(
    rk: ResultsKit,
) -> None:
    results = published(rk)
    application = own(rk, 1)  # theory 55, practical 100: failed
    assert result_of(application).outcome == Outcome.FAILED
    review = objections.objection_submit(
        actor=rk.cast.actor("candidate"),
        application=application,
        kind="review",
        text="理论试卷合分有误。",
        component="theory",
        today=DURING,
    )
    handled = objections.objection_handle(
        actor=rk.admin,
        objection=review,
        upheld=True,
        response="经复核，第五题得分漏登5分，理论成绩更正为60分。",
        sum_error_found=True,
        corrected_score=Decimal(60),
    )
    assert handled.status == ObjectionStatus.UPHELD
    assert handled.sum_error_found is True
    assert handled.handled_at is not None
    assert handled.handled_by_label == rk.admin.label
    row = ComponentScore.objects.get(application=application, component="theory")
    assert (row.score, row.state, row.note) == (Decimal(60), ComponentState.SCORED, "复核更正")
    result = result_of(application)
    assert (result.outcome, result.total) == (Outcome.PASSED, Decimal("88.00"))
    results.refresh_from_db()
    corrected = results.announcement[1]
    assert corrected["outcome"] == "passed"
    assert corrected["scores"]["theory"] == "60.00"
    assert results.announcement[0]["outcome"] == "passed"  # others untouched
    event = AuditEvent.objects.get(action="results.objection.handle")
    assert event.changes["correction"]["score"] == ["55.00", "60.00"]
    assert event.changes["correction"]["outcome"] == "passed"
    assert not objections.open_objections(rk.batch).exists()
    refuses(
        InvalidTransition,
        lambda: objections.objection_handle(
            actor=rk.admin, objection=review, upheld=False, response="再处理"
        ),
        "handled",
    )


def test_a_review_checks_omissions_and_sums_only(rk: ResultsKit) -> None:
    published(rk)
    application = own(rk, 2)
    review = objections.objection_submit(
        actor=rk.cast.actor("candidate"),
        application=application,
        kind="review",
        text="请重新评分。",
        component="practical",
        today=DURING,
    )
    refuses(
        DomainError,
        lambda: objections.objection_handle(
            actor=rk.admin,
            objection=review,
            upheld=True,
            response="改判",
            corrected_score=Decimal(70),
        ),
        "review_scope",
    )
    refuses(
        DomainError,
        lambda: objections.objection_handle(
            actor=rk.admin, objection=review, upheld=False, response=""
        ),
        "response_required",
    )
    for role in ("institution_b", "city_a", "candidate", "examiner"):
        refuses(
            PermissionDenied,
            lambda role=role: objections.objection_handle(
                actor=rk.cast.actor(role), objection=review, upheld=False, response="维持"
            ),
        )
    handled = objections.objection_handle(
        actor=rk.admin,
        objection=review,
        upheld=False,
        response="经核查，无漏评、合分错误，维持原成绩。",
    )
    assert handled.status == ObjectionStatus.REJECTED
    assert ComponentScore.objects.get(application=application, component="practical").score == (
        Decimal(59)
    )
    assert result_of(application).outcome == Outcome.FAILED


def test_a_correction_waits_for_a_return_once_the_results_are_filed(rk: ResultsKit) -> None:
    published(rk)
    application = own(rk, 1)
    objection = objections.objection_submit(
        actor=rk.cast.actor("candidate"),
        application=application,
        kind="objection",
        text="理论成绩有误。",
        component="theory",
        today=DURING,
    )
    filing.results_file(actor=rk.admin, batch=rk.batch, today=DURING)
    refuses(
        InvalidTransition,
        lambda: objections.objection_handle(
            actor=rk.admin,
            objection=objection,
            upheld=True,
            response="更正",
            corrected_score=Decimal(61),
        ),
        "results_filed",
    )
    filing.results_return(actor=rk.centre, batch=rk.batch, reason="有未处理的异议，请更正后重报。")
    objections.objection_handle(
        actor=rk.admin,
        objection=objection,
        upheld=True,
        response="登分错误，已更正。",
        sum_error_found=True,
        corrected_score=Decimal(61),
    )
    assert result_of(application).outcome == Outcome.PASSED
    assert Objection.objects.get().status == ObjectionStatus.UPHELD
    assert BatchResults.objects.get().status == ResultsStatus.RETURNED
    # Corrections by hand are possible again too, while returned.
    composite.component_enter(
        actor=rk.admin, application=rk.candidates[3], component="theory", score=Decimal(59)
    )
    assert result_of(rk.candidates[3]).outcome == Outcome.FAILED
    assert BatchResults.objects.get().announcement[3]["outcome"] == "failed"
