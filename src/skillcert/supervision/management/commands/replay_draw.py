"""``manage.py replay_draw <plan id>``: run a plan's recorded draw again and compare."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from skillcert.supervision.inspections import draw_replay
from skillcert.supervision.models import DrawRecord


class Command(BaseCommand):
    help = (
        "Re-run the draw of an inspection plan from its stored seed and inputs; exit 0 when "
        "it reproduces the record and the inspections exactly, 1 with the differences."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        record = (
            DrawRecord.objects.select_related("plan").filter(plan_id=options["plan_id"]).first()
        )
        if record is None:
            raise CommandError(f"plan {options['plan_id']} has no recorded draw")
        report = draw_replay(record)
        self.stdout.write(f"plan {report.plan_id}: {record.plan.title}")
        self.stdout.write(f"algorithm {report.algorithm}, seed {report.seed}")
        self.stdout.write(
            f"{report.targets} eligible target(s), {report.excluded} excluded, "
            f"{report.members} member(s), {len(report.selected)} selected"
        )
        if report.identical:
            self.stdout.write("identical")
            return
        for difference in report.differences:
            self.stdout.write(f"DIFFERENT: {difference}")
        sys.exit(1)
