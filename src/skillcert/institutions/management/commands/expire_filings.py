"""``manage.py expire_filings``: the daily expiry of filings, for cron."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.institutions.services.lifecycle import filings_expire


class Command(BaseCommand):
    help = "Mark institutions whose filing ended before today as expired (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date", help="treat this day (YYYY-MM-DD) as today, e.g. to catch up a missed run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") from exc
        count = filings_expire(actor=Actor.system("expire_filings"), today=today)
        self.stdout.write(f"{count} filing(s) expired as of {today.isoformat()}.")
