"""The seats page and the sign-in sheet download: who sees them, what they show."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from skillcert.enrollment.models import SeatAssignment
from skillcert.enrollment.seating import seats_assign
from tests.conftest import Cast
from tests.core.test_pdf import pdf_text
from tests.enrollment.test_documents_world import (
    ExamWorld,
    approve,
    approved_candidates,
    exam_world,
    person,
)


@pytest.fixture
def exam(cast: Cast) -> ExamWorld:
    return exam_world(cast, capacities=(30, 30))


def _seated(cast: Cast, exam: ExamWorld, n: int = 3) -> list[str]:
    """Seat ``n`` approved candidates; return their full ID numbers."""
    from skillcert.enrollment.models import Application

    numbers = []
    for _n in range(n):
        candidate, number = person()
        approve(Application.objects.create(person=candidate, batch=exam.batch))
        numbers.append(number)
    seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])
    return numbers


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_seats_page_lists_seats_with_masked_id_numbers(cast: Cast, exam: ExamWorld) -> None:
    full_ids = _seated(cast, exam)
    response = cast.client("institution_a").get(
        reverse("session-seats", kwargs={"session_pk": exam.sessions[0].pk})
    )
    assert response.status_code == 200
    html = response.content.decode()
    for full_id in full_ids:
        assert f"{full_id[:6]}********{full_id[-4:]}" in html
        assert full_id not in html
    assert reverse("session-signin-sheet", kwargs={"session_pk": exam.sessions[0].pk}) in html
    assert 'id="seats-assign-form"' in html


def test_authorities_see_the_page_without_the_assign_button(cast: Cast, exam: ExamWorld) -> None:
    response = cast.client("city_a").get(
        reverse("session-seats", kwargs={"session_pk": exam.sessions[0].pk})
    )
    assert response.status_code == 200
    assert b"seats-assign-form" not in response.content


def test_the_seats_page_costs_the_same_queries_for_any_number_of_seats(
    cast: Cast, exam: ExamWorld, django_assert_num_queries: Any
) -> None:
    _seated(cast, exam, 12)
    client = cast.client("institution_a")
    url = reverse("session-seats", kwargs={"session_pk": exam.sessions[0].pk})
    client.get(url)  # warm the login session
    # Session row, user, membership; the scoped session with its batch and room; the
    # component's sessions; seat counts; waiting candidates; the seats with candidates.
    with django_assert_num_queries(8):
        client.get(url)
    approved_candidates(exam.batch, 10)
    seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])
    with django_assert_num_queries(8):
        client.get(url)


def test_posting_assigns_seats_and_comes_back_to_the_page(cast: Cast, exam: ExamWorld) -> None:
    approved_candidates(exam.batch, 4)
    url = reverse("session-seats", kwargs={"session_pk": exam.sessions[0].pk})
    response = cast.client("institution_a").post(url)
    assert response.status_code == 302
    assert response["Location"] == url
    assert SeatAssignment.objects.filter(session=exam.sessions[0]).count() == 4
    assert _messages(response) == ["考场座位已安排。"]


def test_an_authority_posting_changes_nothing(cast: Cast, exam: ExamWorld) -> None:
    approved_candidates(exam.batch, 4)
    url = reverse("session-seats", kwargs={"session_pk": exam.sessions[0].pk})
    response = cast.client("city_a").post(url)
    assert response.status_code == 302
    assert not SeatAssignment.objects.exists()
    assert "只有本机构的管理员或考务人员可以安排考场座位" in _messages(response)[0]


@pytest.mark.parametrize(("role", "status"), [("city_b", 404), ("institution_b", 404)])
def test_other_tenants_cannot_post_either(
    cast: Cast, exam: ExamWorld, role: str, status: int
) -> None:
    approved_candidates(exam.batch, 1)
    url = reverse("session-seats", kwargs={"session_pk": exam.sessions[0].pk})
    assert cast.client(role).post(url).status_code == status
    assert not SeatAssignment.objects.exists()


def test_the_sheet_downloads_as_a_named_pdf(cast: Cast, exam: ExamWorld) -> None:
    full_ids = _seated(cast, exam)
    session = exam.sessions[0]
    response = cast.client("institution_a").get(
        reverse("session-signin-sheet", kwargs={"session_pk": session.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename")
    assert f"{exam.batch.code}-{session.pk}.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert all(full_id not in text for full_id in full_ids)
    assert f"{full_ids[0][:6]}********{full_ids[0][-4:]}" in text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("city_b", 404),
        ("institution_b", 404),
        ("examiner", 404),
        ("candidate", 404),
        ("education", 403),
        ("province", 200),
        ("city_a", 200),
    ],
)
def test_who_may_download_the_sheet(cast: Cast, exam: ExamWorld, role: str, status: int) -> None:
    url = reverse("session-signin-sheet", kwargs={"session_pk": exam.sessions[0].pk})
    response = cast.client(role).get(url)
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_session_is_404(cast: Cast) -> None:
    client: Client = cast.client("institution_a")
    assert (
        client.get(reverse("session-signin-sheet", kwargs={"session_pk": 999999})).status_code
        == 404
    )
