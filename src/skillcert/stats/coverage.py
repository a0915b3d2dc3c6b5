"""Students' certification coverage by school and major (云人社通〔2023〕23号 应评尽评;
沪人社职〔2022〕102号: certification covers 80% of majors).

Rules:

- The graduating students of year Y are the education registry's records
  (``StudentRegistryRecord``) with graduation year Y and state 在读 or 已毕业; when a
  student was imported more than once in a province, the newest record counts.
- A student is certified when any valid certificate has the same ID number blind index.
- A row's province and city are the importing education department's; a province-level
  import has no city, so only province-level readers see it.

Rebuilt set-based (one GROUP BY) whenever the registry or certificates changed: the
refresh task calls :func:`coverage_refresh_needed` after draining stale batches.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.enrollment.models import RegistryImport, StudentRegistryRecord
from skillcert.stats.aggregates import BULK_SIZE, GRADUATING_STATES
from skillcert.stats.models import StudentCoverage

PROVINCE = "source__organisation__province_id"


def graduating_records(province_code: str | None = None) -> QuerySet[StudentRegistryRecord]:
    """The registry records that count: graduating states, the newest per student."""
    newer = StudentRegistryRecord.objects.filter(
        id_number_index=OuterRef("id_number_index"),
        **{PROVINCE: OuterRef(PROVINCE)},
        pk__gt=OuterRef("pk"),
    )
    records = StudentRegistryRecord.objects.filter(~Exists(newer), state__in=GRADUATING_STATES)
    if province_code:
        records = records.filter(**{PROVINCE: province_code})
    return records


def coverage_rebuild(province_code: str | None = None) -> int:
    """Rebuild StudentCoverage (of one province, or all); returns the rows written."""
    valid = Certificate.objects.filter(
        id_number_index=OuterRef("id_number_index"), status=CertificateStatus.VALID
    )
    records = graduating_records(province_code)
    groups = (
        records.values(PROVINCE, "graduation_year", "school", "major_code", "major")
        .annotate(
            city=Max("source__organisation__city_id"),
            graduating=Count("pk"),
            certified=Count("pk", filter=Q(Exists(valid))),
        )
        .order_by()
    )
    now = timezone.now()
    rows = [
        StudentCoverage(
            province_code=g[PROVINCE],
            city_code=g["city"] or "",
            graduation_year=g["graduation_year"],
            school=g["school"],
            major_code=g["major_code"],
            major=g["major"],
            graduating=g["graduating"],
            certified=g["certified"],
            refreshed_at=now,
        )
        for g in groups
    ]
    with transaction.atomic():
        existing = StudentCoverage.objects.all()
        if province_code:
            existing = existing.filter(province_code=province_code)
        existing.delete()
        StudentCoverage.objects.bulk_create(rows, batch_size=BULK_SIZE)
    return len(rows)


def coverage_is_stale(province_code: str) -> bool:
    """A registry import of the province is newer than its coverage rows."""
    imported = RegistryImport.objects.filter(organisation__province_id=province_code).aggregate(
        latest=Max("created_at")
    )["latest"]
    if imported is None:
        return False
    refreshed = StudentCoverage.objects.filter(province_code=province_code).aggregate(
        latest=Max("refreshed_at")
    )["latest"]
    return refreshed is None or refreshed < imported


def coverage_refresh_needed(changed_provinces: Iterable[str]) -> list[str]:
    """Rebuild coverage where certificates changed (the provinces holding registry
    data: a student may be certified anywhere) or a newer registry import arrived.
    Returns the provinces rebuilt."""
    with_registry = set(
        RegistryImport.objects.values_list("organisation__province_id", flat=True).distinct()
    )
    todo = with_registry if set(changed_provinces) else set()
    todo |= {code for code in with_registry if coverage_is_stale(code)}
    for code in sorted(todo):
        coverage_rebuild(code)
    return sorted(todo)
