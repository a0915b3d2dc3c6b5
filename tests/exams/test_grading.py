"""Grading: objective items on close, two blind graders and arbitration, the score.

The ``exam`` paper (tests/exams/conftest.py) has five 20-point items by position:
1 single (key A), 2 single (key B), 3 multiple (keys A, B, C), 4 true/false (key F),
5 short answer. Scores below are worked out by hand from those keys.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.exams import closing, grading, sittings
from skillcert.exams.choices import AttemptStatus, GradingStatus
from skillcert.exams.models import Answer, Attempt, SubjectiveGrade
from skillcert.itembank.models import PaperItem
from tests.batches.conftest import more_examiners
from tests.exams.conftest import ExamKit
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]

ALL_RIGHT: dict[int, object] = {
    1: ["A"],
    2: ["B"],
    3: ["A", "B", "C"],
    4: ["F"],
    5: {"text": "戴护目镜，不戴手套，停车后测量。"},
}


def start(exam: ExamKit, index: int, responses: Mapping[int, object]) -> Attempt:
    """Candidate ``index``'s attempt with ``responses`` by item position (None: blank)."""
    now = timezone.now()
    items = list(PaperItem.objects.filter(paper=exam.paper).order_by("position"))
    attempt = Attempt.objects.create(
        seat=exam.seat(index),
        sitting=exam.sitting,
        paper=exam.paper,
        started_at=now,
        deadline=now + timedelta(minutes=90),
        token_digest=uuid.uuid4().hex,
        item_order=[item.pk for item in items],
    )
    Answer.objects.bulk_create(
        Answer(
            attempt=attempt,
            position=item.position,
            paper_item=item,
            response=responses.get(item.position),
        )
        for item in items
    )
    return attempt


def close(exam: ExamKit, attempt: Attempt, capture: Capture) -> Attempt:
    """Submit the attempt; grading runs after commit."""
    with capture(execute=True):
        closing.attempt_close(
            actor=exam.admin, attempt_id=attempt.pk, status=AttemptStatus.SUBMITTED
        )
    attempt.refresh_from_db()
    return attempt


def sit(exam: ExamKit, index: int, responses: Mapping[int, object], capture: Capture) -> Attempt:
    return close(exam, start(exam, index, responses), capture)


def close_sitting(exam: ExamKit, capture: Capture) -> None:
    with capture(execute=True):
        sittings.sitting_close(actor=exam.admin, sitting=exam.sitting, reason="收卷")
    exam.sitting.refresh_from_db()


def graders(exam: ExamKit, n: int = 3) -> list[Actor]:
    """The batch's first ``n`` examiners with accounts (the cast examiner is the first)."""
    actors = []
    for index, member in enumerate(exam.kit.examiners[:n]):
        if index == 0:
            user, membership = exam.cast.users["examiner"], exam.cast.memberships["examiner"]
        else:
            user = UserFactory()
            membership = MembershipFactory(
                user=user, role=Role.EXAMINER, organisation=exam.cast.orgs["institution_a"]
            )
        member.user = user
        member.save(update_fields=["user"])
        actors.append(Actor(user=user, membership=membership))
    return actors


def short_code(attempt: Attempt) -> str:
    return grading.answer_code(attempt.answers.get(position=5).pk)


def points_by_position(attempt: Attempt) -> dict[int, Decimal | None]:
    return {a.position: a.points_awarded for a in attempt.answers.order_by("position")}


def graded(exam: ExamKit, capture: Capture, *scores: str) -> Attempt:
    """An all-right attempt whose short answer gets ``scores`` from successive graders."""
    exam.open()
    attempt = sit(exam, 0, ALL_RIGHT, capture)
    close_sitting(exam, capture)
    code = short_code(attempt)
    for grader, points in zip(graders(exam), scores, strict=False):
        with capture(execute=True):
            grading.answer_grade(
                actor=grader, sitting=exam.sitting, code=code, points=Decimal(points)
            )
    attempt.refresh_from_db()
    return attempt


# --- objective items -------------------------------------------------------------------


