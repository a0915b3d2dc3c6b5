"""The complaints' test world on top of the cast: institutions A (Kunming) and B (Qujing)
listed in the public directory, and helpers that submit complaints through the service."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from skillcert.core.models import Region
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.demo import minimal_pdf
from skillcert.institutions.models import Filing, Institution
from skillcert.supervision import complaints
from skillcert.supervision.choices import ComplaintKind
from skillcert.supervision.models import Complaint
from tests.conftest import Cast
from tests.institutions.factories import InstitutionFactory

_serial = itertools.count(1)


@dataclass
class ComplaintWorld:
    cast: Cast
    province: Region
    inst_a: Institution
    inst_b: Institution

    def submit(self, institution: Institution | None = None, **overrides: Any) -> Complaint:
        """A valid complaint about ``institution`` (A unless told), submitted as the public."""
        fields: dict[str, Any] = {
            "province": self.province,
            "kind": ComplaintKind.COMPLAINT,
            "subject_text": "考评员收取好处费",
            "content": "2026年5月考试时考评员向考生收取好处费，承诺给予高分。",
            "institution": self.inst_a if institution is None else institution,
        }
        fields.update(overrides)
        return complaints.complaint_submit(**fields)


def _listed(cast: Cast, org_key: str, authority_key: str, **kwargs: Any) -> Institution:
    institution: Institution = InstitutionFactory.create(
        organisation=cast.orgs[org_key],
        supervisor=cast.orgs[authority_key],
        status=DirectoryStatus.ACTIVE,
        **kwargs,
    )
    today = timezone.localdate()
    Filing.objects.create(
        institution=institution,
        filing_number=f"TEST-{org_key}-{next(_serial)}",
        valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=365 * 3),
        issued_by=cast.orgs[authority_key],
    )
    return institution


def complaint_world(cast: Cast) -> ComplaintWorld:
    return ComplaintWorld(
        cast=cast,
        province=Region.objects.get(code="530000"),
        inst_a=_listed(cast, "institution_a", "centre_a"),
        inst_b=_listed(cast, "institution_b", "city_b", address="曲靖市麒麟区测试路2号"),
    )


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf("evidence"), content_type="application/pdf")


def at(day: date, hour: int = 10) -> datetime:
    """An aware datetime on ``day`` in the project's time zone."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())
