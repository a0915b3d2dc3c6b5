"""Archived records on the demo province (run by ``seed_demo`` after the certificates demo).

The demo school's admin archives the batch whose certificates the certificates demo
issued (one record per record type with its class and keep-until date, 云人社函〔2023〕1号
二(三)) and registers where the sessions' video is kept. Idempotent: once the batch is
archived nothing happens.
"""

from __future__ import annotations

from django.db import transaction

from skillcert.archives import records
from skillcert.archives.models import ArchiveRecord
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.certificates.demo import TITLE
from skillcert.core.demo import demo_actor
from skillcert.institutions.demo import SENTINEL

VIDEO_NOTE = "各场次监控录像由学校信息中心录像服务器保存（机房A-2，NVR-03），保存期限不少于5年。"


@transaction.atomic
def seed_archives_demo() -> Batch | None:
    """Archive the certificates demo's batch; None when it is archived already or the
    certificates demo has not run."""
    batch = (
        Batch.objects.select_related("institution__organisation")
        .filter(institution__organisation__name=SENTINEL, title=TITLE)
        .first()
    )
    if batch is None or ArchiveRecord.objects.filter(batch=batch).exists():
        return None
    if batch.status != BatchStatus.CERTIFICATES_ISSUED:
        return None
    admin = demo_actor("inst_a_admin")
    records.batch_archive(actor=admin, batch=batch)
    records.video_register(actor=admin, batch=batch, note=VIDEO_NOTE)
    batch.refresh_from_db()
    return batch
