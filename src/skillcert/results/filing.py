"""Filing the batch's results with the centre, and the centre's decision.

沪人社职〔2022〕102号 附件四: results are filed (报备) within 5 working days (policy
``results_filing_working_days``) after the last session. The institution files while or
after the announcement runs; the institution's HR authority approves once publicity is
over and no objection is open, or returns the results for corrections, after which the
institution files them again.

published → filed → approved | returned → filed → …
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.workdays import deadline
from skillcert.institutions.scope import province_policy
from skillcert.results.choices import ObjectionStatus, ResultsStatus
from skillcert.results.models import BatchResults, Objection
from skillcert.results.permissions import can_decide, can_manage
from skillcert.stats.aggregates import mark_stale

# Results not yet with the centre: their filing deadline runs.
NOT_FILED = frozenset({ResultsStatus.SCORING, ResultsStatus.PUBLISHED, ResultsStatus.RETURNED})


def filing_due(batch: Batch) -> tuple[date, bool]:
    """The filing deadline and whether it is provisional (counted through a year without
    a holiday schedule): N working days after the local date the last session ends
    (沪人社职〔2022〕102号 附件四)."""
    policy = province_policy(batch.institution.organisation.province_id)
    last = batch.sessions.order_by("-starts_at").first()
    start = timezone.localdate(last.ends_at) if last is not None else batch.enrollment_closes
    due = deadline(start, policy.results_filing_working_days)
    return due.due, due.provisional


def is_overdue(batch_results: BatchResults, today: date) -> bool:
    """Not with the centre (being scored, published or returned) after the deadline."""
    if batch_results.status not in NOT_FILED:
        return False
    due = batch_results.filing_due or filing_due(batch_results.batch)[0]
    return today > due


def filings_for(actor: Actor, today: date | None = None) -> QuerySet[BatchResults]:
    """The batch results the actor may see, overdue ones first, then by deadline."""
    day = today or timezone.localdate()
    overdue = Q(status__in=NOT_FILED, filing_due__lt=day)
    return (
        BatchResults.objects.for_actor(actor)
        .select_related("batch__institution__organisation", "batch__occupation")
        .annotate(
            overdue=Case(
                When(overdue, then=Value(True)), default=False, output_field=BooleanField()
            )
        )
        .order_by("-overdue", "filing_due", "batch_id")
    )


def _locked(batch: Batch) -> tuple[Batch, BatchResults]:
    locked = lock_batch(batch)
    results = BatchResults.objects.select_for_update().filter(batch=locked).first()
    if results is None or results.status == ResultsStatus.SCORING:
        raise InvalidTransition(_("该批次成绩尚未发布公示。"), code="not_published")
    return locked, results


def _audit(
    actor: Actor, action: str, batch: Batch, results: BatchResults, **changes: object
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=results,
        organisation=batch.institution.organisation,
        changes=dict(changes),
    )


@transaction.atomic
def results_file(*, actor: Actor, batch: Batch, today: date | None = None) -> BatchResults:
    """File the published (or returned and corrected) results with the centre; allowed
    during publicity. A late filing is accepted and flagged in the audit."""
    if not can_manage(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以报备成绩。"))
    locked, results = _locked(batch)
    if results.status not in (ResultsStatus.PUBLISHED, ResultsStatus.RETURNED):
        raise InvalidTransition(
            _("成绩状态为“%(status)s”，不能报备。") % {"status": results.get_status_display()}
        )
    day = today or timezone.localdate()
    late = is_overdue(results, day)
    before = results.status
    results.status = ResultsStatus.FILED
    results.filed_at = timezone.now()
    results.filed_by_label = actor.label[:128]
    results.save(update_fields=["status", "filed_at", "filed_by_label", "updated_at"])
    _audit(
        actor,
        "results.file",
        locked,
        results,
        status=[before, results.status],
        filing_due=results.filing_due,
        overdue=late,
    )
    return results


@transaction.atomic
def results_approve(*, actor: Actor, batch: Batch, today: date | None = None) -> BatchResults:
    """The centre approves filed results: only after the publicity period and with no
    objection or review request open. The batch becomes 成绩已备案."""
    if not can_decide(actor, batch):
        raise PermissionDenied(_("只有该机构的属地人社部门可以审核成绩备案。"))
    locked, results = _locked(batch)
    if results.status != ResultsStatus.FILED:
        raise InvalidTransition(
            _("成绩状态为“%(status)s”，不能审核。") % {"status": results.get_status_display()}
        )
    day = today or timezone.localdate()
    if results.publicity_ends is not None and day <= results.publicity_ends:
        raise InvalidTransition(
            _("成绩公示期至%(date)s，公示期满后才能审核通过。")
            % {"date": results.publicity_ends.isoformat()},
            code="publicity_running",
        )
    open_count = Objection.objects.filter(
        application__batch=locked, status=ObjectionStatus.SUBMITTED
    ).count()
    if open_count:
        raise InvalidTransition(
            _("还有%(n)d件异议或复核申请未处理，处理完毕后才能审核通过。") % {"n": open_count},
            code="objections_open",
        )
    if locked.status != BatchStatus.RESULTS_PUBLISHED:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能审核成绩。") % {"status": locked.get_status_display()}
        )
    results.status = ResultsStatus.APPROVED
    results.decided_at = timezone.now()
    results.decided_by_label = actor.label[:128]
    results.save(update_fields=["status", "decided_at", "decided_by_label", "updated_at"])
    mark_stale(locked.pk)  # DESIGN.md step 10: approved results now count
    locked.status = BatchStatus.RESULTS_FILED
    locked.save(update_fields=["status"])
    _audit(
        actor,
        "results.approve",
        locked,
        results,
        status=[ResultsStatus.FILED, ResultsStatus.APPROVED],
        batch_status=[BatchStatus.RESULTS_PUBLISHED, BatchStatus.RESULTS_FILED],
    )
    return results


@transaction.atomic
def results_return(*, actor: Actor, batch: Batch, reason: str) -> BatchResults:
    """The centre returns filed results with its reasons; the institution corrects
    (scores, objections) and files them again."""
    if not can_decide(actor, batch):
        raise PermissionDenied(_("只有该机构的属地人社部门可以退回成绩备案。"))
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写退回原因。"), code="reason_required")
    locked, results = _locked(batch)
    if results.status != ResultsStatus.FILED:
        raise InvalidTransition(
            _("成绩状态为“%(status)s”，不能退回。") % {"status": results.get_status_display()}
        )
    results.status = ResultsStatus.RETURNED
    results.decided_at = timezone.now()
    results.decided_by_label = actor.label[:128]
    results.returned_reason = reason
    results.save(
        update_fields=["status", "decided_at", "decided_by_label", "returned_reason", "updated_at"]
    )
    _audit(
        actor,
        "results.return",
        locked,
        results,
        status=[ResultsStatus.FILED, ResultsStatus.RETURNED],
        reason=reason,
    )
    return results
