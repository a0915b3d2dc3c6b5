"""Grading pages: the blind queue, posting a grade, the scores page, its export, stats."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.exams.choices import GradingStatus
from skillcert.exams.models import Attempt, ItemStatistic, SubjectiveGrade
from tests.conftest import Cast
from tests.exams.conftest import ExamKit, build_exam
from tests.exams.test_grading import (
    ALL_RIGHT,
    Capture,
    close_sitting,
    graders,
    short_code,
    sit,
    start,
)
from tests.exams.test_stats import DATA
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def client_of(exam: ExamKit, index: int) -> Client:
    """A signed-in client for the ``index``-th grader of ``graders(exam)``."""
    actor = graders(exam)[index]
    assert actor.user is not None
    client = Client()
    client.force_login(actor.user)  # each grader has one membership, the examiner's
    return client


@pytest.fixture
def sat(exam: ExamKit, django_capture_on_commit_callbacks: Capture) -> ExamKit:
    """Candidate 0 answered everything (the short answer awaits graders), candidate 1
    left the short answer blank and got item 2 wrong (60), candidate 2 was absent; the
    sitting is closed."""
    exam.open()
    sit(exam, 0, ALL_RIGHT, django_capture_on_commit_callbacks)
    sit(exam, 1, {**ALL_RIGHT, 2: ["A"], 5: None}, django_capture_on_commit_callbacks)
    close_sitting(exam, django_capture_on_commit_callbacks)
    return exam


def queue_url(exam: ExamKit) -> str:
    return reverse("grading-queue", kwargs={"sitting_pk": exam.sitting.pk})


def grade_url(exam: ExamKit) -> str:
    return reverse("grading-grade", kwargs={"sitting_pk": exam.sitting.pk})


def test_the_queue_shows_the_item_and_the_answer_but_not_the_candidate(sat: ExamKit) -> None:
    exam = sat
    attempt = Attempt.objects.get(seat=exam.seat(0))
    graders(exam)
    response = exam.cast.client("examiner").get(queue_url(exam))
    assert response.status_code == 200
    html = response.content.decode()
    assert "简述车床安全操作的三条要点" in html
    assert "戴护目镜；不戴手套；停车测量。" in html  # the reference answer
    assert ALL_RIGHT[5]["text"] in html  # type: ignore[index]
    assert short_code(attempt) in html
    assert 'max="20"' in html
    application = exam.candidates[0]
    assert application.admission_number is not None
    for secret in (
        application.person.full_name,
        application.admission_number,
        exam.id_numbers[application.pk],
        f"answer-{attempt.answers.get(position=5).pk}",
    ):
        assert secret not in html
    assert response["Cache-Control"] == "private, no-store"


def test_posting_grades_settles_the_attempt(sat: ExamKit) -> None:
    exam = sat
    attempt = Attempt.objects.get(seat=exam.seat(0))
    code = short_code(attempt)
    first, second = client_of(exam, 0), client_of(exam, 1)
    response = first.post(grade_url(exam), {"code": code, "points": "13.5", "comment": "要点二"})
    assert response.status_code == 302
    assert response["Location"] == queue_url(exam)
    # The first grader no longer sees it; the second does, and grades it.
    assert f"<code>{code}</code>" not in first.get(queue_url(exam)).content.decode()
    assert f"<code>{code}</code>" in second.get(queue_url(exam)).content.decode()
    second.post(grade_url(exam), {"code": code, "points": "14.5"})
    attempt.refresh_from_db()
    assert attempt.grading_status == GradingStatus.GRADED
    assert attempt.score == Decimal("94.00")  # 80 + (13.5 + 14.5) / 2
    grade = SubjectiveGrade.objects.get(round=1)
    assert (grade.points, grade.comment) == (Decimal("13.50"), "要点二")


@pytest.mark.parametrize(
    ("points", "message"),
    [("abc", "得分"), ("25", "得分须在 0 到 20 分之间"), ("7.3", "0.5 分为单位"), ("", "得分")],
)
def test_bad_points_are_refused_with_a_message(sat: ExamKit, points: str, message: str) -> None:
    exam = sat
    code = short_code(Attempt.objects.get(seat=exam.seat(0)))
    client = client_of(exam, 0)
    response = client.post(grade_url(exam), {"code": code, "points": points}, follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SubjectiveGrade.objects.exists()


def test_grading_the_same_answer_twice_is_refused_on_the_page(sat: ExamKit) -> None:
    exam = sat
    code = short_code(Attempt.objects.get(seat=exam.seat(0)))
    client = client_of(exam, 0)
    client.post(grade_url(exam), {"code": code, "points": "10"})
    response = client.post(grade_url(exam), {"code": code, "points": "11"}, follow=True)
    assert "同一份答卷须由不同的评分人评分" in response.content.decode()
    assert SubjectiveGrade.objects.count() == 1


def test_graders_pages_refuse_everyone_else(sat: ExamKit) -> None:
    exam = sat
    graders(exam, 1)
    code = short_code(Attempt.objects.get(seat=exam.seat(0)))
    expected = {
        "province": 403,
        "city_a": 403,
        "education": 403,
        "city_b": 404,
        "institution_b": 404,
        "candidate": 404,
    }
    for role, status in expected.items():
        client = exam.cast.client(role)
        assert client.get(queue_url(exam)).status_code == status, role
        assert client.post(grade_url(exam), {"code": code, "points": "5"}).status_code == status
    # An examiner of institution A who is not on this batch: not theirs to grade.
    outsider = UserFactory()
    MembershipFactory(user=outsider, role="examiner", organisation=exam.cast.orgs["institution_a"])
    client = Client()
    client.force_login(outsider)
    assert client.get(queue_url(exam)).status_code == 404
    assert client.post(grade_url(exam), {"code": code, "points": "5"}).status_code == 404
    assert not SubjectiveGrade.objects.exists()


def test_scores_page_lists_the_seats_with_their_scores(sat: ExamKit) -> None:
    exam = sat
    url = reverse("sitting-scores", kwargs={"sitting_pk": exam.sitting.pk})
    response = exam.cast.client("institution_a").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for application in exam.candidates:
        assert application.admission_number is not None
        assert application.admission_number in html
        assert application.person.full_name in html
    assert "待人工评分" in html  # candidate 0
    assert "60.00" in html  # candidate 1
    assert "缺考" in html  # candidate 2
    assert "stats-compute" not in html
    # The HR authority above reads it too, without the staff's buttons.
    province = exam.cast.client("province").get(url).content.decode()
    assert "60.00" in province
    assert reverse("grading-queue", kwargs={"sitting_pk": exam.sitting.pk}) not in province


def test_scores_export(sat: ExamKit) -> None:
    exam = sat
    url = reverse("sitting-scores-export", kwargs={"sitting_pk": exam.sitting.pk})
    response = exam.cast.client("city_a").get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["座位号", "准考证号", "姓名", "卷别", "作答状态", "评分状态", "理论成绩"]
    by_number = {row[1]: row for row in rows[1:]}
    first, second, absent = (by_number[a.admission_number] for a in exam.candidates)
    assert first[2:] == [
        exam.candidates[0].person.full_name,
        "A",
        "已交卷",
        "待人工评分",
        "待人工评分",
    ]
    assert second[6] == 60
    assert absent[4] == "缺考"
    assert exam.cast.client("education").get(url).status_code == 403
    assert exam.cast.client("institution_b").get(url).status_code == 404


def test_stats_page_and_compute(cast: Cast, django_capture_on_commit_callbacks: Capture) -> None:
    exam = build_exam(cast, n=10)
    exam.open()
    for index, responses in enumerate(DATA):
        start(exam, index, responses)
    page = reverse("sitting-item-stats", kwargs={"sitting_pk": exam.sitting.pk})
    compute = reverse("sitting-item-stats-compute", kwargs={"sitting_pk": exam.sitting.pk})
    admin = cast.client("institution_a")
    html = admin.get(page).content.decode()
    assert "使用该试卷的场次尚未收卷" in html
    response = admin.post(compute, follow=True)
    assert "使用该试卷的场次尚未收卷" in response.content.decode()
    close_sitting(exam, django_capture_on_commit_callbacks)
    ItemStatistic.objects.all().delete()  # computed automatically; the staff recompute
    assert cast.client("city_a").post(compute).status_code == 403
    assert not ItemStatistic.objects.exists()
    response = admin.post(compute, follow=True)
    html = response.content.decode()
    assert "试题统计已更新" in html
    assert "0.667" in html
    assert "0.333" in html
    assert html.count('class="review-flag"') == 1  # the blank short answer
    province = cast.client("province").get(page).content.decode()
    assert "0.667" in province
    assert "stats-compute" not in province


def test_grading_home_lists_the_sittings(sat: ExamKit) -> None:
    exam = sat
    graders(exam, 1)
    url = reverse("grading-home")
    examiner = exam.cast.client("examiner").get(url).content.decode()
    assert queue_url(exam) in examiner
    assert reverse("sitting-scores", kwargs={"sitting_pk": exam.sitting.pk}) not in examiner
    staff = exam.cast.client("institution_a").get(url).content.decode()
    assert queue_url(exam) in staff
    assert reverse("sitting-scores", kwargs={"sitting_pk": exam.sitting.pk}) in staff
    city = exam.cast.client("city_a").get(url).content.decode()
    assert queue_url(exam) not in city
    assert reverse("sitting-scores", kwargs={"sitting_pk": exam.sitting.pk}) in city
    assert (
        exam.sitting.session.batch.code
        not in exam.cast.client("institution_b").get(url).content.decode()
    )
    assert exam.cast.client("candidate").get(url).status_code == 403


# --- pinned query counts (STYLE.md 9) ----------------------------------------------------


@pytest.mark.parametrize("n", [3, 8])
def test_scores_page_queries(
    cast: Cast, django_capture_on_commit_callbacks: Capture, django_assert_num_queries: Any, n: int
) -> None:
    exam = build_exam(cast, n=n)
    exam.open()
    for index in range(n):
        sit(exam, index, ALL_RIGHT, django_capture_on_commit_callbacks)
    client = cast.client("institution_a")
    url = reverse("sitting-scores", kwargs={"sitting_pk": exam.sitting.pk})
    # session, user, memberships, sitting, seats with their attempts
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [3, 8])
def test_queue_queries(
    cast: Cast, django_capture_on_commit_callbacks: Capture, django_assert_num_queries: Any, n: int
) -> None:
    exam = build_exam(cast, n=n)
    exam.open()
    for index in range(n):
        sit(exam, index, ALL_RIGHT, django_capture_on_commit_callbacks)
    close_sitting(exam, django_capture_on_commit_callbacks)
    graders(exam, 1)
    client = cast.client("examiner")
    # session, user, memberships, sitting, can_grade (assignment), queue
    with django_assert_num_queries(6):
        response = client.get(queue_url(exam))
    assert response.content.decode().count('name="points"') == n


@pytest.mark.parametrize("n", [3, 8])
def test_grading_home_queries(
    cast: Cast, django_capture_on_commit_callbacks: Capture, django_assert_num_queries: Any, n: int
) -> None:
    exam = build_exam(cast, n=n)
    exam.open()
    for index in range(n):
        sit(exam, index, ALL_RIGHT, django_capture_on_commit_callbacks)
    client = cast.client("institution_a")
    with django_assert_num_queries(4):
        assert client.get(reverse("grading-home")).status_code == 200
