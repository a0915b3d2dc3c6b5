"""Files that are not a readable roster: each gets a clear message, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.roster.columns import COLUMNS, GUIDE_TITLE, SHEET_TITLE
from skillcert.enrollment.roster.importer import roster_import
from skillcert.enrollment.roster.parse import RosterFileError, read_roster, sniff
from skillcert.enrollment.roster.template import roster_template
from tests.conftest import Cast
from tests.enrollment.test_roster_support import (
    RosterWorld,
    build_roster_world,
    roster_bytes,
    row,
)


def fake_encrypted_workbook() -> bytes:
    """What Excel writes for a workbook with an open password: an OLE compound file whose
    directory names the EncryptionInfo and EncryptedPackage streams (UTF-16LE)."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "Root Entry".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptionInfo".encode("utf-16-le").ljust(128, b"\x00")
    directory += "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    return header + directory + b"\x00" * 1024


def zip_with(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def message(data: bytes) -> str:
    with pytest.raises(RosterFileError) as caught:
        read_roster(data)
    return str(caught.value.message)


def test_an_empty_file() -> None:
    assert message(b"") == "文件是空的（0 字节）。"


def test_not_an_xlsx() -> None:
    assert message("姓名,证件号码\n张三,1\n".encode()) == (
        "这不是 Excel .xlsx 文件（可能是 CSV、文本或其他格式）。请下载名册模板填写后上传。"
    )


def test_a_password_protected_workbook() -> None:
    assert message(fake_encrypted_workbook()) == (
        "文件设置了打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后重新上传。"
    )


def test_a_legacy_xls() -> None:
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le")
    assert message(legacy) == (
        "这是旧版 Excel 97-2003（.xls）文件。请在 Excel 中另存为 .xlsx 后重新上传。"
    )


def test_a_corrupt_xlsx() -> None:
    whole = roster_bytes([row(1)])
    assert message(whole[: len(whole) // 2]) == (
        "文件已损坏，无法打开。请在 Excel 中重新保存后上传。"
    )


def test_a_zip_whose_workbook_is_broken() -> None:
    assert message(zip_with("[Content_Types].xml", "xl/workbook.xml")) == (
        "文件已损坏或不是有效的 Excel 工作簿，无法读取。请在 Excel 中重新保存后上传。"
    )


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("word/document.xml",), "这是 Word 文档，不是 Excel 工作簿。请下载名册模板填写后上传。"),
        (
            ("content.xml", "mimetype"),
            "这是 OpenDocument 表格（.ods）。请另存为 .xlsx 后重新上传。",
        ),
        (("xl/workbook.bin",), "这是 Excel 二进制工作簿（.xlsb）。请另存为 .xlsx 后重新上传。"),
        (("readme.txt",), "这是 ZIP 压缩包，不是 Excel 工作簿。请上传 .xlsx 文件。"),
    ],
)
def test_other_zip_files(names: tuple[str, ...], expected: str) -> None:
    assert message(zip_with(*names)) == expected


def test_a_header_without_rows() -> None:
    assert message(roster_bytes([])) == "名册中没有考生数据：请从第 2 行起逐行填写考生信息。"


def test_an_empty_sheet() -> None:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert message(buffer.getvalue()) == "名册是空的：没有表头，也没有考生数据。"


def test_blank_lines_are_skipped_and_numbers_kept() -> None:
    data = roster_bytes([row(1), {}, row(2, note="只有备注的行也算数据")], raw={"A6": ""})
    sheet = read_roster(data)
    assert [n for n, _values in sheet.rows] == [2, 4]


def test_the_roster_sheet_is_found_by_name_and_the_guide_is_never_read(cast: Cast) -> None:
    rw: RosterWorld = build_roster_world(cast)
    book = load_workbook(io.BytesIO(roster_template(rw.batch)))
    book.move_sheet(GUIDE_TITLE, offset=-1)  # the guide first, with its example row
    book[SHEET_TITLE].append([""] * len(COLUMNS))
    buffer = io.BytesIO()
    book.save(buffer)
    assert message(buffer.getvalue()) == "名册中没有考生数据：请从第 2 行起逐行填写考生信息。"


def test_nothing_is_written_for_a_bad_file(cast: Cast) -> None:
    rw = build_roster_world(cast)
    before = (Person.objects.count(), Application.objects.count())
    with pytest.raises(RosterFileError):
        roster_import(actor=rw.staff, batch=rw.batch, data=b"not excel", file_name="a.csv")
    assert (Person.objects.count(), Application.objects.count()) == before


def test_sniff_accepts_an_xlsx() -> None:
    sniff(roster_bytes([row(1)]))
