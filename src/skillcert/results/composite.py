"""Composite results (统分, DESIGN.md step 6): component scores and the candidate's outcome.

Each required component (``batch.components``: theory or, in process-assessment batches,
the course score (沪人社职〔2022〕102号 附件 二(二)); the practical assessment; the
performance review for levels 2 and 1) is scored out of 100 and must reach its own pass
mark (川人社办发〔2020〕20号 附件4). The weighted total is kept for reporting and never
decides passing. Theory scores come from graded exam attempts; course scores and
paper-based theory scores are entered by staff; the panel components are written by
``results.scoring``. A failed or missed component may be retaken as often as the province
policy allows (``retakes_allowed``); the retake is sitting 2 and its score counts.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models, transaction
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus, Component, SessionStatus
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, SeatAssignment
from skillcert.exams.choices import GradingStatus
from skillcert.exams.models import Attempt
from skillcert.institutions.scope import province_policy
from skillcert.results import filing
from skillcert.results.choices import (
    PANEL_COMPONENTS,
    ComponentState,
    Outcome,
    ResultsStatus,
    ScoreSource,
)
from skillcert.results.models import BatchResults, ComponentScore, Result
from skillcert.results.permissions import can_manage
from skillcert.results.selectors import announcement_row, latest_of, latest_scores
from skillcert.stats.aggregates import mark_stale

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
# The note on a score corrected after an upheld objection or review (复核更正).
CORRECTION_NOTE = "复核更正"
# Batch states in which scores are recorded: from approval until the results are filed.
SCORING_BATCH_STATES = frozenset(
    {
        BatchStatus.APPROVED,
        BatchStatus.ENROLLING,
        BatchStatus.ENROLLMENT_CLOSED,
        BatchStatus.IN_PROGRESS,
        BatchStatus.ASSESSED,
        BatchStatus.RESULTS_PUBLISHED,
    }
)
# Results states in which staff enter scores: before publication, and after the centre
# returned the results for corrections.
EDITABLE_RESULTS = frozenset({ResultsStatus.SCORING, ResultsStatus.RETURNED})
# A retake is held and scored before the results are published (or after the centre
# returned them): a retake opened during publicity could not be scored.
RETAKE_RESULTS = EDITABLE_RESULTS


# --- the rule --------------------------------------------------------------------------


def _counts(row: ComponentScore | None) -> bool:
    return row is not None and row.state == ComponentState.SCORED and row.score is not None


def outcome(
    batch: Batch, scores: dict[str, ComponentScore], voided: bool
) -> tuple[str, Decimal | None]:
    """The candidate's outcome and weighted total from their standing component scores.

    Pure. ``scores`` maps each component to its row of the highest sitting. Every required
    component must be scored and reach its pass mark (川人社办发〔2020〕20号 附件4: 各科
    成绩均达到合格分数线); a high total never makes up for a failed component.
    """
    required = batch.components
    weighted = [
        row.score * batch.weight_for(c) / HUNDRED
        for c in required
        if (row := scores.get(c)) is not None and _counts(row) and row.score is not None
    ]
    total = sum(weighted, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP) if weighted else None
    if voided:
        return Outcome.VOID, total
    rows = [scores.get(c) for c in required]
    if any(
        row is None or row.state in (ComponentState.PENDING, ComponentState.RESCORE) for row in rows
    ):
        return Outcome.PENDING, total
    if all(row is not None and row.state == ComponentState.ABSENT for row in rows):
        return Outcome.ABSENT, total
    passed = all(
        row is not None
        and _counts(row)
        and row.score is not None
        and row.score >= batch.pass_mark_for(c)
        for c, row in zip(required, rows, strict=True)
    )
    return (Outcome.PASSED if passed else Outcome.FAILED), total


def is_failed(batch: Batch, row: ComponentScore) -> bool:
    """Scored below the component's pass mark, or absent."""
    if row.state == ComponentState.ABSENT:
        return True
    return _counts(row) and row.score is not None and row.score < batch.pass_mark_for(row.component)


