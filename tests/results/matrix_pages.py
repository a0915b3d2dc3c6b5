"""Access-matrix entries for these results URLs (read by tests/core/test_access_matrix),
and the published-results world the page tests share.

``published_world(rk)`` takes the results kit to publication through the services:
theory scores entered by the staff, practical scores written as the panels would leave
them (the scoring pages are tested on their own), 统分 and 发布公示.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from skillcert.batches.choices import Component
from skillcert.enrollment.models import Application
from skillcert.results import composite, publication
from skillcert.results.choices import ComponentState, ScoreSource
from skillcert.results.models import BatchResults, ComponentScore
from tests.conftest import CAST_ROLES, Cast
from tests.results.conftest import ResultsKit, build_results

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]

THEORY = (Decimal("85.00"), Decimal("72.50"), Decimal("64.00"), Decimal("90.00"))
# Candidate 2 fails the practical part with a high theory score and a high total.
PRACTICAL = (Decimal("78.00"), Decimal("66.50"), Decimal("55.00"), Decimal("91.00"))


def link_candidate(rk: ResultsKit, index: int = 0) -> Application:
    """Make the cast candidate the person of candidate ``index``."""
    application = rk.candidates[index]
    person = application.person
    person.user = rk.cast.users["candidate"]
    person.save(update_fields=["user"])
    return application


def panel_scores(rk: ResultsKit, scores: Sequence[Decimal | None]) -> None:
    """The practical scores as the examiners' panels leave them (mean, spread)."""
    for application, score in zip(rk.candidates, scores, strict=False):
        ComponentScore.objects.create(
            application=application,
            component=Component.PRACTICAL,
            state=ComponentState.SCORED if score is not None else ComponentState.PENDING,
            source=ScoreSource.PANEL,
            score=score,
            spread=Decimal("4.00") if score is not None else None,
        )


def scored_world(
    rk: ResultsKit,
    theory: Sequence[Decimal] = THEORY,
    practical: Sequence[Decimal | None] = PRACTICAL,
) -> BatchResults:
    """Every candidate scored and the results computed (统分), not yet published."""
    batch = rk.assessed()
    for application, score in zip(rk.candidates, theory, strict=False):
        composite.component_enter(
            actor=rk.admin, application=application, component=Component.THEORY, score=score
        )
    panel_scores(rk, practical)
    return composite.results_compute(actor=rk.admin, batch=batch)


def published_world(
    rk: ResultsKit,
    *,
    today: date | None = None,
    theory: Sequence[Decimal] = THEORY,
    practical: Sequence[Decimal | None] = PRACTICAL,
) -> BatchResults:
    """Scored, computed and published (公示) on ``today``."""
    scored_world(rk, theory, practical)
    return publication.results_publish(actor=rk.admin, batch=rk.batch, today=today)


def _world(c: Cast) -> dict[str, int]:
    """A published batch of institution A whose first candidate is the cast candidate
    (built once)."""
    cached: dict[str, int] | None = getattr(c, "_results_pages", None)
    if cached is None:
        rk = build_results(c, 2)
        application = link_candidate(rk)
        published = published_world(rk, theory=THEORY[:2], practical=PRACTICAL[:2])
        cached = {"batch": rk.batch.pk, "results": published.pk, "application": application.pk}
        c._results_pages = cached  # type: ignore[attr-defined]
    return cached


def _batch(c: Cast) -> dict[str, Any]:
    return {"batch_pk": _world(c)["batch"]}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
SIGNED_IN = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302}
ALL_OK = dict.fromkeys(CAST_ROLES, 200)
# A batch's results: its institution's staff and the HR authorities over it. Education
# officials and the batch's own candidate are in scope but refused; examiners act for
# themselves (person scope), so the batch is not theirs to see.
RESULTS_READERS = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 403,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 403,
}
AUTHORITIES = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
AUTHORITIES.update(province=200, city_a=200, city_b=200)
STAFF_AND_AUTHORITIES = {**AUTHORITIES, "institution_a": 200, "institution_b": 200}


def results_pages_matrix() -> dict[str, Entry]:
    return {
        "results-batch": (_batch, RESULTS_READERS),
        "results-export-xlsx": (_batch, RESULTS_READERS),
        "results-export-pdf": (_batch, RESULTS_READERS),
        "results-theory-collect": (_batch, POST_ONLY),
        "results-score-enter": (_batch, POST_ONLY),
        "results-absent": (_batch, POST_ONLY),
        "results-compute": (_batch, POST_ONLY),
        "results-publish": (_batch, POST_ONLY),
        "results-retake": (_batch, POST_ONLY),
        "results-void": (_batch, POST_ONLY),
        "results-file": (_batch, POST_ONLY),
        "results-objection-record": (_batch, POST_ONLY),
        "results-objection-handle": (lambda c: {"objection_pk": 1}, POST_ONLY),
        "results-filings": (lambda c: (_world(c), {})[1], AUTHORITIES),
        "results-filing": (_batch, RESULTS_READERS),
        "results-approve": (_batch, POST_ONLY),
        "results-return": (_batch, POST_ONLY),
        "results-revocations": (lambda c: {}, STAFF_AND_AUTHORITIES),
        "results-mine": (lambda c: (_world(c), {})[1], SIGNED_IN),
        "results-objection-submit": (
            lambda c: {"application_pk": _world(c)["application"]},
            POST_ONLY,
        ),
        "public-results": (lambda c: (_world(c), {})[1], ALL_OK),
        "public-results-detail": (lambda c: {"pk": _world(c)["results"]}, ALL_OK),
    }
