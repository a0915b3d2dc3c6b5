"""Objections to the announcement and score review requests (异议与复核), with their
handling recorded.

Provincial practice (DESIGN.md "Rules with numbers"): an objection is raised during the
publicity period (policy ``publicity_working_days``); a score review request within 15
working days of publication (``objection_working_days``). A review checks for omitted
items and summing or recording errors only (漏评、合分、登分), it never re-marks. An upheld
objection or review with a corrected score changes the component score (note 复核更正),
the candidate's result and their row of the announcement.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.results.choices import ObjectionKind, ObjectionStatus, ResultsStatus
from skillcert.results.composite import (
    checked_score,
    require_component,
    result_refresh,
    results_of,
    score_write,
)
from skillcert.results.models import Objection
from skillcert.results.permissions import can_manage

# A corrected score is written while the announcement runs or after the centre returned
# the results; once they are with the centre (or approved) it waits for a return.
CORRECTABLE = frozenset({ResultsStatus.PUBLISHED, ResultsStatus.RETURNED})


def _is_candidate(actor: Actor, application: Application) -> bool:
    return actor.user_id is not None and application.person.user_id == actor.user_id


def objection_submit(
    *,
    actor: Actor,
    application: Application,
    kind: ObjectionKind | str,
    text: str,
    component: str = "",
    today: date | None = None,
) -> Objection:
    """The candidate raises an objection (during publicity) or asks for a score review
    (within the review window); the institution's staff may record one received on
    paper. Only after publication."""
    batch = application.batch
    if not (_is_candidate(actor, application) or can_manage(actor, batch)):
        raise PermissionDenied(_("只有考生本人或本机构的管理员、考务人员可以提出异议或复核申请。"))
    if kind not in ObjectionKind.values:
        raise DomainError(_("请选择异议或成绩复核申请。"), code="bad_kind")
    text = text.strip()
    if not text:
        raise DomainError(_("请填写异议或复核的事由。"), code="text_required")
    if kind == ObjectionKind.REVIEW and not component:
        raise DomainError(_("成绩复核申请须选择要复核的科目。"), code="component_required")
    if component:
        require_component(batch, component)
    day = today or timezone.localdate()
    with transaction.atomic():
        locked = lock_batch(batch)
        if application.batch_id != locked.pk or application.status != ApplicationStatus.APPROVED:
            raise DomainError(_("该考生的报名未审核通过，没有成绩。"), code="not_approved")
        results = results_of(locked, lock=True)
        if results is None or results.publicity_ends is None or results.objections_close is None:
            raise InvalidTransition(_("该批次成绩尚未发布公示。"), code="not_published")
        if kind == ObjectionKind.OBJECTION and day > results.publicity_ends:
            raise InvalidTransition(
                _(
                    "公示期已于%(date)s结束，不能再提出公示异议；如对成绩有疑问，可在%(close)s前申请成绩复核。"
                )
                % {
                    "date": results.publicity_ends.isoformat(),
                    "close": results.objections_close.isoformat(),
                },
                code="window_closed",
            )
        if kind == ObjectionKind.REVIEW and day > results.objections_close:
            raise InvalidTransition(
                _("成绩复核申请已于%(date)s截止。")
                % {"date": results.objections_close.isoformat()},
                code="window_closed",
            )
        duplicate = Objection.objects.filter(
            application=application,
            kind=kind,
            component=component,
            status=ObjectionStatus.SUBMITTED,
        ).exists()
        if duplicate:
            raise InvalidTransition(
                _("已有一件相同的申请正在处理中，请等待处理结果。"), code="duplicate"
            )
        objection = Objection.objects.create(
            application=application,
            kind=kind,
            component=component,
            text=text,
            submitted_by=actor.user,
            submitted_by_label=actor.label[:128],
        )
        audit_record(
            actor=actor,
            action="results.objection.submit",
            obj=objection,
            organisation=locked.institution.organisation,
            changes={
                "kind": str(kind),
                "component": component,
                "by_candidate": _is_candidate(actor, application),
            },
        )
    return objection


def objection_handle(
    *,
    actor: Actor,
    objection: Objection,
    upheld: bool,
    response: str,
    omission_found: bool = False,
    sum_error_found: bool = False,
    corrected_score: Decimal | None = None,
) -> Objection:
    """Record the institution's handling. A review is upheld only for an omission or a
    summing/recording error; an upheld correction writes the component score and
    refreshes the result and the announcement row."""
    application = objection.application
    batch = application.batch
    if not can_manage(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以处理异议和复核申请。"))
    response = response.strip()
    if not response:
        raise DomainError(_("请填写处理意见。"), code="response_required")
    found = omission_found or sum_error_found
    if not upheld and (found or corrected_score is not None):
        raise DomainError(
            _("发现漏评或合分、登分错误、或需要更正成绩时，应认定成立。"), code="inconsistent"
        )
    if upheld and objection.kind == ObjectionKind.REVIEW and not found:
        # A review checks omissions and sums only; it never re-marks.
        raise DomainError(
            _("成绩复核只核查是否漏评、合分或登分错误；未发现此类问题时应维持原成绩。"),
            code="review_scope",
        )
    if corrected_score is not None and not objection.component:
        raise DomainError(_("该申请未指明科目，不能更正成绩。"), code="component_required")
    value = checked_score(corrected_score) if corrected_score is not None else None
    with transaction.atomic():
        locked = lock_batch(batch)
        current = Objection.objects.select_for_update().get(pk=objection.pk)
        if current.status != ObjectionStatus.SUBMITTED:
            raise InvalidTransition(_("该申请已处理。"), code="handled")
        results = results_of(locked, lock=True)
        correction: dict[str, object] = {}
        if value is not None:
            if results is None or results.status not in CORRECTABLE:
                raise InvalidTransition(
                    _("成绩已报备，更正成绩须在人社部门退回后办理。"), code="results_filed"
                )
            application.batch = locked
            _row, correction = score_write(
                application, current.component, value, note="", correction=True
            )
            correction["outcome"] = result_refresh(application).outcome
        current.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        current.response = response
        current.omission_found, current.sum_error_found = omission_found, sum_error_found
        current.handled_at = timezone.now()
        current.handled_by_label = actor.label[:128]
        current.save(
            update_fields=[
                "status",
                "response",
                "omission_found",
                "sum_error_found",
                "handled_at",
                "handled_by_label",
            ]
        )
        audit_record(
            actor=actor,
            action="results.objection.handle",
            obj=current,
            organisation=locked.institution.organisation,
            changes={
                "status": [ObjectionStatus.SUBMITTED, current.status],
                "omission_found": omission_found,
                "sum_error_found": sum_error_found,
                "correction": correction or None,
            },
        )
    return current


def open_objections(batch: Batch) -> QuerySet[Objection]:
    """The batch's objections and review requests not yet handled, oldest first."""
    return (
        Objection.objects.filter(application__batch=batch, status=ObjectionStatus.SUBMITTED)
        .select_related("application__person")
        .order_by("submitted_at", "pk")
    )
