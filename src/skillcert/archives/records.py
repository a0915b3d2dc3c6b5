"""Archiving a batch: one record per record type with its class, years and keep-until
date (云人社函〔2023〕1号 二(三); DESIGN.md lifecycle step 9), the video's location, and
the records whose period has run out.

The period of a limited record runs from 1 January of the year after the records were
formed (archival practice: 保管期限从文件形成的次年1月1日起算), so a record archived in
2024 and kept 3 years is kept until 31 December 2027 and may be listed for disposal from
1 January 2028. Long-term records have no keep-until date and are never listed.

Each record gets a frozen inventory: a JSON file naming the rows the record held when
the batch was archived, with its SHA-256, so the record can be checked later and its
contents named in a disposal list.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.archives.choices import RecordStatus, RecordType, RetentionClass
from skillcert.archives.models import ArchiveRecord
from skillcert.archives.permissions import can_archive
from skillcert.archives.registry import SPECS, RecordSpec
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.certificates.selectors import passed_applications
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.institutions.models import Institution
from skillcert.institutions.scope import province_policy
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults

NOTE_MAX = 2000


def keep_until(archived_on: date, years: int | None) -> date | None:
    """31 December of the archived year + ``years``; None (长期) without years."""
    if years is None:
        return None
    return date(archived_on.year + years, 12, 31)


def archivable(batch: Batch) -> bool:
    """证书已发放, or 成绩已备案 with the centre's approval and nobody passed (no
    certificate will ever be issued)."""
    if batch.status == BatchStatus.CERTIFICATES_ISSUED:
        return True
    if batch.status != BatchStatus.RESULTS_FILED:
        return False
    approved = BatchResults.objects.filter(batch=batch, status=ResultsStatus.APPROVED).exists()
    return approved and not passed_applications(batch).exists()


def _inventory(spec: RecordSpec, batch: Batch, ids: list[object], archived_on: date) -> bytes:
    document = {
        "batch": batch.code,
        "institution": batch.institution.name,
        "record_type": spec.record_type.value,
        "title": spec.label,
        "retention_class": spec.retention_class.value,
        "basis": spec.basis,
        "models": list(spec.models),
        "archived_on": archived_on.isoformat(),
        "items": len(ids),
        "ids": ids,
    }
    return json.dumps(document, ensure_ascii=False, indent=1, default=str).encode()


def _record(spec: RecordSpec, batch: Batch, archived_on: date, years: int | None) -> ArchiveRecord:
    ids = list(spec.ids(batch))
    data = _inventory(spec, batch, ids, archived_on)
    record = ArchiveRecord(
        batch=batch,
        institution=batch.institution,
        record_type=spec.record_type,
        retention_class=spec.retention_class,
        retention_years=years,
        archived_on=archived_on,
        keep_until=keep_until(archived_on, years),
        items=len(ids),
        sha256=hashlib.sha256(data).hexdigest(),
        status=RecordStatus.KEPT,
    )
    record.file.save(f"{batch.code}_{spec.record_type.value}.json", ContentFile(data), save=False)
    record.save(force_insert=True)
    return record


@transaction.atomic
def batch_archive(*, actor: Actor, batch: Batch, today: date | None = None) -> list[ArchiveRecord]:
    """归档: one record per record type of the batch (云人社函〔2023〕1号 二(三)), the batch
    becomes 已归档. ``today`` is the archiving date (default: today)."""
    if not can_archive(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以归档。"))
    locked = lock_batch(batch)
    if locked.status == BatchStatus.ARCHIVED or ArchiveRecord.objects.filter(batch=locked).exists():
        raise InvalidTransition(_("该批次已归档。"), code="already_archived")
    if not archivable(locked):
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，证书发放完毕（或成绩备案后无人合格）后才能归档。")
            % {"status": locked.get_status_display()},
            code="not_archivable",
        )
    archived_on = today or timezone.localdate()
    policy = province_policy(locked.institution.organisation.province_id or "")
    records = [_record(spec, locked, archived_on, spec.years(policy)) for spec in SPECS]
    before = locked.status
    # issuance.py sets the batch's status directly in the same way.
    locked.status = BatchStatus.ARCHIVED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="archives.batch_archive",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={
            "status": [before, BatchStatus.ARCHIVED],
            "archived_on": archived_on,
            "records": {r.record_type: r.items for r in records},
            "keep_until": {
                r.record_type: r.keep_until for r in records if r.keep_until is not None
            },
        },
    )
    return records


@transaction.atomic
def video_register(*, actor: Actor, batch: Batch, note: str) -> ArchiveRecord:
    """Record where the batch's video archive is kept (the system does not hold the video
    itself; 云人社函〔2023〕1号 二(三)2 keeps it ≥5 years)."""
    if not can_archive(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以登记视频资料。"))
    note = note.strip()
    if not note:
        raise DomainError(_("请填写视频资料的存放位置。"), code="note_required")
    if len(note) > NOTE_MAX:
        raise DomainError(_("说明不能超过%(n)s个字。") % {"n": NOTE_MAX}, code="note_too_long")
    record = (
        ArchiveRecord.objects.select_for_update()
        .filter(batch=batch, record_type=RecordType.VIDEO)
        .first()
    )
    if record is None:
        raise InvalidTransition(_("该批次尚未归档。"), code="not_archived")
    if record.status != RecordStatus.KEPT:
        raise InvalidTransition(
            _("该档案状态为“%(status)s”，不能修改。") % {"status": record.get_status_display()}
        )
    before = record.note
    record.note = note
    record.save(update_fields=["note"])
    audit_record(
        actor=actor,
        action="archives.video_register",
        obj=record,
        organisation=batch.institution.organisation,
        changes={"note": [before, note]},
    )
    return record


def expired_records(institution: Institution, on: date | None = None) -> QuerySet[ArchiveRecord]:
    """Kept records of ``institution`` whose period ended before ``on`` (default today).
    Long-term records never expire; holds are not applied here (see ``holds``)."""
    day = on or timezone.localdate()
    return ArchiveRecord.objects.filter(
        institution=institution,
        status=RecordStatus.KEPT,
        keep_until__isnull=False,
        keep_until__lt=day,
    ).exclude(retention_class=RetentionClass.LONG_TERM)
