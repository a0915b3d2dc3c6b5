"""The batch's states (DESIGN.md lifecycle step 2):

draft → filed → approved | returned (edited and filed again) → enrolling → enrollment
closed → in progress (a session opened: configuration frozen) → assessed (every session
closed). Later states belong to results and certificates.

The plan is filed with the centre (川人社办发〔2020〕20号 附件4 (一): 认定计划须于招生和培训
报名完成后30个工作日内报职鉴中心; 沪人社职〔2022〕102号 附件 四(一): 每批次评价前编制评价
计划 … 向市职鉴中心备案); the authority over the institution approves or returns it.

``today`` parameters default to the local date; the demo and tests pass another day.
Views never pass them.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BATCH_EDITABLE, BatchStatus, SessionStatus
from skillcert.batches.models import Batch, Session
from skillcert.batches.selectors import is_filing_overdue
from skillcert.batches.services.common import (
    audit,
    lock_batch,
    require_centre,
    require_planner,
    require_status,
    require_valid,
)
from skillcert.batches.validation import local_day, plan_filing_due
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition
from skillcert.institutions.scope import scope_allows


def _set_status(batch: Batch, status: str, *fields: str) -> str:
    before = batch.status
    batch.status = status
    batch.save(update_fields=["status", *fields])
    return before


@transaction.atomic
def batch_file(*, actor: Actor, batch: Batch, today: date | None = None) -> Batch:
    """File the plan with the centre. Refused, with every error listed, unless the plan
    validates. Fixes the due date (the earlier of N working days after enrollment closes
    and the day before the first session); a late filing is accepted and flagged."""
    require_planner(actor, batch.institution)
    locked = lock_batch(batch)
    require_status(locked, BATCH_EDITABLE, _("报备"))
    check = require_valid(locked, _("认定计划未通过校验，不能报备："))
    first = locked.sessions.order_by("starts_at").first()
    due = plan_filing_due(locked, local_day(first) if first else None)
    locked.filing_due, locked.filing_due_provisional = due.due, due.provisional
    locked.filed_at = timezone.now()
    day = today or timezone.localdate()
    before = _set_status(
        locked, BatchStatus.FILED, "filed_at", "filing_due", "filing_due_provisional"
    )
    audit(
        actor,
        "batch.file",
        locked,
        before={"status": before},
        after={"status": locked.status, "filing_due": due.due, "provisional": due.provisional},
        overdue=day > due.due,
        warnings=sorted(check.warning_codes),
    )
    return locked


@transaction.atomic
def batch_approve(*, actor: Actor, batch: Batch) -> Batch:
    """The centre approves a filed plan; a plan that no longer validates (the institution
    was suspended since, a room was closed) must be returned instead."""
    require_centre(actor, batch.institution)
    locked = lock_batch(batch)
    require_status(locked, {BatchStatus.FILED}, _("审核同意"))
    require_valid(locked, _("该计划已不符合要求，请退回机构修改："))
    locked.decided_at = timezone.now()
    before = _set_status(locked, BatchStatus.APPROVED, "decided_at")
    overdue = is_filing_overdue(locked, timezone.localdate())
    audit(
        actor,
        "batch.approve",
        locked,
        before={"status": before},
        after={"status": locked.status},
        filed_late=overdue,
    )
    return locked


@transaction.atomic
def batch_return(*, actor: Actor, batch: Batch, reason: str) -> Batch:
    """The centre returns a filed plan with its reasons; the institution edits and refiles."""
    require_centre(actor, batch.institution)
    locked = lock_batch(batch)
    require_status(locked, {BatchStatus.FILED}, _("退回"))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写退回原因。"), code="reason_required")
    locked.decided_at = timezone.now()
    locked.returned_reason = reason
    before = _set_status(locked, BatchStatus.RETURNED, "decided_at", "returned_reason")
    audit(
        actor,
        "batch.return",
        locked,
        before={"status": before},
        after={"status": locked.status},
        reason=reason,
    )
    return locked


def _require_scope_today(batch: Batch, day: date) -> None:
    """A suspended, revoked or expired institution runs nothing (川人社办发〔2020〕20号 六(五))."""
    decision = scope_allows(batch.institution, batch.occupation, batch.work_type, batch.level, day)
    if not decision.allowed:
        raise DomainError(decision.reason, code=decision.code)


@transaction.atomic
def batch_open_enrollment(*, actor: Actor, batch: Batch, today: date | None = None) -> Batch:
    """Open applications for an approved plan."""
    require_planner(actor, batch.institution)
    locked = lock_batch(batch)
    require_status(locked, {BatchStatus.APPROVED}, _("开始报名"))
    day = today or timezone.localdate()
    _require_scope_today(locked, day)
    require_valid(locked, _("计划调整后不符合要求，不能开始报名："))
    if day > locked.enrollment_closes:
        text = _("报名截止日期（%(closes)s）已过，请先修改计划。")
        raise DomainError(
            text % {"closes": locked.enrollment_closes.isoformat()}, code="enrollment_closed"
        )
    before = _set_status(locked, BatchStatus.ENROLLING)
    audit(
        actor,
        "batch.open_enrollment",
        locked,
        before={"status": before},
        after={"status": locked.status},
    )
    return locked


@transaction.atomic
def batch_close_enrollment(*, actor: Actor, batch: Batch) -> Batch:
    require_planner(actor, batch.institution)
    locked = lock_batch(batch)
    require_status(locked, {BatchStatus.ENROLLING}, _("结束报名"))
    before = _set_status(locked, BatchStatus.ENROLLMENT_CLOSED)
    audit(
        actor,
        "batch.close_enrollment",
        locked,
        before={"status": before},
        after={"status": locked.status},
    )
    return locked


@transaction.atomic
def session_open(*, actor: Actor, session: Session, today: date | None = None) -> Session:
    """Open a session on its day: candidates may sign in. The batch moves to IN_PROGRESS
    and its configuration is frozen from then on (DESIGN.md step 4)."""
    require_planner(actor, session.batch.institution)
    locked = lock_batch(session.batch)
    require_status(locked, {BatchStatus.ENROLLMENT_CLOSED, BatchStatus.IN_PROGRESS}, _("开考"))
    day = today or timezone.localdate()
    if local_day(session) != day:
        text = _("该场次定于%(day)s，只能在当天开考。")
        raise DomainError(text % {"day": local_day(session).isoformat()}, code="not_session_day")
    _require_scope_today(locked, day)
    if locked.frozen_at is None:  # checked once, when the batch goes live
        require_valid(locked, _("计划不符合要求，不能开考："))
    opened = Session.objects.filter(pk=session.pk, status=SessionStatus.PLANNED).update(
        status=SessionStatus.OPEN
    )
    if not opened:
        raise InvalidTransition(_("该场次不是待开考状态。"))
    session.status = SessionStatus.OPEN
    fields = ["frozen_at"] if locked.frozen_at is None else []
    locked.frozen_at = locked.frozen_at or timezone.now()
    before = _set_status(locked, BatchStatus.IN_PROGRESS, *fields)
    audit(
        actor,
        "batch.session_open",
        locked,
        before={"status": before},
        after={"status": locked.status, "session": session.pk, "frozen_at": locked.frozen_at},
    )
    return session


@transaction.atomic
def session_close(*, actor: Actor, session: Session) -> Session:
    """Close an open session; when none is left to sit, the batch is assessed."""
    require_planner(actor, session.batch.institution)
    locked = lock_batch(session.batch)
    closed = Session.objects.filter(pk=session.pk, status=SessionStatus.OPEN).update(
        status=SessionStatus.CLOSED
    )
    if not closed:
        raise InvalidTransition(_("该场次不是已开考状态。"))
    session.status = SessionStatus.CLOSED
    before = locked.status
    remaining = locked.sessions.exclude(status=SessionStatus.CLOSED).exists()
    if not remaining and locked.status == BatchStatus.IN_PROGRESS:
        _set_status(locked, BatchStatus.ASSESSED)
    audit(
        actor,
        "batch.session_close",
        locked,
        before={"status": before},
        after={"status": locked.status, "session": session.pk},
    )
    return session
