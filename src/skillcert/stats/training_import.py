"""Importing training records from Excel (培训记录导入), all or nothing.

An institution records a whole class's course at once (粤人社函〔2021〕76号 五(二): the
skill bank account records lifelong training). Every row is checked first and the
errors name the Excel row and column; each row then goes through
:func:`skillcert.stats.training.training_record_add` (the person found or registered,
the same rules as the form), and a refusal there is reported against its row too. One
problem anywhere and nothing is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.catalog.models import Occupation
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import IdType, SkillLevel
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.excel import workbook_bytes
from skillcert.core.identifiers import validate_id
from skillcert.core.personal import id_index
from skillcert.core.sheet_import import (
    CellError,
    SheetInvalid,
    SheetRow,
    cell_choice,
    cell_date,
    cell_int,
    read_rows,
)
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.training import (
    CERTIFICATE_NUMBER_MAX,
    COURSE_MAX,
    HOURS_MAX,
    check_outcome,
    institution_of,
    training_record_add,
)

IMPORT_MAX_BYTES = 5 * 1024 * 1024
# Each row is a person look-up and a few writes in the request: a few thousand at most.
IMPORT_MAX_ROWS = 2000
COLUMNS = (
    "姓名",
    "证件类型",
    "证件号码",
    "培训项目",
    "职业编码",
    "等级",
    "学时",
    "开始日期",
    "结束日期",
    "培训结果",
    "培训合格证书编号",
)
OPTIONAL_COLUMNS = frozenset({"职业编码", "等级", "结束日期", "培训合格证书编号"})
_LENGTHS = {"姓名": 64, "培训项目": COURSE_MAX, "培训合格证书编号": CERTIFICATE_NUMBER_MAX}
# The column a refusal of the service or of the outcome rules is about, by its code.
_COLUMN_OF_CODE = {
    "name_mismatch": "姓名",
    "invalid_id": "证件号码",
    "duplicate": "培训项目",
    "invalid_hours": "学时",
    "invalid_level": "等级",
    "invalid_outcome": "培训结果",
    "future": "开始日期",
    "dates": "结束日期",
    "ended_on_required": "结束日期",
    "certificate": "培训合格证书编号",
}


def _level(text: str) -> int | None:
    """五级/初级工 as written in the form, its halves (五级, 初级工) or the digit (5)."""
    for value, label in SkillLevel.choices:
        if text in (str(value), str(label), *str(label).split("/")):
            return int(value)
    return None


def _occupations(rows: list[SheetRow]) -> dict[str, Occupation]:
    codes = {"".join(row.text("职业编码").split()) for row in rows} - {""}
    found = Occupation.objects.filter(code__in=codes, is_active=True)
    return {o.code: o for o in found}


def _fields(row: SheetRow, occupations: dict[str, Occupation]) -> dict[str, Any] | None:
    """The row's arguments for ``training_record_add``, or None with its errors noted."""
    v = {column: row.text(column) for column in COLUMNS}
    for column in COLUMNS:
        if column not in OPTIONAL_COLUMNS and not v[column]:
            row.error(column, _("不能为空。"))
        elif len(v[column]) > _LENGTHS.get(column, 10_000):
            row.error(column, _("不能超过%(n)d个字。") % {"n": _LENGTHS[column]})
    id_type = cell_choice(v["证件类型"], IdType) if v["证件类型"] else None
    if v["证件类型"] and id_type is None:
        row.error("证件类型", _("不认识的证件类型“%(v)s”。") % {"v": v["证件类型"]})
    if isinstance(row.values["证件号码"], float):
        row.error("证件号码", _("证件号码须以文本格式填写（数字格式会丢失位数）。"))
    elif id_type and v["证件号码"]:
        try:
            validate_id(id_type, v["证件号码"])
        except ValidationError as exc:
            row.error("证件号码", "；".join(exc.messages))
    code = "".join(v["职业编码"].split())
    occupation = occupations.get(code)
    if code and occupation is None:
        row.error("职业编码", _("未找到该职业编码。"))
    level = _level(v["等级"]) if v["等级"] else None
    if v["等级"] and level is None:
        row.error("等级", _("应为五级、四级、三级、二级或一级。"))
    hours = cell_int(row.values["学时"])
    if v["学时"] and not (hours is not None and 1 <= hours <= HOURS_MAX):
        row.error("学时", _("学时应在1至%(max)s之间。") % {"max": HOURS_MAX})
    started, ended = cell_date(row.values["开始日期"]), cell_date(row.values["结束日期"])
    for column, day in (("开始日期", started), ("结束日期", ended)):
        if v[column] and day is None:
            row.error(column, _("应为日期，例如2025-03-01。"))
    outcome = cell_choice(v["培训结果"], TrainingOutcome) if v["培训结果"] else None
    if v["培训结果"] and outcome is None:
        row.error("培训结果", _("应为在训、结业合格、结业不合格或中途退训。"))
    if row.errors or id_type is None or hours is None or started is None or outcome is None:
        return None
    try:
        check_outcome(outcome, started, ended, v["培训合格证书编号"])
    except DomainError as exc:
        row.error(_COLUMN_OF_CODE.get(exc.code, "培训结果"), str(exc.message))
        return None
    return {
        "name": v["姓名"],
        "id_type": id_type,
        "id_number": v["证件号码"],
        "course": v["培训项目"],
        "occupation": occupation,
        "level": level,
        "hours": hours,
        "started_on": started,
        "ended_on": ended,
        "outcome": outcome,
        "certificate_number": v["培训合格证书编号"],
    }


