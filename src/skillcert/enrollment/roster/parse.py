"""Reading an uploaded roster: recognise the file, then read its rows with python-calamine.

The file is recognised by its bytes, not its name: an .xlsx is a ZIP holding
``xl/workbook.xml``; a password-protected workbook is an OLE compound file (magic
``D0 CF 11 E0``) holding an ``EncryptedPackage`` stream; any other compound file is a
legacy .xls. Each refusal says what the file is and what to do.

Cells come back as python-calamine gives them (text, numbers as ``float``, dates); the
validator decides per column what a number means, so an ID number stored as a number
is refused instead of silently losing its last digits.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, PasswordError

from skillcert.core.errors import DomainError
from skillcert.enrollment.roster.columns import (
    BY_KEY,
    COLUMNS,
    GUIDE_TITLE,
    HEADER_KEYS,
    SHEET_TITLE,
    column_letter,
    normalise_header,
)

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
# The header may sit below a title row or two ("XX学校2025年报名名册").
HEADER_SEARCH_ROWS = 10

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# Columns a file may leave out: the remark is never imported.
OPTIONAL_HEADERS = frozenset({"note"})

# What python-calamine gives for a cell (``datetime`` is a ``date``).
Cell = str | float | int | bool | datetime.date | datetime.time | datetime.timedelta | None


class RosterFileError(DomainError):
    """The file cannot be read as a roster at all (as opposed to bad cells in it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="roster_file")


@dataclass
class RosterSheet:
    """The rows of the roster sheet, with their Excel row numbers."""

    sheet_name: str
    header_row: int  # Excel row number of the header
    positions: dict[str, int]  # column key -> 0-based column index in the sheet
    width: int  # columns used by the sheet (the error report adds one after them)
    rows: list[tuple[int, tuple[Cell, ...]]] = field(default_factory=list)

    def letter(self, key: str) -> str:
        return column_letter(self.positions[key])


def sniff(data: bytes) -> None:
    """Refuse anything that is not an unprotected .xlsx workbook, with a clear reason."""
    if not data:
        raise RosterFileError(_("文件是空的（0 字节）。"))
    if len(data) > MAX_BYTES:
        raise RosterFileError(
            _("文件超过 %(mb)s MB，请分成几个文件导入。") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(CFB_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise RosterFileError(
                _(
                    "文件设置了打开密码，无法读取。"
                    "请在 Excel 中取消密码（文件→信息→保护工作簿）后重新上传。"
                )
            )
        raise RosterFileError(
            _("这是旧版 Excel 97-2003（.xls）文件。请在 Excel 中另存为 .xlsx 后重新上传。")
        )
    if not data.startswith(ZIP_MAGIC):
        raise RosterFileError(
            _("这不是 Excel .xlsx 文件（可能是 CSV、文本或其他格式）。请下载名册模板填写后上传。")
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise RosterFileError(_("文件已损坏，无法打开。请在 Excel 中重新保存后上传。")) from exc
    if "xl/workbook.xml" in names:
        return
    if "xl/workbook.bin" in names:
        raise RosterFileError(_("这是 Excel 二进制工作簿（.xlsb）。请另存为 .xlsx 后重新上传。"))
    if "content.xml" in names:
        raise RosterFileError(_("这是 OpenDocument 表格（.ods）。请另存为 .xlsx 后重新上传。"))
    if "word/document.xml" in names:
        raise RosterFileError(_("这是 Word 文档，不是 Excel 工作簿。请下载名册模板填写后上传。"))
    raise RosterFileError(_("这是 ZIP 压缩包，不是 Excel 工作簿。请上传 .xlsx 文件。"))


def read_roster(data: bytes) -> RosterSheet:
    """Sniff, open and read the roster sheet; :class:`RosterFileError` when unreadable."""
    sniff(data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_name = _roster_sheet_name(book.sheet_names)
        sheet = book.get_sheet_by_name(sheet_name)
        offset = sheet.start[1] if sheet.start else 0
        width = (sheet.end[1] + 1) if sheet.end else 0
        return _read_rows(sheet_name, iter(sheet.iter_rows()), offset, width)
    except PasswordError as exc:
        raise RosterFileError(_("文件设置了密码，无法读取。请取消密码后重新上传。")) from exc
    except CalamineError as exc:
        raise RosterFileError(
            _("文件已损坏或不是有效的 Excel 工作簿，无法读取。请在 Excel 中重新保存后上传。")
        ) from exc


def _roster_sheet_name(names: list[str]) -> str:
    if SHEET_TITLE in names:
        return SHEET_TITLE
    others = [n for n in names if n != GUIDE_TITLE]
    if not others:
        raise RosterFileError(_("工作簿中没有“报名名册”工作表。"))
    return others[0]


def _read_rows(
    sheet_name: str, rows: Iterator[Sequence[Cell]], offset: int, width: int
) -> RosterSheet:
    # python-calamine yields rows from row 1 but columns from the first used column.
    head: list[tuple[int, Sequence[Cell]]] = []
    for number, values in enumerate(rows, start=1):
        head.append((number, values))
        if number >= HEADER_SEARCH_ROWS:
            break
    header_row, positions = _find_header(head, offset)
    roster = RosterSheet(sheet_name, header_row, positions, width)
    picks = [positions.get(c.key, -1) - offset for c in COLUMNS]
    _collect(roster, ((n, v) for n, v in head if n > header_row), picks)
    _collect(roster, enumerate(rows, start=len(head) + 1), picks)
    if not roster.rows:
        raise RosterFileError(
            _("名册中没有考生数据：请从第 %(row)s 行起逐行填写考生信息。") % {"row": header_row + 1}
        )
    return roster


def _collect(
    roster: RosterSheet, rows: Iterator[tuple[int, Sequence[Cell]]], picks: list[int]
) -> None:
    found = roster.rows
    for number, values in rows:
        size = len(values)
        picked = tuple(values[i] if 0 <= i < size else "" for i in picks)
        if all(v == "" or v is None for v in picked):
            continue  # blank lines (and lines with only a remark or an extra column)
        found.append((number, picked))
        if len(found) > MAX_ROWS:
            raise RosterFileError(
                _("名册超过 %(n)s 行，请分成几个文件导入。") % {"n": f"{MAX_ROWS:,}"}
            )


def _find_header(head: list[tuple[int, Sequence[Cell]]], offset: int) -> tuple[int, dict[str, int]]:
    candidates = [(n, v) for n, v in head if any(c not in ("", None) for c in v)]
    if not candidates:
        raise RosterFileError(_("名册是空的：没有表头，也没有考生数据。"))
    name_header, id_header = normalise_header("姓名"), normalise_header("证件号码")
    number, values = next(
        (
            (n, v)
            for n, v in candidates
            if {name_header, id_header} <= {normalise_header(c) for c in v}
        ),
        candidates[0],
    )
    positions: dict[str, int] = {}
    repeated: list[str] = []
    for index, cell in enumerate(values):
        key = HEADER_KEYS.get(normalise_header(cell))
        if key is None:
            continue
        if key in positions:
            repeated.append(BY_KEY[key].header)
        positions[key] = index + offset
    missing = [
        c.header for c in COLUMNS if c.key not in positions and c.key not in OPTIONAL_HEADERS
    ]
    if missing:
        raise RosterFileError(
            _("第 %(row)s 行的表头缺少以下列：%(cols)s。请使用名册模板，不要修改表头。")
            % {"row": number, "cols": "、".join(missing)}
        )
    if repeated:
        raise RosterFileError(
            _("表头中以下列出现了不止一次：%(cols)s。") % {"cols": "、".join(repeated)}
        )
    return number, positions
