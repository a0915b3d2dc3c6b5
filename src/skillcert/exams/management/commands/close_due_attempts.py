"""Close every attempt whose deadline has passed (a backstop for the deadline tasks).

The deadline task normally closes each attempt on time; run this from cron, or with
``--every 5`` as a small loop, where the task backend cannot defer work.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from skillcert.exams.closing import close_due_attempts


class Command(BaseCommand):
    help = "Close exam attempts whose time is up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, every: float, **options: Any) -> None:
        while True:
            closed = close_due_attempts()
            if closed or not every:
                self.stdout.write(f"closed {closed} attempt(s)")
            if not every:
                return
            time.sleep(every)
