"""Applications (申报): the 申报表, evidence, the truthfulness pledge and submission.

draft → submitted → approved | rejected | more_info (→ submitted again); withdrawn from
any open state. The candidate applies for themself, or the batch's institution staff on
their behalf; only the candidate signs the pledge (云人社函〔2023〕1号 二(一): 完整、准确、
真实填报申报表，提供对应佐证材料及真实性书面承诺). Submission runs the eligibility engine
and stores what it found for every route.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import PurePath
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.uploads import checked_upload
from skillcert.enrollment.choices import (
    APPLICATION_EDITABLE,
    APPLICATION_WITHDRAWABLE,
    ApplicationStatus,
    EvidenceKind,
)
from skillcert.enrollment.eligibility import (
    RouteResult,
    diploma_pending_after,
    evaluate,
    holds_any,
)
from skillcert.enrollment.models import Application, Evidence, Person
from skillcert.enrollment.permissions import (
    can_apply,
    can_edit_application,
    is_batch_staff,
    is_self,
)
from skillcert.enrollment.services.base import (
    audit_application,
    clean_or_raise,
    lock_application,
    today_or,
)
from skillcert.enrollment.services.persons import person_find_or_create

# Evidence: PDF and images only, checked by content and by declared extension.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def _checked(uploaded_file: UploadedFile) -> tuple[bytes, str, str]:
    upload = checked_upload(uploaded_file, max_bytes=EVIDENCE_MAX_BYTES)
    return upload.data, upload.content_type, upload.extension


# The truthfulness pledge (真实性书面承诺, 云人社函〔2023〕1号 二(一)); its SHA-256 is stored
# with the signature, so a later change of wording never rewrites what was signed.
PLEDGE_TEXT = (
    "本人承诺：所填报的职业技能等级认定申报表信息，以及提交的身份、学历、学籍、工作经历、"
    "职业资格（技能等级）证书等佐证材料，均真实、准确、完整。如有虚假，本人自愿承担"
    "取消申报资格、认定成绩无效、撤销已取得证书等后果及相应的法律责任。"
)


def pledge_sha256(text: str = PLEDGE_TEXT) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _routes_count(batch: Batch) -> int:
    return len(batch.standard_level.eligibility_routes or [])


def _check_route(batch: Batch, declared_route: int | None) -> None:
    if declared_route is not None and not 0 <= declared_route < _routes_count(batch):
        raise DomainError(_("所选申报条件不属于该标准等级。"), code="invalid_route")


@transaction.atomic
def application_create(
    *,
    actor: Actor,
    person: Person,
    batch: Batch,
    employer: str = "",
    current_job: str = "",
    work_years: int = 0,
    declared_route: int | None = None,
) -> Application:
    """A draft application of ``person`` to ``batch``, which must be enrolling; one per
    person and batch."""
    if not can_apply(actor, person, batch):
        raise PermissionDenied(_("只有本人或该批次评价机构的工作人员可以填报申请。"))
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != BatchStatus.ENROLLING:
        raise InvalidTransition(
            _("该批次当前状态为“%(status)s”，不在报名期内。")
            % {"status": locked.get_status_display()},
            code="not_enrolling",
        )
    if Application.objects.filter(person=person, batch=locked).exists():
        raise DomainError(_("该人员已报名此批次。"), code="duplicate")
    _check_route(locked, declared_route)
    application = Application(
        person=person,
        batch=locked,
        employer=employer.strip(),
        current_job=current_job.strip(),
        work_years=work_years,
        declared_route=declared_route,
    )
    clean_or_raise(application, exclude=["person", "batch"])
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError as exc:
        raise DomainError(_("该人员已报名此批次。"), code="duplicate") from exc
    audit_application(actor, "application.create", application)
    return application


@transaction.atomic
def application_register(
    *,
    actor: Actor,
    batch: Batch,
    full_name: str,
    id_type: str,
    id_number: str,
    phone: str = "",
    employer: str = "",
    current_job: str = "",
    work_years: int = 0,
    declared_route: int | None = None,
) -> Application:
    """Institution staff apply on a candidate's behalf (团体申报): the person is found by
    their ID number (or registered) and the draft created, in one transaction."""
    if not is_batch_staff(actor, batch):
        raise PermissionDenied(_("只有该批次评价机构的工作人员可以代为报名。"))
    person = person_find_or_create(
        actor=actor, full_name=full_name, id_type=id_type, id_number=id_number, phone=phone
    )
    return application_create(
        actor=actor,
        person=person,
        batch=batch,
        employer=employer,
        current_job=current_job,
        work_years=work_years,
        declared_route=declared_route,
    )


def _require_editor(actor: Actor, application: Application) -> None:
    if not can_edit_application(actor, application):
        raise PermissionDenied(_("只有本人或该批次评价机构的工作人员可以修改申请。"))


@transaction.atomic
def application_update(
    *,
    actor: Actor,
    application: Application,
    employer: str,
    current_job: str,
    work_years: int,
    declared_route: int | None,
) -> Application:
    """Change the 申报表's own fields while the application is a draft or sent back."""
    _require_editor(actor, application)
    locked = lock_application(application, APPLICATION_EDITABLE, _("修改"))
    _check_route(locked.batch, declared_route)
    locked.employer, locked.current_job = employer.strip(), current_job.strip()
    locked.work_years, locked.declared_route = work_years, declared_route
    fields = ["employer", "current_job", "work_years", "declared_route"]
    clean_or_raise(locked, exclude=["person", "batch"])
    locked.save(update_fields=fields)
    audit_application(actor, "application.update", locked)
    return locked


# ---------------------------------------------------------------- evidence


