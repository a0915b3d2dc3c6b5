"""Composite results: the pass rule, theory from graded attempts, entered course and
theory scores, absence, 统分 and retakes.

The world (tests/results/conftest.py) is a level-5 车工 batch, weights theory 30 and
practical 70, pass mark 60, four approved candidates seated in today's theory session.
The exam paper has five 20-point items: four objective ones and a short answer; a blank
short answer scores 0 without graders, so "all four objective right" is 80.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from skillcert.batches.choices import AssessmentMode, BatchStatus, Component
from skillcert.batches.models import Batch
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, ProvincePolicy
from skillcert.enrollment.models import Application
from skillcert.exams import delivery, grading, sittings
from skillcert.exams.models import Attempt
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import PaperItem
from skillcert.results import composite
from skillcert.results.choices import ComponentState, Outcome, ResultsStatus, ScoreSource
from skillcert.results.models import BatchResults, ComponentScore, Result
from tests.conftest import refuses
from tests.results.conftest import ResultsKit

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]
D = Decimal


# --- helpers shared by the results service tests ---------------------------------------


def panel_score(
    application: Application,
    score: str | None,
    *,
    component: str = Component.PRACTICAL,
    state: str = ComponentState.SCORED,
    sitting_no: int = 1,
) -> ComponentScore:
    """A panel component's score as ``results.scoring`` writes it (mean of the examiners)."""
    row, _made = ComponentScore.objects.update_or_create(
        application=application,
        component=component,
        sitting_no=sitting_no,
        defaults={
            "source": ScoreSource.PANEL,
            "state": state,
            "score": D(score) if score is not None else None,
        },
    )
    return row


def scored(
    rk: ResultsKit, theory: list[str | None], practical: list[str | None]
) -> list[Application]:
    """Paper-based theory scores entered by staff and panel practical scores; None
    leaves the component without a score."""
    for application, t, p in zip(rk.candidates, theory, practical, strict=False):
        if t is not None:
            composite.component_enter(
                actor=rk.admin, application=application, component=Component.THEORY, score=D(t)
            )
        if p is not None:
            panel_score(application, p)
    return rk.candidates


def computed(rk: ResultsKit, theory: list[str | None], practical: list[str | None]) -> BatchResults:
    scored(rk, theory, practical)
    rk.assessed()
    return composite.results_compute(actor=rk.admin, batch=rk.batch)


def result_of(application: Application) -> Result:
    return Result.objects.get(application=application)


def set_policy(**values: object) -> None:
    ProvincePolicy.objects.update_or_create(province_id="530000", defaults=values)


def row(component: str, score: str | None, state: str = ComponentState.SCORED) -> ComponentScore:
    return ComponentScore(
        component=component, state=state, score=D(score) if score is not None else None
    )


def level_batch(level: int = 5, **kwargs: Any) -> Batch:
    """An unsaved batch for the pure rule: theory 30, practical 70 unless given."""
    values: dict[str, Any] = {
        "level": level,
        "theory_weight": D(30),
        "practical_weight": D(70),
        "review_weight": D(0),
        "pass_mark": 60,
        "component_pass_marks": {},
    }
    values.update(kwargs)
    return Batch(**values)


# --- the pass rule (pure) ---------------------------------------------------------------


def test_every_component_at_its_pass_mark_passes_with_the_weighted_total() -> None:
    batch = level_batch()
    scores = {"theory": row("theory", "60"), "practical": row("practical", "60")}
    assert composite.outcome(batch, scores, voided=False) == (Outcome.PASSED, D("60.00"))


def test_a_failed_component_fails_however_high_the_weighted_total() -> None:
    batch = level_batch()
    scores = {"theory": row("theory", "55"), "practical": row("practical", "100")}
    # 55 × 30% + 100 × 70% = 86.50, far above 60, yet theory is below its pass mark.
    assert composite.outcome(batch, scores, voided=False) == (Outcome.FAILED, D("86.50"))
    scores = {"theory": row("theory", "100"), "practical": row("practical", "59.99")}
    assert composite.outcome(batch, scores, voided=False)[0] == Outcome.FAILED


def test_each_component_has_its_own_pass_mark() -> None:
    batch = level_batch(component_pass_marks={"practical": 70})
    scores = {"theory": row("theory", "60"), "practical": row("practical", "69.50")}
    assert composite.outcome(batch, scores, voided=False)[0] == Outcome.FAILED
    scores["practical"] = row("practical", "70")
    assert composite.outcome(batch, scores, voided=False)[0] == Outcome.PASSED


