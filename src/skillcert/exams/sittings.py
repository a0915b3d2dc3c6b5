"""Preparing, opening and closing a computer-based theory sitting.

DESIGN.md step 4: papers are assembled and sealed before the window opens; opening the
session freezes the batch (batches.services.workflow.session_open). Candidates may sign
in only while the sitting is open; closing it closes every attempt still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import Component, SessionStatus
from skillcert.batches.models import Session
from skillcert.batches.permissions import can_plan
from skillcert.batches.services import workflow
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import PROVINCE_KINDS, ScopeLevel
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.exams.choices import OPEN_ATTEMPT, AttemptStatus
from skillcert.exams.closing import attempt_close
from skillcert.exams.models import Attempt, Sitting
from skillcert.itembank.assembly import verify_seal
from skillcert.itembank.models import Paper


def require_runner(actor: Actor, session: Session) -> None:
    """The batch's own institution runs its sittings (admin or exam staff)."""
    if not can_plan(actor, session.batch.institution):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以办理此事项。"))


def _audit(actor: Actor, action: str, sitting: Sitting, **changes: object) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=sitting,
        organisation=sitting.session.batch.institution.organisation,
        changes=dict(changes),
    )


@transaction.atomic
def sitting_prepare(*, actor: Actor, session: Session, papers: Sequence[Paper]) -> Sitting:
    """Attach sealed papers (one or more parallel forms) to a theory session."""
    require_runner(actor, session)
    if session.component != Component.THEORY:
        raise DomainError(_("只有理论知识考试场次可以安排机考试卷。"), code="not_theory")
    if session.status != SessionStatus.PLANNED:
        raise InvalidTransition(_("场次已开考或已结束，不能再更换试卷。"), code="not_planned")
    if not papers:
        raise DomainError(_("请至少选择一套试卷。"), code="no_paper")
    batch = session.batch
    for paper in papers:
        if paper.standard_level_id != batch.standard_level_id:
            raise DomainError(
                _("试卷《%(paper)s》不是按本批次的评价依据和等级组卷的。") % {"paper": paper},
                code="wrong_paper",
            )
        if paper.owner_id != batch.institution.organisation_id and (
            paper.owner.level != ScopeLevel.PROVINCE
            or paper.owner.province_id != batch_province(session)
        ):
            raise DomainError(
                _("试卷《%(paper)s》不属于本机构或本省题库。") % {"paper": paper},
                code="wrong_owner",
            )
        if not verify_seal(paper):
            # DESIGN.md step 4: papers are sealed (content hash recorded) before the window.
            raise DomainError(
                _("试卷《%(paper)s》尚未封存或内容与封存哈希不一致。") % {"paper": paper},
                code="not_sealed",
            )
    sitting, _created = Sitting.objects.get_or_create(session=session)
    sitting.papers.set(papers)
    _audit(actor, "exams.sitting.prepare", sitting, papers=[p.pk for p in papers])
    return sitting


def papers_for(session: Session) -> list[Paper]:
    """Sealed papers the session may use: the batch's standard level, from the
    institution's own bank or its province's."""
    batch = session.batch
    organisation = batch.institution.organisation
    return list(
        Paper.objects.filter(standard_level_id=batch.standard_level_id, sealed_at__isnull=False)
        .filter(
            Q(owner_id=organisation.pk)
            | Q(owner__kind__in=PROVINCE_KINDS, owner__province_id=organisation.province_id)
        )
        .order_by("-created_at", "form_label")
    )


def batch_province(session: Session) -> str:
    return session.batch.institution.organisation.province_id


def sitting_ends_at(session: Session, opened_at: datetime) -> datetime:
    """The common deadline: the full duration from the later of start and opening."""
    return max(opened_at, session.starts_at) + timedelta(minutes=session.duration_minutes)


@transaction.atomic
def sitting_open(*, actor: Actor, sitting: Sitting) -> Sitting:
    """Open the session (freezing the batch) and start the sitting's clock."""
    session = sitting.session
    require_runner(actor, session)
    if not sitting.papers.exists():
        raise DomainError(_("尚未安排试卷，不能开考。"), code="no_paper")
    if not all(verify_seal(paper) for paper in sitting.papers.all()):
        raise DomainError(_("试卷封存校验未通过，不能开考。"), code="not_sealed")
    if not session.seats.exists():
        raise DomainError(_("该场次尚未编排座位，不能开考。"), code="no_seats")
    if sitting.opened_at is not None:
        raise InvalidTransition(_("该场次已开考。"), code="already_open")
    if session.status != SessionStatus.OPEN:  # else opened from the batch page already
        workflow.session_open(actor=actor, session=session)
    now = timezone.now()
    sitting.opened_at = now
    sitting.opened_by_label = actor.label[:128]
    sitting.ends_at = sitting_ends_at(session, now)
    sitting.save(update_fields=["opened_at", "opened_by_label", "ends_at"])
    _audit(actor, "exams.sitting.open", sitting, ends_at=sitting.ends_at)
    return sitting


def sitting_close(*, actor: Actor, sitting: Sitting, reason: str = "") -> Sitting:
    """Close every open attempt (as timed out when due, else terminated), then the session.

    Each attempt closes in its own small transaction; the session closes last, so a
    failure part-way leaves the session open for a retry, never half-closed.
    """
    session = sitting.session
    require_runner(actor, session)
    if session.status != SessionStatus.OPEN:
        raise InvalidTransition(_("该场次不是已开考状态。"), code="not_open")
    now = timezone.now()
    for attempt in Attempt.objects.filter(sitting=sitting, status__in=OPEN_ATTEMPT):
        due = attempt.status == AttemptStatus.IN_PROGRESS and attempt.deadline <= now
        attempt_close(
            actor=actor,
            attempt_id=attempt.pk,
            status=AttemptStatus.TIMED_OUT if due else AttemptStatus.TERMINATED,
            reason=reason or _("考场收卷"),
        )
    with transaction.atomic():
        workflow.session_close(actor=actor, session=session)
        sitting.closed_at = now
        sitting.save(update_fields=["closed_at"])
        _audit(actor, "exams.sitting.close", sitting, reason=reason)
    return sitting
