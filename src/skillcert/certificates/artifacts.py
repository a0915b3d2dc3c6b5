"""A certificate version's files: the signed PDF and the signed credential.

``render_version`` draws the version's PDF from the certificate's snapshot
(:func:`content_for`, 人社鉴发〔2021〕1号), signs it with the issuing institution's
PAdES key (谁评价、谁发证、谁负责, 云人社函〔2023〕1号 二(二)), and signs the same facts
as a verifiable credential with the institution's Ed25519 key, whose status entry points
at the institution's published status list (:mod:`skillcert.certificates.statuslists`).

It is called inside the transaction that makes the version (issuance, correction,
reissue), so a version is never committed without its files. A version that already has
both is returned unchanged. The stored file is not transactional: a transaction that
rolls back afterwards leaves an unreferenced PDF behind, never a version without one.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from skillcert.certificates import credentials, keys, signing, statuslists, tokens
from skillcert.certificates.content import LEVEL_TEXT, CertificateContent
from skillcert.certificates.models import Certificate, CertificateVersion
from skillcert.certificates.pdf import render_certificate
from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError

logger = logging.getLogger(__name__)


def _id_type_text(value: str) -> str:
    """The ID type as printed (居民身份证), from the stored choice value."""
    try:
        return str(IdType(value).label)
    except ValueError:
        return value


def _photo(certificate: Certificate) -> bytes | None:
    photo = certificate.person.photo
    if not photo:
        return None
    try:
        with photo.open("rb") as handle:
            data = handle.read()
    except OSError:
        # A missing photo file prints the empty frame rather than failing the issue.
        logger.warning("certificate %s: the holder's photo could not be read", certificate.pk)
        return None
    return data if isinstance(data, bytes) else None


def content_for(certificate: Certificate, version: int | None = None) -> CertificateContent:
    """What the certificate prints: its snapshot (never the person's later edits), with
    the full ID number as printed, the holder's photo, and the QR link of ``version``
    (the current version by default)."""
    number = certificate.number
    return CertificateContent(
        name=certificate.holder_name,
        id_type=_id_type_text(certificate.id_type),
        id_number=certificate.id_number.plain,
        occupation_name=certificate.occupation_name,
        occupation_code=certificate.occupation_code,
        level=certificate.level,
        institution=certificate.institution_name,
        issue_date=certificate.issue_date,
        number=number,
        verification_url=tokens.verification_url(number, version or certificate.version),
        work_type=certificate.work_type_name,
        photo=_photo(certificate),
    )


def credential_for(
    certificate: Certificate, content: CertificateContent, version: int
) -> dict[str, Any]:
    """The signed credential of ``version`` of ``certificate``, printing ``content``."""
    institution = certificate.institution
    if certificate.status_index is None:
        raise DomainError("证书没有状态列表索引，无法签发可验证凭证。", code="no_status_index")
    data = {
        "number": content.number,
        "holder_name": content.name,
        "id_number": content.id_number,
        "id_salt": certificate.id_salt,
        "occupation_code": content.occupation_code,
        "occupation_name": content.occupation_name,
        "work_type": content.work_type,
        "level": content.level,
        "level_name": LEVEL_TEXT[content.level],
        "institution_name": content.institution,
        "issue_date": content.issue_date,
        "verification_url": content.verification_url,
        "version": version,
    }
    return credentials.certificate_credential(
        data,
        keys.credential_key(institution),
        certificate.status_index,
        statuslists.status_list_url(institution),
        created=timezone.now(),
    )


def render_version(version: CertificateVersion) -> CertificateVersion:
    """Render, sign and store ``version``'s PDF and credential (idempotent)."""
    if version.pdf and version.credential:
        return version
    with transaction.atomic():
        locked = (
            CertificateVersion.objects.select_for_update(of=("self",))
            .select_related("certificate__institution", "certificate__person")
            .get(pk=version.pk)
        )
        if locked.pdf and locked.credential:
            version.pdf, version.pdf_sha256 = locked.pdf, locked.pdf_sha256
            version.credential = locked.credential
            return version
        certificate = locked.certificate
        institution = certificate.institution
        keys.ensure_institution_keys(institution)  # needs the deployment CA (KeysMissing)
        content = content_for(certificate, locked.version)
        signed = signing.signer_for(institution).sign_pdf(render_certificate(content))
        locked.pdf.save(
            f"{certificate.number}-v{locked.version}.pdf", ContentFile(signed), save=False
        )
        locked.pdf_sha256 = hashlib.sha256(signed).hexdigest()
        locked.credential = credential_for(certificate, content, locked.version)
        locked.save(update_fields=["pdf", "pdf_sha256", "credential"])
    version.pdf, version.pdf_sha256 = locked.pdf, locked.pdf_sha256
    version.credential = locked.credential
    return version
