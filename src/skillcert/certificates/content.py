"""What a certificate prints: every field of 人社鉴发〔2021〕1号, as plain values.

The PDF (:mod:`skillcert.certificates.pdf`) draws a :class:`CertificateContent` and
nothing else, so a certificate's look can be tested without a database and a reissue
prints exactly the snapshot it was given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

# 人社鉴发〔2021〕1号: the title, word for word.
CERTIFICATE_TITLE = "职业技能等级证书"
# Printed when the occupation has no work type (工种).
NO_WORK_TYPE = "--"
# 人社鉴发〔2021〕1号: the level as the certificate writes it (5 is the lowest).
LEVEL_TEXT = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}


def default_query_addresses() -> tuple[str, ...]:
    """The national query system's address and the province's, from the settings."""
    return tuple(settings.CERTIFICATE_QUERY_ADDRESSES)


@dataclass(frozen=True)
class CertificateContent:
    """One certificate's printed fields; the ID number is full, as printed."""

    name: str
    id_type: str  # e.g. 居民身份证
    id_number: str
    occupation_name: str
    occupation_code: str  # e.g. 6-18-01-01
    level: int  # 5 (五级/初级工) … 1 (一级/高级技师)
    institution: str  # the evaluation institution's filed name
    issue_date: date
    number: str  # the 22-character number (人社鉴发〔2019〕2号)
    verification_url: str  # the QR code's target, /v/{number}/{token}
    work_type: str = NO_WORK_TYPE
    photo: bytes | None = None
    query_addresses: tuple[str, ...] = field(default_factory=default_query_addresses)
    title: str = CERTIFICATE_TITLE

    def __post_init__(self) -> None:
        if self.level not in LEVEL_TEXT:
            raise ValueError(f"level must be 1–5, got {self.level!r}")
        if not self.work_type.strip():
            object.__setattr__(self, "work_type", NO_WORK_TYPE)

    @property
    def level_text(self) -> str:
        return LEVEL_TEXT[self.level]

    @property
    def issue_date_text(self) -> str:
        return f"{self.issue_date.year}年{self.issue_date.month}月{self.issue_date.day}日"
