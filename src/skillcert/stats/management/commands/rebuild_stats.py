"""``manage.py rebuild_stats``: rebuild the statistics from the records (set-based).

Use after a data migration or restore; day to day the refresh task keeps the figures
current batch by batch. ``--stale`` only drains the queue of marked batches.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.core.models import Region
from skillcert.stats.aggregates import rebuild_all, refresh_stale


class Command(BaseCommand):
    help = "Rebuild the dashboard's aggregates (all, one province, or only stale batches)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", help="only this province (region code, e.g. 530000)")
        parser.add_argument(
            "--stale", action="store_true", help="only refresh the batches marked stale"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["stale"]:
            done = refresh_stale()
            self.stdout.write(f"{done} stale batch(es) refreshed.")
            return
        province = options["province"]
        if province and not Region.objects.filter(code=province, parent__isnull=True).exists():
            raise CommandError(f"unknown province {province!r}")
        rows = rebuild_all(province)
        seconds = time.monotonic() - started
        self.stdout.write(f"{rows} batch-month row(s) rebuilt in {seconds:.1f} s.")
