"""The roster template for a batch: 报名名册 to fill in, and 填写说明 with the example.

报名名册 holds only the header: drop-down lists for 证件类型, 性别, 文化程度, 专业相关 and
the batch's 申报条件序号, whole-number checks for years, and the ID, phone and student
number columns formatted as text so Excel keeps every digit. 填写说明 describes the batch,
each column and each eligibility route, and shows an example row — on that sheet, so the
example is never imported.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from skillcert.batches.models import Batch
from skillcert.catalog.eligibility import Route, describe_route
from skillcert.core.excel import safe_cell
from skillcert.enrollment.roster.columns import (
    COLUMNS,
    GUIDE_TITLE,
    POSITION,
    SHEET_TITLE,
    YES,
    drop_down_lists,
)
from skillcert.enrollment.roster.parse import MAX_ROWS

LAST_ROW = MAX_ROWS + 1
REQUIRED_FILL = PatternFill("solid", fgColor="FFFCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="FFDDEBF7")
EXAMPLE_FILL = PatternFill("solid", fgColor="FFFFF2CC")
# A made-up person: the ID has a valid check digit, the phone number is a test range.
EXAMPLE = {
    "full_name": "张三",
    "id_type": "居民身份证",
    "id_number": "11010519491231002X",
    "gender": "女",
    "phone": "13800138000",
    "education": "中专/高中及以下",
    "employer": "某某技工学校",
    "work_years": 0,
    "route": 1,
    "school": "某某技工学校",
    "major": "数控加工",
    "major_related": YES,
    "enrollment_year": 2023,
    "graduation_year": 2026,
    "student_number": "20230101",
    "note": "",
}


def roster_template(batch: Batch) -> bytes:
    """The .xlsx template for ``batch``."""
    routes: list[Route] = list(batch.standard_level.eligibility_routes or [])
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    _roster_sheet(sheet, routes)
    _guide_sheet(book.create_sheet(GUIDE_TITLE), batch, routes)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _roster_sheet(sheet: Worksheet, routes: list[Route]) -> None:
    sheet.append([safe_cell(c.header) for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FF9C0006" if column.required else None)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30
    for key, values in drop_down_lists(len(routes)).items():
        sheet.add_data_validation(list_validation(_range(key), values))
    for key, low, high in (
        ("work_years", 0, 60),
        ("enrollment_year", 1950, 2100),
        ("graduation_year", 1950, 2100),
    ):
        _whole_validation(sheet, key, low, high)


def _range(key: str) -> str:
    letter = get_column_letter(POSITION[key] + 1)
    return f"{letter}2:{letter}{LAST_ROW}"


def list_validation(cells: str, values: list[str]) -> DataValidation:
    """A drop-down list on ``cells`` (also used by the error report's copy)."""
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("请从列表中选择"),
        error=_("请从下拉列表中选择。"),
    )
    rule.add(cells)
    return rule


def _whole_validation(sheet: Worksheet, key: str, low: int, high: int) -> None:
    rule = DataValidation(
        type="whole",
        operator="between",
        formula1=str(low),
        formula2=str(high),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("请填写整数"),
        error=_("请填写 %(low)s 至 %(high)s 之间的整数。") % {"low": low, "high": high},
    )
    rule.add(_range(key))
    sheet.add_data_validation(rule)


def _guide_sheet(sheet: Worksheet, batch: Batch, routes: list[Route]) -> None:
    bold = Font(bold=True)

    def heading(text: str) -> None:
        sheet.append([])
        sheet.append([safe_cell(text)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)

    sheet.append([safe_cell(_("报名名册填写说明"))])
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [
        (_("批次编号"), batch.code),
        (_("批次名称"), batch.title),
        (_("职业（工种）"), _occupation(batch)),
        (_("等级"), batch.get_level_display()),
        (_("模板生成时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in facts:
        sheet.append([safe_cell(label), safe_cell(value)])
        sheet.cell(row=sheet.max_row, column=1).font = bold
    sheet.append(
        [
            safe_cell(
                _(
                    "在“报名名册”工作表第2行起每行填写一名考生。整个文件先全部校验：只要有一处错误，"
                    "就不会写入任何数据，并可下载标出错误单元格的文件，修改后重新上传。"
                )
            )
        ]
    )
    heading(_("各列说明"))
    sheet.append([safe_cell(h) for h in (_("列名"), _("是否必填"), _("说明"))])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in COLUMNS:
        required = _("必填") if column.required else _("选填")
        sheet.append([safe_cell(column.header), safe_cell(required), safe_cell(column.hint)])
    heading(_("申报条件（“申报条件序号”填写下表序号）"))
    sheet.append([safe_cell(_("序号")), safe_cell(_("申报条件"))])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    if not routes:
        sheet.append(["", safe_cell(_("本批次的评价标准尚未录入申报条件，暂不能导入名册。"))])
    for number, route in enumerate(routes, start=1):
        sheet.append([number, safe_cell(describe_route(route))])
    heading(_("填写示例（本工作表的内容不会被导入）"))
    sheet.append([safe_cell(c.header) for c in COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([safe_cell(EXAMPLE[c.key]) for c in COLUMNS])
    for cell in sheet[sheet.max_row]:
        cell.fill = EXAMPLE_FILL
        cell.number_format = "@"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(column.width, 12)
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 30


def _occupation(batch: Batch) -> str:
    name = batch.occupation.name
    return f"{name}（{batch.work_type.name}）" if batch.work_type_id and batch.work_type else name
