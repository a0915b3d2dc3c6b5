"""PAdES signatures: valid for pyHanko's validator (trusting the deployment CA) and for
poppler's pdfsig, and one changed byte inside the signed range fails both."""

from __future__ import annotations

import asyncio
import io
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from skillcert.certificates import keys, signing
from skillcert.certificates.content import CertificateContent
from skillcert.certificates.pdf import render_certificate
from skillcert.institutions.models import Institution
from tests.conftest import Cast
from tests.institutions.conftest import another_institution

NUMBER = "Y000053000001254000001"


@pytest.fixture
def institution(settings: Any, tmp_path: Path, cast: Cast) -> Institution:
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    signing.clear_signers()
    keys.ensure_ca()
    return another_institution()


def _unsigned(institution: Institution) -> bytes:
    return render_certificate(
        CertificateContent(
            name="欧阳明月",
            id_type="居民身份证",
            id_number="530102199001011234",
            occupation_name="车工",
            occupation_code="6-18-01-01",
            level=4,
            institution=institution.name,
            issue_date=date(2025, 6, 30),
            number=NUMBER,
            verification_url=f"https://example.cn/v/{NUMBER}/token",
        )
    )


def _validate(data: bytes) -> PdfSignatureStatus:
    ca = asn1_x509.Certificate.load(keys.ca_certificate().public_bytes(serialization.Encoding.DER))
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))


def _pdfsig(data: bytes) -> str:
    """pdfsig's verdict line; it exits 0 even when the digest does not match."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "signed.pdf"
        path.write_bytes(data)
        tool = shutil.which("pdfsig")
        assert tool, "poppler-utils (pdfsig) is not installed"
        done = subprocess.run(  # noqa: S603 - a fixed poppler tool on a file we wrote
            [tool, str(path)], capture_output=True, text=True, check=False
        )
    verdicts = [
        line.split(":", 1)[1].strip()
        for line in done.stdout.splitlines()
        if line.strip().startswith("- Signature Validation:")
    ]
    assert len(verdicts) == 1, done.stdout + done.stderr
    return verdicts[0]


def test_a_signed_certificate_is_valid_and_trusted(institution: Institution) -> None:
    signed = signing.signer_for(institution).sign_pdf(_unsigned(institution))
    status = _validate(signed)
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["organization_name"] == institution.name
    assert b"/ETSI.CAdES.detached" in signed  # PAdES, not adbe.pkcs7.detached
    assert _pdfsig(signed) == "Signature is Valid."


def test_signing_works_where_an_event_loop_is_running(institution: Institution) -> None:
    """pyHanko's synchronous call starts an event loop of its own; a caller already inside
    one (an async caller, some test runners) still gets a valid signature."""
    signer = signing.signer_for(institution)
    unsigned = _unsigned(institution)

    async def inside_a_loop() -> bytes:
        return signer.sign_pdf(unsigned)

    signed = asyncio.run(inside_a_loop())
    assert _validate(signed).bottom_line
    assert _pdfsig(signed) == "Signature is Valid."


def test_one_changed_byte_fails_both_checks(institution: Institution) -> None:
    signed = signing.signer_for(institution).sign_pdf(_unsigned(institution))
    # A byte of the document information (the creator), inside the first signed range.
    at = signed.index(b"(SkillCert)") + 1
    tampered = signed[:at] + b"T" + signed[at + 1 :]
    status = _validate(tampered)
    assert not status.intact
    assert not status.bottom_line
    assert _pdfsig(tampered) == "Digest Mismatch."


def test_another_deployments_ca_does_not_vouch_for_the_signature(
    institution: Institution, settings: Any, tmp_path: Path
) -> None:
    signed = signing.signer_for(institution).sign_pdf(_unsigned(institution))
    settings.SKILLCERT_KEYS_DIR = tmp_path / "elsewhere"
    keys.ensure_ca()
    status = _validate(signed)
    assert status.intact  # the bytes are untouched …
    assert not status.trusted  # … but nothing this CA issued signed them
    assert not status.bottom_line


def test_the_signer_is_loaded_once(
    institution: Institution, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = signing.signer_for(institution)
    loads: list[Institution] = []
    monkeypatch.setattr(keys, "pades_material", lambda inst: loads.append(inst))
    assert signing.signer_for(institution) is first
    assert loads == []
