"""Exam delivery through the JSON contract: sign-in, the paper, sequenced answers,
resume on reload and on another device, time-out closed by the server, submit."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from skillcert.exams.choices import AttemptEventKind, AttemptStatus
from skillcert.exams.closing import close_due_attempts
from skillcert.exams.models import Answer, Attempt, AttemptEvent
from skillcert.itembank.models import PaperItem
from tests.exams.conftest import ITEMS, ExamKit

pytestmark = pytest.mark.django_db

API = "/api/v1/exam"


@pytest.fixture(autouse=True)
def _no_throttle_left_over() -> None:
    cache.clear()


class Candidate:
    """An exam client speaking the JSON contract, like the exam page does."""

    def __init__(self, exam: ExamKit, index: int = 0) -> None:
        self.exam, self.index = exam, index
        self.http = Client(HTTP_USER_AGENT="TestExamClient/1.0")
        self.token = ""

    def login(self, **override: str) -> Any:
        body = {**self.exam.credentials(self.index), **override}
        response = self.http.post(f"{API}/login", body, content_type="application/json")
        if response.status_code == 200:
            self.token = response.json()["token"]
        return response

    def _auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def paper(self) -> Any:
        return self.http.get(f"{API}/attempt", **self._auth())

    def save(self, position: int, answer: Any, seq: int) -> Any:
        return self.http.put(
            f"{API}/attempt/answers/{position}",
            json.dumps({"answer": answer, "seq": seq}),
            content_type="application/json",
            **self._auth(),
        )

    def submit(self) -> Any:
        return self.http.post(f"{API}/attempt/submit", **self._auth())

    def attempt(self) -> Attempt:
        return Attempt.objects.get(seat=self.exam.seat(self.index))


def position_of(paper: dict[str, Any], kind: str) -> int:
    return next(i["position"] for i in paper["items"] if i["type"] == kind)


def test_sign_in_needs_an_opened_sitting(exam: ExamKit) -> None:
    response = Candidate(exam).login()
    assert (response.status_code, response.json()["code"]) == (403, "no_open_sitting")
    assert "尚未开考" in response.json()["detail"]


def test_sign_in_starts_an_attempt_with_the_servers_clock(exam: ExamKit) -> None:
    sitting = exam.open()
    candidate = Candidate(exam)
    body = candidate.login().json()
    assert set(body) == {"token", "session", "remaining_seconds"}
    # One common clock: the full 90 minutes from the later of the scheduled start and the
    # opening (before 09:00 the session's start is still ahead).
    assert sitting.opened_at is not None
    assert sitting.ends_at is not None
    start = max(sitting.opened_at, exam.session.starts_at)
    assert sitting.ends_at == start + timedelta(minutes=90)
    left = (sitting.ends_at - timezone.now()).total_seconds()
    assert left - 60 <= body["remaining_seconds"] <= left + 1
    attempt = candidate.attempt()
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert Answer.objects.filter(attempt=attempt).count() == len(ITEMS)
    event = AttemptEvent.objects.get(attempt=attempt)
    assert (event.kind, event.client_address, event.user_agent) == (
        AttemptEventKind.LOGIN,
        "127.0.0.1",
        "TestExamClient/1.0",
    )


def test_wrong_credentials_are_refused_alike_and_throttled(exam: ExamKit) -> None:
    exam.open()
    candidate = Candidate(exam)
    wrong_id = candidate.login(id_number="110101199001011237")
    unknown = candidate.login(admission_number="NOPE")
    assert wrong_id.status_code == unknown.status_code == 401
    assert wrong_id.json()["detail"] == unknown.json()["detail"] == "准考证号或证件号码不正确。"
    for _n in range(4):
        candidate.login(id_number="110101199001011237")
    throttled = candidate.login()  # even the right number waits now
    assert (throttled.status_code, throttled.json()["code"]) == (401, "throttled")
    assert not Attempt.objects.exists()


def test_the_paper_reaches_the_client_without_keys_in_a_personal_order(exam: ExamKit) -> None:
    exam.open()
    first, second = Candidate(exam, 0), Candidate(exam, 1)
    first.login()
    second.login()
    paper = first.paper().json()
    raw = json.dumps(paper, ensure_ascii=False)
    assert "戴护目镜" not in raw  # the short answer's reference answer
    assert all(set(item) == {"position", "type", "stem", "options", "points"}
               for item in paper["items"])  # fmt: skip
    # The paper's sections stay in order; items and options are shuffled inside them.
    assert [i["type"] for i in paper["items"]] == [
        "single", "single", "multiple", "true_false", "short_answer"
    ]  # fmt: skip
    multiple = next(i for i in paper["items"] if i["type"] == "multiple")
    assert sorted(o["key"] for o in multiple["options"]) == ["A", "B", "C", "D"]
    # The per-candidate orders are stored on the attempt and cover the same items.
    a, b = first.attempt(), second.attempt()
    assert (
        sorted(a.item_order)
        == sorted(b.item_order)
        == sorted(PaperItem.objects.filter(paper=exam.paper).values_list("pk", flat=True))
    )
    assert paper["remaining_seconds"] > 0


def test_answers_are_acknowledged_and_an_older_write_never_wins(exam: ExamKit) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    paper = candidate.paper().json()
    position = position_of(paper, "multiple")
    first = candidate.save(position, ["A", "B"], 1)
    assert first.status_code == 200
    assert first.json()["seq"] == 1
    assert candidate.save(position, ["A", "B", "C"], 3).json()["seq"] == 3
    late = candidate.save(position, ["D"], 2)  # arrived after seq 3
    assert (late.status_code, late.json()["code"], late.json()["seq"]) == (409, "stale_seq", 3)
    again = candidate.save(position, ["D"], 3)  # a retry of an equal seq is not newer
    assert again.status_code == 409
    answer = Answer.objects.get(attempt=candidate.attempt(), position=position)
    assert (answer.response, answer.seq) == (["A", "B", "C"], 3)


@pytest.mark.parametrize(
    ("kind", "answer", "message"),
    [
        ("single", ["A", "B"], "该题只能选择一个答案。"),
        ("single", ["Z"], "答案中有不存在的选项。"),
        ("true_false", ["A"], "答案中有不存在的选项。"),
        ("multiple", "A", "答案格式不正确。"),
        ("short_answer", ["A"], "简答题答案应为不超过5000字的文字。"),
        ("short_answer", {"text": "长" * 5001}, "简答题答案应为不超过5000字的文字。"),
    ],
)
def test_malformed_answers_are_refused_and_change_nothing(
    exam: ExamKit, kind: str, answer: Any, message: str
) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    position = position_of(candidate.paper().json(), kind)
    response = candidate.save(position, answer, 1)
    assert (response.status_code, response.json()["detail"]) == (400, message)
    assert Answer.objects.get(attempt=candidate.attempt(), position=position).seq == 0


def test_bad_positions_tokens_and_sequence_numbers(exam: ExamKit) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    assert candidate.save(99, ["A"], 1).json()["code"] == "bad_position"
    assert candidate.save(1, ["A"], 0).json()["code"] == "bad_seq"
    candidate.token = "forged"
    assert candidate.paper().status_code == 401
    assert candidate.save(1, ["A"], 1).status_code == 401
    assert Client().get(f"{API}/attempt").status_code == 401


def test_reload_restores_answers_and_time(exam: ExamKit) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    paper = candidate.paper().json()
    short = position_of(paper, "short_answer")
    candidate.save(short, {"text": "戴护目镜，不戴手套。"}, 1)
    candidate.save(1, ["B"], 1)
    again = candidate.paper().json()  # the page reloaded with its stored token
    assert {a["position"]: (a["answer"], a["seq"]) for a in again["answers"]} == {
        1: (["B"], 1),
        short: ({"text": "戴护目镜，不戴手套。"}, 1),
    }
    assert abs(again["remaining_seconds"] - paper["remaining_seconds"]) <= 2


def test_another_device_needs_a_proctors_authorisation(exam: ExamKit) -> None:
    exam.open()
    laptop, spare = Candidate(exam), Candidate(exam)
    laptop.login()
    laptop.save(1, ["A"], 1)
    refused = spare.login()
    assert (refused.status_code, refused.json()["code"]) == (403, "relogin_needs_authorisation")
    Attempt.objects.filter(pk=laptop.attempt().pk).update(relogin_authorised=True)
    assert spare.login().status_code == 200
    assert spare.paper().json()["answers"] == [{"position": 1, "answer": ["A"], "seq": 1}]
    assert laptop.paper().status_code == 401  # the old device's token is replaced
    kinds = list(AttemptEvent.objects.values_list("kind", flat=True))
    assert kinds == [AttemptEventKind.LOGIN, AttemptEventKind.RELOGIN]
    assert spare.login().status_code == 403  # the authorisation was used up


def test_late_sign_in_is_refused_after_the_entry_limit(exam: ExamKit) -> None:
    exam.open()
    opened = timezone.now() - timedelta(minutes=31)
    type(exam.sitting).objects.filter(pk=exam.sitting.pk).update(
        opened_at=opened, ends_at=opened + timedelta(minutes=90)
    )
    exam.session.starts_at = opened
    exam.session.save(update_fields=["starts_at"])
    response = Candidate(exam).login()
    assert (response.status_code, response.json()["code"]) == (403, "late")


def test_time_out_is_closed_by_the_server_with_the_acknowledged_answers(
    exam: ExamKit, django_capture_on_commit_callbacks: Any
) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    candidate.save(1, ["A"], 1)
    candidate.save(1, ["B"], 2)
    Attempt.objects.filter(pk=candidate.attempt().pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    refused = candidate.save(1, ["C"], 3)  # after the deadline
    assert (refused.status_code, refused.json()["code"]) == (409, "closed")
    with django_capture_on_commit_callbacks(execute=False):
        assert close_due_attempts() == 1  # no client request involved
    attempt = candidate.attempt()
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert attempt.closed_at is not None
    assert Answer.objects.get(attempt=attempt, position=1).response == ["B"]
    assert candidate.paper().json()["status"] == AttemptStatus.TIMED_OUT
    assert close_due_attempts() == 0


def test_an_attempt_read_after_its_deadline_is_closed_then(
    exam: ExamKit, django_capture_on_commit_callbacks: Any
) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    Attempt.objects.filter(pk=candidate.attempt().pk).update(deadline=timezone.now())
    with django_capture_on_commit_callbacks(execute=False):
        body = candidate.paper().json()
    assert (body["status"], body["remaining_seconds"]) == (AttemptStatus.TIMED_OUT, 0)


def test_submit_is_idempotent_and_ends_saving(
    exam: ExamKit, django_capture_on_commit_callbacks: Any
) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    candidate.save(1, ["A"], 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert candidate.submit().json() == {"status": AttemptStatus.SUBMITTED}
        assert candidate.submit().json() == {"status": AttemptStatus.SUBMITTED}
    assert candidate.save(1, ["B"], 2).json()["code"] == "closed"
    assert candidate.login().json()["code"] == "closed"
    assert AttemptEvent.objects.filter(kind=AttemptEventKind.SUBMIT).count() == 1


def test_a_paused_attempt_keeps_its_time_and_refuses_saves(exam: ExamKit) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    Attempt.objects.filter(pk=candidate.attempt().pk).update(
        status=AttemptStatus.PAUSED, paused_remaining_seconds=1234
    )
    assert candidate.save(1, ["A"], 1).json()["code"] == "paused"
    assert candidate.paper().json()["remaining_seconds"] == 1234


def test_the_page_reports_focus_losses_to_the_event_log(exam: ExamKit) -> None:
    exam.open()
    candidate = Candidate(exam)
    candidate.login()
    url = f"{API}/attempt/events"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {candidate.token}"}
    ok = candidate.http.post(
        url, {"kind": "focus_lost", "detail": {"hidden_ms": 3000}},
        content_type="application/json", **auth,
    )  # fmt: skip
    assert ok.status_code == 204
    forged = candidate.http.post(url, {"kind": "timeout"}, content_type="application/json", **auth)
    assert forged.status_code == 400
    event = AttemptEvent.objects.get(kind=AttemptEventKind.FOCUS_LOST)
    assert event.detail == {"hidden_ms": "3000"}


def test_the_contract_is_in_the_openapi_document(exam: ExamKit) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/exam/login",
        "/api/v1/exam/attempt",
        "/api/v1/exam/attempt/answers/{position}",
        "/api/v1/exam/attempt/submit",
    ):
        assert path in paths


def test_the_time_out_is_queued_for_the_deadline_on_a_deferring_backend(
    exam: ExamKit, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """With the database queue (production's default) the sign-in queues the closing for
    the attempt's deadline; the worker runs it then, with no client involved."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    exam.open()
    candidate = Candidate(exam)
    with django_capture_on_commit_callbacks(execute=True):
        candidate.login()
    queued = DBTaskResult.objects.get(task_path__endswith="close_at_deadline_task")
    assert queued.run_after == candidate.attempt().deadline
    assert queued.args_kwargs["args"] == [candidate.attempt().pk]


def test_a_sign_in_whose_answer_was_lost_may_be_repeated(exam: ExamKit) -> None:
    """A proxy time-out or a dropped connection loses the token on its way: the retry
    gets a new one without a proctor, as long as the lost one was never used."""
    exam.open()
    lost, retry = Candidate(exam), Candidate(exam)
    lost.login()  # the response never reached the candidate
    assert retry.login().status_code == 200
    assert lost.paper().status_code == 401
    assert retry.paper().status_code == 200  # now the token is in use
    again = Candidate(exam).login()
    assert (again.status_code, again.json()["code"]) == (403, "relogin_needs_authorisation")
    assert Attempt.objects.count() == 1


def test_personal_order_shuffles_items_within_sections_and_options() -> None:
    """Two candidates get different orders of the same items; sections stay in place."""
    import random

    from skillcert.exams.delivery import personal_order

    items = {
        pk: {
            "position": pk,
            "type": "single" if pk <= 30 else "true_false",
            "options": dict.fromkeys("ABCD", "x") if pk <= 30 else {},
        }
        for pk in range(1, 41)
    }
    first, first_options = personal_order(items, random.Random(1))
    second, second_options = personal_order(items, random.Random(2))
    assert first != second
    assert sorted(first) == sorted(second) == list(range(1, 41))
    assert set(first[:30]) == set(range(1, 31))  # the single choices come first
    assert first_options != second_options
    assert set(first_options) == {str(p) for p in range(1, 31)}  # true/false has none
    assert all(sorted(keys) == list("ABCD") for keys in first_options.values())