def test_missing_pending_or_flagged_components_leave_the_result_pending() -> None:
    batch = level_batch()
    theory = row("theory", "90")
    assert composite.outcome(batch, {"theory": theory}, voided=False) == (
        Outcome.PENDING,
        D("27.00"),
    )
    for state in (ComponentState.PENDING, ComponentState.RESCORE):
        scores = {"theory": theory, "practical": row("practical", "95", state)}
        # A flagged (re-scoring) mean is shown but neither passes nor counts.
        assert composite.outcome(batch, scores, voided=False) == (Outcome.PENDING, D("27.00"))


def test_absent_from_every_part_is_absent_from_one_part_fails() -> None:
    batch = level_batch()
    absent = {
        "theory": row("theory", None, ComponentState.ABSENT),
        "practical": row("practical", None, ComponentState.ABSENT),
    }
    assert composite.outcome(batch, absent, voided=False) == (Outcome.ABSENT, None)
    one = {"theory": row("theory", "90"), "practical": absent["practical"]}
    assert composite.outcome(batch, one, voided=False)[0] == Outcome.FAILED


def test_void_flags_a_voided_result_and_a_voided_component_fails() -> None:
    batch = level_batch()
    scores = {"theory": row("theory", "90"), "practical": row("practical", "90")}
    assert composite.outcome(batch, scores, voided=True)[0] == Outcome.VOID
    scores["theory"] = row("theory", "90", ComponentState.VOID)
    # The voided score no longer counts towards the total either.
    assert composite.outcome(batch, scores, voided=False) == (Outcome.FAILED, D("63.00"))


def test_levels_two_and_one_also_need_the_review() -> None:
    for level in (2, 1):
        batch = level_batch(level, theory_weight=D(20), practical_weight=D(50), review_weight=D(30))
        assert batch.components == ["theory", "practical", "review"]
        scores = {"theory": row("theory", "80"), "practical": row("practical", "80")}
        assert composite.outcome(batch, scores, voided=False)[0] == Outcome.PENDING
        scores["review"] = row("review", "59")
        assert composite.outcome(batch, scores, voided=False) == (Outcome.FAILED, D("73.70"))
        scores["review"] = row("review", "75")
        assert composite.outcome(batch, scores, voided=False) == (Outcome.PASSED, D("78.50"))
    three = level_batch(3)
    scores = {"theory": row("theory", "80"), "practical": row("practical", "80")}
    assert composite.outcome(three, scores, voided=False)[0] == Outcome.PASSED


def test_process_assessment_uses_the_course_score_instead_of_theory() -> None:
    batch = level_batch(mode=AssessmentMode.PROCESS)
    assert batch.components == ["course", "practical"]
    scores = {"theory": row("theory", "90"), "practical": row("practical", "80")}
    assert composite.outcome(batch, scores, voided=False)[0] == Outcome.PENDING
    scores["course"] = row("course", "50")
    assert composite.outcome(batch, scores, voided=False) == (Outcome.FAILED, D("71.00"))
    scores["course"] = row("course", "70")
    assert composite.outcome(batch, scores, voided=False) == (Outcome.PASSED, D("77.00"))


# --- theory from graded exam attempts ---------------------------------------------------


def sit(rk: ResultsKit, index: int, right: int, short: str = "") -> Attempt:
    """Candidate ``index`` signs in, answers the first ``right`` objective items (by paper
    position) correctly and the others wrongly, optionally writes the short answer, and
    hands in."""
    login = delivery.exam_login(**rk.exam.credentials(index), client=delivery.Client())
    for position, paper_item_id in enumerate(login.attempt.item_order, start=1):
        paper_item = PaperItem.objects.select_related("item").get(pk=paper_item_id)
        item = paper_item.item
        answer: object
        if item.type == ItemType.SHORT_ANSWER:
            if not short:
                continue
            answer = {"text": short}
        elif paper_item.position <= right:
            answer = list(item.answer)
        else:
            answer = ["T"] if item.type == ItemType.TRUE_FALSE else ["D"]
        delivery.answer_save(token=login.token, position=position, answer=answer, seq=1)
    delivery.attempt_submit(token=login.token, client=delivery.Client())
    return Attempt.objects.get(pk=login.attempt.pk)


def theory_rows(rk: ResultsKit) -> dict[int, tuple[str, Decimal | None]]:
    rows = ComponentScore.objects.filter(
        application__batch=rk.exam.batch, component=Component.THEORY
    )
    index = {a.pk: i for i, a in enumerate(rk.candidates)}
    return {index[r.application_id]: (r.state, r.score) for r in rows}