def parse_training(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Each data row's Excel row number and service arguments; raises
    :class:`SheetInvalid` with every problem found."""
    rows = read_rows(data, COLUMNS, IMPORT_MAX_ROWS)
    occupations = _occupations(rows)
    lines: list[tuple[int, dict[str, Any]]] = []
    errors: list[CellError] = []
    first_row: dict[tuple[str, str, date], int] = {}
    for row in rows:
        fields = _fields(row, occupations)
        if fields is not None:
            number = validate_id(fields["id_type"], fields["id_number"]).number
            key = (id_index(fields["id_type"], number), fields["course"], fields["started_on"])
            seen = first_row.setdefault(key, row.number)
            if seen != row.number:
                message = _("与第%(row)d行是同一人的同一培训。") % {"row": seen}
                row.error("培训项目", message)
            else:
                lines.append((row.number, fields))
        errors.extend(row.errors)
    if errors:
        raise SheetInvalid(errors)
    if not lines:
        raise SheetInvalid([CellError(2, "", _("文件中没有数据行。"))])
    return lines


@transaction.atomic
def training_import(*, actor: Actor, file: UploadedFile) -> int:
    """Record every row of the file at the actor's institution; returns how many."""
    institution = institution_of(actor)
    if institution is None:
        raise PermissionDenied(_("只有评价机构的管理员或考务人员可以登记培训记录。"))
    name = PurePath(file.name or "").name
    if PurePath(name).suffix.lower() != ".xlsx":
        raise DomainError(_("请上传.xlsx格式的Excel文件。"), code="file_type")
    if file.size is not None and file.size > IMPORT_MAX_BYTES:
        raise DomainError(_("文件不能超过5 MB。"), code="file_size")
    lines = parse_training(b"".join(file.chunks()))
    errors: list[CellError] = []
    for number, fields in lines:
        try:
            with transaction.atomic():
                training_record_add(actor=actor, institution=institution, **fields)
        except DomainError as exc:
            errors.append(CellError(number, _COLUMN_OF_CODE.get(exc.code, ""), str(exc.message)))
    if errors:
        raise SheetInvalid(errors)  # the whole import is rolled back
    audit_record(
        actor=actor,
        action="stats.training_import",
        obj=institution,
        organisation=institution.organisation,
        changes={"file": name[-200:], "rows": len(lines)},
    )
    return len(lines)


def training_template() -> bytes:
    """The import template: the header row and one example line."""
    example = ["张三", "居民身份证", "", "数控车床操作", "6-18-01-01", "四级", 80]
    rows = [[*example, "2025-03-01", "2025-04-30", "结业合格", ""]]
    return workbook_bytes(title=_("培训记录"), headers=COLUMNS, rows=rows)
