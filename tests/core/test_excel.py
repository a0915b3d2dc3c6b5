from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from skillcert.core.excel import safe_cell, workbook_bytes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("车工", "车工"),
        ("a=b", "a=b"),
        (-2, -2),
        (Decimal("1.5"), Decimal("1.5")),
        (None, None),
        (True, "是"),
    ],
)
def test_safe_cell(raw: object, expected: object) -> None:
    assert safe_cell(raw) == expected


def test_workbook_keeps_formulas_as_text_and_reads_back() -> None:
    data = workbook_bytes(
        title="测试",
        headers=["名称", "备注", "日期"],
        rows=[["机构A", '=HYPERLINK("http://x","点我")', datetime.date(2026, 1, 2)]],
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == '\'=HYPERLINK("http://x","点我")'
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["名称", "备注", "日期"]
    assert rows[1][0] == "机构A"
