"""Grading of closed attempts: objective items by the system, short answers by two blind
graders (a third arbitrates), and the score out of 100 (DESIGN.md lifecycle step 4).

The system grades objective answers when an attempt closes (``grade_objective``, run by
``closing.grade_attempt_task``). Short answers go to a per-sitting queue that shows the
item, its reference answer and points and an opaque code for each answer, never who
wrote it. When every answer of an attempt has its points, the attempt is GRADED with
its score; when every attempt of a paper is graded, item statistics follow (``stats``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import combinations

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Batch, StaffAssignment
from skillcert.batches.permissions import is_own_staff
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role
from skillcert.core.crypto import derived_key
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied, clean_or_raise
from skillcert.core.excel import workbook_bytes
from skillcert.core.models import Organisation
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import CLOSED_ATTEMPT, GradingStatus
from skillcert.exams.models import Answer, Attempt, Sitting, SubjectiveGrade
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.itembank.choices import OBJECTIVE_TYPES, ItemType
from skillcert.itembank.models import Item, PaperItem

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Graders score short answers in half points.
STEP = Decimal("0.5")
# Two graders further apart than this share of the item's points call a third grader
# (common practice in double-blind marking of subjective items).
ARBITRATION_SHARE = Decimal("0.2")
MAX_ROUNDS = 3
SYSTEM = "exam-grading"


# --- objective items -------------------------------------------------------------------


def is_blank(response: object) -> bool:
    """No choice made, or a short answer with nothing but white space."""
    if response is None or response == [] or response == {}:
        return True
    if isinstance(response, dict):
        text = response.get("text")
        return not isinstance(text, str) or not text.strip()
    return False


def objective_correct(item: Item, response: object) -> bool:
    """Exact match of the chosen keys with the key set: for a multiple choice, choosing
    too many, too few or a wrong option all score nothing (多选、少选、错选均不得分)."""
    if not isinstance(response, list) or not response:
        return False
    if not all(isinstance(key, str) for key in response):
        return False
    return set(response) == {str(key) for key in item.answer}


def grade_objective(attempt_id: int) -> None:
    """Grade the objective answers of a closed attempt; open or missing ones are ignored.

    Running it again changes nothing: rows are written only when a value differs. Blank
    short answers are scored 0 here and never sent to graders (common practice: a blank
    answer has nothing to mark).
    """
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None or attempt.status not in CLOSED_ATTEMPT:
            return
        answers = list(attempt.answers.select_related("paper_item__item"))
        changed: list[Answer] = []
        for answer in answers:
            item, points = answer.paper_item.item, answer.paper_item.points
            if item.type in OBJECTIVE_TYPES:
                correct = objective_correct(item, answer.response)
                awarded = points if correct else ZERO
            elif is_blank(answer.response):
                correct, awarded = False, ZERO
            else:
                continue
            if answer.is_correct != correct or answer.points_awarded != awarded:
                answer.is_correct, answer.points_awarded = correct, awarded
                changed.append(answer)
        if changed:
            Answer.objects.bulk_update(changed, ["is_correct", "points_awarded"])
        _settle(attempt, answers, Actor.system(SYSTEM))


def paper_total(paper_id: int) -> Decimal:
    total = PaperItem.objects.filter(paper_id=paper_id).aggregate(total=Sum("points"))["total"]
    return total or ZERO


def score_of(awarded: Iterable[Decimal], total: Decimal) -> Decimal:
    """Points awarded as a score out of 100, two decimals, rounded half up."""
    if total <= 0:
        return ZERO
    return (sum(awarded, ZERO) * HUNDRED / total).quantize(CENT, rounding=ROUND_HALF_UP)


def _settle(attempt: Attempt, answers: Sequence[Answer], actor: Actor) -> None:
    """Set the attempt's grading state from its answers; audit the final score once."""
    if any(answer.points_awarded is None for answer in answers):
        status, score = GradingStatus.AWAITING_GRADERS, None
    else:
        status = GradingStatus.GRADED
        awarded = [answer.points_awarded or ZERO for answer in answers]
        score = score_of(awarded, paper_total(attempt.paper_id))
    if attempt.grading_status == status and attempt.score == score:
        return
    before = [attempt.grading_status, str(attempt.score) if attempt.score is not None else None]
    attempt.grading_status, attempt.score = status, score
    attempt.save(update_fields=["grading_status", "score"])
    if status != GradingStatus.GRADED:
        return
    audit_record(
        actor=actor,
        action="exams.attempt.score",
        obj=attempt,
        changes={"grading_status": [before[0], status], "score": [before[1], str(score)]},
        organisation=_organisation_of(attempt),
    )
    others = Attempt.objects.filter(paper_id=attempt.paper_id)
    if not others.exclude(grading_status=GradingStatus.GRADED).exists():
        # Imported here: stats builds on this module (blank answers, who reads scores).
        from skillcert.exams.stats import schedule_statistics

        schedule_statistics(attempt.paper_id)


