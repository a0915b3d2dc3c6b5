"""Downloads of a certificate version's files: the signed PDF and the verifiable
credential, for the holder, the issuing institution and the HR authorities over it;
named by the certificate number; a version without its files is a 404 that says so.
Downloads are reads: they write no audit event."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from skillcert.certificates.choices import VersionReason
from skillcert.certificates.models import Certificate, CertificateVersion
from skillcert.core.models import AuditEvent
from tests.certificates.conftest import CertKit
from tests.certificates.matrix_pages import issued_world, keys_for_test
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def ck(cast: Cast) -> CertKit:
    return issued_world(cast)


@pytest.fixture
def certificate(ck: CertKit) -> Certificate:
    """The cast candidate's certificate."""
    return Certificate.objects.get(application=ck.passed[0])


def pdf_url(certificate: Certificate, version: int = 1) -> str:
    return reverse("certificates-pdf", kwargs={"pk": certificate.pk, "version": version})


def credential_url(certificate: Certificate, version: int = 1) -> str:
    return reverse("certificates-credential", kwargs={"pk": certificate.pk, "version": version})


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("role", ["candidate", "institution_a", "city_a", "province"])
def test_the_pdf_is_named_by_the_number(ck: CertKit, certificate: Certificate, role: str) -> None:
    events = AuditEvent.objects.count()
    response = ck.cast.client(role).get(pdf_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"{certificate.number}_v1.pdf" in disposition
    assert response["Cache-Control"] == "private, no-store"
    data = body(response)
    assert data.startswith(b"%PDF")
    version = certificate.versions.get(version=1)
    assert hashlib.sha256(data).hexdigest() == version.pdf_sha256
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", ["candidate", "institution_a", "city_a"])
def test_the_credential_is_json_ld(ck: CertKit, certificate: Certificate, role: str) -> None:
    response = ck.cast.client(role).get(credential_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert f"{certificate.number}_v1.jsonld" in response["Content-Disposition"]
    document = json.loads(body(response))
    stored = certificate.versions.get(version=1).credential
    assert document == stored
    assert "proof" in document
    assert certificate.number in json.dumps(document, ensure_ascii=False)
    # The holder's full ID number never travels in the credential.
    assert certificate.id_number.plain not in body(response).decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("institution_b", 404),
        ("city_b", 404),
        ("examiner", 404),
        ("education", 403),
        ("anonymous", 302),
    ],
)
def test_others_cannot_download(
    ck: CertKit, certificate: Certificate, role: str, status: int
) -> None:
    client = ck.cast.client(role)
    assert client.get(pdf_url(certificate)).status_code == status
    assert client.get(credential_url(certificate)).status_code == status


def test_a_candidate_cannot_download_another_holders_files(ck: CertKit) -> None:
    other = Certificate.objects.get(application=ck.passed[1])
    client = ck.cast.client("candidate")
    assert client.get(pdf_url(other)).status_code == 404
    assert client.get(credential_url(other)).status_code == 404


def test_a_version_without_files_is_a_404_that_says_so(
    ck: CertKit, certificate: Certificate
) -> None:
    CertificateVersion.objects.filter(certificate=certificate, version=1).update(
        superseded_at=timezone.now()
    )
    CertificateVersion.objects.create(
        certificate=certificate, version=2, reason=VersionReason.REISSUE, created_by_label="x"
    )
    Certificate.objects.filter(pk=certificate.pk).update(version=2)
    client = ck.cast.client("candidate")
    for url in (pdf_url(certificate, 2), credential_url(certificate, 2)):
        response = client.get(url)
        assert response.status_code == 404
        assert "尚未生成" in response.content.decode()
    # The superseded first version stays downloadable and is listed with its date.
    assert client.get(pdf_url(certificate, 1)).status_code == 200
    page = client.get(reverse("certificates-detail", args=[certificate.pk])).content.decode()
    assert 'id="version-2"' in page
    assert 'id="pdf-1"' in page
    assert 'id="pdf-2"' not in page
    assert "电子证书生成中" in page
    # A version that does not exist is a plain 404.
    missing = client.get(pdf_url(certificate, 9))
    assert missing.status_code == 404
    assert "尚未生成" not in missing.content.decode()
