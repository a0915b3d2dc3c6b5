"""Reading a one-table Excel import (header row, then one record per row) for the
all-or-nothing imports: every row is checked first, and the errors name the Excel row
(1 is the header) and the column; nothing is written unless the whole file is clean.

Cells come back as python-calamine gives them: text, numbers as ``float``, dates.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError
from skillcert.core.identifiers import validate_id

MAX_REPORTED_ERRORS = 500
MB = 1024 * 1024
T = TypeVar("T")


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


def upload_bytes(file: UploadedFile, max_bytes: int) -> tuple[str, bytes]:
    """The uploaded file's base name and content; anything but an .xlsx file of at most
    ``max_bytes`` is refused."""
    name = PurePath(file.name or "").name
    if PurePath(name).suffix.lower() != ".xlsx":
        raise DomainError(_("请上传.xlsx格式的Excel文件。"), code="file_type")
    if file.size is not None and file.size > max_bytes:
        raise DomainError(_("文件不能超过%(mb)d MB。") % {"mb": max_bytes // MB}, code="file_size")
    return name, b"".join(file.chunks())


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


def row_texts(
    row: SheetRow, columns: Sequence[str], optional: frozenset[str], lengths: dict[str, int]
) -> dict[str, str]:
    """The row's cells as text; a blank required cell and an over-long one are noted."""
    texts = {column: row.text(column) for column in columns}
    for column in columns:
        if column not in optional and not texts[column]:
            row.error(column, _("不能为空。"))
        elif len(texts[column]) > lengths.get(column, 10_000):
            row.error(column, _("不能超过%(n)d个字。") % {"n": lengths[column]})
    return texts


def row_identity(
    row: SheetRow, type_column: str = "证件类型", number_column: str = "证件号码"
) -> tuple[str, str] | None:
    """The row's ID type (by label or code) and the number in its normal form, or None
    with the problem noted (a blank cell is for ``row_texts`` to report)."""
    type_text, number_text = row.text(type_column), row.text(number_column)
    id_type = cell_choice(type_text, IdType) if type_text else None
    if type_text and id_type is None:
        row.error(type_column, _("不认识的证件类型“%(v)s”。") % {"v": type_text})
    if isinstance(row.values[number_column], float):
        row.error(number_column, _("证件号码须以文本格式填写（数字格式会丢失位数）。"))
        return None
    if id_type is None or not number_text:
        return None
    try:
        return str(id_type), validate_id(id_type, number_text).number
    except ValidationError as exc:
        row.error(number_column, "；".join(exc.messages))
        return None


def validate_rows(
    rows: list[SheetRow],
    validate: Callable[[SheetRow], T | None],
    *,
    key: Callable[[T], Hashable],
    duplicate_column: str,
    duplicate_message: str,
) -> list[tuple[int, T]]:
    """Each row's number and what ``validate`` made of it (None once it noted the row's
    errors); a row whose ``key`` an earlier row had is reported with
    ``duplicate_message`` (``%(row)d``: the earlier row). Raises :class:`SheetInvalid`
    with every problem found, or when there is no data row."""
    valid: list[tuple[int, T]] = []
    errors: list[CellError] = []
    first_row: dict[Hashable, int] = {}
    for row in rows:
        value = validate(row)
        if value is not None:
            seen = first_row.setdefault(key(value), row.number)
            if seen != row.number:
                row.error(duplicate_column, duplicate_message % {"row": seen})
            else:
                valid.append((row.number, value))
        errors.extend(row.errors)
    if errors:
        raise SheetInvalid(errors)
    if not valid:
        raise SheetInvalid([CellError(2, "", _("文件中没有数据行。"))])
    return valid


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
