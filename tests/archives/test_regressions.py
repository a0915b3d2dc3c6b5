"""Defects found in review of the archives, each fixed; these tests failed before the fixes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from skillcert.archives import disposal, dossiers
from skillcert.archives.choices import DossierStatus, RecordStatus
from skillcert.archives.dossier_parts import PARTS, Part, PartContext
from skillcert.exams.models import CheckIn
from tests.archives.builders_dossiers import dossier_bytes
from tests.archives.builders_records import DISPOSAL_DAY, ArchiveKit, archived
from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import Cast

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def kit(cast: Cast) -> ArchiveKit:
    return archived(cast)


def _checkin_lines(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = load_workbook(io.BytesIO(archive.read("signin/checkins.xlsx"))).active
    assert sheet is not None
    return sum(1 for row in sheet.iter_rows(values_only=True) if any(row)) - 1


def test_a_dossier_building_while_a_disposal_executes_keeps_the_disposed_records(
    kit: ArchiveKit, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Capture
) -> None:
    """``disposal._clear_dossiers`` clears only dossiers that already have a file: a build
    in progress when the list is carried out stores the disposed sign-ins afterwards."""
    batch = kit.batch
    approved = kit.approved()
    assert CheckIn.objects.filter(session__batch=batch).exists()
    requested = dossiers.dossier_request(actor=kit.admin, batch=batch)
    claimed = dossiers.dossier_claim(requested.pk)
    assert claimed is not None

    def execute_meanwhile(ctx: PartContext) -> None:
        # Another request carries out the approved list while the worker is still
        # assembling the zip (after the parts were read, before the file is stored).
        with django_capture_on_commit_callbacks(execute=True):
            disposal.disposal_execute(actor=kit.admin, disposal=approved, today=DISPOSAL_DAY)

    extra = Part("concurrent", gettext_lazy("concurrent disposal"), execute_meanwhile)
    monkeypatch.setattr("skillcert.archives.dossiers.PARTS", (*PARTS, extra))
    dossier = dossiers.dossier_build(claimed)

    assert kit.records()["signin_sheets"].status == RecordStatus.DISPOSED
    assert not CheckIn.objects.filter(session__batch=batch).exists()
    # The disposed sign-ins must not survive in a stored dossier of the batch.
    if dossier.status == DossierStatus.READY and dossier.file:
        assert _checkin_lines(dossier_bytes(dossier)) == 0
