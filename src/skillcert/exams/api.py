"""The exam client contract (DESIGN.md step 4), served to the exam page and any other
exam client under /api/v1/exam/. Candidates authenticate with the token the sign-in
returns (``Authorization: Bearer …``), not with a site account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from skillcert.exams import delivery

router = Router(tags=["exam"])


class ExamToken(HttpBearer):
    """The bearer secret is checked by the service that uses it (one query, not two)."""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return token or None


def _client(request: HttpRequest) -> delivery.Client:
    return delivery.Client(
        address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def _token(request: HttpRequest) -> str:
    return str(request.auth)  # type: ignore[attr-defined]  # set by ExamToken


class LoginIn(Schema):
    admission_number: str
    id_number: str


class LoginOut(Schema):
    token: str
    session: str
    remaining_seconds: int


class OptionOut(Schema):
    key: str
    text: str


class ItemOut(Schema):
    position: int
    type: str
    stem: str
    options: list[OptionOut]
    points: str


class AnswerOut(Schema):
    position: int
    answer: Any
    seq: int


class AttemptOut(Schema):
    status: str
    remaining_seconds: int
    session: str
    seat_number: int
    admission_number: str
    items: list[ItemOut]
    answers: list[AnswerOut]


class AnswerIn(Schema):
    answer: Any
    seq: int


class SavedOut(Schema):
    seq: int
    saved_at: datetime
    remaining_seconds: int


class StatusOut(Schema):
    status: str


class EventIn(Schema):
    kind: str
    detail: dict[str, Any] = {}


class ErrorOut(Schema):
    code: str
    detail: str


class StaleOut(ErrorOut):
    seq: int


_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut}


@router.post("/exam/login", auth=None, response={200: LoginOut, **_ERRORS})
def exam_login(request: HttpRequest, body: LoginIn) -> LoginOut:
    """Sign in with admission number and ID number, inside an opened sitting."""
    login = delivery.exam_login(
        admission_number=body.admission_number, id_number=body.id_number, client=_client(request)
    )
    return LoginOut(
        token=login.token,
        session=str(login.attempt.sitting.session),
        remaining_seconds=login.remaining_seconds,
    )


@router.get("/exam/attempt", auth=ExamToken(), response={200: AttemptOut, **_ERRORS})
def exam_attempt(request: HttpRequest) -> dict[str, Any]:
    """The paper without keys, the answers so far and the server's remaining time."""
    return delivery.attempt_view(_token(request))


@router.put(
    "/exam/attempt/answers/{position}",
    auth=ExamToken(),
    response={200: SavedOut, 400: ErrorOut, 401: ErrorOut, 409: StaleOut | ErrorOut},
)
def exam_answer(request: HttpRequest, position: int, body: AnswerIn) -> SavedOut:
    """Save one answer; a write whose ``seq`` is not newer than the stored one gets 409
    with the stored ``seq``."""
    saved = delivery.answer_save(
        token=_token(request), position=position, answer=body.answer, seq=body.seq
    )
    return SavedOut(
        seq=saved.seq, saved_at=saved.saved_at, remaining_seconds=saved.remaining_seconds
    )


@router.post("/exam/attempt/submit", auth=ExamToken(), response={200: StatusOut, **_ERRORS})
def exam_submit(request: HttpRequest) -> StatusOut:
    """Hand in; repeating it is harmless."""
    return StatusOut(status=delivery.attempt_submit(token=_token(request), client=_client(request)))


@router.post("/exam/attempt/events", auth=ExamToken(), response={204: None, **_ERRORS})
def exam_event(request: HttpRequest, body: EventIn) -> Status[None]:
    """Events the page reports for the log: focus lost or back, reconnects."""
    delivery.event_report(
        token=_token(request), kind=body.kind, detail=body.detail, client=_client(request)
    )
    return Status(204, None)