def _organisation_of(attempt: Attempt) -> Organisation:
    sitting = Sitting.objects.select_related("session__batch__institution__organisation").get(
        pk=attempt.sitting_id
    )
    return sitting.session.batch.institution.organisation


# --- who grades ------------------------------------------------------------------------


def is_batch_examiner(actor: Actor, batch: Batch) -> bool:
    """An examiner (考评人员) assigned to the batch, acting as the registry member whose
    account this is; the member belongs to the batch's institution and is active."""
    if actor.role != Role.EXAMINER or actor.user_id is None:
        return False
    return StaffAssignment.objects.filter(
        batch=batch,
        role=StaffRole.EXAMINER,
        staff__user_id=actor.user_id,
        staff__institution_id=batch.institution_id,
        staff__is_active=True,
    ).exists()


def can_grade(actor: Actor, batch: Batch) -> bool:
    """The batch's examiners and its institution's admin or exam staff; nobody else (not
    the authorities, not platform admins: grading is a named person's judgement)."""
    if actor.user_id is None:
        return False
    return is_own_staff(actor, batch.institution) or is_batch_examiner(actor, batch)


def grades_somewhere(actor: Actor) -> bool:
    """Whether the actor's role grades at all (which sittings: ``gradable_sittings``)."""
    return actor.user_id is not None and (actor.role in STAFF_ROLES or actor.role == Role.EXAMINER)


def can_read_scores(actor: Actor) -> bool:
    """Scores and item statistics go to the institution's staff and its HR authorities
    (read-only). Call it on a sitting found through ``Sitting.objects.for_actor``."""
    return actor.is_platform_admin or actor.role in STAFF_ROLES | AUTHORITY_ROLES


def gradable_sittings(actor: Actor) -> QuerySet[Sitting]:
    """The sittings whose short answers the actor may grade."""
    if actor.user_id is None:
        return Sitting.objects.none()
    if actor.role in STAFF_ROLES:
        # Institution-level scope: exactly the actor's own institution's sittings.
        return Sitting.objects.for_actor(actor)
    if actor.role == Role.EXAMINER:
        batches = StaffAssignment.objects.filter(
            role=StaffRole.EXAMINER,
            staff__user_id=actor.user_id,
            staff__is_active=True,
            staff__institution_id=F("batch__institution_id"),
        ).values("batch_id")
        return Sitting.objects.filter(session__batch_id__in=batches)
    return Sitting.objects.none()


# --- two blind graders -----------------------------------------------------------------


def answer_code(answer_id: int) -> str:
    """An opaque code for a short answer (a keyed hash of its id): graders refer to an
    answer by it without learning whose it is or in which order it was written."""
    key = derived_key("grading/answer-code")
    digest = hmac.new(key, str(answer_id).encode(), hashlib.sha256).hexdigest().upper()
    return "-".join(digest[i : i + 4] for i in (0, 4, 8))


def final_points(scores: Sequence[Decimal], full: Decimal) -> Decimal | None:
    """The agreed points of a short answer from its grades in round order, or None while
    another grader is needed.

    Two scores at most 20% of the item's points apart: their mean. Further apart: a third
    grader arbitrates and the final is the mean of the two closest of the three scores;
    when two pairs are equally close, the higher pair counts, in the candidate's favour.
    (Common practice in double-blind marking of subjective items, not a notice.)
    """
    if len(scores) < 2:
        return None
    if len(scores) == 2:
        first, second = scores
        if abs(first - second) > full * ARBITRATION_SHARE:
            return None
        return _mean(first, second)
    low, high = min(
        combinations(scores[:MAX_ROUNDS], 2),
        key=lambda pair: (abs(pair[0] - pair[1]), -(pair[0] + pair[1])),
    )
    return _mean(low, high)


