"""The archives demo archives the certificates demo's batch, once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from skillcert.archives.choices import RecordType
from skillcert.archives.demo import VIDEO_NOTE, seed_archives_demo
from skillcert.archives.models import ArchiveRecord
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.certificates.demo import TITLE
from tests.certificates.matrix_pages import keys_for_test

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


def test_the_demo_archives_the_issued_batch_once() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # seed_demo runs the archives demo last
    batch = Batch.objects.get(title=TITLE)
    assert f"Archives demo: {batch.code}" in out.getvalue()
    assert batch.status == BatchStatus.ARCHIVED
    records = {r.record_type: r for r in ArchiveRecord.objects.filter(batch=batch)}
    assert set(records) == set(RecordType.values)
    assert records["video"].note == VIDEO_NOTE
    assert records["certified_roster"].items == 3
    assert seed_archives_demo() is None
    assert ArchiveRecord.objects.count() == len(RecordType)
