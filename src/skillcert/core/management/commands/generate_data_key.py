from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from skillcert.core.crypto import new_master_key


class Command(BaseCommand):
    help = "Write a new personal-data master key to the key file, unless one exists."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--path", default=settings.PERSONAL_DATA_KEY_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if path.exists():
            self.stdout.write(f"Key file {path} exists; left unchanged.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(new_master_key() + "\n")
        self.stdout.write(self.style.SUCCESS(f"Wrote a new personal-data key to {path}"))
        self.stdout.write("Keep it safe: without it, encrypted ID and phone numbers are lost.")
