"""Voiding results for a confirmed candidate violation (成绩无效).

The ladder (DESIGN.md "Rules with numbers"; 技能人才评价违纪违规行为处理工作指引,
人社职司便函〔2021〕57号): 违纪 and 作弊 void the subject concerned; 严重 and 特别严重
void every subject of the sitting and the result. Discovered after the results were
approved, the result is voided and the certificate revoked (云人社函〔2023〕1号 一(四)):
until the certificates service exists, that revocation is recorded as a pending
:class:`CertificateRevocation` which that service carries out.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.results.choices import (
    PANEL_COMPONENTS,
    VOIDS_ALL,
    ComponentState,
    Outcome,
    ResultsStatus,
    RevocationStatus,
    ScoreSource,
    ViolationGrade,
)
from skillcert.results.composite import require_component, result_refresh, results_of
from skillcert.results.models import CertificateRevocation, ComponentScore, Result
from skillcert.results.permissions import can_decide, can_manage
from skillcert.results.selectors import latest_of


def _void_row(application: Application, component: str, grade: str, reason: str) -> str:
    """Void the standing sitting of ``component`` (a row is made if none exists yet);
    returns what it held before."""
    rows = list(
        ComponentScore.objects.select_for_update().filter(
            application=application, component=component
        )
    )
    row = latest_of(rows).get(component)
    if row is None:
        source = ScoreSource.PANEL if component in PANEL_COMPONENTS else ScoreSource.ENTERED
        row = ComponentScore(application=application, component=component, source=source)
        before = ""
    else:
        before = f"{row.score:.2f}" if row.score is not None else str(row.state)
    row.state = ComponentState.VOID
    row.void_grade, row.void_reason = grade, reason
    row.save()
    return before


def _check(actor: Actor, batch: Batch, grade: str, reason: str, component: str) -> str:
    if not (can_manage(actor, batch) or can_decide(actor, batch)):
        raise PermissionDenied(_("只有本机构的管理员、考务人员或属地人社部门可以认定成绩无效。"))
    if grade not in ViolationGrade.values:
        raise DomainError(_("请选择违纪违规等级。"), code="bad_grade")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写认定成绩无效的事实和依据。"), code="reason_required")
    if grade not in VOIDS_ALL:
        if not component:
            raise DomainError(
                _("违纪或作弊只认定所涉科目成绩无效，请选择科目。"), code="component_required"
            )
        require_component(batch, component)
    return reason


def result_void(
    *,
    actor: Actor,
    application: Application,
    grade: ViolationGrade | str,
    reason: str,
    component: str = "",
) -> Result:
    """Void a component (违纪, 作弊) or every component and the result (严重, 特别严重)
    for a confirmed violation; allowed to the institution's staff and its HR authority at
    any stage. If the results were already approved and the candidate had passed, a
    pending certificate revocation is recorded in the same transaction."""
    batch = application.batch
    reason = _check(actor, batch, str(grade), reason, component)
    with transaction.atomic():
        locked = lock_batch(batch)
        if application.batch_id != locked.pk or application.status != ApplicationStatus.APPROVED:
            raise DomainError(_("该考生的报名未审核通过，没有成绩。"), code="not_approved")
        results = results_of(locked, lock=True)
        result, _made = Result.objects.select_for_update().get_or_create(application=application)
        if result.void_grade:
            raise InvalidTransition(_("该考生本次成绩已全部认定无效。"), code="already_void")
        before_outcome = result.outcome
        voids_all = grade in VOIDS_ALL
        components = list(locked.components) if voids_all else [component]
        if not voids_all:
            standing = latest_of(
                ComponentScore.objects.filter(application=application, component=component)
            ).get(component)
            if standing is not None and standing.state == ComponentState.VOID:
                raise InvalidTransition(_("该科目成绩已认定无效。"), code="already_void")
        voided = {c: _void_row(application, c, str(grade), reason) for c in components}
        if voids_all:
            result.void_grade, result.void_reason = str(grade), reason
            result.save(update_fields=["void_grade", "void_reason", "computed_at"])
        application.batch = locked
        result = result_refresh(application)
        revocation = None
        approved = results is not None and results.status == ResultsStatus.APPROVED
        if approved and before_outcome == Outcome.PASSED and result.outcome != Outcome.PASSED:
            # 云人社函〔2023〕1号 一(四): the certificate is revoked; the certificates service
            # carries this out and marks the row done.
            revocation = CertificateRevocation.objects.create(
                application=application,
                reason=reason,
                status=RevocationStatus.PENDING,
                requested_by_label=actor.label[:128],
            )
        audit_record(
            actor=actor,
            action="results.void",
            obj=result,
            organisation=locked.institution.organisation,
            changes={
                "grade": str(grade),
                "reason": reason,
                "components": voided,
                "outcome": [before_outcome, result.outcome],
                "certificate_revocation": revocation.pk if revocation else None,
                "certificate_revocation_status": (RevocationStatus.PENDING if revocation else None),
            },
        )
    return result


def pending_revocations(actor: Actor) -> QuerySet[CertificateRevocation]:
    """Certificate revocations waiting for the certificates service, in the actor's scope."""
    return (
        CertificateRevocation.objects.for_actor(actor)
        .filter(status=RevocationStatus.PENDING)
        .select_related("application__person", "application__batch")
    )
