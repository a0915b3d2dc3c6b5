"""Background work for early warnings: the scan of every province.

Scheduled daily (``manage.py scan_alerts`` from cron, or ``scan_alerts_task`` enqueued by a
scheduler); running it twice is harmless (alerts are upserted by rule and subject).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django_tasks import task

from skillcert.core.actors import Actor
from skillcert.core.choices import RegionLevel
from skillcert.core.models import Region
from skillcert.institutions.models import Institution
from skillcert.supervision.alerts import ScanReport, alerts_scan


def provinces_with_institutions() -> QuerySet[Region]:
    return Region.objects.filter(
        level=RegionLevel.PROVINCE,
        code__in=Institution.objects.values("organisation__province_id"),
    ).order_by("code")


def scan_all(now: datetime | None = None) -> list[ScanReport]:
    """Scan every province that has institutions, as the system."""
    actor = Actor.system("alerts")
    return [
        alerts_scan(actor=actor, province=province, now=now)
        for province in provinces_with_institutions()
    ]


@task()
def scan_alerts_task() -> int:
    """Scan every province; returns the number of findings."""
    return sum(report.findings for report in scan_all())
