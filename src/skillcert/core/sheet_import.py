"""Reading a one-table Excel import (header row, then one record per row) for the
all-or-nothing imports: every row is checked first, and the errors name the Excel row
(1 is the header) and the column; nothing is written unless the whole file is clean.

Cells come back as python-calamine gives them: text, numbers as ``float``, dates.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from skillcert.core.errors import DomainError

MAX_REPORTED_ERRORS = 500


@dataclass(frozen=True)
class CellError:
    """One problem in the file: the Excel row (1 is the header), the column, the reason."""

    row: int
    column: str
    message: str


class SheetInvalid(DomainError):
    """The file was not imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[CellError]) -> None:
        super().__init__(
            _("文件有 %(n)d 处错误，未导入任何数据。") % {"n": len(errors)}, code="invalid_file"
        )
        self.errors = errors[:MAX_REPORTED_ERRORS]


@dataclass
class SheetRow:
    """A data row by column name, collecting its errors."""

    number: int
    values: dict[str, Any]
    errors: list[CellError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(CellError(self.number, column, message))

    def text(self, column: str) -> str:
        return cell_text(self.values[column])


def read_first_sheet(data: bytes) -> list[list[Any]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, IndexError) as exc:
        raise DomainError(_("无法读取该Excel文件，请使用.xlsx格式。"), code="unreadable") from exc


def read_rows(data: bytes, columns: Sequence[str], max_rows: int) -> list[SheetRow]:
    """The file's data rows (blank lines skipped) by column name; raises
    :class:`SheetInvalid` for an empty file or missing columns."""
    table = read_first_sheet(data)
    if not table:
        raise SheetInvalid([CellError(1, "", _("文件是空的。"))])
    names = [cell_text(h) for h in table[0]]
    positions = {name: names.index(name) for name in columns if name in names}
    missing = [CellError(1, name, _("缺少此列。")) for name in columns if name not in positions]
    if missing:
        raise SheetInvalid(missing)
    if len(table) - 1 > max_rows:
        raise DomainError(_("一个文件最多%(n)d行，请分批导入。") % {"n": max_rows}, code="too_many")
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {c: cells[i] if i < len(cells) else "" for c, i in positions.items()}
        if any(cell_text(v) for v in values.values()):
            rows.append(SheetRow(number, values))
    return rows


def cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value if value is not None else "").strip()


def cell_int(value: Any) -> int | None:
    """A whole number typed as a number or as text."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = cell_text(value)
    return int(text) if text.isdigit() else None


def cell_date(value: Any) -> datetime.date | None:
    """A date cell, or text such as 2025-03-01, 2025/3/1 or 2025.3.1."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except ValueError:
        return None


def cell_choice(value: str, choices: type[models.Choices]) -> Any:
    """A choice given by its label (居民身份证) or its code (resident); None if neither."""
    for code, label in choices.choices:
        if value in (str(code), str(label)):
            return code
    return None
