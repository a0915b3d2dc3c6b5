"""Public verification of certificates (DESIGN.md "Contracts": public verification, QR code).

Three ways in, one answer (:class:`VerificationAnswer`):

* :func:`verify_number` — the number and the holder's name, both required; a wrong name
  and an unknown number give the same ``None``, so nobody learns which was wrong.
* :func:`lookup` — the holder's name and ID number, found through the ID number's blind
  index (the same ``core.personal.id_index`` the person was registered with, which the
  certificate copies at issue); the ID number never travels in a URL.
* :func:`verify_qr` — the number and the QR token (``tokens``): a scan shows the record
  without typing. A token made for an earlier version (修改/遗失补发) answers
  ``superseded`` with the current version's facts.

A revoked certificate stays on record and answers ``revoked`` (云人社函〔2023〕1号 一(四));
the reason is not public. When the status cannot be established (the database fails
while reading) the answer is ``unknown``, never ``valid``.

The look-up by number is the hot path (benchmarked by ``bench/verify_load.py``): one
query of the printed columns, the current version's PDF hash joined in as a subquery.
The institution's published status list is not consulted here: it is rebuilt from these
same records when a certificate is revoked, so the record is the authority.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, Final

from django.db import DatabaseError, connection
from django.db.models import OuterRef, Subquery
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _

from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.content import LEVEL_TEXT
from skillcert.certificates.models import Certificate, CertificateVersion
from skillcert.certificates.numbering import is_number
from skillcert.certificates.tokens import token_version
from skillcert.core.choices import IdType
from skillcert.core.fields import Protected
from skillcert.core.identifiers import normalise_id
from skillcert.core.personal import id_index

logger = logging.getLogger(__name__)

VALID: Final = "valid"
REVOKED: Final = "revoked"
SUPERSEDED: Final = "superseded"
UNKNOWN: Final = "unknown"

# The columns an answer shows, and nothing else (no person, no application, no reason).
_COLUMNS = (
    "number",
    "holder_name",
    "id_type",
    "id_number",
    "occupation_code",
    "occupation_name",
    "work_type_name",
    "level",
    "institution_name",
    "issue_date",
    "status",
    "version",
    "revoked_at",
)
# A lookup by name and ID number lists at most this many certificates.
LOOKUP_LIMIT = 50
# A QR token: 20 URL-safe base64 characters (``tokens._TOKEN_BYTES``).
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20}$", re.ASCII)
# ID numbers of every supported document type, once spaces and hyphens are gone.
_ID_RE = re.compile(r"^[A-Z0-9]{5,20}$", re.ASCII)
# The separator in names such as 阿依古丽·买买提 is typed many ways.
_NAME_DOTS = str.maketrans(dict.fromkeys(".•・‧∙⋅", "·"))


@dataclass(frozen=True)
class VerificationAnswer:
    """What the public is told about one certificate (masked ID number only)."""

    number: str
    status: str  # valid | revoked | superseded | unknown
    holder_name: str = ""
    id_type: str = ""  # the document type's label, e.g. 居民身份证
    id_number_masked: str = ""
    occupation_name: str = ""
    occupation_code: str = ""
    work_type: str = ""
    level: int | None = None
    level_text: str = ""
    institution: str = ""
    issue_date: date | None = None
    version: int | None = None  # the current version
    pdf_sha256: str = ""  # the current version's PDF
    revoked_at: datetime | None = None
    # A QR code of an earlier version: which one, when it was superseded, and a note.
    scanned_version: int | None = None
    superseded_at: datetime | None = None
    note: str = ""

    @property
    def is_known(self) -> bool:
        return self.status != UNKNOWN

    @property
    def status_text(self) -> str:
        return status_text(self.status)


def status_text(status: str) -> str:
    texts = {
        VALID: _("有效"),
        REVOKED: _("已撤销"),
        SUPERSEDED: _("已被新版本替代"),
        UNKNOWN: _("无法确认"),
    }
    return texts.get(status, texts[UNKNOWN])


def normalise_name(name: str) -> str:
    """Compare names as people type them: full-width forms folded (NFKC), every space
    removed, the separator dot in one form, Latin letters case-folded."""
    folded = unicodedata.normalize("NFKC", name or "")
    return "".join(folded.split()).translate(_NAME_DOTS).casefold()


def normalise_number(number: str) -> str:
    """Full-width digits and letters folded, spaces removed, the category letter upper."""
    return "".join(unicodedata.normalize("NFKC", number or "").split()).upper()


# --- the selectors (one query each; tests patch them to simulate a failing database) ---


def _rows() -> Any:
    current_pdf = CertificateVersion.objects.filter(
        certificate=OuterRef("pk"), version=OuterRef("version")
    ).values("pdf_sha256")[:1]
    return Certificate.objects.values(*_COLUMNS).annotate(pdf_sha256=Subquery(current_pdf))


@cache
def _by_number_sql() -> str:
    """The hot path's query, in SQL built once from the models' tables and columns: the
    ORM would spend several times the query's own cost compiling it on every request."""
    quote = connection.ops.quote_name
    certificates, versions = Certificate._meta, CertificateVersion._meta

    def column(meta: Any, name: str) -> str:
        return quote(meta.get_field(name).column)

    columns = ", ".join(f"c.{column(certificates, name)}" for name in _COLUMNS)
    # Only the models' own names are interpolated; the number is a parameter.
    current_pdf = (
        f"SELECT v.{column(versions, 'pdf_sha256')} FROM {quote(versions.db_table)} v"  # noqa: S608
        f" WHERE v.{column(versions, 'certificate')} = c.{column(certificates, 'id')}"
        f" AND v.{column(versions, 'version')} = c.{column(certificates, 'version')}"
    )
    table, number = quote(certificates.db_table), column(certificates, "number")
    return f"SELECT {columns}, ({current_pdf}) FROM {table} c WHERE c.{number} = %s"  # noqa: S608


