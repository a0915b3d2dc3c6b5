"""Publication: the masked announcement, the publicity end and review window in Chinese
working days, and the refusals.

2024-09-27 is a Friday before the National Day holiday (1–7 October, with Sunday 29
September and Saturday 12 October worked): 5 working days later is 10 October, 15 working
days later is 23 October.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.errors import InvalidTransition, PermissionDenied
from skillcert.core.masking import mask
from skillcert.core.models import AuditEvent
from skillcert.results import composite, publication
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults
from tests.conftest import refuses
from tests.results.conftest import ResultsKit
from tests.results.test_composite import computed, panel_score

pytestmark = pytest.mark.django_db

FRIDAY = date(2024, 9, 27)


def published(rk: ResultsKit, day: date = FRIDAY) -> BatchResults:
    computed(rk, ["80", "55", "90", "60"], ["70", "100", "59", "60"])
    return publication.results_publish(actor=rk.admin, batch=rk.batch, today=day)


def test_publish_freezes_a_masked_announcement_and_counts_working_days(rk: ResultsKit) -> None:
    results = published(rk)
    assert results.status == ResultsStatus.PUBLISHED
    assert results.published_at is not None
    assert results.publicity_ends == date(2024, 10, 10)
    assert results.objections_close == date(2024, 10, 23)
    assert results.deadlines_provisional is False
    assert rk.batch.status == BatchStatus.RESULTS_PUBLISHED
    rows = publication.announcement_rows(results)
    assert [r["outcome"] for r in rows] == ["passed", "failed", "failed", "passed"]
    first = rows[0]
    application = rk.candidates[0]
    number = rk.exam.id_numbers[application.pk]
    assert first["admission_number"] == application.admission_number
    assert first["id"] == mask("id", number) == number[:6] + "*" * 8 + number[-4:]
    full_name = application.person.full_name
    assert first["name"] == full_name[0] + "*" * (len(full_name) - 1)
    assert first["scores"] == {"theory": "80.00", "practical": "70.00"}
    assert first["occupation"] == rk.batch.occupation.name
    assert first["level"] == "五级/初级工"
    assert first["outcome_label"] == "合格"
    public = json.dumps(rows, ensure_ascii=False)
    for candidate in rk.candidates:
        assert rk.exam.id_numbers[candidate.pk] not in public
        assert candidate.person.full_name not in public
    event = AuditEvent.objects.get(action="results.publish")
    assert event.changes["publicity_ends"] == "2024-10-10"
    assert event.changes["outcomes"] == {"passed": 2, "failed": 2}
    assert list(publication.public_announcements()) == [results]


def test_an_absent_candidate_is_shown_absent_on_the_announcement(rk: ResultsKit) -> None:
    computed(rk, ["80", "80", "80", None], ["70", "70", "70", "70"])
    composite.component_absent(actor=rk.admin, application=rk.candidates[3], component="theory")
    results = publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY)
    assert results.announcement[3]["scores"]["theory"] == "缺考"
    assert results.announcement[3]["outcome"] == "failed"


def test_publish_is_refused_while_a_result_is_pending_or_not_computed(rk: ResultsKit) -> None:
    composite.component_enter(
        actor=rk.admin, application=rk.candidates[0], component="theory", score=80
    )
    rk.assessed()
    refuses(
        InvalidTransition,
        lambda: publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY),
        "not_computed",
    )
    composite.results_compute(actor=rk.admin, batch=rk.batch)
    error = refuses(
        InvalidTransition,
        lambda: publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY),
        "pending_results",
    )
    assert rk.candidates[0].admission_number in str(error)
    # A flagged practical (re-scoring) is pending too.
    for application in rk.candidates:
        composite.component_enter(
            actor=rk.admin, application=application, component="theory", score=80
        )
        panel_score(application, "80")
    panel_score(rk.candidates[1], "80", state="rescore")
    refuses(
        InvalidTransition,
        lambda: publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY),
        "pending_results",
    )
    panel_score(rk.candidates[1], "80")
    # Scores written after 统分 are taken into account at publication.
    results = publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY)
    assert [r["outcome"] for r in results.announcement] == ["passed"] * 4


def test_publish_needs_every_session_over_and_happens_once(rk: ResultsKit) -> None:
    computed(rk, ["80"] * 4, ["80"] * 4)
    Batch.objects.filter(pk=rk.batch.pk).update(status=BatchStatus.IN_PROGRESS)
    refuses(
        InvalidTransition,
        lambda: publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY),
    )
    rk.assessed()
    publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY)
    Batch.objects.filter(pk=rk.batch.pk).update(status=BatchStatus.ASSESSED)
    refuses(
        InvalidTransition,
        lambda: publication.results_publish(actor=rk.admin, batch=rk.batch, today=FRIDAY),
        "already_published",
    )


@pytest.mark.parametrize("role", ["institution_b", "city_a", "city_b", "candidate", "examiner"])
def test_only_the_institutions_staff_publish(rk: ResultsKit, role: str) -> None:
    computed(rk, ["80"] * 4, ["80"] * 4)
    refuses(
        PermissionDenied,
        lambda: publication.results_publish(
            actor=rk.cast.actor(role), batch=rk.batch, today=FRIDAY
        ),
    )
    assert BatchResults.objects.get().status == ResultsStatus.SCORING
    assert list(publication.public_announcements()) == []
