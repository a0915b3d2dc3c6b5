"""Corrections (修改) and lost-certificate reissues (遗失补发) of issued certificates.

A change is an application with approval: the holder applies (or the issuing
institution's staff record a paper application), the issuing institution decides
(云人社函〔2023〕1号 二(二): 谁评价、谁发证、谁负责). Approval keeps the number, makes the
next :class:`CertificateVersion` with freshly signed files and marks the earlier one
superseded; every version is kept. A correction changes only the holder's printed
identity (name, ID type and number): occupation, level and result are what the
evaluation established and no correction can change them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.certificates import artifacts
from skillcert.certificates.choices import (
    CertificateStatus,
    ChangeStatus,
    DeliveryEvent,
    VersionReason,
)
from skillcert.certificates.delivery import outbox_record
from skillcert.certificates.models import Certificate, CertificateVersion, ChangeRequest
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import IdType, ScopeLevel
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied, clean_or_raise
from skillcert.core.identifiers import validate_id
from skillcert.core.personal import id_index
from skillcert.core.uploads import checked_upload
from skillcert.results.permissions import can_manage

# Evidence (证明材料): PDF or images, like every other upload of the project.
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# The printed fields a correction may change; the ID number travels apart, encrypted.
CORRECTABLE_FIELDS = ("holder_name", "id_type")
CHANGE_KINDS = (VersionReason.CORRECTION, VersionReason.REISSUE)
HOLDER_NAME_MAX = 64


# --- who may ------------------------------------------------------------------------------


def is_holder(actor: Actor, certificate: Certificate) -> bool:
    """The person the certificate was issued to, acting for themself."""
    return (
        actor.user_id is not None
        and actor.level == ScopeLevel.PERSON
        and certificate.person.user_id == actor.user_id
    )


def can_request_change(actor: Actor, certificate: Certificate) -> bool:
    """The holder, or the issuing institution's staff recording a paper application."""
    return is_holder(actor, certificate) or can_manage(actor, certificate.batch)


def can_decide_change(actor: Actor, certificate: Certificate) -> bool:
    """The issuing institution's admin or exam staff (谁发证、谁负责)."""
    return can_manage(actor, certificate.batch)


# --- reads ----------------------------------------------------------------------------------


def change_requests_for(actor: Actor) -> QuerySet[ChangeRequest]:
    """The change requests the actor may see, open ones first, newest first."""
    return (
        ChangeRequest.objects.for_actor(actor)
        .select_related(
            "certificate__institution__organisation", "certificate__batch__institution", "version"
        )
        .order_by("-status", "-created_at", "-pk")
    )


# --- submitting -----------------------------------------------------------------------------


def _plain(value: object) -> str:
    return str(getattr(value, "plain", value) or "")


def _real_changes(
    certificate: Certificate, changes: Mapping[str, Any], new_id_number: str
) -> tuple[dict[str, str], str]:
    """The corrected fields that differ from the certificate, and the corrected ID number
    (normalised, "" when unchanged). Anything but the holder's identity is refused."""
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise DomainError(
            _("只能更正姓名、证件类型和证件号码；职业、等级和认定结果不能通过更正修改。"),
            code="not_correctable",
        )
    found: dict[str, str] = {}
    name = str(changes.get("holder_name") or "").strip()
    if name and name != certificate.holder_name:
        if len(name) > HOLDER_NAME_MAX:
            raise DomainError(_("姓名过长。"), code="invalid_name")
        found["holder_name"] = name
    id_type = str(changes.get("id_type") or "").strip()
    if id_type and id_type not in IdType.values:
        raise DomainError(_("不支持的证件类型。"), code="invalid_id_type")
    if id_type and id_type != certificate.id_type:
        found["id_type"] = id_type
    target_type = found.get("id_type", certificate.id_type)
    current = _plain(certificate.id_number)
    number = new_id_number.strip() or current
    if "id_type" in found or new_id_number.strip():
        # The corrected pair must be a valid document (cn.ric for 居民身份证).
        try:
            number = validate_id(target_type, number).number
        except ValidationError as exc:
            raise DomainError("；".join(exc.messages), code="invalid_id_number") from exc
    return found, (number if number != current else "")


def _store_evidence(request: ChangeRequest, uploaded_file: UploadedFile) -> str:
    upload = checked_upload(uploaded_file, max_bytes=EVIDENCE_MAX_BYTES)
    # A random name in the private default storage; the original name is not kept.
    request.evidence.save(f"{uuid4().hex}.{upload.extension}", ContentFile(upload.data), save=False)
    return hashlib.sha256(upload.data).hexdigest()


