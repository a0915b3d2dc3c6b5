"""Independent scoring by the members of a panel (DESIGN.md step 5).

Each examiner writes only their own sheets (:class:`ExaminerSheet`) and never reads
another's; confirming a sheet signs it (a SHA-256 digest of its content) and it never
changes again. When every member has confirmed every sheet of the component for the
round, the component score is the mean of their totals; totals further apart than the
policy's ``rescore_spread_points`` flag the candidate for re-scoring (RESCORE): staff
open a new round, or accept the spread after a re-scoring round that is still flagged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.models import Application
from skillcert.exams.grading import checked_points
from skillcert.institutions.models import StaffMember
from skillcert.institutions.scope import province_policy
from skillcert.results.choices import ComponentState, ResultsStatus, ScoreSource, SheetStatus
from skillcert.results.composite import result_refresh
from skillcert.results.links import conflict_reason
from skillcert.results.models import (
    BatchResults,
    ComponentScore,
    ExaminerSheet,
    Panel,
    PanelCandidate,
    PanelMember,
    Result,
    ScoringSheet,
    SheetItem,
)
from skillcert.results.panels import panel_problems
from skillcert.results.permissions import examiner_member
from skillcert.results.sheets import component_sheets, require_manager, sheets_ready

CENT = Decimal("0.01")
SYSTEM = "results-scoring"
# The first sitting is scored while the batch runs or once it is assessed; a retake
# (sitting 2) may be scored while the results are published, before they are filed.
SCORING_STATES = frozenset(
    {BatchStatus.ENROLLMENT_CLOSED, BatchStatus.IN_PROGRESS, BatchStatus.ASSESSED}
)
FINAL_STATES = frozenset({ComponentState.SCORED, ComponentState.RESCORE})
CLOSED_STATES = frozenset({ComponentState.ABSENT, ComponentState.VOID})


# --- the signature ----------------------------------------------------------------------


def _canonical_points(points: dict[str, str]) -> dict[str, str]:
    return {str(k): str(v) for k, v in sorted(points.items(), key=lambda kv: int(kv[0]))}


def sheet_digest(sheet: ExaminerSheet) -> str:
    """SHA-256 of the canonical JSON of what the examiner signs."""
    content = {
        "application": sheet.application_id,
        "sheet": sheet.sheet_id,
        "examiner": sheet.examiner_id,
        "sitting_no": sheet.sitting_no,
        "round": sheet.round,
        "points": _canonical_points(sheet.points),
        "total": str(sheet.total) if sheet.total is not None else None,
    }
    data = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def signature_valid(sheet: ExaminerSheet) -> bool:
    """A confirmed sheet whose content still matches its signature."""
    return (
        sheet.status == SheetStatus.CONFIRMED
        and bool(sheet.signature)
        and sheet.signature == sheet_digest(sheet)
    )


# --- state helpers ------------------------------------------------------------------------


def current_sitting(application: Application, component: str) -> int:
    """The latest sitting of the component (1 unless a retake was opened)."""
    latest = (
        ComponentScore.objects.filter(application=application, component=component)
        .order_by("-sitting_no")
        .values_list("sitting_no", flat=True)
        .first()
    )
    return latest or 1


def _score_row(application: Application, component: str, sitting_no: int) -> ComponentScore | None:
    return ComponentScore.objects.filter(
        application=application, component=component, sitting_no=sitting_no
    ).first()


def current_round(score: ComponentScore | None) -> int:
    return score.round if score is not None else 1


def _is_final(score: ComponentScore | None) -> bool:
    return score is not None and score.state in FINAL_STATES


def _require_scoring_time(batch: Batch, sitting_no: int) -> None:
    results = BatchResults.objects.filter(batch=batch).first()
    published = results is not None and results.status != ResultsStatus.SCORING
    if sitting_no > 1:
        allowed = batch.status in SCORING_STATES | {BatchStatus.RESULTS_PUBLISHED}
        if results is not None and results.status not in (
            ResultsStatus.SCORING,
            ResultsStatus.PUBLISHED,
            ResultsStatus.RETURNED,
        ):
            allowed = False
    else:
        allowed = batch.status in SCORING_STATES and not published
    if not allowed:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能评分。") % {"status": batch.get_status_display()},
            code="batch_state",
        )


def _member_of(actor: Actor, panel: Panel) -> StaffMember:
    """The registry member through whom the actor sits on the panel."""
    member = examiner_member(actor, panel)
    if member is None:
        raise PermissionDenied(_("您不是该考评小组的成员，不能评分。"), code="not_member")
    return member


def _check_can_score(
    panel: Panel, member: StaffMember, application: Application, sitting_no: int
) -> ComponentScore | None:
    """Every rule but the sheet's own state; returns the component score row (locked by
    the caller when it matters)."""
    batch = panel.batch
    if not PanelCandidate.objects.filter(panel=panel, application=application).exists():
        raise DomainError(_("该考生不在本考评小组。"), code="not_candidate")
    reason = conflict_reason(member, application)
    if reason is not None:
        # National standards §1.9: 考评人员与考生有利害关系的应当回避.
        raise PermissionDenied(
            _("您与该考生须回避（%(reason)s），不能为其评分。") % {"reason": reason},
            code="conflict",
        )
    problems = panel_problems(panel)
    if problems:
        raise InvalidTransition(
            _("考评小组尚不符合要求，暂不能评分：%(problems)s") % {"problems": "".join(problems)},
            code="panel_invalid",
        )
    ready = sheets_ready(batch, panel.component)
    if ready:
        raise InvalidTransition(
            _("评分表尚未就绪：%(problems)s") % {"problems": "".join(ready)},
            code="sheets_not_ready",
        )
    _require_scoring_time(batch, sitting_no)
    score = _score_row(application, panel.component, sitting_no)
    if score is not None and score.state in CLOSED_STATES:
        raise InvalidTransition(
            _("该考生本科目为“%(state)s”，无需评分。") % {"state": score.get_state_display()},
            code="closed",
        )
    if _is_final(score):
        raise InvalidTransition(_("本轮评分已全部完成，不能再评分。"), code="final")
    return score


def _panel(panel: Panel) -> Panel:
    return Panel.objects.select_related("batch__institution__organisation").get(pk=panel.pk)


# --- examiner services --------------------------------------------------------------------


def examiner_sheet(
    *,
    actor: Actor,
    panel: Panel,
    application: Application,
    sheet: ScoringSheet,
    sitting_no: int = 1,
) -> ExaminerSheet:
    """The actor's own sheet for this candidate in the current round (created empty when
    missing)."""
    panel = _panel(panel)
    member = _member_of(actor, panel)
    if sheet.batch_id != panel.batch_id or sheet.component != panel.component:
        raise DomainError(_("该评分表不属于本小组的考核科目。"), code="sheet")
    with transaction.atomic():
        score = _check_can_score(panel, member, application, sitting_no)
        found, created = ExaminerSheet.objects.get_or_create(
            application=application,
            sheet=sheet,
            examiner=member,
            sitting_no=sitting_no,
            round=current_round(score),
        )
        if created:
            audit_record(
                actor=actor,
                action="results.examiner_sheet.open",
                obj=found,
                changes={"sheet": sheet.title, "round": found.round, "sitting_no": sitting_no},
                organisation=panel.batch.institution.organisation,
            )
    return found


def _locked_own(actor: Actor, examiner_sheet: ExaminerSheet) -> tuple[ExaminerSheet, Panel]:
    """The sheet locked, after checking it is the actor's own and still a draft."""
    locked = (
        ExaminerSheet.objects.select_for_update(of=("self",))
        .select_related("sheet", "application__person", "examiner")
        .get(pk=examiner_sheet.pk)
    )
    place = (
        PanelCandidate.objects.select_related("panel__batch__institution__organisation")
        .filter(application_id=locked.application_id, component=locked.sheet.component)
        .first()
    )
    if place is None:
        raise DomainError(_("该考生不在任何考评小组。"), code="not_candidate")
    panel = place.panel
    member = _member_of(actor, panel)
    if member.pk != locked.examiner_id:
        # Each examiner scores independently: nobody writes another examiner's sheet.
        raise PermissionDenied(_("只能填写您本人的评分表。"), code="not_own")
    if locked.status != SheetStatus.DRAFT:
        raise InvalidTransition(_("评分表已签字确认，不能再修改。"), code="confirmed")
    score = _check_can_score(panel, member, locked.application, locked.sitting_no)
    if current_round(score) != locked.round:
        raise InvalidTransition(_("该评分表属于已结束的评分轮次。"), code="old_round")
    return locked, panel