def test_theory_scores_come_from_graded_attempts(
    rk: ResultsKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam = rk.exam
    with django_capture_on_commit_callbacks(execute=True):
        exam.open()
        sit(rk, 0, right=4)  # 80, graded at once (blank short answer)
        sit(rk, 1, right=3)  # 60
        written = sit(rk, 2, right=4, short="戴护目镜，不戴手套，停车后测量。")
        # Candidate 3 never signs in.
    assert composite.theory_collect(actor=rk.admin, batch=rk.batch) == 4
    assert theory_rows(rk) == {
        0: (ComponentState.SCORED, D("80.00")),
        1: (ComponentState.SCORED, D("60.00")),
        2: (ComponentState.PENDING, None),  # the short answer waits for its graders
        3: (ComponentState.PENDING, None),  # the session still runs
    }
    with django_capture_on_commit_callbacks(execute=True):
        sittings.sitting_close(actor=rk.admin, sitting=exam.sitting, reason="收卷")
    exam.sitting.refresh_from_db()
    assert composite.theory_collect(actor=rk.admin, batch=rk.batch) == 1
    assert theory_rows(rk)[3] == (ComponentState.ABSENT, None)
    code = grading.answer_code(written.answers.get(paper_item__item__type="short_answer").pk)
    for index, points in ((0, "16"), (1, "18")):
        with django_capture_on_commit_callbacks(execute=True):
            grading.answer_grade(
                actor=rk.examiner(index), sitting=exam.sitting, code=code, points=D(points)
            )
    assert composite.theory_collect(actor=rk.admin, batch=rk.batch) == 1
    assert theory_rows(rk)[2] == (ComponentState.SCORED, D("97.00"))
    assert composite.theory_collect(actor=rk.admin, batch=rk.batch) == 0  # idempotent
    assert all(r.source == ScoreSource.EXAM for r in ComponentScore.objects.all())
    events = AuditEvent.objects.filter(action="results.theory.collect").order_by("seq")
    assert [e.changes["written"] for e in events] == [4, 1, 1, 0]
    # The collected scores decide: candidate 1 at exactly 60 with a panel 75 passes,
    # candidate 3 absent from theory fails.
    for application in rk.candidates:
        panel_score(application, "75")
    rk.assessed()
    composite.results_compute(actor=rk.admin, batch=rk.batch)
    outcomes = [result_of(a).outcome for a in rk.candidates]
    assert outcomes == [Outcome.PASSED, Outcome.PASSED, Outcome.PASSED, Outcome.FAILED]


def test_theory_collect_keeps_entered_and_voided_scores_and_refuses_outsiders(
    rk: ResultsKit,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    refuses(
        PermissionDenied,
        lambda: composite.theory_collect(actor=rk.cast.actor("institution_b"), batch=rk.batch),
    )
    refuses(
        PermissionDenied,
        lambda: composite.theory_collect(actor=rk.cast.actor("city_a"), batch=rk.batch),
    )
    with django_capture_on_commit_callbacks(execute=True):
        rk.exam.open()
        sit(rk, 0, right=4)
        sittings.sitting_close(actor=rk.admin, sitting=rk.exam.sitting, reason="收卷")
    # Candidate 1 sat a paper version (no attempt): staff enter it before collecting.
    composite.component_enter(
        actor=rk.admin, application=rk.candidates[1], component="theory", score=D("72")
    )
    composite.theory_collect(actor=rk.admin, batch=rk.batch)
    assert theory_rows(rk)[1] == (ComponentState.SCORED, D("72.00"))
    assert theory_rows(rk)[2] == (ComponentState.ABSENT, None)
    ComponentScore.objects.filter(application=rk.candidates[0], component=Component.THEORY).update(
        state=ComponentState.VOID
    )
    composite.theory_collect(actor=rk.admin, batch=rk.batch)
    assert theory_rows(rk)[0] == (ComponentState.VOID, D("80.00"))


def test_theory_collect_is_refused_in_a_process_batch(rk: ResultsKit) -> None:
    Batch.objects.filter(pk=rk.batch.pk).update(mode=AssessmentMode.PROCESS)
    with pytest.raises(DomainError) as info:
        composite.theory_collect(actor=rk.admin, batch=rk.batch)
    assert info.value.code == "no_theory"
    assert "课程" in str(info.value)


# --- entered scores ---------------------------------------------------------------------


def test_course_scores_are_entered_in_a_process_batch(rk: ResultsKit) -> None:
    Batch.objects.filter(pk=rk.batch.pk).update(mode=AssessmentMode.PROCESS)
    application = Application.objects.get(pk=rk.candidates[0].pk)
    with pytest.raises(DomainError) as info:
        composite.component_enter(
            actor=rk.admin, application=application, component="theory", score=D(90)
        )
    assert info.value.code == "not_a_component"
    row = composite.component_enter(
        actor=rk.admin, application=application, component="course", score=D("88.5"), note="期末"
    )
    assert (row.state, row.score, row.source, row.note) == (
        ComponentState.SCORED,
        D("88.50"),
        ScoreSource.ENTERED,
        "期末",
    )
    panel_score(application, "61")
    rk.assessed()
    composite.results_compute(actor=rk.admin, batch=rk.batch)
    assert result_of(application).outcome == Outcome.PASSED
    event = AuditEvent.objects.filter(action="results.component.enter").get()
    assert event.changes["score"] == [None, "88.50"]


@pytest.mark.parametrize(
    ("score", "code"),
    [(D("100.01"), "bad_score"), (D("-1"), "bad_score"), (D("59.995"), "bad_score")],
)
def test_entered_scores_are_out_of_100_with_two_decimals(
    rk: ResultsKit, score: Decimal, code: str
) -> None:
    refuses(
        DomainError,
        lambda: composite.component_enter(
            actor=rk.admin, application=rk.candidates[0], component="theory", score=score
        ),
        code,
    )
    assert not ComponentScore.objects.exists()


def test_panel_components_and_exam_scores_are_not_entered_by_hand(rk: ResultsKit) -> None:
    application = rk.candidates[0]
    refuses(
        DomainError,
        lambda: composite.component_enter(
            actor=rk.admin, application=application, component="practical", score=D(90)
        ),
        "panel_component",
    )
    ComponentScore.objects.create(
        application=application,
        component="theory",
        source=ScoreSource.EXAM,
        state=ComponentState.SCORED,
        score=D(40),
    )
    refuses(
        DomainError,
        lambda: composite.component_enter(
            actor=rk.admin, application=application, component="theory", score=D(90)
        ),
        "not_entered",
    )


@pytest.mark.parametrize("role", ["institution_b", "city_a", "city_b", "candidate", "examiner"])
def test_only_the_institutions_staff_enter_scores(rk: ResultsKit, role: str) -> None:
    application = rk.candidates[0]
    application.person.user = rk.cast.users["candidate"]
    application.person.save(update_fields=["user"])
    refuses(
        PermissionDenied,
        lambda: composite.component_enter(
            actor=rk.cast.actor(role), application=application, component="theory", score=D(90)
        ),
    )
    refuses(
        PermissionDenied,
        lambda: composite.component_absent(
            actor=rk.cast.actor(role), application=application, component="practical"
        ),
    )
    refuses(
        PermissionDenied,
        lambda: composite.results_compute(actor=rk.cast.actor(role), batch=rk.batch),
    )


def test_absence_is_recorded_but_never_over_a_score(rk: ResultsKit) -> None:
    first, second = rk.candidates[:2]
    row = composite.component_absent(actor=rk.admin, application=first, component="practical")
    assert (row.state, row.source) == (ComponentState.ABSENT, ScoreSource.PANEL)
    refuses(
        InvalidTransition,
        lambda: composite.component_absent(
            actor=rk.admin, application=first, component="practical"
        ),
        "already_absent",
    )
    panel_score(second, "70")
    refuses(
        InvalidTransition,
        lambda: composite.component_absent(
            actor=rk.admin, application=second, component="practical"
        ),
        "has_score",
    )
    composite.component_absent(actor=rk.admin, application=first, component="theory")
    assert result_of(first).outcome == Outcome.ABSENT


# --- 统分 ------------------------------------------------------------------------------------


def test_compute_writes_every_result_and_the_filing_deadline(rk: ResultsKit) -> None:
    results = computed(rk, ["80", "55", "90", None], ["70", "100", "59", "90"])
    assert results.status == ResultsStatus.SCORING
    assert results.filing_due is not None
    got = [(result_of(a).outcome, result_of(a).total) for a in rk.candidates]
    assert got == [
        (Outcome.PASSED, D("73.00")),
        (Outcome.FAILED, D("86.50")),  # a high total, but theory 55 fails
        (Outcome.FAILED, D("68.30")),
        (Outcome.PENDING, D("63.00")),
    ]
    event = AuditEvent.objects.filter(action="results.compute").get()
    assert event.changes["outcomes"] == {"passed": 1, "failed": 2, "pending": 1}
    # A later entry refreshes the candidate's result at once.
    composite.component_enter(
        actor=rk.admin, application=rk.candidates[3], component="theory", score=D(61)
    )
    assert result_of(rk.candidates[3]).outcome == Outcome.PASSED


def test_compute_is_refused_before_the_sessions_and_after_publication(rk: ResultsKit) -> None:
    refuses(InvalidTransition, lambda: composite.results_compute(actor=rk.admin, batch=rk.batch))
    computed(rk, ["80"] * 4, ["80"] * 4)
    BatchResults.objects.update(status=ResultsStatus.PUBLISHED)
    Batch.objects.filter(pk=rk.batch.pk).update(status=BatchStatus.RESULTS_PUBLISHED)
    refuses(InvalidTransition, lambda: composite.results_compute(actor=rk.admin, batch=rk.batch))
    refuses(
        InvalidTransition,
        lambda: composite.component_enter(
            actor=rk.admin, application=rk.candidates[0], component="theory", score=D(50)
        ),
        "results_published",
    )


# --- retakes ------------------------------------------------------------------------------


def test_one_retake_of_a_failed_component_and_the_retake_counts(rk: ResultsKit) -> None:
    computed(rk, ["45", "80", "80", "80"], ["80", "80", "80", "80"])
    application = rk.candidates[0]
    assert result_of(application).outcome == Outcome.FAILED
    retake = composite.retake_open(actor=rk.admin, application=application, component="theory")
    assert (retake.sitting_no, retake.state) == (2, ComponentState.PENDING)
    assert result_of(application).outcome == Outcome.PENDING
    composite.component_enter(
        actor=rk.admin, application=application, component="theory", score=D(66), sitting_no=2
    )
    result = result_of(application)
    assert (result.outcome, result.total) == (Outcome.PASSED, D("75.80"))
    # The first sitting is kept.
    first = ComponentScore.objects.get(application=application, component="theory", sitting_no=1)
    assert first.score == D(45)
    # Passed now: nothing to retake; and one retake is all the policy allows.
    refuses(
        InvalidTransition,
        lambda: composite.retake_open(actor=rk.admin, application=application, component="theory"),
        "not_failed",
    )
    composite.component_enter(
        actor=rk.admin, application=application, component="theory", score=D(50), sitting_no=2
    )
    refuses(
        InvalidTransition,
        lambda: composite.retake_open(actor=rk.admin, application=application, component="theory"),
        "retakes_used",
    )
    assert result_of(application).outcome == Outcome.FAILED
    event = AuditEvent.objects.filter(action="results.retake.open").get()
    assert event.changes["previous"] == "45.00"


def test_a_failed_practical_is_retaken_and_scored_by_the_panel(rk: ResultsKit) -> None:
    computed(rk, ["80"] * 4, ["50", "80", "80", "80"])
    application = rk.candidates[0]
    retake = composite.retake_open(actor=rk.admin, application=application, component="practical")
    assert retake.source == ScoreSource.PANEL
    panel_score(application, "72", sitting_no=2)  # the panel's second-sitting mean
    assert composite.result_refresh(application).outcome == Outcome.PASSED


def test_an_absent_component_may_be_retaken(rk: ResultsKit) -> None:
    application = rk.candidates[0]
    composite.component_absent(actor=rk.admin, application=application, component="theory")
    composite.retake_open(actor=rk.admin, application=application, component="theory")
    composite.component_enter(
        actor=rk.admin, application=application, component="theory", score=D(70)
    )
    assert ComponentScore.objects.get(application=application, sitting_no=2).score == D(70)


def test_no_retake_when_the_policy_allows_none(rk: ResultsKit) -> None:
    computed(rk, ["45", "80", "80", "80"], ["80"] * 4)
    set_policy(retakes_allowed=0)
    refuses(
        DomainError,
        lambda: composite.retake_open(
            actor=rk.admin, application=rk.candidates[0], component="theory"
        ),
        "no_retakes",
    )
    assert not ComponentScore.objects.filter(sitting_no=2).exists()


def test_retakes_are_refused_to_outsiders_and_once_filed(rk: ResultsKit) -> None:
    computed(rk, ["45", "80", "80", "80"], ["80"] * 4)
    application = rk.candidates[0]
    for role in ("institution_b", "city_a", "examiner"):
        refuses(
            PermissionDenied,
            lambda role=role: composite.retake_open(
                actor=rk.cast.actor(role), application=application, component="theory"
            ),
        )
    for status in (ResultsStatus.PUBLISHED, ResultsStatus.FILED):
        BatchResults.objects.update(status=status)
        refuses(
            InvalidTransition,
            lambda: composite.retake_open(
                actor=rk.admin, application=application, component="theory"
            ),
            "results_filed",
        )
