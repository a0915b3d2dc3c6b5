"""The item bank's Excel template: import (all rows valid, or nothing) and export.

Errors name the row and the column in Chinese, so the author can fix the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError
from skillcert.core.excel import workbook_bytes
from skillcert.core.models import Organisation
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import AssessmentPoint, Item
from skillcert.itembank.services import (
    OPTION_KEYS,
    ItemContent,
    content_errors,
    items_create_many,
)

HEADERS = (
    "鉴定点编号",
    "题型",
    "题干",
    *(f"选项{k}" for k in OPTION_KEYS),
    "答案",
    "参考答案",
    "难度",
)
# Which column an error about a content field points to.
_FIELD_COLUMN = {
    "type": "题型",
    "stem": "题干",
    "options": "选项A",
    "answer": "答案",
    "reference_answer": "参考答案",
    "difficulty": "难度",
}
_TYPE_BY_LABEL = {str(label): value for value, label in ItemType.choices} | {
    "单选": ItemType.SINGLE,
    "多选": ItemType.MULTIPLE,
    "判断": ItemType.TRUE_FALSE,
    "简答": ItemType.SHORT_ANSWER,
}
_TRUE_FALSE = {
    "对": "T",
    "√": "T",
    "T": "T",
    "正确": "T",
    "错": "F",
    "×": "F",
    "F": "F",
    "错误": "F",
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("第%(row)d行“%(column)s”列：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportInvalid(DomainError):
    """A file with errors: nothing was written; ``errors`` lists every bad cell."""

    def __init__(self, errors: list[RowError]) -> None:
        shown = "；".join(str(e) for e in errors[:20])
        more = _("（共%(n)d处错误）") % {"n": len(errors)} if len(errors) > 20 else ""
        super().__init__(_("导入文件有误，未导入任何试题：") + shown + more, code="import_invalid")
        self.errors = errors


def template_bytes() -> bytes:
    """The empty template with one example row."""
    example = [
        "1.1.1",
        "单项选择题",
        "车床主轴的转速单位是（ ）。",
        "r/min",
        "m/s",
        "N",
        "",
        "",
        "",
    ]
    return workbook_bytes(title="试题导入模板", headers=HEADERS, rows=[[*example, "A", "", 3]])


def export_bytes(items: Iterable[Item]) -> bytes:
    """The items in the template's columns, so an export can be imported again."""
    return workbook_bytes(title="试题", headers=HEADERS, rows=(_row(i) for i in items))


def _row(item: Item) -> list[Any]:
    texts = {o["key"]: o["text"] for o in item.options}
    if item.type == ItemType.TRUE_FALSE:
        answer = "对" if item.answer == ["T"] else "错"
    else:
        answer = "".join(item.answer)
    return [
        item.point.code,
        item.get_type_display(),
        item.stem,
        *(texts.get(k, "") for k in OPTION_KEYS),
        answer,
        item.reference_answer,
        item.difficulty,
    ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    # Our exports quote text that could start a formula; take the quote off again.
    return text[1:] if text.startswith("'") else text


def _read_rows(data: bytes) -> list[tuple[Any, ...]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DomainError(
            _("无法读取该文件，请使用试题导入模板（.xlsx）。"), code="bad_file"
        ) from exc
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
    book.close()
    if not rows or tuple(_text(v) for v in rows[0][: len(HEADERS)]) != HEADERS:
        raise DomainError(
            _("表头与试题导入模板不一致，应为：%(headers)s。") % {"headers": "、".join(HEADERS)},
            code="bad_headers",
        )
    if len(rows) > MAX_ROWS:
        raise DomainError(_("每个文件最多导入%(n)d道试题。") % {"n": MAX_ROWS}, code="too_many")
    return rows[1:]


def _parse_answer(kind: str, raw: str) -> list[str]:
    if kind == ItemType.TRUE_FALSE:
        return [_TRUE_FALSE.get(raw.upper(), raw)] if raw else []
    return [c for c in raw.upper() if c not in " ,，、;；"]


def _parse_row(
    number: int, cells: dict[str, str], points: dict[str, AssessmentPoint]
) -> tuple[tuple[AssessmentPoint, ItemContent] | None, list[RowError]]:
    errors: list[RowError] = []
    point = points.get(cells["鉴定点编号"])
    if point is None:
        errors.append(RowError(number, "鉴定点编号", _("该等级没有这个鉴定点。")))
    kind = _TYPE_BY_LABEL.get(cells["题型"])
    if kind is None:
        errors.append(RowError(number, "题型", _("应为单项选择题、多项选择题、判断题或简答题。")))
        return None, errors
    try:
        difficulty = int(cells["难度"] or "3")
    except ValueError:
        difficulty = 0
    options = [{"key": k, "text": cells[f"选项{k}"]} for k in OPTION_KEYS if cells[f"选项{k}"]]
    content = ItemContent(
        type=kind,
        stem=cells["题干"],
        options=options,
        answer=_parse_answer(kind, cells["答案"]),
        reference_answer=cells["参考答案"],
        difficulty=difficulty,
    )
    for field_name, message in content_errors(content):
        errors.append(RowError(number, _FIELD_COLUMN[field_name], message))
    if errors or point is None:
        return None, errors
    return (point, content), []


def parse_workbook(
    data: bytes, standard_level: StandardLevel
) -> list[tuple[AssessmentPoint, ItemContent]]:
    """Every row checked; raise :class:`ImportInvalid` listing all errors if any."""
    points = {p.code: p for p in AssessmentPoint.objects.filter(standard_level=standard_level)}
    parsed: list[tuple[AssessmentPoint, ItemContent]] = []
    errors: list[RowError] = []
    for number, values in enumerate(_read_rows(data), start=2):
        cells = {h: _text(values[i] if i < len(values) else None) for i, h in enumerate(HEADERS)}
        if not any(cells.values()):
            continue
        row, problems = _parse_row(number, cells, points)
        errors.extend(problems)
        if row is not None:
            parsed.append(row)
    if errors:
        raise ImportInvalid(errors)
    if not parsed:
        raise DomainError(_("文件中没有试题。"), code="empty")
    return parsed


def items_import_excel(
    *, actor: Actor, owner: Organisation, standard_level: StandardLevel, data: bytes
) -> list[Item]:
    """Import the template: all rows become draft items, or none does."""
    return items_create_many(actor=actor, owner=owner, rows=parse_workbook(data, standard_level))