def result_refresh(application: Application) -> Result:
    """Recompute one candidate's Result from their standing scores (created if missing).

    Internal: callers hold the transaction and write the audit. Once the announcement is
    published its row for this candidate follows the correction."""
    batch = application.batch
    result, _made = Result.objects.select_for_update().get_or_create(application=application)
    scores = latest_scores(application)
    new_outcome, total = outcome(batch, scores, voided=bool(result.void_grade))
    if (result.outcome, result.total) != (new_outcome, total) or _made:
        result.outcome, result.total = new_outcome, total
        result.save(update_fields=["outcome", "total", "computed_at"])
        mark_stale(batch.pk)  # DESIGN.md step 10: the batch's statistics are rebuilt
    published = (
        BatchResults.objects.select_for_update()
        .filter(batch_id=batch.pk, published_at__isnull=False)
        .first()
    )
    if published is not None:
        _announcement_update(published, application, result, scores)
    return result


def _announcement_update(
    published: BatchResults,
    application: Application,
    result: Result,
    scores: dict[str, ComponentScore],
) -> None:
    row = announcement_row(application, result, scores)
    rows = list(published.announcement)
    for index, old in enumerate(rows):
        if old.get("application") == application.pk:
            if old == row:
                return
            rows[index] = row
            break
    else:
        rows.append(row)
    published.announcement = rows
    published.save(update_fields=["announcement", "updated_at"])


# --- shared checks ---------------------------------------------------------------------


def require_manager(actor: Actor, batch: Batch) -> None:
    if not can_manage(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以办理成绩事项。"))


def results_of(batch: Batch, *, lock: bool = False) -> BatchResults | None:
    query = BatchResults.objects.filter(batch_id=batch.pk)
    return (query.select_for_update() if lock else query).first()


def require_scores_open(batch: Batch, results: BatchResults | None) -> None:
    """Scores may be recorded from the batch's approval until the results are published,
    and again while the centre has returned them for corrections."""
    if batch.status not in SCORING_BATCH_STATES:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能录入或修改成绩。")
            % {"status": batch.get_status_display()}
        )
    if results is not None and results.status not in EDITABLE_RESULTS:
        raise InvalidTransition(
            _("成绩已%(status)s，不能再修改；如有错误请通过异议、复核处理或由人社部门退回后更正。")
            % {"status": results.get_status_display()},
            code="results_published",
        )


def require_component(batch: Batch, component: str) -> None:
    if component not in batch.components:
        labels = "、".join(str(Component(c).label) for c in batch.components)
        raise DomainError(
            _("该批次的考核科目为%(components)s，不包括所选科目。") % {"components": labels},
            code="not_a_component",
        )


def checked_score(score: object) -> Decimal:
    """A score out of 100 with at most two decimals."""
    try:
        value = score if isinstance(score, Decimal) else Decimal(str(score))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("成绩应为0到100之间的数字。"), code="bad_score") from exc
    if not value.is_finite() or value < 0 or value > HUNDRED:
        raise DomainError(_("成绩应为0到100之间的数字。"), code="bad_score")
    if value != value.quantize(CENT):
        raise DomainError(_("成绩最多保留两位小数。"), code="bad_score")
    return value.quantize(CENT)


def _require_participant(application: Application, batch: Batch) -> None:
    if application.batch_id != batch.pk or application.status != ApplicationStatus.APPROVED:
        raise DomainError(_("该考生的报名未审核通过，没有成绩。"), code="not_approved")


def _rows(application: Application, component: str) -> list[ComponentScore]:
    return list(
        ComponentScore.objects.select_for_update()
        .filter(application=application, component=component)
        .order_by("sitting_no")
    )


def _audit(actor: Actor, action: str, obj: models.Model, batch: Batch, **changes: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        organisation=batch.institution.organisation,
        changes=dict(changes),
    )


