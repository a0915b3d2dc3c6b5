"""The certificate as a verifiable credential: W3C VC 2.0 + Open Badges 3.0.

An ``OpenBadgeCredential`` (OB 3.0 AchievementCredential) signed with ``eddsa-rdfc-2022`` by
the issuing institution's did:key, revocable through a Bitstring Status List entry.

No raw ID number goes into a credential: the holder is identified by name and by a salted
SHA-256 ``IdentityObject`` of the ID number (OB 3.0 "identityHash", ``sha256$<hex>`` of the
number followed by the salt), which anyone who is shown the ID card can check.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.certificates import dataintegrity, jsonld, statuslist
from skillcert.core.errors import DomainError

CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
CERTIFICATE_TITLE = "职业技能等级证书"
NO_WORK_TYPE = "--"

# Keys ``certificate_credential`` needs in ``data``.
REQUIRED_FIELDS = (
    "number",
    "holder_name",
    "id_number",
    "occupation_code",
    "occupation_name",
    "work_type",
    "level",
    "level_name",
    "institution_name",
    "issue_date",
)


def identity_hash(id_number: str, salt: str) -> str:
    """OB 3.0 IdentityHash of an ID number: ``sha256$`` + hex(SHA-256(number ‖ salt))."""
    normalised = id_number.strip().upper()
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def _valid_from(issue_date: date) -> str:
    # The issue date printed on the certificate is a Beijing-time calendar date.
    return f"{issue_date.isoformat()}T00:00:00+08:00"


def certificate_credential(
    data: Mapping[str, Any],
    issuer_key: Ed25519PrivateKey,
    status_index: int,
    status_list_url: str,
    *,
    created: datetime | None = None,
) -> dict[str, Any]:
    """Build and sign the credential of one certificate from plain fields.

    ``data`` keys: number, holder_name, id_number (hashed, never copied), occupation_code,
    occupation_name, work_type ("--" when none), level (1–5), level_name (e.g. "四级/中级工"),
    institution_name (filed name), issue_date (date); optional: id_salt (hex; random when
    absent), verification_url (becomes the credential's id), version (int, default 1).
    """
    missing = [name for name in REQUIRED_FIELDS if data.get(name) in (None, "")]
    if missing:
        raise DomainError("凭证缺少字段：" + "、".join(missing), code="credential_fields")
    issue_date = data["issue_date"]
    if isinstance(issue_date, datetime) or not isinstance(issue_date, date):
        raise DomainError("发证日期须为日期。", code="credential_fields")
    number = str(data["number"])
    work_type = str(data["work_type"])
    occupation_code = str(data["occupation_code"])
    occupation_name = str(data["occupation_name"])
    level_name = str(data["level_name"])
    salt = str(data.get("id_salt") or secrets.token_hex(16))
    version = int(data.get("version") or 1)

    public_key = issuer_key.public_key()
    issuer_did = dataintegrity.did_key(public_key)
    has_work_type = work_type != NO_WORK_TYPE
    title = f"{occupation_name}（{work_type}）" if has_work_type else occupation_name
    achievement: dict[str, Any] = {
        "id": "urn:skillcert:achievement:"
        + ":".join(
            quote(part, safe="") for part in (occupation_code, work_type, str(data["level"]))
        ),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"{title} {level_name}",
        "description": f"{CERTIFICATE_TITLE}：{title}，{level_name}",
        "criteria": {
            "narrative": f"经{data['institution_name']}职业技能等级认定，考核合格。",
        },
        "humanCode": occupation_code,
        "fieldOfStudy": occupation_name,
        "inLanguage": "zh-CN",
    }
    if has_work_type:
        achievement["specialization"] = work_type
    document: dict[str, Any] = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": str(data.get("verification_url") or f"urn:skillcert:certificate:{number}"),
        "type": list(CREDENTIAL_TYPES),
        "name": CERTIFICATE_TITLE,
        "issuer": {
            "id": issuer_did,
            "type": ["Profile"],
            "name": str(data["institution_name"]),
        },
        "validFrom": _valid_from(issue_date),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": str(data["holder_name"]),
                },
                {
                    "type": "IdentityObject",
                    "identityType": "nationalIdentityNumber",
                    "hashed": True,
                    "identityHash": identity_hash(str(data["id_number"]), salt),
                    "salt": salt,
                },
            ],
            "licenseNumber": number,
            "achievement": achievement,
        },
        "credentialStatus": statuslist.status_entry(status_list_url, status_index),
    }
    if version > 1:
        document["description"] = f"第 {version} 版（证书编号不变）"
    return dataintegrity.sign(
        document,
        issuer_key,
        dataintegrity.verification_method(public_key),
        created or datetime.now(UTC),
    )
