"""``manage.py deliver_certificates [--once] [--interval 10] [--limit 100]``: deliver the
certificate outbox to the national/provincial query system.

Without ``--once`` it is a loop for operators (Ctrl-C stops it); with ``--once`` one
run, for cron. Each run prints what it delivered, what failed (to be retried with
backoff) and what is still pending. Several copies may run at once: a message is
claimed by one of them at a time.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.certificates.delivery import deliver_due, delivery_url


class Command(BaseCommand):
    help = "Deliver issued, changed and revoked certificate records to the query system."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one run, then exit")
        parser.add_argument(
            "--interval", type=float, default=10.0, help="seconds between runs (default 10)"
        )
        parser.add_argument(
            "--limit", type=int, default=100, help="messages per run at most (default 100)"
        )

    def handle(self, *args: Any, once: bool, interval: float, limit: int, **options: Any) -> None:
        if not delivery_url():
            raise CommandError("CERTIFICATE_DELIVERY_URL is not set: delivery is off.")
        if interval <= 0 or limit <= 0:
            raise CommandError("--interval and --limit must be positive.")
        try:
            while True:
                report = deliver_due(limit=limit)
                self.stdout.write(
                    f"delivered {report.delivered}, failed {report.failed}, "
                    f"pending {report.remaining}"
                )
                if once:
                    return
                # A full run may have left more due messages: go on without waiting.
                if report.attempted < limit:
                    time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("stopped")
