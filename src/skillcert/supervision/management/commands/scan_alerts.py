"""``manage.py scan_alerts``: the early-warning scan of every province, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.core.actors import Actor
from skillcert.core.models import Region
from skillcert.supervision.alerts import ScanReport, alerts_scan
from skillcert.supervision.tasks_alerts import scan_all


class Command(BaseCommand):
    help = "Run the early-warning rules and update the alerts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", help="scan only this province (six-digit code)")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["province"]
        if code:
            province = Region.objects.filter(code=code, level="province").first()
            if province is None:
                raise CommandError(f"no province with code {code!r}")
            reports = [alerts_scan(actor=Actor.system("alerts"), province=province)]
        else:
            reports = scan_all()
        for report in reports:
            self.stdout.write(_line(report))


def _line(report: ScanReport) -> str:
    return (
        f"{report.province}: {report.findings} finding(s), {report.created} new, "
        f"{report.reopened} reopened, {report.stopped} no longer firing."
    )
