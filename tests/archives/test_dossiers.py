"""Batch dossiers: requesting, building part by part, what the zip holds, refusals and
failures (云人社函〔2023〕1号 二(三); 川人社办发〔2020〕20号 附件4)."""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from skillcert.archives import dossier_parts, dossiers
from skillcert.archives.choices import DossierStatus, RecordType, RetentionClass
from skillcert.archives.dossier_parts import PARTS, Part, Staging
from skillcert.archives.models import Dossier
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.certificates.dataintegrity import did_key
from skillcert.certificates.keys import credential_key
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, Job, JobStatus
from tests.archives.builders_dossiers import (
    EVIDENCE_PDF,
    EVIDENCE_PNG,
    PLEDGE_SHA,
    DossierKit,
    archivable,
    built,
    dossier_bytes,
    linked,
)
from tests.conftest import Cast, Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def dk(cast: Cast) -> DossierKit:
    return archivable(cast)


def _zip(dossier: Dossier) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(dossier_bytes(dossier)))


def _manifest(dossier: Dossier) -> dict[str, Any]:
    with _zip(dossier) as archive:
        loaded: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return loaded


def test_a_complete_batch_builds_into_a_signed_dossier(dk: DossierKit) -> None:
    dossier = built(dk.admin, dk.batch)

    assert dossier.status == DossierStatus.READY, dossier.message
    data = dossier_bytes(dossier)
    assert dossier.sha256 == hashlib.sha256(data).hexdigest()
    assert dossier.size == len(data)
    job = Job.objects.get(pk=dossier.job_id)
    assert (job.status, job.done, job.total) == (JobStatus.SUCCEEDED, len(PARTS), len(PARTS))
    manifest = _manifest(dossier)
    assert manifest["format"] == "skillcert-dossier/1"
    assert manifest["dossier"] == dossier.pk
    assert manifest["batch"]["code"] == dk.batch.code
    assert manifest["batch"]["uscc"] == dk.batch.institution.uscc
    assert manifest["signer"]["did"] == did_key(credential_key(dk.batch.institution).public_key())
    assert (manifest["record_type"], manifest["retention_class"]) == (
        RecordType.ELECTRONIC_DATA,
        RetentionClass.DATA,
    )
    assert dossier.entries == len(manifest["entries"])
    with _zip(dossier) as archive:
        raw = archive.read("manifest.json")
    assert dossier.manifest_sha256 == hashlib.sha256(raw).hexdigest()
    assert dossiers.dossier_verify(data).ok
    actions = list(
        AuditEvent.objects.filter(object_id=str(dossier.pk), action__startswith="archives.")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["archives.dossier_request", "archives.dossier_ready"]


def test_every_part_is_in_the_zip_with_its_record_type(dk: DossierKit) -> None:
    dossier = built(dk.admin, dk.batch)
    types = {e["path"]: e["record_type"] for e in _manifest(dossier)["entries"]}
    classes = {e["path"]: e["retention_class"] for e in _manifest(dossier)["entries"]}
    theory = dk.theory.pk
    admission = dk.first.admission_number
    expected = {
        "plan/plan.pdf": RecordType.PLAN_NOTICE,
        "plan/plan.json": RecordType.PLAN_NOTICE,
        "plan/arrangements.json": RecordType.SESSION_ARRANGEMENTS,
        "rosters/candidates.xlsx": RecordType.CANDIDATE_ROSTER,
        "rosters/examiners.xlsx": RecordType.EXAMINER_ROSTER,
        "rosters/supervisors.xlsx": RecordType.SUPERVISOR_ROSTER,
        "rosters/certified.xlsx": RecordType.CERTIFIED_ROSTER,
        f"applications/{admission}/application.json": RecordType.APPLICATIONS,
        f"applications/{admission}/pledge.json": RecordType.PLEDGES,
        f"signin/session-{theory}-theory.pdf": RecordType.SIGNIN_SHEETS,
        "signin/checkins.xlsx": RecordType.SIGNIN_SHEETS,
        f"papers/paper-{dk.ck.rk.exam.paper.pk}-A.xlsx": RecordType.THEORY_PAPERS,
        "papers/theory_scores.xlsx": RecordType.THEORY_PAPERS,
        "scores/score_sheets.pdf": RecordType.SCORE_SHEETS,
        f"sessions/session-{theory}-record.pdf": RecordType.SESSION_RECORDS,
        f"sessions/session-{theory}-supervision.pdf": RecordType.SESSION_RECORDS,
        "results/results.xlsx": RecordType.RESULTS_NOTICE,
        "results/announcement.json": RecordType.RESULTS_NOTICE,
        "certificates/summary.xlsx": RecordType.CERTIFICATE_SUMMARY,
        "supervision/inspections.json": RecordType.SUPERVISION_RECORDS,
        "supervision/alerts.json": RecordType.SUPERVISION_RECORDS,
        "supervision/cases.json": RecordType.VIOLATION_RECORDS,
    }
    for path, record_type in expected.items():
        assert types.get(path) == record_type, path
    scene = dk.scene
    scene_path = f"supervision/inspections/{scene.inspection_id}/evidence/{scene.pk}.png"
    assert types[scene_path] == RecordType.SUPERVISION_RECORDS
    for evidence in dk.evidence:
        suffix = Path(evidence.original_name).suffix
        path = f"applications/{admission}/evidence/{evidence.kind}-{evidence.pk}{suffix}"
        assert types[path] == RecordType.EVIDENCE
    # Every session of the batch has its sign-in sheet and its record.
    for session in dk.batch.sessions.all():
        assert f"signin/session-{session.pk}-{session.component}.pdf" in types
        assert f"sessions/session-{session.pk}-record.pdf" in types
    # Long-term for the notice's list 1, three years for list 3.
    assert classes[f"applications/{admission}/application.json"] == RetentionClass.LONG_TERM
    assert classes["rosters/examiners.xlsx"] == RetentionClass.LONG_TERM
    assert classes["scores/score_sheets.pdf"] == RetentionClass.PROCESS
    assert sorted(types) == list(types), "the manifest lists entries sorted by path"


def test_the_files_hold_the_archive_s_own_content(dk: DossierKit) -> None:
    dossier = built(dk.admin, dk.batch)
    admission = dk.first.admission_number
    folder = f"applications/{admission}"
    diploma, photo = dk.evidence
    with _zip(dossier) as archive:
        application = json.loads(archive.read(f"{folder}/application.json"))
        pledge = json.loads(archive.read(f"{folder}/pledge.json"))
        assert archive.read(f"{folder}/evidence/{diploma.kind}-{diploma.pk}.pdf") == EVIDENCE_PDF
        assert archive.read(f"{folder}/evidence/{photo.kind}-{photo.pk}.png") == EVIDENCE_PNG
        announcement = json.loads(archive.read("results/announcement.json"))
        notes = archive.read(f"sessions/session-{dk.theory.pk}-supervision.pdf")
        inspections = json.loads(archive.read("supervision/inspections.json"))
        scene = archive.read(inspections[0]["evidence"][0]["path"])
        roster = openpyxl.load_workbook(io.BytesIO(archive.read("rosters/candidates.xlsx")))
        names = archive.namelist()
    person = dk.first.person
    # The archive keeps the full ID number (the download is restricted and audited).
    assert application["person"]["id_number"] == person.id_number.plain
    roster_ids = {str(row[3]) for row in roster.active.iter_rows(min_row=2, values_only=True)}
    assert person.id_number.plain in roster_ids
    assert application["admission_number"] == admission
    assert application["pledge"]["text_sha256"] == PLEDGE_SHA == pledge["text_sha256"]
    assert [e["original_name"] for e in application["evidence"]] == ["毕业证书.pdf", "photo.png"]
    assert (
        application["evidence"][0]["sha256_at_upload"] == hashlib.sha256(EVIDENCE_PDF).hexdigest()
    )
    assert announcement["status"] == "approved"
    assert len(announcement["rows"]) == 3
    assert notes.startswith(b"%PDF")
    assert [i["session"] for i in inspections] == [dk.theory.pk]
    # The supervisor's photo is in the dossier as uploaded, not only named.
    assert scene == EVIDENCE_PNG
    listed = inspections[0]["evidence"][0]
    assert (listed["name"], listed["sha256_at_upload"]) == (dk.scene.original_name, dk.scene.sha256)
    assert names == sorted(names)


def test_zip_entries_are_deterministic(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "files")
    staging.add("b/two.json", RecordType.PLAN_NOTICE, b'{"b": 2}\n')
    staging.add("a/one.pdf", RecordType.SCORE_SHEETS, b"%PDF-1.4 one")

    def once() -> bytes:
        out = io.BytesIO()
        dossiers.write_zip(out, staging.sorted_files(), b"{}\n", b"s" * 64)
        return out.getvalue()

    first, second = once(), once()
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == [
        "a/one.pdf",
        "b/two.json",
        "manifest.json",
        "manifest.sig",
    ]
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert infos[0].compress_type == zipfile.ZIP_STORED  # a PDF is compressed already
    assert infos[1].compress_type == zipfile.ZIP_DEFLATED


def test_staging_refuses_unsafe_or_repeated_paths(tmp_path: Path) -> None:
    staging = Staging(tmp_path)
    staging.add("a.json", RecordType.PLAN_NOTICE, b"{}")
    for path in ("a.json", "../x", "/abs", "manifest.json"):
        with pytest.raises(ValueError, match="bad dossier entry"):
            staging.add(path, RecordType.PLAN_NOTICE, b"{}")
    with pytest.raises(ValueError, match="bad dossier entry"):
        staging.add("b.json", "no_such_type", b"{}")


def test_the_task_builds_after_the_commit(
    dk: DossierKit, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = dossiers.dossier_request(actor=dk.admin, batch=dk.batch)
    assert len(callbacks) == 1
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.READY
    # A second delivery of the task finds nothing to do.
    assert dossiers.dossier_claim(dossier.pk) is None


def test_hr_authorities_over_the_institution_may_build(dk: DossierKit) -> None:
    for role in ("city_a", "province"):
        dossier = built(dk.cast.actor(role), dk.batch)
        assert dossier.status == DossierStatus.READY


@pytest.mark.parametrize(
    "role", ["city_b", "institution_b", "education", "examiner", "candidate", "anonymous"]
)
def test_refusals_write_nothing(cast: Cast, refused: Refused, role: str) -> None:
    kit = linked(archivable(cast, issued=False, passed=1, failed=0))
    jobs = Job.objects.count()
    refused(
        PermissionDenied,
        lambda: dossiers.dossier_request(actor=cast.actor(role), batch=kit.batch),
        code="forbidden",
    )
    assert not Dossier.objects.exists()
    assert Job.objects.count() == jobs


def test_a_batch_before_results_filing_is_refused(cast: Cast, refused: Refused) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    Batch.objects.filter(pk=kit.batch.pk).update(status=BatchStatus.RESULTS_PUBLISHED)
    refused(
        InvalidTransition,
        lambda: dossiers.dossier_request(actor=kit.admin, batch=kit.batch),
        code="batch_not_ready",
    )
    assert not Dossier.objects.exists()


def test_an_archived_batch_may_build(cast: Cast) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    Batch.objects.filter(pk=kit.batch.pk).update(status=BatchStatus.ARCHIVED)
    assert built(kit.admin, kit.batch).status == DossierStatus.READY


def test_one_build_at_a_time_until_it_goes_stale(cast: Cast, refused: Refused) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    first = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    refused(
        InvalidTransition,
        lambda: dossiers.dossier_request(actor=kit.cast.actor("city_a"), batch=kit.batch),
        code="dossier_building",
    )
    Dossier.objects.filter(pk=first.pk).update(
        created_at=first.created_at - dossiers.STALE_AFTER - timedelta(minutes=1)
    )
    second = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    first.refresh_from_db()
    assert first.status == DossierStatus.FAILED
    assert Job.objects.get(pk=first.job_id).status == JobStatus.ERROR
    assert second.status == DossierStatus.BUILDING


def test_a_build_making_progress_is_not_stale(cast: Cast, refused: Refused) -> None:
    """Stale counts from the last part finished: a long build that still moves is kept."""
    kit = archivable(cast, issued=False, passed=1, failed=0)
    first = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    long_ago = first.created_at - dossiers.STALE_AFTER * 3
    Dossier.objects.filter(pk=first.pk).update(
        created_at=long_ago, progressed_at=timezone.now() - timedelta(minutes=5)
    )
    refused(
        InvalidTransition,
        lambda: dossiers.dossier_request(actor=kit.admin, batch=kit.batch),
        code="dossier_building",
    )
    Dossier.objects.filter(pk=first.pk).update(
        progressed_at=timezone.now() - dossiers.STALE_AFTER - timedelta(minutes=1)
    )
    second = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    first.refresh_from_db()
    assert first.status == DossierStatus.FAILED
    assert second.status == DossierStatus.BUILDING


def test_each_part_finished_is_progress(cast: Cast) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    dossier = built(kit.admin, kit.batch)
    assert dossier.status == DossierStatus.READY
    assert dossier.progressed_at is not None
    assert dossier.created_at <= dossier.progressed_at <= timezone.now()


def _boom(ctx: dossier_parts.PartContext) -> None:
    raise RuntimeError("disk full")


def test_a_failing_part_leaves_failed_and_no_file(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parts = (*PARTS[:3], Part("boom", PARTS[0].label, _boom), *PARTS[3:])
    monkeypatch.setattr(dossiers, "PARTS", parts)

    dossier = built(kit.admin, kit.batch)

    assert dossier.status == DossierStatus.FAILED
    assert "系统错误" in dossier.message
    assert not dossier.file
    assert list(tmp_path.iterdir()) == [], "the temporary files are removed"
    job = Job.objects.get(pk=dossier.job_id)
    assert (job.status, job.done) == (JobStatus.ERROR, 3)
    assert AuditEvent.objects.filter(action="archives.dossier_failed").count() == 1


def test_a_missing_evidence_file_fails_with_its_name(cast: Cast) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    diploma = kit.evidence[0]
    default_storage.delete(diploma.file.name)

    dossier = built(kit.admin, kit.batch)

    assert dossier.status == DossierStatus.FAILED
    assert "毕业证书.pdf" in dossier.message
    assert not dossier.file


def test_a_failure_after_storing_removes_the_stored_file(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    stored: list[str] = []

    def refuse(dossier: Dossier, **kwargs: object) -> None:
        stored.append(dossier.file.name)
        raise DomainError("保存失败")

    monkeypatch.setattr(dossiers, "_record_ready", refuse)
    dossier = built(kit.admin, kit.batch)

    assert dossier.status == DossierStatus.FAILED
    assert dossier.message == "保存失败"
    assert len(stored) == 1
    assert stored[0].startswith("archives/dossiers/")
    assert not default_storage.exists(stored[0])


def test_opening_a_dossier_is_checked_and_audited(dk: DossierKit, refused: Refused) -> None:
    dossier = built(dk.admin, dk.batch)
    name = dossiers.dossier_open(actor=dk.cast.actor("city_a"), dossier=dossier)
    assert name == f"{dk.batch.code}-dossier-{dossier.pk}.zip"
    assert AuditEvent.objects.filter(action="archives.dossier_download").count() == 1
    for role in ("city_b", "education", "institution_b"):
        refused(
            PermissionDenied,
            lambda r=role: dossiers.dossier_open(actor=dk.cast.actor(r), dossier=dossier),
        )


def test_a_dossier_still_building_does_not_open(cast: Cast, refused: Refused) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    dossier = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    refused(
        InvalidTransition,
        lambda: dossiers.dossier_open(actor=kit.admin, dossier=dossier),
        code="dossier_not_ready",
    )
