"""The institution's eligibility review (资格审核, 云人社函〔2023〕1号 二(一): 逐一审查).

Staff of the batch's institution approve (assigning the admission number), reject with a
reason, or ask for more (the application goes back to the candidate, who signs the
pledge again before resubmitting). Approving an application the engine found
ineligible needs a note saying why. Bulk review runs every application through the same
single-item service in one transaction: all succeed or nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.admission import allocate_admission_number
from skillcert.enrollment.choices import (
    APPLICATION_REVIEWABLE,
    ApplicationStatus,
    ReviewDecision,
)
from skillcert.enrollment.models import Application
from skillcert.enrollment.permissions import can_review, is_batch_staff
from skillcert.enrollment.services.base import (
    audit_application,
    lock_application,
    required_text,
)

# Review goes on after enrollment closes, until the sessions start.
REVIEW_BATCH_STATES = frozenset({BatchStatus.ENROLLING, BatchStatus.ENROLLMENT_CLOSED})


def _prepare(actor: Actor, application: Application, verb: str) -> Application:
    if not can_review(actor, application):
        raise PermissionDenied(_("只有该批次评价机构的工作人员可以审核报名申请。"))
    locked = lock_application(application, APPLICATION_REVIEWABLE, verb)
    if locked.batch.status not in REVIEW_BATCH_STATES:
        raise InvalidTransition(
            _("该批次当前状态为“%(status)s”，不能审核报名申请。")
            % {"status": locked.batch.get_status_display()},
            code="batch_state",
        )
    return locked


def _decide(actor: Actor, locked: Application, status: str, note: str) -> str:
    before = locked.status
    locked.status = status
    locked.reviewed_at = timezone.now()
    locked.reviewed_by_label = actor.label[:128]
    locked.review_note = note
    return before


_REVIEW_FIELDS = ["status", "reviewed_at", "reviewed_by_label", "review_note"]


@transaction.atomic
def application_approve(*, actor: Actor, application: Application, note: str = "") -> Application:
    """Approve and assign the admission number (准考证号)."""
    locked = _prepare(actor, application, _("审核通过"))
    note = note.strip()
    if not locked.eligible and not note:
        raise DomainError(
            _("系统核验未找到符合的申报条件，审核通过时须填写审核意见说明理由。"),
            code="note_required",
        )
    before = _decide(actor, locked, ApplicationStatus.APPROVED, note)
    locked.admission_number = allocate_admission_number(locked)
    locked.save(update_fields=[*_REVIEW_FIELDS, "admission_number"])
    audit_application(
        actor,
        "application.approve",
        locked,
        before,
        admission_number=locked.admission_number,
        eligible=locked.eligible,
        note=note,
    )
    return locked


@transaction.atomic
def application_reject(*, actor: Actor, application: Application, reason: str) -> Application:
    """Reject with a reason the candidate sees."""
    reason = required_text(reason, _("请填写不通过的原因。"))
    locked = _prepare(actor, application, _("审核不通过"))
    before = _decide(actor, locked, ApplicationStatus.REJECTED, reason)
    locked.save(update_fields=_REVIEW_FIELDS)
    audit_application(actor, "application.reject", locked, before, reason=reason)
    return locked


@transaction.atomic
def application_request_more(*, actor: Actor, application: Application, note: str) -> Application:
    """Send back to the candidate for more material; the pledge must be signed again."""
    note = required_text(note, _("请说明需要补充的材料。"))
    locked = _prepare(actor, application, _("要求补充材料"))
    before = _decide(actor, locked, ApplicationStatus.MORE_INFO, note)
    locked.pledge_signed_at = None
    locked.pledge_client_address = None
    locked.pledge_text_sha256 = ""
    locked.save(
        update_fields=[
            *_REVIEW_FIELDS,
            "pledge_signed_at",
            "pledge_client_address",
            "pledge_text_sha256",
        ]
    )
    audit_application(actor, "application.request_more", locked, before, note=note)
    return locked


def review_one(*, actor: Actor, application: Application, decision: str, note: str) -> Application:
    """Dispatch one decision to its service."""
    if decision == ReviewDecision.APPROVE:
        return application_approve(actor=actor, application=application, note=note)
    if decision == ReviewDecision.REJECT:
        return application_reject(actor=actor, application=application, reason=note)
    if decision == ReviewDecision.MORE_INFO:
        return application_request_more(actor=actor, application=application, note=note)
    raise DomainError(_("未知的审核决定。"), code="invalid_decision")


@dataclass(frozen=True)
class BulkOutcome:
    """What happened (or would have) to one application of a bulk review."""

    application_id: int
    ok: bool
    message: str
    status: str = ""


class BulkReviewRefused(DomainError):
    """At least one application could not be decided; nothing was written."""

    def __init__(self, outcomes: list[BulkOutcome]) -> None:
        failed = [o for o in outcomes if not o.ok]
        super().__init__(
            _("%(n)d 份申请无法按此决定处理，全部未作更改。") % {"n": len(failed)},
            code="bulk_refused",
        )
        self.outcomes = outcomes


@transaction.atomic
def applications_review_bulk(
    *, actor: Actor, batch: Batch, ids: Sequence[int], decision: str, note: str
) -> list[BulkOutcome]:
    """Decide many applications of ``batch`` at once, all or nothing.

    Each goes through the single-item service inside its own savepoint, so every
    refusal is reported per id; if any is refused the whole transaction rolls back and
    :class:`BulkReviewRefused` carries the outcomes.
    """
    if not is_batch_staff(actor, batch):
        raise PermissionDenied(_("只有该批次评价机构的工作人员可以审核报名申请。"))
    if decision not in ReviewDecision.values:
        raise DomainError(_("未知的审核决定。"), code="invalid_decision")
    wanted = list(dict.fromkeys(int(i) for i in ids))
    if not wanted:
        raise DomainError(_("请至少选择一份申请。"), code="nothing_selected")
    found = {
        a.pk: a
        for a in Application.objects.filter(batch=batch, pk__in=wanted).select_related(
            "batch__institution__organisation", "person"
        )
    }
    outcomes: list[BulkOutcome] = []
    for pk in wanted:
        application = found.get(pk)
        if application is None:
            outcomes.append(BulkOutcome(pk, False, _("不是该批次的报名申请。")))
            continue
        try:
            done = review_one(actor=actor, application=application, decision=decision, note=note)
        except DomainError as exc:
            outcomes.append(BulkOutcome(pk, False, str(exc.message), application.status))
        else:
            outcomes.append(BulkOutcome(pk, True, done.get_status_display(), done.status))
    if not all(o.ok for o in outcomes):
        raise BulkReviewRefused(outcomes)
    return outcomes