@transaction.atomic
def evidence_upload(
    *, actor: Actor, application: Application, kind: str, uploaded_file: UploadedFile
) -> Evidence:
    """Store one piece of evidence: PDF, JPEG or PNG by content with a matching extension,
    at most ``EVIDENCE_MAX_BYTES``, under a random name in the private default storage."""
    _require_editor(actor, application)
    locked = lock_application(application, APPLICATION_EDITABLE, _("上传材料"))
    if kind not in EvidenceKind.values:
        raise DomainError(_("未知的材料类型。"), code="invalid_kind")
    data, content_type, extension = _checked(uploaded_file)
    evidence = Evidence(
        application=locked,
        kind=kind,
        original_name=PurePath(uploaded_file.name or "").name[-200:],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_label=actor.label[:128],
    )
    clean_or_raise(evidence, exclude=["file", "application"])
    evidence.file.save(f"{uuid4().hex}.{extension}", ContentFile(data), save=False)
    evidence.save()
    audit_application(
        actor,
        "application.evidence_upload",
        locked,
        evidence={"kind": kind, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence


@transaction.atomic
def evidence_remove(*, actor: Actor, evidence: Evidence) -> None:
    """Remove evidence while the application is editable; the file goes after commit."""
    _require_editor(actor, evidence.application)
    locked = lock_application(evidence.application, APPLICATION_EDITABLE, _("删除材料"))
    name, storage = evidence.file.name, evidence.file.storage
    Evidence.objects.filter(pk=evidence.pk, application=locked).delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    audit_application(
        actor,
        "application.evidence_remove",
        locked,
        evidence={"kind": evidence.kind, "sha256": evidence.sha256},
    )


# ---------------------------------------------------------------- pledge and submission


@transaction.atomic
def pledge_sign(
    *, actor: Actor, application: Application, client_address: str, pledge_text: str
) -> Application:
    """The candidate signs the truthfulness pledge: time, client address and the SHA-256
    of the text they saw. Only the candidate themself can sign."""
    if not is_self(actor, application.person):
        raise PermissionDenied(_("真实性承诺只能由参评人员本人签署。"), code="not_self")
    locked = lock_application(application, APPLICATION_EDITABLE, _("签署承诺"))
    if pledge_text != PLEDGE_TEXT:
        raise DomainError(
            _("承诺书内容已更新，请刷新页面后阅读并重新签署。"), code="pledge_changed"
        )
    locked.pledge_signed_at = timezone.now()
    locked.pledge_client_address = client_address
    locked.pledge_text_sha256 = pledge_sha256(pledge_text)
    clean_or_raise(locked, exclude=["person", "batch"])
    locked.save(update_fields=["pledge_signed_at", "pledge_client_address", "pledge_text_sha256"])
    audit_application(
        actor,
        "application.pledge_sign",
        locked,
        pledge={"sha256": locked.pledge_text_sha256, "client_address": client_address},
    )
    return locked


def evaluate_application(application: Application, on_date: date) -> list[RouteResult]:
    """The engine's findings for the application's person, batch and uploaded evidence."""
    # .all(): a caller checking many applications prefetches their evidence.
    kinds = {evidence.kind for evidence in application.evidence.all()}
    return evaluate(
        application.person,
        application.batch.standard_level,
        on_date=on_date,
        occupation=application.batch.occupation,
        evidence_kinds=kinds,
    )


@transaction.atomic
def application_submit(
    *, actor: Actor, application: Application, today: date | None = None
) -> Application:
    """Submit for review: needs the signed pledge and an enrolling batch (a resubmission
    after a request for more may come after enrollment closed). Stores the engine's
    result for every route, ``eligible`` and ``diploma_pending``."""
    _require_editor(actor, application)
    locked = lock_application(application, APPLICATION_EDITABLE, _("提交"))
    allowed = {BatchStatus.ENROLLING}
    if locked.status == ApplicationStatus.MORE_INFO:
        allowed.add(BatchStatus.ENROLLMENT_CLOSED)
    if locked.batch.status not in allowed:
        raise InvalidTransition(
            _("该批次当前状态为“%(status)s”，不能提交申请。")
            % {"status": locked.batch.get_status_display()},
            code="not_enrolling",
        )
    if locked.pledge_signed_at is None:
        raise DomainError(_("请先由本人签署真实性承诺。"), code="no_pledge")
    day = today_or(today)
    # 云人社函〔2023〕1号 一(四): a person barred for a violation may not apply anywhere.
    from skillcert.supervision.integrity import require_not_barred

    require_not_barred(locked.person.id_number_index, on=day, as_staff=False)
    results = evaluate_application(locked, day)
    before = locked.status
    locked.status = ApplicationStatus.SUBMITTED
    locked.eligibility = [r.as_json() for r in results]
    locked.eligible = holds_any(results)
    locked.eligibility_checked_on = day
    locked.diploma_pending = diploma_pending_after(locked.person, results, day)
    locked.submitted_at = timezone.now()
    locked.save(
        update_fields=[
            "status",
            "eligibility",
            "eligible",
            "eligibility_checked_on",
            "diploma_pending",
            "submitted_at",
        ]
    )
    audit_application(
        actor,
        "application.submit",
        locked,
        before,
        eligible=locked.eligible,
        routes_holding=[r.index for r in results if r.holds],
        diploma_pending=locked.diploma_pending,
    )
    return locked


@transaction.atomic
def application_withdraw(*, actor: Actor, application: Application) -> Application:
    """The candidate (or the staff at their request) withdraws before the decision."""
    _require_editor(actor, application)
    locked = lock_application(application, APPLICATION_WITHDRAWABLE, _("撤回"))
    before = locked.status
    locked.status = ApplicationStatus.WITHDRAWN
    locked.save(update_fields=["status"])
    audit_application(actor, "application.withdraw", locked, before)
    return locked
