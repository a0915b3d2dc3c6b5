"""The proctor console and the session record over HTTP: the live page and its htmx
fragment, seat actions and notes, opening and closing, who may read and who may act."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from skillcert.batches.choices import Component, SessionStatus
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import AttemptEventKind, AttemptStatus, CheckInRole, ProctorAction
from skillcert.exams.models import AttemptEvent, CheckIn, Incident
from tests.exams.conftest import ExamKit, build_exam
from tests.exams.test_proctoring import make_proctor, start_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(exam: ExamKit) -> ExamKit:
    exam.open()
    return exam


def console_url(exam: ExamKit) -> str:
    return reverse("proctor-console", kwargs={"session_pk": exam.session.pk})


def action_url(exam: ExamKit, index: int, action: str) -> str:
    kwargs = {"session_pk": exam.session.pk, "seat_pk": exam.seat(index).pk, "action": action}
    return reverse("proctor-seat-action", kwargs=kwargs)


def seat_url(exam: ExamKit, index: int) -> str:
    kwargs = {"session_pk": exam.session.pk, "seat_pk": exam.seat(index).pk}
    return reverse("proctor-seat", kwargs=kwargs)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_the_console_shows_every_seat_and_the_attendance(live: ExamKit) -> None:
    attempt = start_attempt(live, 0, answered=2)
    AttemptEvent.objects.create(
        attempt=attempt, kind=AttemptEventKind.FOCUS_LOST, at=timezone.now()
    )
    CheckIn.objects.create(
        session=live.session, role=CheckInRole.CANDIDATE, seat=live.seat(0), at=timezone.now()
    )
    CheckIn.objects.create(
        session=live.session, role=CheckInRole.CANDIDATE, seat=live.seat(1), at=timezone.now()
    )
    response = live.cast.client("institution_a").get(console_url(live))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'hx-trigger="every 5s"' in body
    c = response.context["c"]
    assert [s.seat_number for s in c.seats] == [1, 2, 3]
    first = c.seats[0]
    assert (first.status, first.answered, first.total, first.focus_lost) == (
        AttemptStatus.IN_PROGRESS,
        2,
        5,
        1,
    )
    assert first.checked_in
    assert first.last_saved_at is not None
    assert first.remaining_seconds is not None
    assert 89 * 60 <= first.remaining_seconds <= 90 * 60
    assert c.seats[2].status is None
    assert c.seats[2].status_label == "未登录"
    a = c.attendance
    assert (a.seated, a.checked_in, a.signed_in, a.in_progress, a.closed, a.absent) == (
        3,
        2,
        1,
        1,
        0,
        2,
    )
    assert live.candidates[0].admission_number in body
    assert "sitting-close-confirm" in body  # the exam staff may close the sitting
    assert "note-form" in body


def test_the_refresh_returns_only_the_live_fragment(live: ExamKit) -> None:
    start_attempt(live, 0)
    response = live.cast.client("institution_a").get(console_url(live), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="console-live"')
    assert "<html" not in body
    assert "note-form" not in body
    assert 'id="seat-1"' in body


def test_a_closed_session_stops_refreshing(live: ExamKit) -> None:
    client = live.cast.client("institution_a")
    client.post(
        reverse("proctor-sitting", kwargs={"session_pk": live.session.pk, "action": "close"}),
        {"reason": ""},
    )
    body = client.get(console_url(live)).content.decode()
    assert "hx-trigger" not in body
    assert "缺考" in body


@pytest.mark.parametrize("seats", [2, 6])
def test_the_console_costs_the_same_queries_for_any_number_of_seats(
    cast: Any, django_assert_num_queries: Any, seats: int
) -> None:
    exam = build_exam(cast, n=seats)
    exam.open()
    for index in range(seats):
        attempt = start_attempt(exam, index, answered=index + 1)
        AttemptEvent.objects.create(
            attempt=attempt, kind=AttemptEventKind.FOCUS_LOST, at=timezone.now()
        )
        Incident.objects.create(
            sitting=exam.sitting,
            attempt=attempt,
            seat=attempt.seat,
            reason="记录",
            author_label="x",
        )
    client = cast.client("institution_a")
    # session + user + memberships, then: the session with its sitting, the seats with
    # their attempts and counts, the record lines, the proctors.
    with django_assert_num_queries(7):
        assert client.get(console_url(exam)).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(console_url(exam), HTTP_HX_REQUEST="true").status_code == 200


def test_pause_and_resume_through_the_console(live: ExamKit) -> None:
    attempt = start_attempt(live, 0)
    client = live.cast.client("institution_a")
    response = client.post(action_url(live, 0, "pause"), {"reason": "考生身体不适"}, follow=True)
    assert (
        response.redirect_chain[-1][0] == f"{console_url(live)}?seat={attempt.seat_id}#seat-panel"
    )
    assert "已暂停该考生作答。" in messages_of(response)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAUSED
    body = response.content.decode()
    assert 'id="resume-submit"' in body  # the seat's panel is open on the new state
    assert "考生身体不适" in body

    response = client.post(action_url(live, 0, "resume"), {"reason": "已恢复"}, follow=True)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    actions = [line.action for line in response.context["c"].lines]
    assert actions == [ProctorAction.PAUSE, ProctorAction.RESUME]


def test_extend_takes_minutes_from_the_form(live: ExamKit) -> None:
    attempt = start_attempt(live, 0)
    before = attempt.deadline
    client = live.cast.client("institution_a")
    response = client.post(action_url(live, 0, "extend"), {"reason": "断电", "minutes": "abc"})
    assert response.status_code == 302
    response = client.post(
        action_url(live, 0, "extend"), {"reason": "断电", "minutes": "61"}, follow=True
    )
    assert "时间须为1至60分钟。" in messages_of(response)
    client.post(action_url(live, 0, "extend"), {"reason": "断电", "minutes": "10"})
    attempt.refresh_from_db()
    assert (attempt.deadline - before).total_seconds() == 600
    assert Incident.objects.filter(action=ProctorAction.EXTEND).count() == 1


def test_a_blank_reason_is_refused_in_chinese(live: ExamKit) -> None:
    attempt = start_attempt(live, 0)
    response = live.cast.client("institution_a").post(
        action_url(live, 0, "terminate"), {"reason": "  "}, follow=True
    )
    assert "请填写事由。" in messages_of(response)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_a_refused_transition_is_a_message(live: ExamKit) -> None:
    start_attempt(live, 0)
    response = live.cast.client("institution_a").post(
        action_url(live, 0, "resume"), {"reason": "x"}, follow=True
    )
    assert "只有已暂停的考生可以恢复作答。" in messages_of(response)


def test_authorising_a_late_candidate_shows_on_the_seat(live: ExamKit) -> None:
    client = live.cast.client("institution_a")
    response = client.post(action_url(live, 2, "authorise"), {"reason": "堵车迟到"}, follow=True)
    assert "已授权。" in messages_of(response)
    seat = response.context["c"].seats[2]
    assert seat.late_authorised
    assert seat.status_label == "已授权迟到入场"
    assert response.context["c"].lines[0].action_label == "授权迟到入场"


def test_the_seat_panel_is_a_page_or_a_fragment(live: ExamKit) -> None:
    start_attempt(live, 0)
    client = live.cast.client("institution_a")
    page = client.get(seat_url(live, 0))
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    fragment = client.get(seat_url(live, 0), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<article id="seat-detail"')
    for action in ("pause", "extend", "terminate", "authorise"):
        assert f'id="{action}-submit"' in fragment
    assert 'id="extend-minutes"' in fragment
    assert 'id="resume-submit"' not in fragment
    empty = client.get(seat_url(live, 1), HTTP_HX_REQUEST="true").content.decode()
    assert "授权迟到入场" in empty


def test_a_seat_of_another_session_is_not_found(live: ExamKit) -> None:
    practical = live.batch.sessions.get(component=Component.PRACTICAL)
    other = SeatAssignment.objects.create(
        session=practical, application=live.candidates[0], seat_number=1
    )
    kwargs = {"session_pk": live.session.pk, "seat_pk": other.pk}
    client = live.cast.client("institution_a")
    assert client.get(reverse("proctor-seat", kwargs=kwargs)).status_code == 404
    url = reverse("proctor-seat-action", kwargs={**kwargs, "action": "authorise"})
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert client.post(action_url(live, 0, "explode"), {"reason": "x"}).status_code == 404
    note = reverse("proctor-note", kwargs={"session_pk": live.session.pk})
    assert client.post(note, {"reason": "x", "seat": other.pk}).status_code == 404
    assert not Incident.objects.exists()


def test_notes_go_into_the_record(live: ExamKit) -> None:
    client = live.cast.client("institution_a")
    note = reverse("proctor-note", kwargs={"session_pk": live.session.pk})
    response = client.post(note, {"reason": "9:05 巡考人员进入考场", "seat": ""}, follow=True)
    assert "已记入考场记录。" in messages_of(response)
    client.post(note, {"reason": "2号机鼠标失灵，已更换", "seat": live.seat(1).pk})
    lines = list(Incident.objects.order_by("pk").values_list("seat_id", "action", "reason"))
    assert lines == [
        (None, "", "9:05 巡考人员进入考场"),
        (live.seat(1).pk, "", "2号机鼠标失灵，已更换"),
    ]
    response = client.post(note, {"reason": ""}, follow=True)
    assert "请填写事由。" in messages_of(response)


def test_an_hr_official_reads_but_does_not_act(live: ExamKit) -> None:
    attempt = start_attempt(live, 0)
    client = live.cast.client("city_a")
    response = client.get(console_url(live))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="read-only"' in body
    assert "note-form" not in body
    assert "sitting-close-confirm" not in body
    panel = client.get(seat_url(live, 0), HTTP_HX_REQUEST="true").content.decode()
    assert "seat-action-pause" not in panel
    assert client.post(action_url(live, 0, "pause"), {"reason": "越权"}).status_code == 403
    note = reverse("proctor-note", kwargs={"session_pk": live.session.pk})
    assert client.post(note, {"reason": "越权"}).status_code == 403
    close = reverse("proctor-sitting", kwargs={"session_pk": live.session.pk, "action": "close"})
    assert client.post(close).status_code == 403
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert not Incident.objects.exists()
    live.session.refresh_from_db()
    assert live.session.status == SessionStatus.OPEN
    record = client.get(reverse("proctor-record", kwargs={"session_pk": live.session.pk}))
    assert record.status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("institution_b", 404),
        ("city_b", 404),
        ("examiner", 404),
        ("candidate", 404),
        ("education", 403),
    ],
)
def test_others_get_nothing(live: ExamKit, who: str, status: int) -> None:
    attempt = start_attempt(live, 0)
    client = live.cast.client(who)
    assert client.get(console_url(live)).status_code == status
    assert client.get(seat_url(live, 0)).status_code == status
    assert client.post(action_url(live, 0, "pause"), {"reason": "越权"}).status_code == status
    record = reverse("proctor-record-pdf", kwargs={"session_pk": live.session.pk})
    assert client.get(record).status_code == status
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_an_assigned_proctor_uses_the_console(live: ExamKit) -> None:
    make_proctor(live)
    attempt = start_attempt(live, 0)
    client = live.cast.client("examiner")
    response = client.get(console_url(live))
    assert response.status_code == 200
    body = response.content.decode()
    assert "note-form" in body
    assert "sitting-close-confirm" not in body  # opening and closing stay with exam staff
    client.post(action_url(live, 0, "pause"), {"reason": "举手提问"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAUSED
    close = reverse("proctor-sitting", kwargs={"session_pk": live.session.pk, "action": "close"})
    assert client.post(close).status_code == 403


def test_the_sitting_opens_and_closes_from_the_console(exam: ExamKit) -> None:
    client = exam.cast.client("institution_a")
    body = client.get(console_url(exam)).content.decode()
    assert "sitting-open-confirm" in body
    url = reverse("proctor-sitting", kwargs={"session_pk": exam.session.pk, "action": "open"})
    response = client.post(url, follow=True)
    assert "已开考，考生可以登录作答。" in messages_of(response)
    exam.session.refresh_from_db()
    assert exam.session.status == SessionStatus.OPEN
    attempt = start_attempt(exam, 0)
    url = reverse("proctor-sitting", kwargs={"session_pk": exam.session.pk, "action": "close"})
    response = client.post(url, {"reason": "考试结束"}, follow=True)
    assert "考试已结束，仍在作答的考生已收卷。" in messages_of(response)
    exam.session.refresh_from_db()
    assert exam.session.status == SessionStatus.CLOSED
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TERMINATED
    response = client.post(url, follow=True)
    assert "该场次不是已开考状态。" in messages_of(response)
    bad = reverse("proctor-sitting", kwargs={"session_pk": exam.session.pk, "action": "explode"})
    assert client.post(bad).status_code == 404


def test_a_session_without_a_sitting_says_so(live: ExamKit) -> None:
    practical = live.batch.sessions.get(component=Component.PRACTICAL)
    client = live.cast.client("institution_a")
    response = client.get(reverse("proctor-console", kwargs={"session_pk": practical.pk}))
    assert response.status_code == 200
    assert 'id="no-sitting"' in response.content.decode()
    note = reverse("proctor-note", kwargs={"session_pk": practical.pk})
    assert client.post(note, {"reason": "x"}).status_code == 404


def test_the_record_page_and_pdf(live: ExamKit) -> None:
    attempt = start_attempt(live, 0)
    client = live.cast.client("institution_a")
    client.post(action_url(live, 0, "pause"), {"reason": "考生身体不适"})
    client.post(action_url(live, 0, "terminate"), {"reason": "夹带小抄"})
    page = client.get(reverse("proctor-record", kwargs={"session_pk": live.session.pk}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "职业技能等级认定考场记录表" in body
    assert "夹带小抄" in body
    assert "监考人员签字" in body
    for member in live.kit.proctors[:2]:
        assert member.full_name in body
    c = page.context["c"]
    assert (c.attendance.seated, c.attendance.closed, c.attendance.absent) == (3, 1, 2)
    assert [line.action for line in c.lines] == ["pause", "terminate"]
    pdf = client.get(reverse("proctor-record-pdf", kwargs={"session_pk": live.session.pk}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "private, no-store"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TERMINATED


def test_the_batch_page_links_the_console(live: ExamKit) -> None:
    response = live.cast.client("institution_a").get(
        reverse("batch-detail", kwargs={"pk": live.batch.pk})
    )
    assert f'id="session-console-{live.session.pk}"' in response.content.decode()
    assert console_url(live) in response.content.decode()


def test_anonymous_is_sent_to_sign_in(live: ExamKit) -> None:
    response = Client().get(console_url(live))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_papers_are_arranged_at_the_console_before_opening(exam: ExamKit) -> None:
    from tests.exams.conftest import make_paper

    other = make_paper(exam.kit, exam.batch, "B")
    loose = make_paper(exam.kit, exam.batch, "C", seal=False)
    admin = exam.cast.client("institution_a")
    html = admin.get(console_url(exam)).content.decode()
    assert f'name="paper" value="{other.pk}"' in html
    assert f'name="paper" value="{loose.pk}"' not in html  # unsealed papers are not offered
    url = reverse("proctor-papers", kwargs={"session_pk": exam.session.pk})
    response = admin.post(url, {"paper": [exam.paper.pk, other.pk, loose.pk]}, follow=True)
    assert "试卷已安排到本场次。" in messages_of(response)
    assert set(exam.sitting.papers.all()) == {exam.paper, other}
    refused = admin.post(url, {"paper": []}, follow=True)
    assert "请至少选择一套试卷。" in messages_of(refused)
    assert exam.sitting.papers.count() == 2
    assert exam.cast.client("institution_b").post(url, {"paper": [other.pk]}).status_code == 404
    exam.open()
    html = admin.get(console_url(exam)).content.decode()
    assert 'id="sitting-papers"' not in html
