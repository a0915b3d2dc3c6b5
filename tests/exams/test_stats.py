"""Item statistics: difficulty p and 27% discrimination D on a hand-worked data set."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.exams import stats
from skillcert.exams.models import ItemStatistic
from tests.conftest import Cast
from tests.exams.conftest import ExamKit, build_exam
from tests.exams.test_grading import ALL_RIGHT, Capture, close_sitting, sit, start

pytestmark = pytest.mark.django_db

A, B, ABC, F, T = ["A"], ["B"], ["A", "B", "C"], ["F"], ["T"]

# Ten candidates, items 1–4 by position (keys A, B, A+B+C, F), every short answer blank.
# None is a blank answer; ["A", "B"] on item 3 is a partial choice and scores nothing.
#        item 1      item 2    item 3                  item 4   right    score
DATA: list[dict[int, object]] = [
    {1: A,    2: B,    3: ABC,                  4: F},   # 1111     80
    {1: A,    2: B,    3: ABC,                  4: F},   # 1111     80
    {1: A,    2: B,    3: ABC,                  4: T},   # 1110     60
    {1: A,    2: B,    3: ["A", "B"],           4: T},   # 1100     40
    {1: A,    2: A,    3: ABC,                  4: T},   # 1010     40
    {1: B,    2: B,    3: ABC,                  4: T},   # 0110     40
    {1: A,    2: None, 3: ["A", "B", "C", "D"], 4: F},   # 1001     40
    {1: A,    2: ["C"], 3: None,                4: None},  # 1000   20
    {1: None, 2: ["D"], 3: A,                   4: F},   # 0001     20
    {1: None, 2: None, 3: None,                 4: T},   # 0000      0
]  # fmt: skip

# Ranked by score, the upper 27% (3 of 10) are candidates 0–2 and the lower 3 are 7–9.
# item 1: right 7/10 → p .700; upper 3/3, lower 1/3 → D .667; answered 8
# item 2: right 5/10 → p .500; upper 3/3, lower 0/3 → D 1.000; answered 8
# item 3: right 5/10 → p .500; upper 3/3, lower 0/3 → D 1.000; answered 8
# item 4: right 4/10 → p .400; upper 2/3, lower 1/3 → D .333; answered 9
# item 5: blank everywhere → p 0, D 0, answered 0 (flagged for review)
EXPECTED = {
    1: (8, "0.700", "0.667"),
    2: (8, "0.500", "1.000"),
    3: (8, "0.500", "1.000"),
    4: (9, "0.400", "0.333"),
    5: (0, "0.000", "0.000"),
}


@pytest.fixture
def exam10(cast: Cast) -> ExamKit:
    return build_exam(cast, n=10)


def figures(exam: ExamKit) -> dict[int, tuple[int, str, str]]:
    rows = ItemStatistic.objects.filter(paper_item__paper=exam.paper).select_related("paper_item")
    return {
        s.paper_item.position: (s.responses, str(s.difficulty), str(s.discrimination)) for s in rows
    }


def test_staff_compute_the_statistics_once_the_sitting_is_closed(
    exam10: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam = exam10
    exam.open()
    attempts = [
        sit(exam, index, responses, django_capture_on_commit_callbacks)
        for index, responses in enumerate(DATA)
    ]
    assert [a.score for a in attempts] == [
        Decimal(n) for n in (80, 80, 60, 40, 40, 40, 40, 20, 20, 0)
    ]
    # All graded, but the sitting is still open: nothing yet, neither automatic nor asked.
    assert not ItemStatistic.objects.exists()
    with pytest.raises(DomainError) as early:
        stats.item_statistics_compute(actor=exam.admin, sitting=exam.sitting)
    assert "尚未收卷" in str(early.value.message)
    close_sitting(exam, django_capture_on_commit_callbacks)
    assert stats.item_statistics_compute(actor=exam.admin, sitting=exam.sitting) == 1
    assert figures(exam) == EXPECTED
    flagged = [
        position
        for position, (_n, p, d) in figures(exam).items()
        if stats.needs_review(Decimal(p), Decimal(d))
    ]
    assert flagged == [5]
    # Computing again rewrites the same rows.
    stats.item_statistics_compute(actor=exam.admin, sitting=exam.sitting)
    assert ItemStatistic.objects.count() == 5
    assert figures(exam) == EXPECTED


def test_statistics_follow_the_last_grade_after_the_sitting_closes(
    exam10: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam = exam10
    exam.open()
    for index, responses in enumerate(DATA):
        start(exam, index, responses)
    # Closing the sitting closes (terminates) every attempt; grading and then the
    # statistics run after commit.
    close_sitting(exam, django_capture_on_commit_callbacks)
    assert figures(exam) == EXPECTED


def test_too_few_attempts_are_not_computed(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    for index in range(3):
        sit(exam, index, {**ALL_RIGHT, 5: None}, django_capture_on_commit_callbacks)
    close_sitting(exam, django_capture_on_commit_callbacks)
    with pytest.raises(DomainError) as refused:
        stats.item_statistics_compute(actor=exam.admin, sitting=exam.sitting)
    assert refused.value.code == "not_ready"
    assert "只有 3 份，少于 10 份" in str(refused.value.message)
    assert not ItemStatistic.objects.exists()


def test_attempts_awaiting_graders_hold_the_statistics_back(
    exam: ExamKit, django_capture_on_commit_callbacks: Capture
) -> None:
    exam.open()
    sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    close_sitting(exam, django_capture_on_commit_callbacks)
    assert stats.not_ready_reason(exam.paper) == "该试卷尚有作答未评分完毕。"


def test_only_the_institution_staff_compute(exam: ExamKit) -> None:
    for role in ("city_a", "province", "institution_b", "examiner", "candidate"):
        with pytest.raises(PermissionDenied):
            stats.item_statistics_compute(actor=exam.cast.actor(role), sitting=exam.sitting)


def marks(score: int, awarded: dict[int, int], answered: set[int]) -> stats.AttemptMarks:
    return stats.AttemptMarks(
        score=Decimal(score),
        awarded={k: Decimal(v) for k, v in awarded.items()},
        answered=frozenset(answered),
    )


def test_item_figures_on_a_small_table() -> None:
    # Two items of 10 points; 11 attempts → groups of 3 (2.97 rounds to 3).
    table = [
        marks(100, {1: 10, 2: 10}, {1, 2}),
        marks(90, {1: 10, 2: 5}, {1, 2}),
        marks(80, {1: 10, 2: 0}, {1, 2}),
        *[marks(50, {1: 5, 2: 5}, {1, 2}) for _n in range(5)],
        marks(20, {1: 0, 2: 10}, {1, 2}),
        marks(10, {1: 0, 2: 5}, {1, 2}),
        marks(0, {}, set()),
    ]
    by_item = {
        f.paper_item_id: f for f in stats.item_figures(table, {1: Decimal(10), 2: Decimal(10)})
    }
    # item 1: (30 + 25 + 0) / 110 = .5; upper 30/30 = 1, lower 0/30 → D 1
    assert (by_item[1].difficulty, by_item[1].discrimination) == (Decimal("0.500"), Decimal(1))
    # item 2: (15 + 25 + 15) / 110 = .5; upper 15/30, lower 15/30 → D 0
    assert (by_item[2].difficulty, by_item[2].discrimination) == (Decimal("0.500"), Decimal(0))
    assert by_item[1].responses == by_item[2].responses == 10


@pytest.mark.parametrize(("count", "size"), [(10, 3), (11, 3), (30, 8), (100, 27), (13, 4)])
def test_group_size_is_27_percent_rounded(count: int, size: int) -> None:
    assert stats.group_size(count) == size


@pytest.mark.parametrize(
    ("p", "d", "flag"),
    [
        ("0.500", "0.400", False),
        ("0.500", "0.199", True),
        ("0.500", "0.200", False),
        ("0.950", "0.300", True),
        ("0.900", "0.300", False),
        ("0.150", "0.300", True),
        ("0.200", "0.300", False),
    ],
)
def test_needs_review(p: str, d: str, flag: bool) -> None:
    assert stats.needs_review(Decimal(p), Decimal(d)) is flag