def _point_text(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def sheet_save(
    *,
    actor: Actor,
    examiner_sheet: ExaminerSheet,
    points: dict[int, Decimal],
    comment: str = "",
) -> ExaminerSheet:
    """Save the examiner's draft: the points given replace the saved ones (items left out
    are not scored yet); each 0 to the item's points, in half points."""
    with transaction.atomic():
        locked, panel = _locked_own(actor, examiner_sheet)
        items = {item.pk: item for item in locked.sheet.items.all()}
        cleaned: dict[str, str] = {}
        for item_pk, value in points.items():
            item = items.get(int(item_pk))
            if item is None:
                raise DomainError(_("评分项不属于这张评分表。"), code="item")
            try:
                checked = checked_points(Decimal(value), item.max_points)
            except DomainError as exc:
                raise DomainError(
                    _("“%(item)s”：%(problem)s") % {"item": item.title, "problem": exc.message},
                    code=exc.code,
                ) from exc
            cleaned[str(item.pk)] = _point_text(checked)
        before = dict(locked.points)
        locked.points = _canonical_points(cleaned)
        locked.total = sum((Decimal(v) for v in cleaned.values()), Decimal(0)).quantize(CENT)
        locked.comment = comment.strip()[:200]
        locked.save(update_fields=["points", "total", "comment", "updated_at"])
        audit_record(
            actor=actor,
            action="results.examiner_sheet.save",
            obj=locked,
            changes={"points": [before, locked.points]},
            organisation=panel.batch.institution.organisation,
        )
    return locked


def sheet_confirm(*, actor: Actor, examiner_sheet: ExaminerSheet) -> ExaminerSheet:
    """Sign the sheet: every item scored; the total and the digest are fixed for good.
    The component score follows when this was the last sheet of the round."""
    with transaction.atomic():
        locked, panel = _locked_own(actor, examiner_sheet)
        # One confirmation of a candidate's component at a time: the last one aggregates.
        list(
            PanelCandidate.objects.select_for_update().filter(
                panel=panel, application_id=locked.application_id
            )
        )
        items = list(locked.sheet.items.all())
        missing = [item.title for item in items if str(item.pk) not in locked.points]
        if missing:
            raise DomainError(
                _("还有评分项未评分：%(items)s。") % {"items": "、".join(missing)},
                code="incomplete",
            )
        locked.total = sum(
            (Decimal(locked.points[str(item.pk)]) for item in items), Decimal(0)
        ).quantize(CENT)
        locked.status = SheetStatus.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.signature = sheet_digest(locked)
        locked.save(update_fields=["total", "status", "confirmed_at", "signature", "updated_at"])
        audit_record(
            actor=actor,
            action="results.examiner_sheet.confirm",
            obj=locked,
            changes={"total": str(locked.total), "signature": locked.signature},
            organisation=panel.batch.institution.organisation,
        )
        aggregate(locked.application, panel.component, locked.sitting_no, actor=actor)
    return locked


# --- the component score ------------------------------------------------------------------


def spread_threshold(batch: Batch) -> int:
    """Totals further apart than this are re-scored (policy ``rescore_spread_points``)."""
    return province_policy(batch.institution.organisation.province_id).rescore_spread_points


def mean_of(totals: list[Decimal]) -> Decimal:
    return (sum(totals, Decimal(0)) / len(totals)).quantize(CENT, rounding=ROUND_HALF_UP)


def member_totals(
    panel: Panel, application: Application, sitting_no: int, round_no: int
) -> dict[int, Decimal | None]:
    """Each member's total over the component's sheets (None until every sheet of theirs
    is confirmed). For staff and the aggregate only: never shown to examiners."""
    sheets = [s.pk for s in component_sheets(panel.batch, panel.component)]
    confirmed: dict[int, dict[int, Decimal]] = {}
    for row in ExaminerSheet.objects.filter(
        application=application,
        sheet_id__in=sheets,
        sitting_no=sitting_no,
        round=round_no,
        status=SheetStatus.CONFIRMED,
    ):
        confirmed.setdefault(row.examiner_id, {})[row.sheet_id] = row.total or Decimal(0)
    totals: dict[int, Decimal | None] = {}
    for staff_id in panel.members.values_list("staff_id", flat=True):
        mine = confirmed.get(staff_id, {})
        totals[staff_id] = sum(mine.values(), Decimal(0)) if len(mine) == len(sheets) else None
    return totals


def aggregate(
    application: Application,
    component: str,
    sitting_no: int = 1,
    *,
    actor: Actor | None = None,
) -> ComponentScore | None:
    """Write the component score once every member confirmed every sheet of the round:
    the mean of their totals (2 decimals, half up), the spread, and RESCORE when the
    spread exceeds the policy threshold. None while sheets are outstanding."""
    place = (
        PanelCandidate.objects.select_related("panel__batch__institution__organisation")
        .filter(application=application, component=component)
        .first()
    )
    if place is None:
        return None
    panel = place.panel
    with transaction.atomic():
        score = (
            ComponentScore.objects.select_for_update()
            .filter(application=application, component=component, sitting_no=sitting_no)
            .first()
        )
        if score is not None and (score.state in CLOSED_STATES or _is_final(score)):
            return score
        round_no = current_round(score)
        totals = member_totals(panel, application, sitting_no, round_no)
        values = [t for t in totals.values() if t is not None]
        if not totals or len(values) != len(totals):
            return None
        mean, spread = mean_of(values), max(values) - min(values)
        batch = panel.batch
        state = (
            ComponentState.RESCORE if spread > spread_threshold(batch) else ComponentState.SCORED
        )
        if score is None:
            score = ComponentScore(
                application=application, component=component, sitting_no=sitting_no
            )
        score.source, score.state, score.score = ScoreSource.PANEL, state, mean
        score.round, score.spread = round_no, spread.quantize(CENT)
        score.save()
        audit_record(
            actor=actor or Actor.system(SYSTEM),
            action="results.component.aggregate",
            obj=score,
            changes={
                "round": round_no,
                "totals": [str(v) for v in values],
                "mean": str(mean),
                "spread": str(spread),
                "state": state,
            },
            organisation=batch.institution.organisation,
        )
        _refresh_result(application)
    return score


def _refresh_result(application: Application) -> None:
    """Keep a computed result in step (a retake scored after 统分)."""
    if Result.objects.filter(application=application).exists():
        result_refresh(application)


def _locked_flagged(
    actor: Actor, application: Application, component: str, sitting_no: int
) -> ComponentScore:
    batch = Batch.objects.select_related("institution__organisation").get(pk=application.batch_id)
    require_manager(actor, batch)
    _require_scoring_time(batch, sitting_no)
    score = (
        ComponentScore.objects.select_for_update()
        .filter(application=application, component=component, sitting_no=sitting_no)
        .first()
    )
    if score is None or score.state != ComponentState.RESCORE:
        raise InvalidTransition(_("只有分差超限待复评的成绩才能办理此事项。"), code="not_flagged")
    return score


def rescore_open(
    *,
    actor: Actor,
    application: Application,
    component: str,
    reason: str,
    sitting_no: int = 1,
) -> ComponentScore:
    """Open a new scoring round for a flagged candidate: every member scores again."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写复评原因。"), code="reason")
    with transaction.atomic():
        score = _locked_flagged(actor, application, component, sitting_no)
        before = {"round": score.round, "score": str(score.score), "spread": str(score.spread)}
        score.round += 1
        score.state, score.score, score.spread = ComponentState.PENDING, None, None
        score.note = (_("复评：%(reason)s") % {"reason": reason})[:200]
        score.save(update_fields=["round", "state", "score", "spread", "note", "updated_at"])
        audit_record(
            actor=actor,
            action="results.component.rescore_open",
            obj=score,
            changes={"before": before, "round": score.round, "reason": reason},
            organisation=application.batch.institution.organisation,
        )
        _refresh_result(application)
    return score


def spread_accept(
    *,
    actor: Actor,
    application: Application,
    component: str,
    note: str,
    sitting_no: int = 1,
) -> ComponentScore:
    """Accept the mean although the spread is still over the threshold after re-scoring
    (the panel stands by its scores); the note says why."""
    note = note.strip()
    if not note:
        raise DomainError(_("请填写认可分差的理由。"), code="note")
    with transaction.atomic():
        score = _locked_flagged(actor, application, component, sitting_no)
        if score.round < 2:
            raise InvalidTransition(
                _("须先组织复评；复评后分差仍超限时才能认可。"), code="not_rescored"
            )
        score.state, score.spread_accepted_note = ComponentState.SCORED, note[:200]
        score.save(update_fields=["state", "spread_accepted_note", "updated_at"])
        audit_record(
            actor=actor,
            action="results.component.spread_accept",
            obj=score,
            changes={"round": score.round, "spread": str(score.spread), "note": note},
            organisation=application.batch.institution.organisation,
        )
        _refresh_result(application)
    return score


# --- what examiners see -------------------------------------------------------------------


@dataclass
class SheetView:
    sheet: ScoringSheet
    items: list[SheetItem]
    own: ExaminerSheet | None
    points: dict[int, str] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        return self.own is not None and self.own.status == SheetStatus.CONFIRMED

    @property
    def rows(self) -> list[tuple[SheetItem, str]]:
        """Each item with the examiner's points ("" when not scored yet)."""
        return [(item, self.points.get(item.pk, "")) for item in self.items]


@dataclass
class ExaminerView:
    """The scoring page's data: the examiner's own sheets only. Other examiners' points
    and totals never appear; once every member has confirmed, only the mean and whether
    the candidate is flagged for re-scoring."""

    panel: Panel
    application: Application
    member: StaffMember
    sitting_no: int
    round: int
    sheets: list[SheetView]
    blocked: str
    mean: Decimal | None = None
    flagged: bool = False

    @property
    def all_mine_confirmed(self) -> bool:
        return all(view.confirmed for view in self.sheets)

    @property
    def finished(self) -> bool:
        return self.mean is not None


def examiner_view(
    actor: Actor,
    panel: Panel,
    application: Application,
    component: str,
    sitting_no: int = 1,
) -> ExaminerView:
    """What the actor sees on the scoring page; reading never creates a sheet."""
    panel = _panel(panel)
    member = _member_of(actor, panel)
    if component != panel.component:
        raise DomainError(_("该小组不负责此考核科目。"), code="component")
    if not PanelCandidate.objects.filter(panel=panel, application=application).exists():
        raise DomainError(_("该考生不在本考评小组。"), code="not_candidate")
    score = _score_row(application, component, sitting_no)
    round_no = current_round(score)
    blocked = ""
    try:
        _check_can_score(panel, member, application, sitting_no)
    except DomainError as exc:
        blocked = str(exc.message)
    reason = conflict_reason(member, application)
    own = {
        row.sheet_id: row
        for row in ExaminerSheet.objects.filter(
            application=application, examiner=member, sitting_no=sitting_no, round=round_no
        )
    }
    sheets = []
    if reason is None:
        for sheet in component_sheets(panel.batch, component):
            mine = own.get(sheet.pk)
            points = {int(k): v for k, v in mine.points.items()} if mine else {}
            sheets.append(
                SheetView(sheet=sheet, items=list(sheet.items.all()), own=mine, points=points)
            )
    view = ExaminerView(
        panel=panel,
        application=application,
        member=member,
        sitting_no=sitting_no,
        round=round_no,
        sheets=sheets,
        blocked=blocked,
    )
    if _is_final(score) and score is not None and score.round == round_no:
        view.mean = score.score
        view.flagged = score.state == ComponentState.RESCORE
    return view


@dataclass
class WorkRow:
    panel: Panel
    application: Application
    sitting_no: int
    round: int
    confirmed: int
    sheets: int
    finished: bool


def my_panels(actor: Actor) -> list[Panel]:
    """The panels the actor sits on (examiners and experts, through their registry
    record at the batch's institution)."""
    if actor.role not in (Role.EXAMINER, Role.EXPERT) or actor.user_id is None:
        return []
    seats = PanelMember.objects.filter(
        staff__user_id=actor.user_id, staff__is_active=True
    ).select_related("panel__batch__institution__organisation", "staff")
    return [
        seat.panel
        for seat in seats.order_by("panel__batch_id", "panel__component", "panel__name")
        if seat.staff.institution_id == seat.panel.batch.institution_id
    ]


def panel_for_examiner(actor: Actor, panel_pk: int) -> Panel | None:
    return next((p for p in my_panels(actor) if p.pk == panel_pk), None)


def panel_application(panel: Panel, application_pk: int) -> Application | None:
    """A candidate of the panel (for the examiner's page)."""
    place = (
        PanelCandidate.objects.select_related("application__person", "application__batch")
        .filter(panel=panel, application_id=application_pk)
        .first()
    )
    return place.application if place is not None else None


def _latest_scores(application_ids: list[int], component: str) -> dict[int, ComponentScore]:
    """The latest sitting's score row per application, in one query."""
    latest: dict[int, ComponentScore] = {}
    for row in ComponentScore.objects.filter(
        application_id__in=application_ids, component=component
    ).order_by("sitting_no"):
        latest[row.application_id] = row
    return latest


def _confirmed_sheets(
    application_ids: list[int], sheet_ids: list[int]
) -> dict[tuple[int, int, int], dict[int, dict[int, Decimal]]]:
    """Confirmed sheets in one query: (application, sitting, round) → examiner → sheet →
    total."""
    found: dict[tuple[int, int, int], dict[int, dict[int, Decimal]]] = {}
    rows = ExaminerSheet.objects.filter(
        application_id__in=application_ids, sheet_id__in=sheet_ids, status=SheetStatus.CONFIRMED
    ).values_list("application_id", "sitting_no", "round", "examiner_id", "sheet_id", "total")
    for application_id, sitting_no, round_no, examiner_id, sheet_id, total in rows:
        key = (application_id, sitting_no, round_no)
        found.setdefault(key, {}).setdefault(examiner_id, {})[sheet_id] = total or Decimal(0)
    return found


def my_worklist(actor: Actor) -> list[WorkRow]:
    """Per panel and candidate: how many of the actor's own sheets are confirmed in the
    current round, and whether the candidate's round is finished (a fixed number of
    queries per panel)."""
    rows: list[WorkRow] = []
    if actor.user_id is None:
        return rows
    for panel in my_panels(actor):
        member = StaffMember.objects.filter(panel_seats__panel=panel, user_id=actor.user_id).first()
        sheets = [s.pk for s in component_sheets(panel.batch, panel.component)]
        places = list(panel.candidates.select_related("application__person"))
        ids = [place.application_id for place in places]
        latest = _latest_scores(ids, panel.component)
        confirmed = _confirmed_sheets(ids, sheets)
        for place in places:
            score = latest.get(place.application_id)
            sitting_no = score.sitting_no if score else 1
            round_no = current_round(score)
            mine = confirmed.get((place.application_id, sitting_no, round_no), {})
            rows.append(
                WorkRow(
                    panel=panel,
                    application=place.application,
                    sitting_no=sitting_no,
                    round=round_no,
                    confirmed=len(mine.get(member.pk, {})) if member else 0,
                    sheets=len(sheets),
                    finished=_is_final(score),
                )
            )
    return rows


# --- what staff see -----------------------------------------------------------------------


@dataclass
class ProgressRow:
    place: PanelCandidate
    sitting_no: int
    round: int
    score: ComponentScore | None
    # (member, confirmed sheets, total when all confirmed)
    members: list[tuple[StaffMember, int, Decimal | None]]
    sheets: int

    @property
    def flagged(self) -> bool:
        return self.score is not None and self.score.state == ComponentState.RESCORE

    @property
    def can_accept(self) -> bool:
        return self.flagged and self.score is not None and self.score.round >= 2


def progress(batch: Batch) -> list[ProgressRow]:
    """Who has confirmed what, per candidate and panel component; the staff's view (it
    shows each examiner's total). Call it after checking ``can_read``. A fixed number of
    queries whatever the batch's size."""
    rows: list[ProgressRow] = []
    places = list(
        PanelCandidate.objects.filter(panel__batch=batch)
        .select_related("panel", "application__person")
        .prefetch_related("panel__members__staff")
        .order_by("component", "panel__name", "application__admission_number")
    )
    components = {place.component for place in places}
    sheets_by_component = {c: [s.pk for s in component_sheets(batch, c)] for c in components}
    latest: dict[str, dict[int, ComponentScore]] = {}
    confirmed: dict[str, dict[tuple[int, int, int], dict[int, dict[int, Decimal]]]] = {}
    for component in components:
        ids = [p.application_id for p in places if p.component == component]
        latest[component] = _latest_scores(ids, component)
        confirmed[component] = _confirmed_sheets(ids, sheets_by_component[component])
    for place in places:
        score = latest[place.component].get(place.application_id)
        sitting_no = score.sitting_no if score else 1
        round_no = current_round(score)
        sheets = sheets_by_component[place.component]
        done = confirmed[place.component].get((place.application_id, sitting_no, round_no), {})
        members = []
        for m in place.panel.members.all():
            mine = done.get(m.staff_id, {})
            total = sum(mine.values(), Decimal(0)) if len(mine) == len(sheets) else None
            members.append((m.staff, len(mine), total))
        rows.append(
            ProgressRow(
                place=place,
                sitting_no=sitting_no,
                round=round_no,
                score=score,
                members=members,
                sheets=len(sheets),
            )
        )
    return rows