def _mean(first: Decimal, second: Decimal) -> Decimal:
    return ((first + second) / 2).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QueueAnswer:
    """What a grader sees of one answer: its code, the round it needs and its text."""

    code: str
    round: int
    text: str


@dataclass(frozen=True)
class QueueItem:
    paper_item: PaperItem
    answers: list[QueueAnswer]


def _awaiting_short_answers(sitting: Sitting) -> QuerySet[Answer]:
    return Answer.objects.filter(
        attempt__sitting=sitting,
        attempt__grading_status=GradingStatus.AWAITING_GRADERS,
        paper_item__item__type=ItemType.SHORT_ANSWER,
        points_awarded__isnull=True,
    )


def _refuse_grader(actor: Actor, batch: Batch) -> None:
    if not can_grade(actor, batch):
        raise PermissionDenied(_("只有本批次的考评人员或本机构的管理员、考务人员可以评分。"))


def grading_queue(*, actor: Actor, sitting: Sitting) -> list[QueueItem]:
    """The short answers the actor may grade now, by item, in code order (none before
    the session is closed).

    Blind: nothing of the attempt, seat or candidate leaves this function; an answer the
    actor graded already is not shown to them again.
    """
    _refuse_grader(actor, sitting.session.batch)
    if sitting.closed_at is None:
        return []
    rows = (
        _awaiting_short_answers(sitting)
        .exclude(grades__grader_id=actor.user_id)
        .annotate(graded=Count("grades"))
        .filter(graded__lt=MAX_ROUNDS)
        .select_related("paper_item__item", "paper_item__paper")
    )
    items: dict[int, QueueItem] = {}
    for answer in rows:
        entry = items.setdefault(
            answer.paper_item_id, QueueItem(paper_item=answer.paper_item, answers=[])
        )
        text = answer.response.get("text", "") if isinstance(answer.response, dict) else ""
        code = answer_code(answer.pk)
        entry.answers.append(QueueAnswer(code=code, round=answer.graded + 1, text=str(text)))
    for entry in items.values():
        entry.answers.sort(key=lambda a: a.code)
    return sorted(
        items.values(), key=lambda e: (e.paper_item.paper.form_label, e.paper_item.position)
    )


def _answer_for_code(sitting: Sitting, code: str) -> int:
    wanted = code.strip().upper()
    for answer_id in _awaiting_short_answers(sitting).values_list("pk", flat=True):
        if hmac.compare_digest(answer_code(answer_id), wanted):
            return answer_id
    raise DomainError(_("找不到待评分的答卷“%(code)s”，可能已评定完毕。") % {"code": code})


def checked_points(points: Decimal, full: Decimal) -> Decimal:
    """0 to the item's points, in half points."""
    try:
        in_range = points.is_finite() and ZERO <= points <= full
        on_step = in_range and points % STEP == 0
    except InvalidOperation:
        in_range = on_step = False
    if not in_range:
        raise DomainError(
            _("得分须在 0 到 %(full)s 分之间。") % {"full": format(full.normalize(), "f")},
            code="out_of_range",
        )
    if not on_step:
        raise DomainError(_("得分须以 0.5 分为单位。"), code="not_half_point")
    return points.quantize(CENT)


