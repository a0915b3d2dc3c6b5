"""``manage.py recompute_credit``: the daily credit scores and ranking, for cron."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from skillcert.supervision.tasks_credit import recompute_all


class Command(BaseCommand):
    help = "Recompute the credit score, grade and rank of every filed institution (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="treat this day (YYYY-MM-DD) as today, e.g. to catch up a missed run"
        )
        parser.add_argument("--province", help="only this province (region code, e.g. 530000)")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") from exc
        done = recompute_all(today=today, province=options["province"])
        if options["province"] and not done:
            raise CommandError(f"no filed institution in province {options['province']!r}")
        for code, count in done.items():
            self.stdout.write(f"{code}: {count} institution(s) scored as of {today.isoformat()}.")