def test_all_right_but_the_short_answer_waits_then_scores_80(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    attempt = sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    assert attempt.grading_status == GradingStatus.AWAITING_GRADERS
    assert attempt.score is None
    assert points_by_position(attempt) == {1: 20, 2: 20, 3: 20, 4: 20, 5: None}
    assert list(attempt.answers.order_by("position").values_list("is_correct", flat=True)) == [
        True,
        True,
        True,
        True,
        None,
    ]
    close_sitting(exam, django_capture_on_commit_callbacks)
    first, second, _third = graders(exam)
    code = short_code(attempt)
    before = AuditEvent.objects.filter(action="exams.attempt.score").count()
    with django_capture_on_commit_callbacks(execute=True):
        grading.answer_grade(actor=first, sitting=exam.sitting, code=code, points=Decimal(0))
        attempt.refresh_from_db()
        assert attempt.grading_status == GradingStatus.AWAITING_GRADERS
        grading.answer_grade(actor=second, sitting=exam.sitting, code=code, points=Decimal(0))
    attempt.refresh_from_db()
    assert attempt.grading_status == GradingStatus.GRADED
    assert attempt.score == Decimal("80.00")
    assert AuditEvent.objects.filter(action="exams.attempt.score").count() == before + 1


def test_partial_and_excess_choices_score_nothing(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    partial = sit(
        exam,
        0,
        {1: ["A"], 2: ["C"], 3: ["A", "B"], 4: ["F"], 5: None},
        django_capture_on_commit_callbacks,
    )
    # 1 right (20), 2 wrong, 3 partial (0), 4 right (20), 5 blank: 0 without graders.
    assert points_by_position(partial) == {1: 20, 2: 0, 3: 0, 4: 20, 5: 0}
    assert partial.grading_status == GradingStatus.GRADED
    assert partial.score == Decimal("40.00")
    excess = sit(
        exam,
        1,
        {1: ["A", "B"], 2: ["B"], 3: ["A", "B", "C", "D"], 4: ["T"], 5: {"text": "  "}},
        django_capture_on_commit_callbacks,
    )
    # 1 two choices for a single (0), 2 right (20), 3 one too many (0), 4 wrong, 5 blank.
    assert points_by_position(excess) == {1: 0, 2: 20, 3: 0, 4: 0, 5: 0}
    assert excess.score == Decimal("20.00")
    odd = sit(
        exam,
        2,
        {1: "A", 2: [2], 3: {"text": "ABC"}, 4: [], 5: None},
        django_capture_on_commit_callbacks,
    )
    assert points_by_position(odd) == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    assert odd.score == Decimal("0.00")


def test_multiple_choice_order_does_not_matter(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    attempt = sit(
        exam, 0, {**ALL_RIGHT, 3: ["C", "A", "B"], 5: None}, django_capture_on_commit_callbacks
    )
    # Four objective items right (80) and a blank short answer (0).
    assert points_by_position(attempt)[3] == Decimal(20)
    assert attempt.score == Decimal("80.00")


def test_grading_twice_changes_nothing(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    waiting = sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    done = sit(exam, 1, {**ALL_RIGHT, 2: ["A"], 5: None}, django_capture_on_commit_callbacks)
    assert done.score == Decimal("60.00")
    answers_before = list(Answer.objects.order_by("pk").values())
    events_before = AuditEvent.objects.count()
    for attempt in (waiting, done):
        grading.grade_objective(attempt.pk)
        grading.grade_objective(attempt.pk)
    assert list(Answer.objects.order_by("pk").values()) == answers_before
    assert AuditEvent.objects.count() == events_before
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert (waiting.grading_status, waiting.score) == (GradingStatus.AWAITING_GRADERS, None)
    assert (done.grading_status, done.score) == (GradingStatus.GRADED, Decimal("60.00"))


def test_open_attempts_are_not_graded(exam: ExamKit) -> None:
    exam.open()
    attempt = start(exam, 0, ALL_RIGHT)
    grading.grade_objective(attempt.pk)
    grading.grade_objective(10**9)  # a missing attempt is ignored too
    attempt.refresh_from_db()
    assert attempt.grading_status == GradingStatus.PENDING
    assert set(points_by_position(attempt).values()) == {None}


def test_score_is_rounded_half_up_to_two_decimals() -> None:
    assert grading.score_of([Decimal("0.5")], Decimal(400)) == Decimal("0.13")
    assert grading.score_of([Decimal(1)], Decimal(3)) == Decimal("33.33")
    assert grading.score_of([Decimal(2)], Decimal(3)) == Decimal("66.67")
    assert grading.score_of([Decimal(5)], Decimal(0)) == Decimal(0)


# --- two graders and arbitration -------------------------------------------------------


def test_two_close_scores_give_their_mean(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    # 16 and 12 differ by 4 = 20% of 20 points: no arbitration, mean 14 → 80 + 14.
    attempt = graded(exam, django_capture_on_commit_callbacks, "16", "12")
    assert attempt.grading_status == GradingStatus.GRADED
    assert points_by_position(attempt)[5] == Decimal(14)
    assert attempt.score == Decimal("94.00")


def test_far_apart_scores_go_to_a_third_grader(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    # 10 and 15.5 differ by 5.5 > 4: a third grader; 15 is closest to 15.5 → 15.25.
    attempt = graded(exam, django_capture_on_commit_callbacks, "10", "15.5")
    assert attempt.grading_status == GradingStatus.AWAITING_GRADERS
    assert points_by_position(attempt)[5] is None
    third = graders(exam)[2]
    queue = grading.grading_queue(actor=third, sitting=exam.sitting)
    assert [(a.code, a.round) for entry in queue for a in entry.answers] == [
        (short_code(attempt), 3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        grading.answer_grade(
            actor=third, sitting=exam.sitting, code=short_code(attempt), points=Decimal(15)
        )
    attempt.refresh_from_db()
    assert points_by_position(attempt)[5] == Decimal("15.25")
    assert attempt.score == Decimal("95.25")
    assert list(
        SubjectiveGrade.objects.filter(answer__attempt=attempt).values_list("round", "points")
    ) == [(1, Decimal("10.00")), (2, Decimal("15.50")), (3, Decimal("15.00"))]


@pytest.mark.parametrize(
    ("scores", "final"),
    [
        (["3"], None),
        (["0", "0"], "0"),
        (["16", "12"], "14"),
        (["12", "16.5"], None),
        (["10", "15.5", "15"], "15.25"),
        (["10", "15", "0"], "12.5"),  # the first two are still the closest pair
        (["10", "16", "13"], "14.5"),  # equally close: the higher pair counts
    ],
)
def test_final_points(scores: list[str], final: str | None) -> None:
    result = grading.final_points([Decimal(s) for s in scores], Decimal(20))
    assert result == (Decimal(final) if final is not None else None)


def test_institution_staff_may_grade_beside_an_examiner(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    attempt = sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    close_sitting(exam, django_capture_on_commit_callbacks)
    examiner = graders(exam, 1)[0]
    code = short_code(attempt)
    with django_capture_on_commit_callbacks(execute=True):
        grading.answer_grade(actor=exam.admin, sitting=exam.sitting, code=code, points=Decimal(20))
        grading.answer_grade(
            actor=examiner, sitting=exam.sitting, code=code.lower(), points=Decimal(20)
        )
    attempt.refresh_from_db()
    assert attempt.score == Decimal("100.00")


# --- refusals ----------------------------------------------------------------------------


def refused(error: type[DomainError], call: Callable[[], object], code: str = "") -> None:
    """The call raises ``error`` (with ``code``) and writes no grade and no audit event."""
    grades, events = SubjectiveGrade.objects.count(), AuditEvent.objects.count()
    with pytest.raises(error) as info:
        call()
    assert (SubjectiveGrade.objects.count(), AuditEvent.objects.count()) == (grades, events)
    if code:
        assert info.value.code == code


@pytest.fixture
def waiting(exam: ExamKit, django_capture_on_commit_callbacks: Capture) -> tuple[ExamKit, str]:
    """A closed sitting with one attempt whose short answer awaits graders."""
    exam.open()
    attempt = sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    close_sitting(exam, django_capture_on_commit_callbacks)
    return exam, short_code(attempt)


def grade(exam: ExamKit, actor: Actor, code: str, points: str = "10") -> Callable[[], object]:
    return lambda: grading.answer_grade(
        actor=actor, sitting=exam.sitting, code=code, points=Decimal(points)
    )


def test_the_same_grader_never_grades_an_answer_twice(waiting: tuple[ExamKit, str]) -> None:
    exam, code = waiting
    first, second, _third = graders(exam)
    grade(exam, first, code, "2")()
    refused(DomainError, grade(exam, first, code, "2"), "graded_twice")
    grade(exam, second, code, "12")()  # 10 apart: a third grader is needed
    refused(DomainError, grade(exam, first, code), "graded_twice")
    refused(DomainError, grade(exam, second, code), "graded_twice")
    assert grading.grading_queue(actor=first, sitting=exam.sitting) == []
    assert SubjectiveGrade.objects.count() == 2


def test_nobody_else_may_grade(waiting: tuple[ExamKit, str]) -> None:
    exam, code = waiting
    cast = exam.cast
    graders(exam, 1)
    # An examiner of institution A with an account but not assigned to this batch.
    outsider = UserFactory()
    membership = MembershipFactory(
        user=outsider, role=Role.EXAMINER, organisation=cast.orgs["institution_a"]
    )
    (unassigned,) = more_examiners(exam.kit, 1)
    unassigned.user = outsider
    unassigned.save(update_fields=["user"])
    for actor in (
        cast.actor("institution_b"),
        cast.actor("city_a"),
        cast.actor("province"),
        cast.actor("education"),
        cast.actor("candidate"),
        Actor(user=outsider, membership=membership),
        Actor.system("someone"),
    ):
        refused(PermissionDenied, grade(exam, actor, code))
        with pytest.raises(PermissionDenied):
            grading.grading_queue(actor=actor, sitting=exam.sitting)
        assert not grading.gradable_sittings(actor).filter(pk=exam.sitting.pk).exists()


def test_an_examiner_acting_in_another_role_may_not_grade(waiting: tuple[ExamKit, str]) -> None:
    exam, code = waiting
    examiner = graders(exam, 1)[0]
    assert examiner.user is not None
    as_candidate = MembershipFactory(user=examiner.user, role=Role.CANDIDATE, organisation=None)
    refused(PermissionDenied, grade(exam, Actor(user=examiner.user, membership=as_candidate), code))


def test_an_inactive_examiner_may_not_grade(waiting: tuple[ExamKit, str]) -> None:
    exam, code = waiting
    examiner = graders(exam, 1)[0]
    member = exam.kit.examiners[0]
    member.is_active = False
    member.save(update_fields=["is_active"])
    refused(PermissionDenied, grade(exam, examiner, code))


@pytest.mark.parametrize(
    ("points", "code"),
    [("20.5", "out_of_range"), ("-0.5", "out_of_range"), ("7.3", "not_half_point")],
)
def test_points_outside_the_item_or_off_the_half_point_are_refused(
    waiting: tuple[ExamKit, str], points: str, code: str
) -> None:
    exam, answer = waiting
    refused(DomainError, grade(exam, graders(exam, 1)[0], answer, points), code)


def test_unknown_codes_and_settled_answers_are_refused(waiting: tuple[ExamKit, str]) -> None:
    exam, code = waiting
    first, second, third = graders(exam)
    refused(DomainError, grade(exam, first, "0000-0000-0000"))
    grade(exam, first, code, "10")()
    grade(exam, second, code, "10")()
    refused(DomainError, grade(exam, third, code))  # settled: no longer in the queue


def test_no_grading_before_the_sitting_is_closed(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    attempt = sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    first = graders(exam, 1)[0]
    assert grading.grading_queue(actor=first, sitting=exam.sitting) == []
    refused(InvalidTransition, grade(exam, first, short_code(attempt)), "sitting_open")


def test_the_queue_is_blind(waiting: tuple[ExamKit, str]) -> None:
    exam, code = waiting
    queue = grading.grading_queue(actor=graders(exam, 1)[0], sitting=exam.sitting)
    assert len(queue) == 1
    entry = queue[0]
    assert entry.paper_item.item.reference_answer == "戴护目镜；不戴手套；停车测量。"
    assert entry.paper_item.points == Decimal(20)
    (answer,) = entry.answers
    assert answer.code == code
    assert answer.round == 1
    assert answer.text == ALL_RIGHT[5]["text"]  # type: ignore[index]
    assert set(vars(answer)) == {"code", "round", "text"}
