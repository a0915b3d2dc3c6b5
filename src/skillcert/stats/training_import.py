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
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.catalog.models import Occupation
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import SkillLevel
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.excel import workbook_bytes
from skillcert.core.personal import id_index
from skillcert.core.sheet_import import (
    MB,
    CellError,
    SheetInvalid,
    SheetRow,
    cell_choice,
    cell_date,
    cell_int,
    read_rows,
    row_identity,
    row_texts,
    upload_bytes,
    validate_rows,
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

IMPORT_MAX_BYTES = 5 * MB
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
    v = row_texts(row, COLUMNS, OPTIONAL_COLUMNS, _LENGTHS)
    identity = row_identity(row)
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
    if row.errors or identity is None or hours is None or started is None or outcome is None:
        return None
    try:
        check_outcome(outcome, started, ended, v["培训合格证书编号"])
    except DomainError as exc:
        row.error(_COLUMN_OF_CODE.get(exc.code, "培训结果"), str(exc.message))
        return None
    return {
        "name": v["姓名"],
        "id_type": identity[0],
        "id_number": identity[1],
        "course": v["培训项目"],
        "occupation": occupation,
        "level": level,
        "hours": hours,
        "started_on": started,
        "ended_on": ended,
        "outcome": outcome,
        "certificate_number": v["培训合格证书编号"],
    }


def _same_course(fields: dict[str, Any]) -> tuple[str, str, date]:
    return id_index(fields["id_type"], fields["id_number"]), fields["course"], fields["started_on"]


def parse_training(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Each data row's Excel row number and service arguments; raises
    :class:`SheetInvalid` with every problem found."""
    rows = read_rows(data, COLUMNS, IMPORT_MAX_ROWS)
    occupations = _occupations(rows)
    return validate_rows(
        rows,
        lambda row: _fields(row, occupations),
        key=_same_course,
        duplicate_column="培训项目",
        duplicate_message=_("与第%(row)d行是同一人的同一培训。"),
    )


@transaction.atomic
def training_import(*, actor: Actor, file: UploadedFile) -> int:
    """Record every row of the file at the actor's institution; returns how many."""
    institution = institution_of(actor)
    if institution is None:
        raise PermissionDenied(_("只有评价机构的管理员或考务人员可以登记培训记录。"))
    name, data = upload_bytes(file, IMPORT_MAX_BYTES)
    lines = parse_training(data)
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
