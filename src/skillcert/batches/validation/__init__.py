"""The plan check (认定计划校验): what a batch must satisfy before it is filed.

:func:`batch_validate` reads the batch, its sessions and staffing and answers a
:class:`PlanCheck` — a checklist of items, each with its errors and warnings (a stable
``code`` and a Chinese message). It writes nothing. Filing refuses a plan with any error
(川人社办发〔2020〕20号 附件4; 沪人社职〔2022〕102号 附件 四(一)); warnings are shown only.

Numbers come from the province policy and the standard's level (national standards §1.9),
taking the stricter of the two: more proctors and examiners, longer durations.
"""

from __future__ import annotations

from datetime import date, timedelta

from skillcert.batches.models import Batch
from skillcert.batches.validation import schedule, staffing
from skillcert.batches.validation.context import PlanData, Requirements, local_day
from skillcert.batches.validation.report import (
    CHECK_LABELS,
    Check,
    CheckItem,
    Collector,
    PlanCheck,
    PlanIssue,
)
from skillcert.core.workdays import Deadline, deadline
from skillcert.institutions.scope import province_policy

__all__ = [
    "CHECK_LABELS",
    "Check",
    "CheckItem",
    "PlanCheck",
    "PlanIssue",
    "Requirements",
    "batch_validate",
    "local_day",
    "plan_filing_due",
]


def plan_filing_due(batch: Batch, first_session: date | None) -> Deadline:
    """When the plan must be filed (川人社办发〔2020〕20号 附件4 (一)): within the policy's
    working days (30) after enrollment closes, and before the first session — so the day
    before it when that comes first. Provisional when counted through a year without a
    holiday schedule."""
    policy = province_policy(batch.institution.organisation.province_id)
    counted = deadline(batch.enrollment_closes, policy.batch_plan_filing_working_days)
    if first_session is not None and first_session - timedelta(days=1) < counted.due:
        return Deadline(first_session - timedelta(days=1), provisional=False)
    return counted


def batch_validate(batch: Batch) -> PlanCheck:
    """Check the plan; pure (reads only). See the module docstring."""
    policy = province_policy(batch.institution.organisation.province_id)
    plan = PlanData(
        batch=batch,
        need=Requirements.of(batch, policy),
        sessions=list(batch.sessions.select_related("room__site").order_by("starts_at", "pk")),
        assignments=list(
            batch.assignments.select_related("staff").prefetch_related("staff__qualifications")
        ),
    )
    out = Collector()
    checks = [
        Check.SCOPE,
        Check.WEIGHTS,
        Check.DATES,
        Check.COMPONENTS,
        Check.DURATIONS,
        Check.ROOMS,
        Check.PROCTORS,
        Check.EXAMINERS,
    ]
    schedule.scope(plan, out)
    schedule.weights(batch, out)
    schedule.dates(plan, out)
    schedule.components(plan, out)
    schedule.durations(plan, out)
    schedule.rooms(plan, out)
    staffing.proctors(plan, out)
    staffing.examiners(plan, out)
    if batch.needs_review:
        checks.append(Check.REVIEW_PANEL)
        staffing.review_panel(plan, out)
    checks += [Check.SUPERVISOR, Check.EXAM_STAFF, Check.ROTATION]
    staffing.supervisor(plan, out)
    staffing.exam_staff(plan, out)
    staffing.double_booked_staff(plan, out)
    staffing.rotation(plan, out)
    return PlanCheck(errors=tuple(out.errors), warnings=tuple(out.warnings), checks=tuple(checks))