def change_request_submit(
    *,
    actor: Actor,
    certificate: Certificate,
    kind: str,
    reason: str,
    changes: Mapping[str, Any] | None = None,
    new_id_number: str = "",
    evidence: UploadedFile | None = None,
) -> ChangeRequest:
    """Apply for a correction (at least one real change of the holder's name, ID type or
    number) or a reissue (no change); one open application per certificate."""
    if not can_request_change(actor, certificate):
        raise PermissionDenied(_("只有证书持有人或发证机构的工作人员可以申请证书修改或补发。"))
    if kind not in CHANGE_KINDS:
        raise DomainError(_("请选择申请类型（信息修改或遗失补发）。"), code="invalid_kind")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写申请理由。"), code="reason_required")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == CertificateStatus.REVOKED:
            raise InvalidTransition(
                _("该证书已撤销，不能申请修改或补发。"), code="certificate_revoked"
            )
        found, number = _real_changes(locked, changes or {}, new_id_number)
        if kind == VersionReason.CORRECTION and not (found or number):
            raise DomainError(
                _("信息修改须至少更正姓名、证件类型或证件号码中的一项。"), code="nothing_to_correct"
            )
        if kind == VersionReason.REISSUE and (found or number):
            raise DomainError(
                _("遗失补发不更改证书内容；如需更正信息，请申请信息修改。"), code="reissue_changes"
            )
        if _has_open(locked):
            raise InvalidTransition(_open_message(), code="open_request")
        request = ChangeRequest(
            certificate=locked,
            kind=kind,
            changes=found,
            new_id_number=number,
            reason=reason,
            requested_by_label=actor.label[:128],
        )
        clean_or_raise(request, exclude=["certificate", "evidence", "version", "new_id_number"])
        evidence_sha256 = _store_evidence(request, evidence) if evidence is not None else ""
        try:
            with transaction.atomic():
                request.save(force_insert=True)
        except IntegrityError as exc:
            # changerequest_one_open_per_certificate: a parallel application won.
            raise InvalidTransition(_open_message(), code="open_request") from exc
        audit_record(
            actor=actor,
            action="certificates.change_submit",
            obj=request,
            organisation=locked.institution.organisation,
            changes={
                "number": locked.number,
                "kind": kind,
                "fields": sorted(found),
                "id_number_corrected": bool(number),
                "evidence_sha256": evidence_sha256,
            },
        )
    return request


def _has_open(certificate: Certificate) -> bool:
    return certificate.change_requests.filter(status=ChangeStatus.SUBMITTED).exists()


def _open_message() -> str:
    return _("该证书已有一份待审核的修改或补发申请，请等待审核结果。")


# --- deciding -------------------------------------------------------------------------------


def change_request_decide(
    *, actor: Actor, request: ChangeRequest, approve: bool, note: str = ""
) -> ChangeRequest:
    """Approve (a new version: number kept, earlier version superseded, files signed
    again, the query system told) or reject (with a note) an open application."""
    certificate = request.certificate
    if not can_decide_change(actor, certificate):
        raise PermissionDenied(_("只有发证机构的管理员或考务人员可以审核证书修改或补发申请。"))
    note = note.strip()
    if not approve and not note:
        raise DomainError(_("驳回申请须填写审核意见。"), code="note_required")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        current = ChangeRequest.objects.select_for_update().get(pk=request.pk)
        if current.status != ChangeStatus.SUBMITTED:
            raise InvalidTransition(
                _("该申请已处理（%(status)s）。") % {"status": current.get_status_display()},
                code="already_decided",
            )
        if approve and locked.status == CertificateStatus.REVOKED:
            raise InvalidTransition(
                _("该证书已撤销，不能批准修改或补发。"), code="certificate_revoked"
            )
        current.decided_by_label = actor.label[:128]
        current.decided_at = timezone.now()
        current.decision_note = note
        fields = ["status", "decided_by_label", "decided_at", "decision_note"]
        audit: dict[str, Any] = {"number": locked.number, "kind": current.kind}
        if approve:
            version = _new_version(actor, locked, current, note)
            current.status, current.version = ChangeStatus.APPROVED, version
            fields.append("version")
            audit.update(
                version=[version.version - 1, version.version], fields=sorted(current.changes)
            )
            audit["id_number_corrected"] = bool(_plain(current.new_id_number))
        else:
            current.status = ChangeStatus.REJECTED
            audit["note"] = note
        current.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="certificates.change_approve" if approve else "certificates.change_reject",
            obj=current,
            organisation=locked.institution.organisation,
            changes=audit,
        )
    return current


def _new_version(
    actor: Actor, certificate: Certificate, request: ChangeRequest, note: str
) -> CertificateVersion:
    """Apply the corrections to the snapshot, supersede the current version and make and
    sign the next one, and queue the changed record for the query system."""
    now = timezone.now()
    fields = ["version"]
    if "holder_name" in request.changes:
        certificate.holder_name = request.changes["holder_name"]
        fields.append("holder_name")
    corrected_number = _plain(request.new_id_number)
    if "id_type" in request.changes or corrected_number:
        certificate.id_type = request.changes.get("id_type", certificate.id_type)
        number = corrected_number or _plain(certificate.id_number)
        certificate.id_number = number
        # The blind index as a Person's: the type is part of it.
        certificate.id_number_index = id_index(certificate.id_type, number)
        fields += ["id_type", "id_number", "id_number_index"]
    previous = certificate.version
    certificate.version = previous + 1
    certificate.save(update_fields=fields)
    CertificateVersion.objects.filter(
        certificate=certificate, version=previous, superseded_at__isnull=True
    ).update(superseded_at=now)
    version = CertificateVersion.objects.create(
        certificate=certificate,
        version=certificate.version,
        reason=request.kind,
        note=note or request.reason,
        created_by_label=actor.label[:128],
    )
    version = artifacts.render_version(version)
    outbox_record(certificate, DeliveryEvent.CHANGED)
    return version
