"""Exam data for the exam early-warning rules, built through the exam services.

``answered_exam(cast, sheets)`` builds the exam world of ``tests.exams.conftest`` with a
paper of single-choice items (key "A" each), opens the sitting, signs every candidate in
from their own address, saves their answers by paper position and hands in. Sheets are
made with :func:`sheet`. Check-ins go through ``exams.checkin.checkin_record`` with the
helpers of ``tests.exams.test_checkin`` (the site is at (25.04, 102.71), radius 300 m).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from skillcert.batches.models import Session
from skillcert.core.actors import Actor
from skillcert.core.models import Organisation, Region, User
from skillcert.exams.checkin import Location, checkin_record
from skillcert.exams.delivery import Client, Login, answer_save, attempt_submit, exam_login
from skillcert.exams.models import CheckIn
from skillcert.itembank.models import PaperItem
from skillcert.supervision.models import SupervisionPolicy
from skillcert.supervision.policies import policy_for
from tests.conftest import Cast
from tests.exams.conftest import ExamKit, build_exam
from tests.exams.test_checkin import live, own
from tests.factories import UserFactory

KEY = "A"
ITEM_COUNT = 12
AGENT = "ExamClient/2.0 (Windows NT 10.0)"

Sheet = dict[int, list[str]]  # paper position → chosen keys


def choice_items(n: int = ITEM_COUNT) -> list[tuple[str, str, list[str], list[str], str]]:
    """``n`` single-choice items, each keyed "A"."""
    options = ["正确做法", "错误做法一", "错误做法二", "错误做法三"]
    return [("single", f"安全操作判断第{i}题", options, [KEY], "") for i in range(1, n + 1)]


def sheet(wrong: dict[int, str] | None = None, *, blank: set[int] | None = None) -> Sheet:
    """Every item answered right except ``wrong`` (position → key) and ``blank``."""
    wrong, blank = wrong or {}, blank or set()
    return {
        position: [wrong.get(position, KEY)]
        for position in range(1, ITEM_COUNT + 1)
        if position not in blank
    }


def address_of(index: int) -> str:
    return f"198.51.100.{index + 1}"


def sign_in(exam: ExamKit, index: int, address: str | None = None, agent: str = AGENT) -> Login:
    """Candidate ``index`` signs in to the open sitting from ``address``."""
    return exam_login(**exam.credentials(index), client=Client(address=address, user_agent=agent))


def write(login: Login, answers: Sheet) -> None:
    """Save ``answers`` (by paper position) at the display positions of the attempt."""
    attempt = login.attempt
    paper_position = dict(
        PaperItem.objects.filter(paper=attempt.paper).values_list("pk", "position")
    )
    for shown, paper_item_id in enumerate(attempt.item_order, start=1):
        position = paper_position[paper_item_id]
        if position in answers:
            answer_save(token=login.token, position=shown, answer=answers[position], seq=1)


def hand_in(login: Login) -> None:
    attempt_submit(token=login.token, client=Client())


def answered_exam(
    cast: Cast,
    sheets: list[Sheet],
    *,
    addresses: list[str | None] | None = None,
    submit: bool = True,
) -> tuple[ExamKit, list[Login]]:
    """An opened sitting whose candidates answered ``sheets`` (one per candidate), from
    ``addresses`` (by default one each), and handed in unless ``submit`` is False."""
    exam = build_exam(cast, n=len(sheets), items=choice_items())
    live(exam)
    exam.open()
    logins: list[Login] = []
    for index, answers in enumerate(sheets):
        address = addresses[index] if addresses is not None else address_of(index)
        login = sign_in(exam, index, address)
        write(login, answers)
        if submit:
            hand_in(login)
        logins.append(login)
    return exam, logins


def candidate_actor(exam: ExamKit, index: int) -> Actor:
    """Candidate ``index`` with an account of their own, for self check-in."""
    user: User = UserFactory.create()
    return own(exam, index, user)


def self_check_in(
    exam: ExamKit, index: int, location: Location | None, address: str | None = None
) -> CheckIn:
    actor = candidate_actor(exam, index)
    return checkin_record(
        actor=actor, session=exam.session, location=location, client_address=address
    ).checkin


def desk_check_in(exam: ExamKit, index: int, address: str) -> CheckIn:
    """The exam staff's desk records candidate ``index``'s arrival from its own device."""
    number = exam.candidates[index].admission_number or ""
    return checkin_record(
        actor=exam.admin,
        session=exam.session,
        location=None,
        client_address=address,
        admission=number,
    ).checkin


def move_to_sichuan(exam: ExamKit) -> Region:
    """The institution's organisation moves to another province (Sichuan, Chengdu)."""
    Organisation.objects.filter(pk=exam.batch.institution.organisation_id).update(
        province_id="510000", city_id="510100"
    )
    return Region.objects.get(code="510000")


def age(session: Session, days: int) -> None:
    """The session took place ``days`` days ago."""
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(days=days))


def yunnan() -> Region:
    return Region.objects.get(code="530000")


def policy(**values: object) -> SupervisionPolicy:
    """Yunnan's supervision parameters with ``values`` changed and saved."""
    current = policy_for("530000")
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean()
    current.save()
    return current
