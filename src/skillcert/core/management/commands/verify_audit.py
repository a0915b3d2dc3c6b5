from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from skillcert.core.audit import verify_chain


class Command(BaseCommand):
    help = "Walk the audit hash chain; exit 1 naming the first bad event."

    def handle(self, *args: Any, **options: Any) -> None:
        checked, broken = verify_chain()
        if broken is None:
            self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
            return
        self.stderr.write(
            f"Audit chain broken at event #{broken.seq}: {broken.reason} "
            f"({checked} events verified before it)."
        )
        raise SystemExit(1)