def _converted(row: dict[str, Any]) -> dict[str, Any]:
    """What the ORM would have made of the raw values (SQLite gives naive UTC times)."""
    field = Certificate._meta.get_field("id_number")
    row["id_number"] = field.from_db_value(row["id_number"], None, connection)
    if isinstance(row["issue_date"], str):
        row["issue_date"] = parse_date(row["issue_date"])
    revoked_at = row["revoked_at"]
    if isinstance(revoked_at, str):
        revoked_at = parse_datetime(revoked_at)
    if revoked_at is not None and is_naive(revoked_at):
        revoked_at = make_aware(revoked_at, UTC)  # stored in UTC
    row["revoked_at"] = revoked_at
    return row


def certificate_row(number: str) -> dict[str, Any] | None:
    """The public columns of the certificate with this (well-formed) number."""
    with connection.cursor() as cursor:
        cursor.execute(_by_number_sql(), [number])
        found = cursor.fetchone()
    if found is None:
        return None
    return _converted(dict(zip((*_COLUMNS, "pdf_sha256"), found, strict=True)))


def certificate_rows_by_index(indexes: list[str]) -> list[dict[str, Any]]:
    """The public columns of the certificates whose holder's ID has one of these indexes."""
    rows = _rows().filter(id_number_index__in=indexes).order_by("-issue_date", "number")
    return list(rows[: LOOKUP_LIMIT * 2])


def superseded_at(number: str, version: int) -> datetime | None:
    found = CertificateVersion.objects.filter(
        certificate__number=number, version=version
    ).values_list("superseded_at", flat=True)
    return found.first()


# --- the answers ------------------------------------------------------------------------


def _answer(row: dict[str, Any], status: str, **extra: Any) -> VerificationAnswer:
    id_number = row["id_number"]
    masked = id_number.masked if isinstance(id_number, Protected) else ""
    level = row["level"]
    return VerificationAnswer(
        number=row["number"],
        status=status,
        holder_name=row["holder_name"],
        id_type=str(IdType(row["id_type"]).label) if row["id_type"] in IdType.values else "",
        id_number_masked=masked,
        occupation_name=row["occupation_name"],
        occupation_code=row["occupation_code"],
        work_type=row["work_type_name"],
        level=level,
        level_text=LEVEL_TEXT.get(level, ""),
        institution=row["institution_name"],
        issue_date=row["issue_date"],
        version=row["version"],
        pdf_sha256=row["pdf_sha256"] or "",
        revoked_at=row["revoked_at"] if row["status"] == CertificateStatus.REVOKED else None,
        **extra,
    )


def _record_status(row: dict[str, Any]) -> str:
    if row["status"] == CertificateStatus.REVOKED:
        return REVOKED
    if row["status"] == CertificateStatus.VALID:
        return VALID
    return UNKNOWN  # a state this code does not know is not vouched for


def unknown_answer(number: str = "") -> VerificationAnswer:
    return VerificationAnswer(number=number, status=UNKNOWN)


def verify_number(number: str, name: str) -> VerificationAnswer | None:
    """The certificate with ``number`` if its holder's name is ``name``; else ``None``
    (a malformed number, an unknown number and a wrong name alike)."""
    number = normalise_number(number)
    wanted = normalise_name(name)
    if not wanted or not is_number(number):
        return None
    try:
        row = certificate_row(number)
    except DatabaseError:
        logger.warning("certificate verification: database error", exc_info=True)
        return unknown_answer(number)
    if row is None or normalise_name(row["holder_name"]) != wanted:
        return None
    return _answer(row, _record_status(row))


def lookup(name: str, id_number: str) -> list[VerificationAnswer]:
    """The certificates of the holder with this name and ID number, newest first; an
    empty list when nothing matches or the ID number cannot be one."""
    wanted = normalise_name(name)
    value = normalise_id("", id_number or "")
    if not wanted or not _ID_RE.match(value):
        return []
    # The index includes the document type, which the public does not tell us.
    indexes = [id_index(id_type, value) for id_type in IdType.values]
    try:
        rows = certificate_rows_by_index(indexes)
    except DatabaseError:
        logger.warning("certificate lookup: database error", exc_info=True)
        return [unknown_answer()]
    matching = [r for r in rows if normalise_name(r["holder_name"]) == wanted]
    return [_answer(r, _record_status(r)) for r in matching[:LOOKUP_LIMIT]]


def verify_qr(number: str, token: str) -> VerificationAnswer | None:
    """The certificate a QR code points to; ``None`` for a bad token or unknown number.
    A token of an earlier version answers ``superseded`` (unless the certificate has
    been revoked since) with the current version's facts."""
    if not is_number(number) or not _TOKEN_RE.match(token or ""):
        return None
    try:
        row = certificate_row(number)
        if row is None:
            return None
        scanned = token_version(number, token, row["version"])
        if scanned is None:
            return None
        status = _record_status(row)
        if scanned == row["version"] or status != VALID:
            return _answer(row, status)
        when = superseded_at(number, scanned)
    except DatabaseError:
        logger.warning("certificate QR verification: database error", exc_info=True)
        return unknown_answer(number)
    note = _("您扫描的是第%(old)s版证书，该证书已更新为第%(new)s版，以下为现行版本信息。") % {
        "old": scanned,
        "new": row["version"],
    }
    return _answer(row, SUPERSEDED, scanned_version=scanned, superseded_at=when, note=note)
