"""``manage.py verify_dossier <file> [--offline]``: check a batch dossier's integrity."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.archives.dossiers import dossier_verify


class Command(BaseCommand):
    help = (
        "Verify a batch dossier zip: its CRCs, the signed manifest, every entry's size and "
        "SHA-256, no unlisted file and (unless --offline) that this system built exactly "
        "this file. Exit 0 when it verifies, 1 otherwise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--offline",
            action="store_true",
            help="check the file on its own, without this system's records",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        report = dossier_verify(data, registered=not options["offline"])
        for check in report.checks:
            self.stdout.write(f"{'OK  ' if check.ok else 'FAIL'} {check.name}: {check.message}")
        if report.ok:
            mode = "offline" if options["offline"] else "registered"
            self.stdout.write(f"verified ({mode})")
            return
        self.stdout.write("NOT VERIFIED")
        sys.exit(1)
