"""Import a roster from the command line, synchronously, as the system.

    manage.py import_roster <batch-id> <file.xlsx> [--dry-run] [--report PATH]

Exit 0 when the file is clean (imported, unless --dry-run); exit 1 when it has errors —
nothing is written and the path of the error report (the file with the bad cells
marked) is printed — or when the file, the batch or its state does not allow an import.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import override

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError
from skillcert.enrollment.roster.importer import (
    REPORT_LANGUAGE,
    RosterOutcome,
    RosterProgress,
    report_name,
    roster_import,
)

SHOWN_ERRORS = 20


class _Printer(RosterProgress):
    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.rows = 0

    def read(self, rows: int) -> None:
        self.rows = rows
        self.command.stderr.write(f"读取 {rows} 行")

    def checked(self, done: int) -> None:
        self.command.stderr.write(f"已校验 {done}/{self.rows}")

    def written(self, done: int) -> None:
        self.command.stderr.write(f"已写入 {done}/{self.rows}")


class Command(BaseCommand):
    help = "Import a roster (.xlsx) into a batch; exit 1 with an error report when any cell is bad."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument(
            "--report",
            type=Path,
            help="where to write the error report (default: next to the file, or a temp dir)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with override(REPORT_LANGUAGE):
            path: Path = options["file"]
            batch = (
                Batch.objects.select_related("standard_level", "institution__organisation")
                .filter(pk=options["batch_id"])
                .first()
            )
            if batch is None:
                raise CommandError(f"批次 {options['batch_id']} 不存在。")
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
            try:
                outcome = roster_import(
                    actor=Actor.system("import_roster"),
                    batch=batch,
                    data=data,
                    file_name=path.name,
                    dry_run=options["dry_run"],
                    progress=_Printer(self) if options["verbosity"] >= 2 else None,
                )
            except DomainError as exc:
                raise CommandError(f"{path.name}：{exc.message}") from exc
            if not outcome.is_clean:
                report = self._write_report(outcome, path, options["report"])
                self._print_errors(outcome)
                raise CommandError(
                    f"名册有 {len(outcome.errors)} 处错误（涉及 {outcome.error_rows} 行），"
                    f"没有写入任何数据。错误报告：{report}"
                )
            self._print_success(outcome, batch)

    def _write_report(self, outcome: RosterOutcome, source: Path, wanted: Path | None) -> Path:
        assert outcome.report is not None  # noqa: S101 - errors come with a report
        candidates = [wanted] if wanted else [source.with_name(report_name(source.name))]
        if not wanted:
            candidates.append(Path(tempfile.gettempdir()) / report_name(source.name))
        for target in candidates:
            try:
                target.write_bytes(outcome.report)
            except OSError:
                continue
            return target.resolve()
        raise CommandError(f"无法写入错误报告：{candidates[0]}")

    def _print_errors(self, outcome: RosterOutcome) -> None:
        for error in outcome.errors[:SHOWN_ERRORS]:
            self.stdout.write(
                f"第 {error.row} 行 {error.column} 列（{error.header}）：{error.reason}"
            )
        if len(outcome.errors) > SHOWN_ERRORS:
            self.stdout.write(f"……另有 {len(outcome.errors) - SHOWN_ERRORS} 处错误，见错误报告。")

    def _print_success(self, outcome: RosterOutcome, batch: Batch) -> None:
        if outcome.dry_run or outcome.counts is None:
            self.stdout.write(
                self.style.SUCCESS(f"校验通过：{outcome.rows} 行，无错误。（--dry-run：未写入）")
            )
            return
        c = outcome.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {c.rows} 名考生到批次 {batch.code}：新登记人员 {c.persons_created} 人，"
                f"已登记人员 {c.persons_existing} 人，学籍信息 {c.student_statuses} 条。"
            )
        )
