"""Legal holds (档案保全): while a hold stands, no record of its subject is disposed of.

An HR authority over the institution (属地) places a hold on all of the institution's
archives or on one batch — for an inquiry, a complaint, a court's request — and releases
it with a note. A hold does not end a period; it only stops disposal: a record under a
hold is not listed, and an approved list with such a record is not carried out
(川人社办发〔2020〕20号 附件4: 全程可追溯).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.archives.models import ArchiveRecord, LegalHold
from skillcert.archives.permissions import can_hold
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.institutions.models import Institution

REASON_MAX = 2000


def active_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(released_at__isnull=True)


def held_q(prefix: str = "") -> Q:
    """Records (reached through ``prefix``) under an active hold: one on their
    institution as a whole or one on their batch."""
    holds = active_holds()
    whole = holds.filter(batch__isnull=True).values("institution_id")
    batches = holds.filter(batch__isnull=False).values("batch_id")
    return Q(**{f"{prefix}institution_id__in": whole}) | Q(**{f"{prefix}batch_id__in": batches})


def is_held(record: ArchiveRecord) -> bool:
    return ArchiveRecord.objects.filter(held_q(), pk=record.pk).exists()


def holds_on(record: ArchiveRecord) -> QuerySet[LegalHold]:
    """The active holds that stop ``record``'s disposal."""
    return active_holds().filter(
        Q(institution_id=record.institution_id, batch__isnull=True) | Q(batch_id=record.batch_id)
    )


def _clean_text(text: str, required: str, code: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(required, code=code)
    if len(text) > REASON_MAX:
        raise DomainError(_("说明不能超过%(n)s个字。") % {"n": REASON_MAX}, code="too_long")
    return text


@transaction.atomic
def hold_place(
    *, actor: Actor, institution: Institution, batch: Batch | None = None, reason: str
) -> LegalHold:
    """Place a hold on the institution's archives, or on one batch's."""
    if not can_hold(actor, institution):
        raise PermissionDenied(_("只有该机构的属地人社部门可以采取档案保全措施。"))
    reason = _clean_text(reason, _("请填写保全原因。"), "reason_required")
    if batch is not None and batch.institution_id != institution.pk:
        raise DomainError(_("所选批次不属于该机构。"), code="batch_mismatch")
    organisation = actor.organisation or institution.supervisor or institution.organisation
    hold = LegalHold(
        province_id=institution.organisation.province_id,
        placed_by_organisation=organisation,
        institution=institution,
        batch=batch,
        reason=reason,
        placed_by_label=actor.label[:128],
    )
    hold.save(force_insert=True)
    audit_record(
        actor=actor,
        action="archives.hold_place",
        obj=hold,
        organisation=organisation,
        changes={
            "institution": institution.pk,
            "batch": batch.pk if batch else None,
            "reason": reason,
        },
    )
    return hold


@transaction.atomic
def hold_release(*, actor: Actor, hold: LegalHold, note: str) -> LegalHold:
    """Release a standing hold, with a note saying why."""
    if not can_hold(actor, hold.institution):
        raise PermissionDenied(_("只有该机构的属地人社部门可以解除档案保全。"))
    note = _clean_text(note, _("请填写解除说明。"), "note_required")
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.released_at is not None:
        raise InvalidTransition(_("该保全措施已解除。"), code="already_released")
    locked.released_at = timezone.now()
    locked.released_by_label = actor.label[:128]
    locked.release_note = note
    locked.save(update_fields=["released_at", "released_by_label", "release_note"])
    audit_record(
        actor=actor,
        action="archives.hold_release",
        obj=locked,
        organisation=actor.organisation or locked.placed_by_organisation,
        changes={"released": True, "note": note},
    )
    return locked
