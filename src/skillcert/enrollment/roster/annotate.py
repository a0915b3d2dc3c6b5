"""The error report: the uploaded roster with every bad cell marked.

Each bad cell gets a red fill and a comment with its reasons; a 错误原因 column after
the sheet's last column lists each bad row's problems; a 错误汇总 sheet (first, and
active) lists every error as row, column, header and reason. Every value we write goes
through ``safe_cell``, and no formula survives, so the report is safe to open for
whoever downloads it (DESIGN.md "Data protection").

Two ways to build it, by size:

* up to :data:`FULL_COPY_CELLS` cells, the uploaded workbook itself is loaded (openpyxl,
  not read-only) and marked, keeping its formatting, lists and other sheets; formulas
  become quoted text;
* beyond that, openpyxl's in-memory workbook would cost ~0.5 KB a cell (a 100,000-row
  roster needs >0.7 GB just to load), so the roster sheet is streamed into a new
  workbook instead: every value in its place, the ID, phone and student-number columns
  formatted as text, the drop-down lists restored; the original's formatting and other
  sheets are not carried over.

Comments are capped at :data:`MAX_COMMENTS` (each costs ~5 KB to write); beyond that the
cells are still filled red and named in 错误原因 and the summary.

A corrected report can be uploaded again as it is: the import reads only the roster
sheet and ignores the extra column, and a new report first clears the old marks.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from skillcert.core.excel import CellValue, safe_cell
from skillcert.enrollment.roster.columns import (
    BY_KEY,
    REASON_HEADER,
    SUMMARY_TITLE,
    normalise_header,
)
from skillcert.enrollment.roster.parse import RosterSheet
from skillcert.enrollment.roster.template import list_validation
from skillcert.enrollment.roster.validate import CellError

AUTHOR = "SkillCert"
ERROR_COLOUR = "FFFFC7CE"
ERROR_FILL = PatternFill("solid", fgColor=ERROR_COLOUR)
NO_FILL = PatternFill(fill_type=None)
ERROR_FONT = Font(color="FF9C0006", bold=True)
REASON_FONT = Font(color="FF9C0006")
FULL_COPY_CELLS = 300_000
MAX_COMMENTS = 5_000
_FORMULA_STARTS = ("=", "+", "-", "@")


def annotate_workbook(
    *,
    data: bytes,
    sheet: RosterSheet,
    errors: Sequence[CellError],
    lists: Mapping[str, list[str]] | None = None,
) -> bytes:
    """The uploaded file with ``errors`` marked, as .xlsx bytes (see the module doc).

    ``lists`` are the drop-down lists to restore when the sheet has to be copied.
    """
    marks = _Marks(errors)
    last_row = sheet.rows[-1][0] if sheet.rows else sheet.header_row
    if last_row * max(sheet.width, 1) <= FULL_COPY_CELLS:
        return _mark_original(data, sheet, marks)
    return _stream_copy(data, sheet, marks, lists or {})


class _Marks:
    """The errors arranged per row and per cell, and which cells get a comment."""

    def __init__(self, errors: Sequence[CellError]) -> None:
        self.errors = errors
        self.by_row: dict[int, list[CellError]] = defaultdict(list)
        for error in errors:
            self.by_row[error.row].append(error)
        self.cells: dict[tuple[int, str], list[str]] = defaultdict(list)
        for error in errors:
            self.cells[(error.row, error.column)].append(error.reason)
        self.commented = set(list(self.cells)[:MAX_COMMENTS])

    def reason(self, row: int) -> CellValue:
        found = self.by_row.get(row)
        if not found:
            return None
        return safe_cell("；".join(f"{e.column}列（{e.header}）：{e.reason}" for e in found))

    def comment(self, row: int, letter: str) -> Comment | None:
        if (row, letter) not in self.commented:
            return None
        reasons = self.cells[(row, letter)]
        comment = Comment("\n".join(reasons), AUTHOR)
        comment.width, comment.height = 320, 40 + 20 * len(reasons)
        return comment


# ---------------------------------------------------------------- the original, marked


def _mark_original(data: bytes, sheet: RosterSheet, marks: _Marks) -> bytes:
    book = load_workbook(io.BytesIO(data), rich_text=False)
    for worksheet in book.worksheets:
        _clean(worksheet)
    roster = book[sheet.sheet_name]
    column = _reason_column(roster, sheet)
    for (number, letter), _reasons in marks.cells.items():
        cell = roster[f"{letter}{number}"]
        cell.fill = ERROR_FILL
        cell.comment = marks.comment(number, letter)
    for number in marks.by_row:
        reason = roster.cell(row=number, column=column, value=marks.reason(number))
        reason.font = REASON_FONT
    if SUMMARY_TITLE in book.sheetnames:
        del book[SUMMARY_TITLE]
    summary = book.create_sheet(SUMMARY_TITLE, 0)
    for line in _summary_rows(marks):
        summary.append(line)
    summary["A1"].font = ERROR_FONT
    for cell in summary[3]:
        cell.font = Font(bold=True)
    _summary_layout(summary)
    book.active = 0
    for worksheet in book.worksheets[1:]:
        worksheet.sheet_view.tabSelected = False
    return _save(book)


def _clean(worksheet: Worksheet) -> None:
    """Quote every formula; remove the marks an earlier report left."""
    for line in worksheet.iter_rows():
        for cell in line:
            if cell.data_type == "f":
                text = str(getattr(cell.value, "text", cell.value) or "")
                cell.value = safe_cell(text if text.startswith(_FORMULA_STARTS) else "=" + text)
            if cell.comment is not None and cell.comment.author == AUTHOR:
                cell.comment = None
            if cell.has_style and cell.fill.fgColor.rgb == ERROR_COLOUR:
                cell.fill = NO_FILL


def _reason_column(roster: Worksheet, sheet: RosterSheet) -> int:
    """The 1-based column of 错误原因: the existing one (a re-uploaded report) or a new one."""
    header = sheet.header_row
    found = _existing_reason_column(c.value for c in roster[header])
    if found is not None:
        for line in roster.iter_rows(min_row=header + 1, min_col=found, max_col=found):
            line[0].value = None
        return found
    column = max(sheet.width, 1) + 1
    title = roster.cell(row=header, column=column, value=safe_cell(REASON_HEADER))
    title.font = ERROR_FONT
    roster.column_dimensions[get_column_letter(column)].width = 60
    return column


def _existing_reason_column(headers: Iterable[object]) -> int | None:
    wanted = normalise_header(REASON_HEADER)
    for index, value in enumerate(headers, start=1):
        if normalise_header(value) == wanted:
            return index
    return None


# ---------------------------------------------------------------- a streamed copy


def _stream_copy(
    data: bytes, sheet: RosterSheet, marks: _Marks, lists: Mapping[str, list[str]]
) -> bytes:
    source = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(sheet.sheet_name)
    offset = source.start[1] if source.start else 0
    rows = iter(source.iter_rows())
    book = Workbook(write_only=True)
    summary = book.create_sheet(SUMMARY_TITLE)
    _summary_layout(summary)
    for number, line in enumerate(_summary_rows(marks), start=1):
        summary.append(_styled(summary, line, ERROR_FONT if number == 1 else None))
    roster = book.create_sheet(sheet.sheet_name)
    head: list[list[object]] = [[None] * offset + list(r) for r in islice(rows, sheet.header_row)]
    column = _existing_reason_column(head[-1]) if head else None
    column = column or max(sheet.width, 1) + 1
    _copy_layout(roster, sheet, column, lists)
    for number, values in enumerate(head, start=1):
        if number == sheet.header_row:
            values = _padded(values, column)
            values[column - 1] = REASON_HEADER
            roster.append(_styled(roster, values, ERROR_FONT, only=column))
        else:
            roster.append([_plain(v) for v in values])
    for number, found in enumerate(rows, start=sheet.header_row + 1):
        roster.append(_copied_row(roster, number, [None] * offset + list(found), column, marks))
    return _save(book)


def _copy_layout(
    roster: Worksheet, sheet: RosterSheet, column: int, lists: Mapping[str, list[str]]
) -> None:
    for key, index in sheet.positions.items():
        dimension = roster.column_dimensions[get_column_letter(index + 1)]
        dimension.width = BY_KEY[key].width
        if BY_KEY[key].text:
            dimension.number_format = "@"
    roster.column_dimensions[get_column_letter(column)].width = 60
    roster.freeze_panes = f"A{sheet.header_row + 1}"
    last = sheet.rows[-1][0] if sheet.rows else sheet.header_row + 1
    for key, values in lists.items():
        if key in sheet.positions:
            letter = get_column_letter(sheet.positions[key] + 1)
            cells = f"{letter}{sheet.header_row + 1}:{letter}{last}"
            roster.data_validations.append(list_validation(cells, values))


def _copied_row(
    roster: Worksheet, number: int, values: list[object], column: int, marks: _Marks
) -> list[object]:
    if number not in marks.by_row:
        return [_plain(v) for v in values]
    values = _padded(values, column)
    out: list[object] = [_plain(v) for v in values]
    for letter in {e.column for e in marks.by_row[number]}:
        index = _column_index(letter)
        cell = WriteOnlyCell(roster, value=out[index] if index < len(out) else None)
        cell.fill = ERROR_FILL
        cell.comment = marks.comment(number, letter)
        if index >= len(out):
            out.extend([None] * (index + 1 - len(out)))
        out[index] = cell
    reason = WriteOnlyCell(roster, value=marks.reason(number))
    reason.font = REASON_FONT
    out[column - 1] = reason
    return out


def _plain(value: object) -> object:
    """A value as python-calamine read it, ready to write back (no formulas survive)."""
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, int | float | datetime.date | datetime.time | datetime.timedelta):
        return value
    return safe_cell(value)


def _padded(values: list[object], column: int) -> list[object]:
    return values + [None] * (column - len(values)) if len(values) < column else values


def _column_index(letter: str) -> int:
    index = 0
    for ch in letter:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _styled(
    worksheet: Worksheet, values: list[object], font: Font | None, *, only: int | None = None
) -> list[object]:
    if font is None:
        return values
    out: list[object] = list(values)
    for index, value in enumerate(values, start=1):
        if only is None or index == only:
            cell = WriteOnlyCell(worksheet, value=safe_cell(value) if value is not None else None)
            cell.font = font
            out[index - 1] = cell
    return out


# ---------------------------------------------------------------- the summary


def _summary_rows(marks: _Marks) -> Iterable[list[object]]:
    capped = len(marks.cells) > MAX_COMMENTS
    title = _("名册校验未通过：共 %(n)s 处错误，涉及 %(rows)s 行，没有写入任何数据。") % {
        "n": len(marks.errors),
        "rows": len(marks.by_row),
    } + _("请修改“报名名册”中标红的单元格（鼠标停在单元格上可看原因）后重新上传。")
    if capped:
        title += _("批注只加在前 %(n)s 个单元格上，其余原因见“错误原因”列和本表。") % {
            "n": MAX_COMMENTS
        }
    yield [safe_cell(title)]
    yield []
    yield [safe_cell(h) for h in (_("行号"), _("列"), _("列名"), _("错误原因"))]
    for e in marks.errors:
        yield [e.row, safe_cell(e.column), safe_cell(e.header), safe_cell(e.reason)]


def _summary_layout(summary: Worksheet) -> None:
    for letter, width in zip("ABCD", (8, 6, 16, 90), strict=True):
        summary.column_dimensions[letter].width = width
    summary.freeze_panes = "A4"


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