def _text(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


# --- theory from the exam --------------------------------------------------------------


def _theory_target(seat: SeatAssignment) -> tuple[str, Decimal | None]:
    """What the seat's attempt says: a graded score, absent (no attempt in a closed
    session), or pending (not graded yet, or the session still runs)."""
    attempt: Attempt | None = getattr(seat, "attempt", None)
    if attempt is None:
        if seat.session.status == SessionStatus.CLOSED:
            return ComponentState.ABSENT, None
        return ComponentState.PENDING, None
    if attempt.grading_status == GradingStatus.GRADED and attempt.score is not None:
        return ComponentState.SCORED, attempt.score
    return ComponentState.PENDING, None


def _collectable(row: ComponentScore) -> bool:
    """Rows the exam may (re)write: never a voided score, a corrected one, or a score
    staff entered (a paper-based sitting)."""
    if row.state == ComponentState.VOID or row.note == CORRECTION_NOTE:
        return False
    return row.source == ScoreSource.EXAM or row.state == ComponentState.PENDING


def theory_collect(*, actor: Actor, batch: Batch) -> int:
    """Take every approved candidate's theory score from their graded exam attempt.

    A candidate's k-th theory seat (by session start) is sitting k; a later sitting is
    written only once a retake was opened for it. A seat without an attempt in a closed
    session is absent (缺考); attempts not yet graded stay pending. Returns the number of
    rows written; running it again writes nothing new."""
    require_manager(actor, batch)
    if Component.THEORY not in batch.components:
        raise DomainError(
            _("该批次为过程考核，以课程考试成绩替代理论知识考试，请录入课程成绩。"),
            code="no_theory",
        )
    with transaction.atomic():
        locked = lock_batch(batch)
        results = results_of(locked, lock=True)
        require_scores_open(locked, results)
        seats = (
            SeatAssignment.objects.filter(
                session__batch=locked,
                session__component=Component.THEORY,
                application__status=ApplicationStatus.APPROVED,
            )
            .select_related("session", "attempt", "application")
            .order_by("application_id", "session__starts_at", "pk")
        )
        by_application: dict[int, list[SeatAssignment]] = defaultdict(list)
        for seat in seats:
            by_application[seat.application_id].append(seat)
        existing = {
            (row.application_id, row.sitting_no): row
            for row in ComponentScore.objects.select_for_update().filter(
                application_id__in=list(by_application), component=Component.THEORY
            )
        }
        written: dict[str, int] = defaultdict(int)
        changed: set[int] = set()
        for application_id, own_seats in by_application.items():
            for sitting_no, seat in enumerate(own_seats, start=1):
                row = existing.get((application_id, sitting_no))
                if row is None and sitting_no > 1:
                    continue  # a later seat counts only as an opened retake
                if row is not None and not _collectable(row):
                    continue
                state, score = _theory_target(seat)
                if row is not None and (row.state, row.score) == (state, score):
                    continue
                if row is None:
                    row = ComponentScore(
                        application_id=application_id,
                        component=Component.THEORY,
                        sitting_no=sitting_no,
                        source=ScoreSource.EXAM,
                    )
                row.state, row.score = state, score
                row.save()
                written[state] += 1
                changed.add(application_id)
        for application in Application.objects.filter(pk__in=changed).select_related(
            "batch", "person"
        ):
            if results is not None or Result.objects.filter(application=application).exists():
                result_refresh(application)
        count = sum(written.values())
        _audit(actor, "results.theory.collect", locked, locked, written=count, **written)
    return count


# --- entered scores and absence --------------------------------------------------------


def _standing_sitting(rows: list[ComponentScore], sitting_no: int | None) -> int:
    if sitting_no is None:
        return rows[-1].sitting_no if rows else 1
    if sitting_no < 1 or (sitting_no > 1 and all(r.sitting_no != sitting_no for r in rows)):
        raise DomainError(
            _("第%(n)d次考核不存在；补考须先办理补考登记。") % {"n": sitting_no},
            code="no_sitting",
        )
    return sitting_no


def score_write(
    application: Application,
    component: str,
    score: Decimal,
    *,
    note: str,
    sitting_no: int | None = None,
    correction: bool = False,
) -> tuple[ComponentScore, dict[str, object]]:
    """Write one component score (internal: the caller checked permission and state and
    holds the batch lock). A correction (复核更正) may overwrite any final score except a
    voided one; an ordinary entry never overwrites a score from the exam or a panel."""
    rows = _rows(application, component)
    number = _standing_sitting(rows, sitting_no)
    row = next((r for r in rows if r.sitting_no == number), None)
    if row is not None and row.state == ComponentState.VOID:
        raise InvalidTransition(_("该科目成绩已被认定无效，不能录入或更正。"), code="void")
    if row is not None and not correction and row.source != ScoreSource.ENTERED:
        if row.state not in (ComponentState.PENDING, ComponentState.ABSENT) or (
            row.source == ScoreSource.PANEL
        ):
            raise DomainError(
                _("该科目成绩来自%(source)s，不能手工录入；如有错误请通过复核更正。")
                % {"source": row.get_source_display()},
                code="not_entered",
            )
    before = (row.state, _text(row.score)) if row is not None else (None, None)
    if row is None:
        row = ComponentScore(
            application=application,
            component=component,
            sitting_no=number,
            source=ScoreSource.ENTERED,
        )
    if not correction and row.source == ScoreSource.EXAM:
        row.source = ScoreSource.ENTERED
    row.state, row.score = ComponentState.SCORED, score
    row.note = (CORRECTION_NOTE if correction else note.strip())[:200]
    row.save()
    return row, {
        "component": component,
        "sitting_no": number,
        "state": [before[0], row.state],
        "score": [before[1], _text(score)],
    }


def component_enter(
    *,
    actor: Actor,
    application: Application,
    component: str,
    score: Decimal,
    note: str = "",
    sitting_no: int | None = None,
) -> ComponentScore:
    """Enter a theory score of a paper-based sitting or a course score (过程考核,
    沪人社职〔2022〕102号 附件 二(二)). Panel components are scored by their examiners;
    after publication scores change only through an upheld objection, or once the centre
    returned the results for corrections. ``sitting_no`` None: the standing sitting."""
    batch = application.batch
    require_manager(actor, batch)
    if component in PANEL_COMPONENTS:
        raise DomainError(
            _("操作技能考核和综合评审成绩由考评组评分产生，不能手工录入。"),
            code="panel_component",
        )
    require_component(batch, component)
    value = checked_score(score)
    with transaction.atomic():
        locked = lock_batch(batch)
        require_scores_open(locked, results_of(locked, lock=True))
        _require_participant(application, locked)
        row, changes = score_write(application, component, value, note=note, sitting_no=sitting_no)
        result = result_refresh(application)
        _audit(
            actor,
            "results.component.enter",
            row,
            locked,
            **changes,
            note=row.note,
            outcome=result.outcome,
        )
    return row


def component_absent(
    *, actor: Actor, application: Application, component: str, sitting_no: int = 1
) -> ComponentScore:
    """Record that the candidate did not sit a component (缺考); a final score stays."""
    batch = application.batch
    require_manager(actor, batch)
    require_component(batch, component)
    with transaction.atomic():
        locked = lock_batch(batch)
        require_scores_open(locked, results_of(locked, lock=True))
        _require_participant(application, locked)
        rows = _rows(application, component)
        number = _standing_sitting(rows, sitting_no)
        row = next((r for r in rows if r.sitting_no == number), None)
        if row is not None and row.state == ComponentState.ABSENT:
            raise InvalidTransition(_("该考生该科目已登记为缺考。"), code="already_absent")
        if row is not None and row.state != ComponentState.PENDING:
            raise InvalidTransition(
                _("该考生该科目已有成绩（%(state)s），不能登记缺考。")
                % {"state": row.get_state_display()},
                code="has_score",
            )
        if row is None:
            source = ScoreSource.PANEL if component in PANEL_COMPONENTS else ScoreSource.ENTERED
            row = ComponentScore(
                application=application, component=component, sitting_no=number, source=source
            )
        row.state, row.score = ComponentState.ABSENT, None
        row.save()
        result = result_refresh(application)
        _audit(
            actor,
            "results.component.absent",
            row,
            locked,
            component=component,
            sitting_no=number,
            outcome=result.outcome,
        )
    return row


# --- the batch -------------------------------------------------------------------------


def results_compute(*, actor: Actor, batch: Batch) -> BatchResults:
    """统分: compute every approved candidate's Result; creates the batch's results record
    (with its filing deadline) the first time. Refused once the results are published."""
    require_manager(actor, batch)
    with transaction.atomic():
        locked = lock_batch(batch)
        if locked.status not in (BatchStatus.IN_PROGRESS, BatchStatus.ASSESSED):
            raise InvalidTransition(
                _("该批次状态为“%(status)s”，考核开始后才能统分。")
                % {"status": locked.get_status_display()}
            )
        results = results_of(locked, lock=True)
        if results is not None and results.status != ResultsStatus.SCORING:
            raise InvalidTransition(_("成绩已发布公示，不能重新统分。"), code="results_published")
        if results is None:
            due, provisional = filing.filing_due(locked)
            results = BatchResults.objects.create(
                batch=locked, filing_due=due, deadlines_provisional=provisional
            )
        tally: dict[str, int] = defaultdict(int)
        for application in Application.objects.filter(
            batch=locked, status=ApplicationStatus.APPROVED
        ).select_related("batch", "person"):
            application.batch = locked
            tally[result_refresh(application).outcome] += 1
        _audit(
            actor,
            "results.compute",
            results,
            locked,
            candidates=sum(tally.values()),
            outcomes=dict(tally),
            filing_due=results.filing_due,
        )
    return results


def retake_open(*, actor: Actor, application: Application, component: str) -> ComponentScore:
    """Open a retake (补考) of a component whose standing sitting failed or was missed:
    a new sitting, pending, whose score then counts. As many retakes as the province
    policy allows (``retakes_allowed``, 0 for none); not once the results are filed."""
    batch = application.batch
    require_manager(actor, batch)
    require_component(batch, component)
    policy = province_policy(batch.institution.organisation.province_id)
    if policy.retakes_allowed == 0:
        raise DomainError(_("本省政策不允许单科补考。"), code="no_retakes")
    with transaction.atomic():
        locked = lock_batch(batch)
        results = results_of(locked, lock=True)
        if results is not None and results.status not in RETAKE_RESULTS:
            raise InvalidTransition(
                _("成绩已%(status)s，不能再安排补考。") % {"status": results.get_status_display()},
                code="results_filed",
            )
        _require_participant(application, locked)
        result = Result.objects.filter(application=application).first()
        if result is not None and result.void_grade:
            raise InvalidTransition(_("该考生成绩已认定无效，不能补考。"), code="void")
        rows = _rows(application, component)
        standing = latest_of(rows).get(component)
        if standing is None or not is_failed(locked, standing):
            raise InvalidTransition(_("只有不合格或缺考的科目可以补考。"), code="not_failed")
        if standing.sitting_no - 1 >= policy.retakes_allowed:
            raise InvalidTransition(
                _("该科目补考次数已用完（本省允许补考%(n)d次）。") % {"n": policy.retakes_allowed},
                code="retakes_used",
            )
        row = ComponentScore.objects.create(
            application=application,
            component=component,
            sitting_no=standing.sitting_no + 1,
            state=ComponentState.PENDING,
            source=standing.source,
        )
        result = result_refresh(application)
        _audit(
            actor,
            "results.retake.open",
            row,
            locked,
            component=component,
            sitting_no=row.sitting_no,
            previous=score_text_of(standing),
            outcome=result.outcome,
        )
    return row


def score_text_of(row: ComponentScore) -> str:
    return _text(row.score) or str(row.get_state_display())
