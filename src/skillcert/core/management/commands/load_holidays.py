"""Load one year's State Council holiday schedule from a CSV (see core/data/holidays/README.md).

    manage.py load_holidays 2027.csv --source "国办发明电〔2026〕X号"

The file replaces that year's schedule entirely; a bad file changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from skillcert.core.actors import Actor
from skillcert.core.calendar_services import holiday_schedule_load, parse_schedule_csv
from skillcert.core.errors import DomainError


class Command(BaseCommand):
    help = "从 CSV（date,kind,name）载入一年的国务院节假日安排，整体替换该年度已有安排。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="CSV 文件（UTF-8）")
        parser.add_argument("--source", required=True, help="依据文件，如 国办发明电〔2026〕X号")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {path}：{exc}") from exc
        try:
            year, days = parse_schedule_csv(text)
            schedule = holiday_schedule_load(
                actor=Actor.system("load_holidays"), year=year, source=options["source"], days=days
            )
        except DomainError as exc:
            raise CommandError(f"{path}：{exc.message}") from exc
        off = sum(not day.is_working_day for day in days)
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入 {schedule.year} 年节假日安排（{schedule.source}）："
                f"放假 {off} 天，调休上班 {len(days) - off} 天。"
            )
        )
