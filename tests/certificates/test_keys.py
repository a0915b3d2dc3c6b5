"""The signing keys: one CA per deployment, per-institution keys sealed at rest, idempotent."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.core.management.base import CommandError

from skillcert.certificates import keys, signing
from skillcert.institutions.models import Institution
from tests.conftest import Cast
from tests.institutions.conftest import another_institution


@pytest.fixture
def keys_dir(settings: Any, tmp_path: Path) -> Path:
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    signing.clear_signers()
    return tmp_path / "keys"


@pytest.fixture
def institution(cast: Cast) -> Institution:
    return another_institution()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_command_makes_the_ca_and_the_institutions_keys_once(
    keys_dir: Path, institution: Institution
) -> None:
    call_command("certificates_ca", "--institution", str(institution.pk))
    first = _files(keys_dir)
    assert sorted(first) == [
        "ca/cert.pem",
        "ca/key.enc",
        f"institutions/{institution.uscc}/cert.pem",
        f"institutions/{institution.uscc}/credential.enc",
        f"institutions/{institution.uscc}/pades.enc",
    ]
    call_command("certificates_ca", "--all")
    assert _files(keys_dir) == first  # nothing replaced


def test_private_keys_are_sealed_and_private_to_the_owner(
    keys_dir: Path, institution: Institution
) -> None:
    call_command("certificates_ca", "--institution", str(institution.pk))
    for name in ("ca/key.enc", f"institutions/{institution.uscc}/pades.enc"):
        path = keys_dir / name
        assert path.read_bytes().startswith(b"v1.")
        assert b"PRIVATE KEY" not in path.read_bytes()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_institutions_certificate_names_it_and_is_issued_by_the_ca(
    keys_dir: Path, institution: Institution
) -> None:
    ca, created = keys.ensure_ca()
    assert created
    certificate, created = keys.ensure_institution_keys(institution)
    assert created
    certificate.verify_directly_issued_by(ca)
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == institution.name
    identifier = subject.get_attributes_for_oid(NameOID.ORGANIZATION_IDENTIFIER)[0].value
    assert identifier == f"NTRCN-{institution.uscc}"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment
    assert not usage.key_cert_sign
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_the_credential_key_is_ed25519_and_stable(keys_dir: Path, institution: Institution) -> None:
    keys.ensure_ca()
    first = keys.credential_key(institution)
    assert isinstance(first, Ed25519PrivateKey)
    assert first.public_key() == keys.credential_key(institution).public_key()
    other = keys.credential_key(another_institution())
    assert other.public_key() != first.public_key()


def test_no_keys_without_the_ca(keys_dir: Path, institution: Institution) -> None:
    with pytest.raises(keys.KeysMissing, match="certificates_ca"):
        keys.ensure_institution_keys(institution)
    with pytest.raises(keys.KeysMissing):
        signing.signer_for(institution)
    assert not (keys_dir / "institutions").exists()


def test_a_second_writer_keeps_the_first_ones_keys(keys_dir: Path) -> None:
    folder = keys_dir / "race"
    assert keys._publish(folder, {"a": b"first"})
    # A process that lost the race sees its rename refused and its files dropped.
    assert not keys._publish(folder, {"a": b"second"})
    assert (folder / "a").read_bytes() == b"first"
    assert [p.name for p in keys_dir.iterdir()] == ["race"]


def test_the_command_refuses_an_unknown_institution(keys_dir: Path, cast: Cast) -> None:
    with pytest.raises(CommandError, match="No institution"):
        call_command("certificates_ca", "--institution", "999999")
