"""Helpers the batch services share: permission checks, the locked batch row, the audit."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.permissions import can_decide, can_plan
from skillcert.batches.validation import PlanCheck, batch_validate
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.institutions.models import Institution


class PlanInvalid(DomainError):
    """A plan with errors: the message lists every one; ``check`` holds them all."""

    def __init__(self, check: PlanCheck, intro: str) -> None:
        lines = "；".join(
            f"{n}. {issue.message.rstrip('。')}" for n, issue in enumerate(check.errors, 1)
        )
        super().__init__(f"{intro}{lines}。", code="plan_invalid")
        self.check = check


def require_planner(actor: Actor, institution: Institution) -> None:
    if not can_plan(actor, institution):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以办理此事项。"))


def require_centre(actor: Actor, institution: Institution) -> None:
    if not can_decide(actor, institution):
        raise PermissionDenied(_("只有该机构的属地人社部门可以审核认定计划。"))


def lock_batch(batch: Batch) -> Batch:
    """The batch row under SELECT … FOR UPDATE: changes to one batch run one at a time."""
    return (
        Batch.objects.select_for_update(of=("self",))
        .select_related("institution__organisation", "standard_level", "occupation", "work_type")
        .get(pk=batch.pk)
    )


def require_status(batch: Batch, allowed: set[str] | frozenset[str], verb: str) -> None:
    if batch.status not in allowed:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能%(verb)s。")
            % {"status": batch.get_status_display(), "verb": verb}
        )


def require_not_frozen(batch: Batch) -> None:
    """Once a session is live the configuration is frozen (DESIGN.md step 4)."""
    if batch.is_frozen:
        raise DomainError(_("该批次已开考，计划配置已冻结，不能再修改。"), code="frozen")


# Before approval the institution edits the whole plan; after it, sessions and staff may
# still be adjusted (another room once enrollment is known, a replacement examiner) until
# a session opens. Each adjustment is audited, and the plan must validate again before
# enrollment opens and before any session opens. While the centre reviews it, nothing
# changes.
ADJUSTABLE = frozenset({BatchStatus.APPROVED, BatchStatus.ENROLLING, BatchStatus.ENROLLMENT_CLOSED})


def require_adjustable(batch: Batch) -> None:
    require_not_frozen(batch)
    if not (batch.is_editable or batch.status in ADJUSTABLE):
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，等待人社部门审核期间不能修改计划。")
            % {"status": batch.get_status_display()}
        )


def require_valid(batch: Batch, intro: str) -> PlanCheck:
    """Refuse, listing every error, unless the plan validates."""
    check = batch_validate(batch)
    if not check.ok:
        raise PlanInvalid(check, intro)
    return check


def audit(actor: Actor, action: str, batch: Batch, **changes: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=batch,
        organisation=batch.institution.organisation,
        changes=changes,
    )
