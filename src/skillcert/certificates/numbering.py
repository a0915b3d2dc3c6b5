"""Certificate numbers (人社鉴发〔2019〕2号 职业技能等级证书编码规则; DESIGN.md "Contracts").

22 characters::

    Y 0000 53 000001 26 5 000001
    │ │    │  │      │  │ └ 17–22 serial within the 16-character prefix, from 000001
    │ │    │  │      │  └ 16 level (1–5)
    │ │    │  │      └ 14–15 two-digit year of issue
    │ │    │  └ 8–13 site serial assigned by the provincial department
    │ │    └ 6–7 province code (GB/T 2260, first two digits)
    │ └ 2–5 ministry-assigned institution code (0000 when filed with the province)
    └ 1 institution category (Y employer-type, S social organisation)

The serial comes from a locked counter row per prefix (``institutions.numbering.next_value``)
inside the issuing transaction: concurrent issuers wait for each other, a rolled-back
issue gives its number back, so numbers are unique and without gaps per prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from skillcert.core.errors import DomainError
from skillcert.institutions.models import Institution
from skillcert.institutions.numbering import next_value

NUMBER_LENGTH = 22
PREFIX_LENGTH = 16
SERIAL_LIMIT = 999_999
NUMBER_RE = re.compile(r"^[YS]\d{4}\d{2}\d{6}\d{2}[1-5]\d{6}$", re.ASCII)
_PARTS_RE = re.compile(  # ASCII digits only: \d also matches full-width ones
    r"^(?P<category>[YS])(?P<ministry_code>\d{4})(?P<province>\d{2})(?P<site_serial>\d{6})"
    r"(?P<year>\d{2})(?P<level>[1-5])(?P<serial>\d{6})$",
    re.ASCII,
)


class InvalidNumber(DomainError):
    """A string that is not a certificate number by shape."""


@dataclass(frozen=True)
class NumberParts:
    category: str
    ministry_code: str
    province: str
    site_serial: str
    year: str  # two digits
    level: int
    serial: int

    @property
    def prefix(self) -> str:
        return (
            f"{self.category}{self.ministry_code}{self.province}{self.site_serial}"
            f"{self.year}{self.level}"
        )


def certificate_prefix(institution: Institution, year: int, level: int) -> str:
    """Positions 1–16 for ``institution``'s certificates of ``level`` issued in ``year``;
    refuses an institution the province has not given a site serial."""
    category, ministry, province, site = institution.certificate_prefix_parts
    if not re.fullmatch(r"\d{6}", site or "", re.ASCII):
        raise DomainError(
            _("评价机构“%(name)s”尚未取得省级人社部门分配的站点序列码，不能发证。")
            % {"name": institution.name},
            code="no_site_serial",
        )
    if category not in ("Y", "S") or not re.fullmatch(r"\d{4}", ministry, re.ASCII):
        raise DomainError(_("评价机构的类别或机构代码不符合证书编码规则。"), code="bad_prefix")
    if not re.fullmatch(r"\d{2}", province or "", re.ASCII):
        raise DomainError(_("评价机构的省级代码不符合证书编码规则。"), code="bad_prefix")
    if not 1 <= level <= 5:
        raise DomainError(_("等级应为1至5级。"), code="bad_level")
    if year < 2000:
        raise DomainError(_("发证年份不正确。"), code="bad_year")
    return f"{category}{ministry}{province}{site}{year % 100:02d}{level}"


def certificate_number(institution: Institution, year: int, level: int, serial: int) -> str:
    """The 22-character number with ``serial`` (1–999999) in positions 17–22."""
    if not 1 <= serial <= SERIAL_LIMIT:
        raise DomainError(_("证书流水号应为1至999999。"), code="bad_serial")
    return f"{certificate_prefix(institution, year, level)}{serial:06d}"


def allocate_number(institution: Institution, year: int, level: int) -> str:
    """The next number of the prefix; call inside the issuing transaction (the counter
    row stays locked until it commits or rolls back)."""
    prefix = certificate_prefix(institution, year, level)
    return f"{prefix}{next_value(f'cert:{prefix}', SERIAL_LIMIT):06d}"


def parse_number(number: str) -> NumberParts:
    """The parts of a well-formed number; :class:`InvalidNumber` otherwise."""
    match = _PARTS_RE.fullmatch(number or "")
    if match is None:
        raise InvalidNumber(_("证书编号应为22位：类别字母加21位数字。"), code="bad_number")
    serial = int(match["serial"])
    if serial == 0:
        raise InvalidNumber(_("证书编号的流水号不能为000000。"), code="bad_number")
    return NumberParts(
        category=match["category"],
        ministry_code=match["ministry_code"],
        province=match["province"],
        site_serial=match["site_serial"],
        year=match["year"],
        level=int(match["level"]),
        serial=serial,
    )


def is_number(text: str) -> bool:
    try:
        parse_number(text)
    except InvalidNumber:
        return False
    return True


# Bits of an institution's status list a deployment may hand out (a 1.25 MB list).
STATUS_INDEX_LIMIT = 10_000_000


def allocate_status_index(institution: Institution) -> int:
    """The certificate's bit in its institution's Bitstring Status List: 0, 1, 2, …"""
    return next_value(f"status:{institution.pk}", STATUS_INDEX_LIMIT) - 1
