"""Signing keys: a CA per deployment and, per institution, a PAdES key and an Ed25519 key.

Layout under ``settings.SKILLCERT_KEYS_DIR`` (``VAR_DIR/keys`` by default)::

    ca/cert.pem  ca/key.enc                       the deployment's self-signed root
    institutions/<USCC>/cert.pem  pades.enc       the institution's signing certificate
    institutions/<USCC>/credential.enc            its Ed25519 key for credentials

Private keys are PKCS#8 PEM sealed with :func:`skillcert.core.crypto.encrypt` (AES-GCM
under the data key), so a copied keys folder alone signs nothing. Each folder is written
to a temporary name and renamed into place, so creation is idempotent and two processes
racing end up with one key set. ECDSA P-256 keys: fast to make and to sign with, and
read by pdf readers and validators alike.

谁评价、谁发证、谁负责 (云人社函〔2023〕1号 二(二)): each certificate is signed with its
issuing institution's own key, whose certificate names the institution and its USCC.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from skillcert.core.crypto import decrypt, encrypt

if TYPE_CHECKING:
    from skillcert.institutions.models import Institution

CA_YEARS = 20
SIGNER_YEARS = 10
_CERT = "cert.pem"
_CA_KEY = "key.enc"
_PADES_KEY = "pades.enc"
_CREDENTIAL_KEY = "credential.enc"
# id-kp-documentSigning (RFC 9336).
_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
_USCC = re.compile(r"[0-9A-Z]{18}")


class KeysMissing(ImproperlyConfigured):
    """The deployment CA has not been created."""


@dataclass(frozen=True)
class SigningMaterial:
    """An institution's PAdES key, its certificate and the chain up to the CA."""

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def keys_dir() -> Path:
    return Path(settings.SKILLCERT_KEYS_DIR)


# ---------------------------------------------------------------- the deployment CA


def ensure_ca() -> tuple[x509.Certificate, bool]:
    """The deployment CA's certificate, made on first use; ``True`` when just made."""
    folder = keys_dir() / "ca"
    if not folder.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "SkillCert"),
                x509.NameAttribute(
                    NameOID.COMMON_NAME, f"SkillCert 证书签发根CA {settings.SITE_URL}"
                ),
            ]
        )
        builder = _builder(name, name, key.public_key(), CA_YEARS)
        certificate = (
            builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(cert_sign=True), critical=True)
            .sign(key, hashes.SHA256())
        )
        created = _publish(folder, {_CERT: _cert_pem(certificate), _CA_KEY: _seal(key)})
        if created:
            return certificate, True
    return ca_certificate(), False


def ca_certificate() -> x509.Certificate:
    path = keys_dir() / "ca" / _CERT
    if not path.exists():
        raise KeysMissing(
            f"No certificate CA under {keys_dir()}: run `manage.py certificates_ca` first."
        )
    return x509.load_pem_x509_certificate(path.read_bytes())


def _ca_key() -> ec.EllipticCurvePrivateKey:
    return _unseal_ec(keys_dir() / "ca" / _CA_KEY)


# ---------------------------------------------------------------- institutions


def ensure_institution_keys(institution: Institution) -> tuple[x509.Certificate, bool]:
    """The institution's signing certificate, made (with both keys) on first use.

    Needs the CA: a missing CA is an error rather than a new CA made here, so a keys
    folder that failed to mount never silently signs with an unknown root.
    """
    folder = _institution_dir(institution)
    if not folder.exists():
        ca = ca_certificate()
        ca_key_id = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, institution.name),
                # ETSI EN 319 412-1: a legal person's identifier, NTR + country + "-" + code.
                x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, f"NTRCN-{institution.uscc}"),
                x509.NameAttribute(NameOID.COMMON_NAME, institution.name),
            ]
        )
        builder = _builder(subject, ca.subject, key.public_key(), SIGNER_YEARS)
        certificate = (
            builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([_DOCUMENT_SIGNING]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id),
                critical=False,
            )
            .sign(_ca_key(), hashes.SHA256())
        )
        files = {
            _CERT: _cert_pem(certificate),
            _PADES_KEY: _seal(key),
            _CREDENTIAL_KEY: _seal(Ed25519PrivateKey.generate()),
        }
        if _publish(folder, files):
            return certificate, True
    return x509.load_pem_x509_certificate((folder / _CERT).read_bytes()), False


def pades_material(institution: Institution) -> SigningMaterial:
    """The institution's PAdES key and certificate (made on first use), with the CA."""
    certificate, _created = ensure_institution_keys(institution)
    key = _unseal_ec(_institution_dir(institution) / _PADES_KEY)
    return SigningMaterial(key=key, certificate=certificate, chain=(ca_certificate(),))


def credential_key(institution: Institution) -> Ed25519PrivateKey:
    """The institution's Ed25519 key for signing verifiable credentials."""
    ensure_institution_keys(institution)
    return _unseal_ed25519(_institution_dir(institution) / _CREDENTIAL_KEY)


def _institution_dir(institution: Institution) -> Path:
    if not _USCC.fullmatch(institution.uscc):  # the folder name comes from it
        raise ValueError(f"institution {institution.pk} has a malformed USCC")
    return keys_dir() / "institutions" / institution.uscc


# ---------------------------------------------------------------- helpers


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey, years: int
) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,  # non-repudiation: the signer vouches for content
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _cert_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _seal(key: PrivateKeyTypes) -> bytes:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return encrypt(pem.decode()).encode()


def _unseal(path: Path) -> PrivateKeyTypes:
    pem = decrypt(path.read_text().strip()).encode()
    return serialization.load_pem_private_key(pem, password=None)


def _unseal_ec(path: Path) -> ec.EllipticCurvePrivateKey:
    key = _unseal(path)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured(f"{path} holds no ECDSA key")
    return key


def _unseal_ed25519(path: Path) -> Ed25519PrivateKey:
    key = _unseal(path)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} holds no Ed25519 key")
    return key


def _publish(folder: Path, files: dict[str, bytes]) -> bool:
    """Write ``files`` into ``folder`` at once; ``False`` when another writer won the race."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, data in files.items():
            descriptor = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
        try:
            # rename() of a folder onto an existing, non-empty one fails: the first wins.
            staging.rename(folder)
        except OSError:
            if not folder.exists():
                raise
            return False
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
