"""下载全部证书: the zip holds each certificate's signed PDF as issued (its SHA-256 is the
version's), its credential, index.json and the summary PDF; only the person downloads it,
and each download is audited."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from skillcert.core.errors import DomainError
from skillcert.core.models import AuditEvent
from skillcert.stats import credentials_bundle
from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import Cast, Refused
from tests.stats.builders_lifelong import COURSE_A, COURSE_B, LifelongWorld, build_lifelong

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 1, 15, 10, 30, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def lw(cast: Cast) -> LifelongWorld:
    return build_lifelong(cast)


def _open(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_zip_holds_each_certificate_as_issued(lw: LifelongWorld) -> None:
    bundle = credentials_bundle.skill_record_bundle(actor=lw.cast.actor("candidate"), now=NOW)
    version = lw.certificate.versions.get(version=1)
    stem = f"{lw.certificate.number}_v1"
    with _open(bundle.data) as archive:
        names = set(archive.namelist())
        assert names == {
            f"certificates/{stem}.pdf",
            f"credentials/{stem}.jsonld",
            "summary.pdf",
            "index.json",
        }
        pdf = archive.read(f"certificates/{stem}.pdf")
        credential = json.loads(archive.read(f"credentials/{stem}.jsonld"))
        summary = archive.read("summary.pdf")
        index = json.loads(archive.read("index.json"))
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    assert credential == version.credential
    assert "proof" in credential
    assert summary.startswith(b"%PDF")
    [entry] = index["certificates"]
    assert entry["number"] == lw.certificate.number
    assert entry["pdf"] == {
        "file": f"certificates/{stem}.pdf",
        "sha256": version.pdf_sha256,
        "matches_issued": True,
    }
    assert index["files"]["summary.pdf"] == hashlib.sha256(summary).hexdigest()
    assert index["holder"]["id_number_masked"] == lw.person.id_number.masked
    assert lw.person.id_number.plain not in json.dumps(index)
    assert {t["course"] for t in index["training"]} == {COURSE_A, COURSE_B}
    assert [r["outcome"] for r in index["results"]] == ["passed"]
    assert [h["number"] for h in index["held_certificates"]] == [lw.held.number]
    assert bundle.filename == f"技能档案_{lw.person.full_name}_20250115.zip"


def test_the_download_is_audited(lw: LifelongWorld) -> None:
    credentials_bundle.skill_record_bundle(actor=lw.cast.actor("candidate"), now=NOW)
    event = AuditEvent.objects.get(action="stats.skill_record_bundle")
    assert event.object_id == str(lw.person.pk)
    assert event.actor_id == lw.cast.users["candidate"].pk
    assert event.changes == {"certificates": 1, "files": 4}


def test_a_changed_stored_pdf_is_flagged(lw: LifelongWorld) -> None:
    version = lw.certificate.versions.get(version=1)
    version.pdf.save("tampered.pdf", ContentFile(b"%PDF-1.7 not the issued file"), save=True)
    bundle = credentials_bundle.skill_record_bundle(actor=lw.cast.actor("candidate"), now=NOW)
    with _open(bundle.data) as archive:
        index = json.loads(archive.read("index.json"))
    assert index["certificates"][0]["pdf"]["matches_issued"] is False


def test_someone_without_a_record_gets_no_bundle(cast: Cast, refused: Refused) -> None:
    refused(
        DomainError,
        lambda: credentials_bundle.skill_record_bundle(actor=cast.actor("candidate")),
        code="no_person",
    )


# --- the page ----------------------------------------------------------------------------


def test_the_candidate_downloads_the_zip(lw: LifelongWorld) -> None:
    response = lw.cast.client("candidate").post(reverse("stats-my-record-bundle"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    with _open(response.content) as archive:
        assert "index.json" in archive.namelist()
    assert AuditEvent.objects.filter(action="stats.skill_record_bundle").count() == 1


@pytest.mark.parametrize("role", ["institution_a", "city_a", "education"])
def test_organisations_do_not_download_bundles(lw: LifelongWorld, role: str) -> None:
    events = AuditEvent.objects.count()
    response = lw.cast.client(role).post(reverse("stats-my-record-bundle"))
    assert response.status_code == 403
    assert AuditEvent.objects.count() == events


def test_without_a_record_the_page_says_so(cast: Cast) -> None:
    response = cast.client("candidate").post(reverse("stats-my-record-bundle"), follow=True)
    assert response.redirect_chain == [(reverse("stats-my-record"), 302)]
    assert "您尚无个人技能档案" in response.content.decode()
    assert not AuditEvent.objects.filter(action="stats.skill_record_bundle").exists()


def test_the_bundle_is_post_only(lw: LifelongWorld) -> None:
    assert lw.cast.client("candidate").get(reverse("stats-my-record-bundle")).status_code == 405
    assert lw.cast.client("anonymous").post(reverse("stats-my-record-bundle")).status_code == 302
