"""Each certificate version's files: a PAdES-signed PDF (pyHanko and poppler's pdfsig agree
it is valid) whose QR code opens the version's verification link, and a credential that
our verifier and the independent one both accept; one changed byte or field fails them."""

from __future__ import annotations

import copy
import hashlib
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import segno
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]  # no types shipped
from cryptography.hazmat.primitives import serialization
from django.core.files.base import ContentFile
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from skillcert.certificates import artifacts, credentials, dataintegrity, keys, signing, statuslists
from skillcert.certificates.choices import RunStatus, VersionReason
from skillcert.certificates.issuance import issuance_resume, issue_batch
from skillcert.certificates.models import Certificate, CertificateVersion, IssuanceRun
from skillcert.certificates.tokens import verification_url
from skillcert.core.models import AuditEvent
from skillcert.institutions.models import Institution
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.test_pdf import _images
from tests.certificates.test_signing import _pdfsig
from tests.certificates.vc_node import node_verify
from tests.conftest import Cast
from tests.core.test_pdf import pdf_text
from tests.factories import resident_id


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    """A deployment CA of this test's own (manage.py certificates_ca in a deployment)."""
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    signing.clear_signers()
    keys.ensure_ca()
    return tmp_path / "keys"


Issue = Callable[[CertKit], IssuanceRun]


@pytest.fixture
def issue(django_capture_on_commit_callbacks: Callable[..., Any]) -> Issue:
    """Issue a batch's certificates as the task does once the request has committed."""

    def run_issue(ck: CertKit) -> IssuanceRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = issue_batch(actor=ck.admin, batch=ck.batch)
        run.refresh_from_db()
        return run

    return run_issue


def issued(cast: Cast, issue: Issue, *, passed: int = 3) -> tuple[CertKit, list[Certificate]]:
    ck = build_issuable(cast, passed=passed, failed=1)
    run = issue(ck)
    assert run.status == RunStatus.DONE, run.error
    certificates = list(
        Certificate.objects.filter(batch=ck.batch).select_related("institution", "person")
    )
    assert len(certificates) == passed
    return ck, certificates


def first_version(certificate: Certificate) -> CertificateVersion:
    return CertificateVersion.objects.get(certificate=certificate, version=1)


def pdf_bytes(version: CertificateVersion) -> bytes:
    with version.pdf.open("rb") as handle:
        data = handle.read()
    assert isinstance(data, bytes)
    return data


def stored_as(version: CertificateVersion, number: str, n: int) -> bool:
    """Stored as ``<number>-v<n>.pdf``; the storage adds a suffix when a file of that name
    exists already (a rolled-back issue, or another test of this process)."""
    name = version.pdf.name.rsplit("/", 1)[-1]
    return re.fullmatch(rf"{number}-v{n}(_\w+)?\.pdf", name) is not None


def validate(data: bytes) -> PdfSignatureStatus:
    ca = asn1_x509.Certificate.load(keys.ca_certificate().public_bytes(serialization.Encoding.DER))
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))


def dark(pixel: object) -> bool:
    assert isinstance(pixel, int)  # a greyscale ("L") image's pixel
    return pixel < 128


