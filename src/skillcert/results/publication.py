"""Publishing a batch's results for the publicity period (成绩公示).

Provincial practice (DESIGN.md "Rules with numbers"): the results are announced for 5
working days (policy ``publicity_working_days``), objections are raised during that time
and score review requests (复核) within 15 working days (``objection_working_days``).
The announcement is frozen at publication as rows with masked names and ID numbers; only
a correction (an upheld objection, a voided result, a correction after the centre
returned the results) rewrites that candidate's row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import InvalidTransition
from skillcert.core.workdays import deadline
from skillcert.institutions.scope import province_policy
from skillcert.results import filing
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.composite import require_manager, result_refresh, results_of
from skillcert.results.models import BatchResults, Result
from skillcert.results.selectors import (
    announcement_row,
    approved_applications,
    latest_of,
    scores_by_application,
)


@transaction.atomic
def results_publish(*, actor: Actor, batch: Batch, today: date | None = None) -> BatchResults:
    """Publish the computed results: every session over (考核结束), every candidate's
    result computed and none pending. Fixes the publicity end, the review window and the
    filing deadline in Chinese working days; the batch becomes 成绩公示."""
    require_manager(actor, batch)
    locked = lock_batch(batch)
    if locked.status != BatchStatus.ASSESSED:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，全部场次结束（考核结束）后才能发布成绩。")
            % {"status": locked.get_status_display()}
        )
    results = results_of(locked, lock=True)
    if results is None:
        raise InvalidTransition(_("请先统分，再发布成绩。"), code="not_computed")
    if results.status != ResultsStatus.SCORING:
        raise InvalidTransition(_("该批次成绩已发布。"), code="already_published")
    applications = approved_applications(locked)
    computed = set(
        Result.objects.filter(application__batch=locked).values_list("application_id", flat=True)
    )
    missing = [a for a in applications if a.pk not in computed]
    if missing:
        raise InvalidTransition(
            _("有%(n)d名考生尚未统分，请先统分。") % {"n": len(missing)}, code="not_computed"
        )
    found: dict[int, Result] = {}
    for application in applications:
        application.batch = locked
        found[application.pk] = result_refresh(application)
    pending = [
        a.admission_number or str(a.pk)
        for a in applications
        if found[a.pk].outcome == Outcome.PENDING
    ]
    if pending:
        raise InvalidTransition(
            _("以下考生成绩待定（未评分、待复评或补考未完成），不能发布：%(list)s。")
            % {"list": "、".join(pending[:20])},
            code="pending_results",
        )
    policy = province_policy(locked.institution.organisation.province_id)
    day = today or timezone.localdate()
    publicity = deadline(day, policy.publicity_working_days)
    review = deadline(day, policy.objection_working_days)
    due, due_provisional = filing.filing_due(locked)
    scores = scores_by_application(locked)
    results.announcement = [
        announcement_row(a, found[a.pk], latest_of(scores.get(a.pk, []))) for a in applications
    ]
    results.status = ResultsStatus.PUBLISHED
    results.published_at = timezone.now()
    results.publicity_ends = publicity.due
    results.objections_close = review.due
    results.filing_due = due
    results.deadlines_provisional = publicity.provisional or review.provisional or due_provisional
    results.save()
    locked.status = BatchStatus.RESULTS_PUBLISHED
    locked.save(update_fields=["status"])
    outcomes: dict[str, int] = {}
    for result in found.values():
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
    audit_record(
        actor=actor,
        action="results.publish",
        obj=results,
        organisation=locked.institution.organisation,
        changes={
            "status": [ResultsStatus.SCORING, ResultsStatus.PUBLISHED],
            "batch_status": [BatchStatus.ASSESSED, BatchStatus.RESULTS_PUBLISHED],
            "publicity_ends": results.publicity_ends,
            "objections_close": results.objections_close,
            "filing_due": results.filing_due,
            "provisional": results.deadlines_provisional,
            "candidates": len(applications),
            "outcomes": outcomes,
        },
    )
    return results


def announcement_rows(batch_results: BatchResults) -> list[dict[str, Any]]:
    """The announcement's masked rows as published (and corrected since)."""
    return [dict(row) for row in batch_results.announcement]


def public_announcements() -> QuerySet[BatchResults]:
    """Every published announcement, newest first. Public: the rows are masked and
    frozen, so no scoping applies."""
    return (
        BatchResults.objects.filter(published_at__isnull=False)
        .exclude(status=ResultsStatus.SCORING)
        .select_related("batch__institution__organisation", "batch__occupation", "batch__work_type")
        .order_by("-published_at", "-pk")
    )
