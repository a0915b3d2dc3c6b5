"""Signing certificate PDFs: one :class:`Signer` interface, PAdES by pyHanko behind it.

An SM2/SM3 signer (GB/T 38540) can sit beside :class:`PadesSigner` with the same
``sign_pdf``. Keys are decrypted and parsed once per institution and process
(:func:`signer_for`), which keeps signing to tens of milliseconds a file.
"""

from __future__ import annotations

import asyncio
import io
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Protocol

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]  # pyHanko's ASN.1 library ships no types
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from skillcert.certificates import keys

if TYPE_CHECKING:
    from skillcert.institutions.models import Institution

SIGNATURE_FIELD = "SkillCertSignature"

# Room for the CMS container: an ECDSA signature with two certificates needs ~1.5 kB.
_SIGNATURE_BYTES = 8192
_lock = threading.Lock()
_signers: dict[tuple[str, str], PadesSigner] = {}  # (keys folder, USCC) -> signer


class Signer(Protocol):
    def sign_pdf(self, pdf: bytes) -> bytes:
        """``pdf`` with a signature appended as an incremental update."""
        ...


class PadesSigner:
    """PAdES baseline B-B (ETSI EN 319 142-1): CAdES detached, signing-certificate-v2."""

    def __init__(
        self, material: keys.SigningMaterial, *, reason: str = "职业技能等级证书签发"
    ) -> None:
        self.certificate = material.certificate
        self._signer = signers.SimpleSigner(
            signing_cert=_asn1_certificate(material.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                material.key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            # The chain goes into the signature, so a validator needs only the root.
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]  # untyped in pyHanko
                [_asn1_certificate(cert) for cert in material.chain]
            ),
        )
        self._metadata = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
        )

    def sign_pdf(self, pdf: bytes) -> bytes:
        # pyHanko's synchronous API runs its own event loop (asyncio.run), which fails in a
        # thread that already runs one (an async caller, a notebook, some test runners):
        # there the signature is made in a thread of its own.
        if _loop_running():
            with ThreadPoolExecutor(max_workers=1) as pool:
                return pool.submit(self._sign, pdf).result()
        return self._sign(pdf)

    def _sign(self, pdf: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        # A fixed reservation spares pyHanko a dry-run signature to size the container.
        output = signers.sign_pdf(
            writer, self._metadata, signer=self._signer, bytes_reserved=_SIGNATURE_BYTES
        )
        if not isinstance(output, io.BytesIO):
            raise TypeError("pyHanko returned no in-memory output")
        return output.getvalue()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def signer_for(institution: Institution) -> Signer:
    """The institution's signer, loaded once per process (and per keys folder)."""
    return _cached_signer(str(keys.keys_dir()), institution.uscc, institution)


def _cached_signer(folder: str, uscc: str, institution: Institution) -> PadesSigner:
    key = (folder, uscc)
    signer = _signers.get(key)
    if signer is None:
        with _lock:
            signer = _signers.get(key)
            if signer is None:
                signer = PadesSigner(keys.pades_material(institution))
                _signers[key] = signer
    return signer


def clear_signers() -> None:
    """Forget loaded keys (after a key rotation, and in tests)."""
    with _lock:
        _signers.clear()


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