def qr_holds(data: bytes, url: str) -> bool:
    """Whether the PDF's QR code (its last image) draws exactly ``url``'s code."""
    code = _images(data)[-1].convert("L")
    matrix = segno.make(url, error="m", micro=False, mask=0).matrix
    modules = len(matrix)
    scale = code.width // (modules + 8)  # 4-module quiet zone on each side
    read = [
        [
            dark(code.getpixel(((4 + x) * scale + scale // 2, (4 + y) * scale + scale // 2)))
            for x in range(modules)
        ]
        for y in range(modules)
    ]
    return read == [[bool(cell) for cell in row] for row in matrix]


def tampered(credential: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["name"] += "（伪）"
    return changed


# --- the signed PDF ---------------------------------------------------------------------


def test_issuing_gives_every_certificate_a_signed_first_version(cast: Cast, issue: Issue) -> None:
    _ck, certificates = issued(cast, issue)
    for certificate in certificates:
        version = first_version(certificate)
        assert version.reason == VersionReason.ISSUED
        data = pdf_bytes(version)
        assert stored_as(version, certificate.number, 1)
        assert version.pdf_sha256 == hashlib.sha256(data).hexdigest()
        status = validate(data)
        assert status.intact
        assert status.valid
        assert status.trusted
        assert status.bottom_line
        assert status.coverage is not None
        assert status.coverage.name == "ENTIRE_FILE"
        # 谁评价、谁发证、谁负责: signed by the issuing institution's own certificate.
        subject = status.signing_cert.subject.native
        assert subject["organization_identifier"] == f"NTRCN-{certificate.institution.uscc}"
        assert _pdfsig(data) == "Signature is Valid."
        assert qr_holds(data, verification_url(certificate.number, 1))
        text = pdf_text(data)
        assert certificate.number in text
        assert certificate.id_number.plain in text  # printed in full on the certificate
        assert certificate.holder_name in "".join(text.split())


def test_one_changed_byte_of_the_pdf_fails_both_checks(cast: Cast, issue: Issue) -> None:
    _ck, certificates = issued(cast, issue, passed=1)
    data = pdf_bytes(first_version(certificates[0]))
    at = data.index(b"(SkillCert)") + 1  # the creator, inside the signed range
    changed = data[:at] + b"T" + data[at + 1 :]
    status = validate(changed)
    assert not status.intact
    assert not status.bottom_line
    assert _pdfsig(changed) == "Digest Mismatch."


def test_the_pdf_prints_the_holders_photo(cast: Cast, issue: Issue) -> None:
    ck = build_issuable(cast, passed=1, failed=0)
    person = ck.passed[0].person
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 210, 230)).save(buffer, format="JPEG")
    person.photo.save("photo.jpg", ContentFile(buffer.getvalue()))
    issue(ck)
    certificate = Certificate.objects.get(batch=ck.batch)
    assert artifacts.content_for(certificate).photo == buffer.getvalue()
    assert len(_images(pdf_bytes(first_version(certificate)))) == 2  # photo and QR code


def test_without_the_deployment_ca_nothing_is_issued(
    cast: Cast,
    issue: Issue,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    ck = build_issuable(cast, passed=2, failed=0)
    settings.SKILLCERT_KEYS_DIR = tmp_path / "unmounted"
    signing.clear_signers()
    run = issue(ck)
    assert run.status == RunStatus.ERROR
    assert not Certificate.objects.filter(batch=ck.batch).exists()
    assert not CertificateVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="certificates.issue").exists()
    assert not (tmp_path / "unmounted" / "ca").exists()  # no CA made behind anyone's back
    # Once the keys are there, resuming the run issues everything.
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    with django_capture_on_commit_callbacks(execute=True):
        issuance_resume(actor=ck.admin, run=run)
    assert Certificate.objects.filter(batch=ck.batch).count() == 2
    assert all(v.pdf and v.credential for v in CertificateVersion.objects.all())


# --- the credential ---------------------------------------------------------------------


def test_the_credential_verifies_and_points_at_the_institutions_status_list(
    cast: Cast, issue: Issue
) -> None:
    _ck, certificates = issued(cast, issue)
    institution = certificates[0].institution
    status_list = statuslists.status_list_for(institution)
    for certificate in certificates:
        credential = first_version(certificate).credential
        assert credential is not None
        assert dataintegrity.verify(credential)
        assert credential["id"] == verification_url(certificate.number, 1)
        assert credential["credentialSubject"]["licenseNumber"] == certificate.number
        entry = credential["credentialStatus"]
        assert entry["statusListCredential"] == statuslists.status_list_url(institution)
        assert entry["statusListIndex"] == str(certificate.status_index)
        # The ID number only as a salted hash, with the certificate's own salt.
        identity = credential["credentialSubject"]["identifier"][1]
        assert identity["salt"] == certificate.id_salt
        assert identity["identityHash"] == credentials.identity_hash(
            certificate.id_number.plain, certificate.id_salt
        )
        assert certificate.id_number.plain not in str(credential)
        assert dataintegrity.issuer_id(credential) == dataintegrity.issuer_id(status_list)
    answer = node_verify(
        first_version(certificates[0]).credential or {},
        {statuslists.status_list_url(institution): status_list},
    )
    assert answer == {"verified": True, "revoked": False, "error": None}


def test_a_changed_field_fails_both_verifiers(cast: Cast, issue: Issue) -> None:
    _ck, certificates = issued(cast, issue, passed=1)
    credential = first_version(certificates[0]).credential
    assert credential is not None
    changed = tampered(credential)
    assert not dataintegrity.verify(changed)
    institution = certificates[0].institution
    answer = node_verify(
        changed,
        {statuslists.status_list_url(institution): statuslists.status_list_for(institution)},
    )
    assert answer["verified"] is False
    assert answer["error"]


# --- versions, idempotence, the snapshot ---------------------------------------------------


def test_render_version_is_idempotent(
    cast: Cast, issue: Issue, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ck, certificates = issued(cast, issue, passed=1)
    version = first_version(certificates[0])
    before = (version.pdf.name, version.pdf_sha256, version.credential)

    def no_signing(institution: Institution) -> signing.Signer:
        raise AssertionError("a rendered version was signed again")

    monkeypatch.setattr(signing, "signer_for", no_signing)
    again = artifacts.render_version(version)
    assert (again.pdf.name, again.pdf_sha256, again.credential) == before
    fresh = CertificateVersion.objects.get(pk=version.pk)  # a stale copy takes the row's
    fresh_copy = CertificateVersion.objects.get(pk=version.pk)
    fresh_copy.pdf, fresh_copy.credential = "", None
    artifacts.render_version(fresh_copy)
    assert (fresh_copy.pdf.name, fresh_copy.pdf_sha256) == (fresh.pdf.name, fresh.pdf_sha256)
    assert fresh_copy.credential == fresh.credential


def test_a_later_version_links_its_own_token(cast: Cast, issue: Issue) -> None:
    _ck, certificates = issued(cast, issue, passed=1)
    certificate = certificates[0]
    Certificate.objects.filter(pk=certificate.pk).update(version=2)
    certificate.refresh_from_db()
    version = CertificateVersion.objects.create(
        certificate=certificate, version=2, reason=VersionReason.REISSUE
    )
    artifacts.render_version(version)
    version.refresh_from_db()
    data = pdf_bytes(version)
    assert stored_as(version, certificate.number, 2)
    assert version.pdf_sha256 != first_version(certificate).pdf_sha256
    assert _pdfsig(data) == "Signature is Valid."
    assert qr_holds(data, verification_url(certificate.number, 2))
    assert not qr_holds(data, verification_url(certificate.number, 1))
    credential = version.credential
    assert credential is not None
    assert dataintegrity.verify(credential)
    assert credential["id"] == verification_url(certificate.number, 2)
    assert credential["description"] == "第 2 版（证书编号不变）"
    # The same status bit and the same identity hash as version 1.
    first = first_version(certificate).credential
    assert first is not None
    assert credential["credentialStatus"] == first["credentialStatus"]
    assert credential["credentialSubject"]["identifier"] == first["credentialSubject"]["identifier"]


def test_content_for_prints_the_snapshot_not_later_edits(cast: Cast, issue: Issue) -> None:
    _ck, certificates = issued(cast, issue, passed=1)
    certificate = certificates[0]
    person = certificate.person
    printed_name, printed_id = certificate.holder_name, certificate.id_number.plain
    person.full_name = "改名后"
    person.id_number = resident_id(serial=99)
    person.save()
    certificate = Certificate.objects.select_related("person").get(pk=certificate.pk)
    content = artifacts.content_for(certificate)
    assert (content.name, content.id_number) == (printed_name, printed_id)
    assert content.id_type == "居民身份证"  # the label, as printed
    assert content.level == certificate.level
    assert content.institution == certificate.institution_name
    assert content.issue_date == certificate.issue_date
    assert content.verification_url == verification_url(certificate.number, 1)
    assert artifacts.content_for(certificate, 3).verification_url == verification_url(
        certificate.number, 3
    )
    assert "改名后" not in pdf_text(pdf_bytes(first_version(certificate)))
