"""An external quality supervisor's work on a drawn batch or session (外部质量督导,
人社职司便函〔2020〕53号; 川人社办发〔2020〕20号 附件4(三): 省、市（州）职鉴中心按照
“双随机一公开”原则，随机抽取督导员进行现场质量督导。积极推行在线督导方式).

The draw (``inspections.plan_draw``) makes an :class:`Inspection` of a plan of kind
EXTERNAL_SUPERVISION with its assigned supervisors. Each of them, signed in, keeps the
lines of the session's 考场记录表 (arrival, rounds, problems, violations, the opinion),
says whether they supervise on site or online, and finishes with a conclusion. Lines
are append-only: a correction is a new line, never an edit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.models import Session
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.workdays import deadline
from skillcert.supervision.choices import (
    Conclusion,
    InspectionStatus,
    NoteKind,
    PlanKind,
    SupervisionMode,
)
from skillcert.supervision.inspections import complete_plan_if_done, is_assigned
from skillcert.supervision.models import (
    Inspection,
    SupervisionNote,
)
from skillcert.supervision.policies import policy_for

TEXT_MAX = 2000
SUMMARY_MAX = 4000
# A line may carry the time of the observation; a clock a little ahead is tolerated.
FUTURE_TOLERANCE = timedelta(minutes=5)
# A finished record holds at least an arrival and the supervisor's opinion.
REQUIRED_KINDS = (NoteKind.ARRIVAL, NoteKind.SUMMARY)


# --- permissions -------------------------------------------------------------------------


def _require_supervisor(actor: Actor, inspection: Inspection) -> None:
    if not is_assigned(actor, inspection):
        raise PermissionDenied(_("只有选派到该任务的督导员可以填写督导记录。"))


def _lock(inspection: Inspection) -> Inspection:
    """The inspection, locked, if it is an external supervision still open."""
    locked = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("plan", "institution__organisation", "session", "batch")
        .get(pk=inspection.pk)
    )
    if locked.plan.kind != PlanKind.EXTERNAL_SUPERVISION:
        raise DomainError(_("该任务不是外部质量督导任务。"), code="not_external_supervision")
    if locked.status == InspectionStatus.FINISHED:
        raise InvalidTransition(_("督导已完成，不能再修改。"), code="finished")
    return locked


# --- the 考场记录表 ------------------------------------------------------------------------


def _session_for(inspection: Inspection, session: Session | None) -> Session | None:
    """The line's session: the given one if it belongs to the task, else the task's own."""
    if session is None:
        return inspection.session
    if session.pk == inspection.session_id or (
        inspection.batch_id is not None and session.batch_id == inspection.batch_id
    ):
        return session
    raise DomainError(_("所选场次不属于该督导任务。"), code="session_not_in_task")


def _note_time(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        raise DomainError(_("记录时间须带时区。"), code="naive_time")
    if at > now + FUTURE_TOLERANCE:
        raise DomainError(_("记录时间不能晚于当前时间。"), code="future_time")
    return at


def note_add(
    *,
    actor: Actor,
    inspection: Inspection,
    kind: str,
    text: str,
    at: datetime | None = None,
    session: Session | None = None,
) -> SupervisionNote:
    """Append a line to the 考场记录表 (川人社办发〔2020〕20号 附件4(三)); the first line
    starts the supervision."""
    _require_supervisor(actor, inspection)
    if kind not in NoteKind.values:
        raise DomainError(_("未知的记录类型。"), code="invalid_kind")
    text = text.strip()
    if not text:
        raise DomainError(_("请填写记录内容。"), code="text_required")
    if len(text) > TEXT_MAX:
        raise DomainError(_("记录内容过长。"), code="text_too_long")
    when = _note_time(at)
    with transaction.atomic():
        locked = _lock(inspection)
        note = SupervisionNote.objects.create(
            inspection=locked,
            session=_session_for(locked, session),
            kind=kind,
            at=when,
            text=text,
            author=actor.user,
            author_label=actor.label[:128],
        )
        started = locked.status == InspectionStatus.ASSIGNED
        if started:
            locked.status = InspectionStatus.IN_PROGRESS
            locked.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="supervision.note_add",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={
                "note": note.pk,
                "kind": kind,
                "session": note.session_id,
                "at": when.isoformat(),
                "started": started,
            },
        )
    return note


def supervision_mode_set(*, actor: Actor, inspection: Inspection, mode: str) -> Inspection:
    """On site (现场督导) or online (远程督导, 积极推行在线督导方式)."""
    _require_supervisor(actor, inspection)
    if mode not in SupervisionMode.values:
        raise DomainError(_("未知的督导方式。"), code="invalid_mode")
    with transaction.atomic():
        locked = _lock(inspection)
        if locked.mode == mode:
            return locked
        before = locked.mode
        locked.mode = mode
        locked.save(update_fields=["mode"])
        audit_record(
            actor=actor,
            action="supervision.mode_set",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={"mode": [before, mode]},
        )
    return locked


def _missing_kinds(inspection: Inspection) -> list[str]:
    present = set(
        SupervisionNote.objects.filter(inspection=inspection).values_list("kind", flat=True)
    )
    return [str(NoteKind(k).label) for k in REQUIRED_KINDS if k not in present]


def supervision_finish(
    *, actor: Actor, inspection: Inspection, conclusion: str, summary: str
) -> Inspection:
    """Close the supervision with a conclusion; a 限期整改 conclusion sets the deadline of
    the province's policy (川人社办发〔2020〕20号 六(五))."""
    _require_supervisor(actor, inspection)
    if conclusion not in Conclusion.values:
        raise DomainError(_("请选择督导结论。"), code="invalid_conclusion")
    summary = summary.strip()
    if not summary:
        raise DomainError(_("请填写督导情况。"), code="summary_required")
    if len(summary) > SUMMARY_MAX:
        raise DomainError(_("督导情况过长。"), code="summary_too_long")
    with transaction.atomic():
        locked = _lock(inspection)
        if not locked.mode:
            raise DomainError(_("请先选择督导方式（现场或远程）。"), code="mode_required")
        missing = _missing_kinds(locked)
        if missing:
            raise DomainError(
                _("考场记录表缺少：%(kinds)s。") % {"kinds": "、".join(missing)},
                code="notes_missing",
            )
        now = timezone.now()
        locked.status = InspectionStatus.FINISHED
        locked.conclusion, locked.summary = conclusion, summary
        locked.finished_at, locked.finished_by_label = now, actor.label[:128]
        fields = ["status", "conclusion", "summary", "finished_at", "finished_by_label"]
        if conclusion == Conclusion.RECTIFY:
            policy = policy_for(locked.institution.organisation.province_id)
            locked.rectification_due = deadline(
                timezone.localdate(now), policy.rectification_working_days
            ).due
            fields.append("rectification_due")
        locked.save(update_fields=fields)
        plan_completed = complete_plan_if_done(locked.plan_id)
        audit_record(
            actor=actor,
            action="supervision.supervision_finish",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={
                "status": [InspectionStatus.IN_PROGRESS, InspectionStatus.FINISHED],
                "conclusion": conclusion,
                "mode": locked.mode,
                "rectification_due": locked.rectification_due,
                "plan_completed": plan_completed,
            },
        )
    return locked


# --- readers -----------------------------------------------------------------------------


def notes_for_session(session: Session) -> QuerySet[SupervisionNote]:
    """The session's 考场记录表 lines in time order, from every supervision of it."""
    return (
        SupervisionNote.objects.filter(session=session)
        .select_related("inspection__plan")
        .order_by("at", "pk")
    )


def notes_for_inspection(inspection: Inspection) -> QuerySet[SupervisionNote]:
    return (
        SupervisionNote.objects.filter(inspection=inspection)
        .select_related("session__room")
        .order_by("at", "pk")
    )