def answer_grade(
    *, actor: Actor, sitting: Sitting, code: str, points: Decimal, comment: str = ""
) -> SubjectiveGrade:
    """Record the actor's points for the short answer with ``code``.

    Round 1 and 2 are two different graders; a third, different from both, arbitrates
    when they disagree (``final_points``). The attempt row is locked first, so two
    graders finishing two answers of one attempt settle it exactly once.
    """
    _refuse_grader(actor, sitting.session.batch)
    if sitting.closed_at is None:
        # A proctor may reopen an attempt while the session is open, and the candidate
        # may then change the answer: marking starts once the session is closed (收卷).
        raise InvalidTransition(_("场次收卷后才能开始阅卷。"), code="sitting_open")
    answer_id = _answer_for_code(sitting, code)
    with transaction.atomic():
        attempt_id = Answer.objects.filter(pk=answer_id).values_list("attempt_id", flat=True)[0]
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        answer = Answer.objects.select_for_update().select_related("paper_item").get(pk=answer_id)
        settled = answer.points_awarded is not None
        if settled or attempt.grading_status != GradingStatus.AWAITING_GRADERS:
            raise InvalidTransition(_("这份答卷已评定，无需再评。"), code="settled")
        grades = list(answer.grades.order_by("round"))
        if any(grade.grader_id == actor.user_id for grade in grades):
            raise DomainError(
                _("您已评过这份答卷；同一份答卷须由不同的评分人评分。"), code="graded_twice"
            )
        if len(grades) >= MAX_ROUNDS:
            raise InvalidTransition(_("这份答卷已有三次评分。"), code="settled")
        full = answer.paper_item.points
        grade = SubjectiveGrade(
            answer=answer,
            grader=actor.user,
            round=len(grades) + 1,
            points=checked_points(points, full),
            comment=comment.strip()[:200],
        )
        clean_or_raise(grade, exclude=["answer", "grader"])
        grade.save()
        organisation = _organisation_of(attempt)
        audit_record(
            actor=actor,
            action="exams.answer.grade",
            obj=grade,
            changes={"round": grade.round, "points": str(grade.points)},
            organisation=organisation,
        )
        final = final_points([g.points for g in grades] + [grade.points], full)
        if final is not None:
            answer.points_awarded = final
            answer.save(update_fields=["points_awarded"])
            _settle(attempt, list(attempt.answers.all()), actor)
    return grade


# --- scores ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreRow:
    seat_number: int
    admission_number: str
    name: str
    form_label: str
    status: str
    grading: str
    score: Decimal | None
    awaiting_graders: bool


def sitting_scores(*, actor: Actor, sitting: Sitting) -> list[ScoreRow]:
    """Every seat of the sitting's session with its attempt's state and score (no
    attempt: absent, 缺考). Read through the actor's scope."""
    seats = (
        SeatAssignment.objects.for_actor(actor)
        .filter(session_id=sitting.session_id)
        .select_related("application__person", "attempt__paper")
        .order_by("seat_number")
    )
    rows: list[ScoreRow] = []
    for seat in seats:
        attempt: Attempt | None = getattr(seat, "attempt", None)
        application = seat.application
        rows.append(
            ScoreRow(
                seat_number=seat.seat_number,
                admission_number=application.admission_number or "",
                name=application.person.full_name,
                form_label=attempt.paper.form_label if attempt else "",
                status=attempt.get_status_display() if attempt else _("缺考"),
                grading=attempt.get_grading_status_display() if attempt else "",
                score=attempt.score if attempt else None,
                awaiting_graders=bool(
                    attempt and attempt.grading_status == GradingStatus.AWAITING_GRADERS
                ),
            )
        )
    return rows


def scores_export(*, actor: Actor, sitting: Sitting) -> bytes:
    """The sitting's scores as .xlsx (through core.excel, formula-safe)."""
    headers = [
        _("座位号"),
        _("准考证号"),
        _("姓名"),
        _("卷别"),
        _("作答状态"),
        _("评分状态"),
        _("理论成绩"),
    ]
    awaiting = _("待人工评分")
    rows = (
        [
            row.seat_number,
            row.admission_number,
            row.name,
            row.form_label,
            row.status,
            row.grading,
            row.score if row.score is not None else (awaiting if row.awaiting_graders else ""),
        ]
        for row in sitting_scores(actor=actor, sitting=sitting)
    )
    return workbook_bytes(title=_("理论成绩"), headers=headers, rows=rows)


def sittings_overview(actor: Actor) -> QuerySet[Sitting]:
    """The sittings of the grading home page with their attempts counted by state: those
    the actor reads scores of (staff, authorities) or grades (examiners)."""
    base = Sitting.objects.for_actor(actor) if can_read_scores(actor) else gradable_sittings(actor)
    return (
        base.select_related("session__batch__institution__organisation", "session__room")
        .annotate(
            attempt_count=Count("attempts"),
            awaiting_count=Count(
                "attempts", filter=Q(attempts__grading_status=GradingStatus.AWAITING_GRADERS)
            ),
            graded_count=Count("attempts", filter=Q(attempts__grading_status=GradingStatus.GRADED)),
        )
        .order_by("-session__starts_at", "pk")
    )
