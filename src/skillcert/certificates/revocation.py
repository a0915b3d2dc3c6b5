"""Revoking certificates: the record stays, the public sees "revoked".

A certificate is revoked with a reason by its issuing institution (云人社函〔2023〕1号
二(二): 谁评价、谁发证、谁负责) or by the HR authority over the institution (属地), for
example after a violation; and, when a result is voided after the certificate was issued,
on the pending :class:`CertificateRevocation` the results service records (云人社函
〔2023〕1号 一(四)). Revoking sets the certificate's bit in the institution's published
status list, rejects open change applications and queues the record for the query system.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.permissions import is_own_staff
from skillcert.certificates import statuslists
from skillcert.certificates.choices import CertificateStatus, ChangeStatus, DeliveryEvent
from skillcert.certificates.delivery import outbox_record
from skillcert.certificates.models import Certificate, ChangeRequest
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.institutions.models import Institution
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES, is_authority_over
from skillcert.results.choices import RevocationStatus
from skillcert.results.models import CertificateRevocation
from skillcert.stats.aggregates import mark_stale

REASON_MAX = 1000


def can_revoke_for(actor: Actor, institution: Institution) -> bool:
    """The institution's admin or exam staff, or an HR official whose scope holds it."""
    return (
        actor.is_platform_admin
        or is_own_staff(actor, institution)
        or is_authority_over(actor, institution)
    )


def can_revoke(actor: Actor, certificate: Certificate) -> bool:
    return can_revoke_for(actor, certificate.institution)


def may_revoke_listed(actor: Actor) -> bool:
    """For rows already read through ``for_actor``: staff see only their institution's and
    officials only their region's, so the role alone tells who may act on them."""
    return actor.is_platform_admin or actor.role in STAFF_ROLES | AUTHORITY_ROLES


def revocations_pending(actor: Actor) -> QuerySet[CertificateRevocation]:
    """Pending revocations (results voided after approval) in the actor's scope, with the
    certificate to revoke when one was issued."""
    return (
        CertificateRevocation.objects.for_actor(actor)
        .filter(status=RevocationStatus.PENDING)
        .select_related(
            "application__person",
            "application__batch__institution__organisation",
            "application__certificate",
        )
        .order_by("created_at", "pk")
    )


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("请填写撤销证书的事实和依据。"), code="reason_required")
    if len(reason) > REASON_MAX:
        raise DomainError(_("撤销原因过长。"), code="reason_too_long")
    return reason


def certificate_revoke(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke ``certificate`` with ``reason``; an already revoked one is refused."""
    if not can_revoke(actor, certificate):
        raise PermissionDenied(_("只有发证机构的管理员、考务人员或属地人社部门可以撤销证书。"))
    reason = _required_reason(reason)
    with transaction.atomic():
        locked = _lock(certificate)
        if locked.status == CertificateStatus.REVOKED:
            raise InvalidTransition(_("该证书已撤销。"), code="already_revoked")
        _revoke(actor, locked, reason, revocation=None)
    return locked


def revocation_carry_out(*, actor: Actor, revocation: CertificateRevocation) -> Certificate | None:
    """Carry out a pending revocation written when a result was voided: the certificate
    of its application is revoked with the row's reason. Without an issued certificate
    there is nothing to revoke: the row is closed and None returned."""
    application = revocation.application
    if not can_revoke_for(actor, application.batch.institution):
        raise PermissionDenied(_("只有发证机构的管理员、考务人员或属地人社部门可以撤销证书。"))
    with transaction.atomic():
        row = CertificateRevocation.objects.select_for_update().get(pk=revocation.pk)
        if row.status != RevocationStatus.PENDING:
            raise InvalidTransition(_("该撤销事项已办理。"), code="not_pending")
        found = Certificate.objects.filter(application_id=application.pk).first()
        if found is None:
            _close(row, RevocationStatus.NOT_NEEDED)
            audit_record(
                actor=actor,
                action="certificates.revocation_not_needed",
                obj=row,
                organisation=application.batch.institution.organisation,
                changes={"application": application.pk, "status": RevocationStatus.NOT_NEEDED},
            )
            return None
        locked = _lock(found)
        if locked.status == CertificateStatus.REVOKED:
            # Revoked before the result was voided: the row only needs closing.
            _close(row, RevocationStatus.DONE)
            audit_record(
                actor=actor,
                action="certificates.revocation_done",
                obj=row,
                organisation=locked.institution.organisation,
                changes={"number": locked.number, "already_revoked": True},
            )
            return locked
        _revoke(actor, locked, row.reason, revocation=row)
    return locked


def _lock(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("institution__organisation")
        .get(pk=certificate.pk)
    )


def _close(row: CertificateRevocation, status: str) -> None:
    row.status, row.done_at = status, timezone.now()
    row.save(update_fields=["status", "done_at"])


def _revoke(
    actor: Actor,
    certificate: Certificate,
    reason: str,
    *,
    revocation: CertificateRevocation | None,
) -> None:
    now = timezone.now()
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at, certificate.revoked_reason = now, reason
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    mark_stale(certificate.batch_id)  # DESIGN.md step 10: the batch's statistics are rebuilt
    rejected = list(
        ChangeRequest.objects.select_for_update()
        .filter(certificate=certificate, status=ChangeStatus.SUBMITTED)
        .values_list("pk", flat=True)
    )
    ChangeRequest.objects.filter(pk__in=rejected).update(
        status=ChangeStatus.REJECTED,
        decided_at=now,
        decided_by_label=actor.label[:128],
        decision_note=_("证书已撤销，申请自动驳回。"),
    )
    # Every pending row of the application is settled by this one revocation.
    closed = list(
        CertificateRevocation.objects.select_for_update()
        .filter(application_id=certificate.application_id, status=RevocationStatus.PENDING)
        .values_list("pk", flat=True)
    )
    CertificateRevocation.objects.filter(pk__in=closed).update(
        status=RevocationStatus.DONE, done_at=now
    )
    if revocation is not None:
        revocation.status, revocation.done_at = RevocationStatus.DONE, now
    publication = statuslists.publish_status_list(certificate.institution)
    outbox_record(certificate, DeliveryEvent.REVOKED)
    audit_record(
        actor=actor,
        action="certificates.revoke",
        obj=certificate,
        organisation=certificate.institution.organisation,
        changes={
            "number": certificate.number,
            "status": [CertificateStatus.VALID, CertificateStatus.REVOKED],
            "reason": reason,
            "status_index": certificate.status_index,
            "status_list_revision": publication.revision,
            "change_requests_rejected": rejected,
            "revocations_done": closed,
        },
    )
