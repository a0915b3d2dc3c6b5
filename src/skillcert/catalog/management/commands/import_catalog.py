"""Load the 2022 职业分类大典 into the catalogue (idempotent; see catalog/data/README.md).

    manage.py import_catalog [--path DIR] [--tree FILE]

``--path`` is a folder holding ``csco2022_occupations.csv`` (default: catalog/data);
``--tree`` the occstructor JSON to cross-check against (default: looked for in the
folder, then in ../shared/data; skipped when absent).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from skillcert.catalog.importer import CSV_NAME, DATA_DIR, import_catalog
from skillcert.core.actors import Actor


class Command(BaseCommand):
    help = "导入2022年版职业分类大典（大类、中类、小类、职业），可重复执行。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--path", type=Path, default=DATA_DIR, help=f"含 {CSV_NAME} 的目录")
        parser.add_argument("--tree", type=Path, default=None, help="用于交叉核对的层级树 JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["path"]
        if not (folder / CSV_NAME).is_file():
            raise CommandError(f"{folder} 中没有 {CSV_NAME}")
        tree: Path | None = options["tree"]
        if tree is not None and not tree.is_file():
            raise CommandError(f"找不到层级树文件 {tree}")
        started = time.monotonic()
        report = import_catalog(actor=Actor.system("import_catalog"), data_dir=folder, tree=tree)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {time.monotonic() - started:.1f} 秒。"))
