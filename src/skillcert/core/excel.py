"""Excel exports: one writer, with formula injection neutralised (DESIGN.md "Data protection").

A cell whose text starts with ``= + - @`` (or a tab/carriage return that some readers
strip first) would run as a formula in Excel or WPS; such text is prefixed with a
single quote so it stays text.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CellValue = str | int | float | Decimal | datetime.date | datetime.datetime | None


def safe_cell(value: object) -> CellValue:
    """Numbers and dates pass through; text that could start a formula is quoted."""
    if value is None or isinstance(value, bool):
        return None if value is None else ("是" if value else "否")
    if isinstance(value, int | float | Decimal | datetime.date):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def workbook_bytes(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> bytes:
    """A one-sheet .xlsx with a bold, frozen header row and sensible column widths."""
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = title[:31]
    fill_sheet(sheet, headers, rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fill_sheet(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a bold, frozen header row and the rows (formula-safe) with sensible widths."""
    sheet.append([safe_cell(h) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    widths = [max(8, len(str(h)) * 2) for h in headers]
    for row in rows:
        values = [safe_cell(v) for v in row]
        sheet.append(values)
        for i, value in enumerate(values):
            widths[i] = min(60, max(widths[i], len(str(value or "")) * 2))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
