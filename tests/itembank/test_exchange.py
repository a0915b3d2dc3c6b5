"""Excel template and QTI 3.0: import errors, all-or-nothing, and round trips."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.itembank.choices import ItemType
from skillcert.itembank.exchange import excel, qti
from skillcert.itembank.models import Item
from skillcert.itembank.services import ItemContent, item_create
from tests.itembank.conftest import Bank

pytestmark = pytest.mark.django_db


def _xlsx(rows: list[list[Any]], headers: tuple[str, ...] = excel.HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(point: str, kind: str, stem: str, options: list[str], answer: str, **kw: Any) -> list[Any]:
    cells = [*options, *[""] * (6 - len(options))]
    return [point, kind, stem, *cells, answer, kw.get("reference", ""), kw.get("difficulty", 3)]


GOOD = [
    _row("1.1.1", "单项选择题", "'=SUM(A1)是什么", ["公式", "文本"], "A"),
    _row("1.1.1", "多项选择题", "车刀材料有（ ）。", ["高速钢", "硬质合金", "木材"], "A,B"),
    _row("2.1.1", "判断题", "车床可以车螺纹。", [], "对", difficulty=1),
    _row("2.1.1", "简答题", "简述车刀的组成。", [], "", reference="刀头和刀杆。", difficulty=5),
]


def test_import_writes_every_row_as_a_draft(bank: Bank) -> None:
    items = excel.items_import_excel(
        actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=_xlsx(GOOD)
    )
    assert [i.type for i in items] == ["single", "multiple", "true_false", "short_answer"]
    assert items[0].stem == "=SUM(A1)是什么"
    assert items[1].answer == ["A", "B"]
    assert items[2].answer == ["T"]
    assert items[3].reference_answer == "刀头和刀杆。"
    assert {i.status for i in items} == {"draft"}


def test_import_reports_every_bad_cell_and_writes_nothing(bank: Bank) -> None:
    rows = [
        *GOOD,
        _row("9.9.9", "单项选择题", "题", ["甲", "乙"], "A"),
        _row("1.1.1", "填空题", "题", [], ""),
        _row("1.1.1", "单项选择题", "题", ["甲", "乙"], "AB"),
        _row("1.1.1", "判断题", "题", [], "是"),
        _row("1.1.1", "简答题", "题", [], "", difficulty=9),
    ]
    with pytest.raises(excel.ImportInvalid) as caught:
        excel.items_import_excel(
            actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=_xlsx(rows)
        )
    found = [(e.row, e.column) for e in caught.value.errors]
    assert found == [
        (6, "鉴定点编号"),
        (7, "题型"),
        (8, "答案"),
        (9, "答案"),
        (10, "难度"),
        (10, "参考答案"),
    ]
    assert "第6行“鉴定点编号”列" in str(caught.value.message)
    assert not Item.objects.exists()


def test_import_refuses_a_foreign_file(bank: Bank) -> None:
    with pytest.raises(DomainError, match="表头"):
        excel.parse_workbook(_xlsx([], headers=("姓名", "身份证号")), bank.level)
    with pytest.raises(DomainError, match="无法读取"):
        excel.parse_workbook(b"not a workbook", bank.level)


def test_import_needs_a_bank_keeper(bank: Bank) -> None:
    with pytest.raises(PermissionDenied):
        excel.items_import_excel(
            actor=bank.cast.actor("institution_b"),
            owner=bank.owner,
            standard_level=bank.level,
            data=_xlsx(GOOD),
        )
    assert not Item.objects.exists()


def _signature(item: Item) -> tuple[Any, ...]:
    return (
        item.point_id,
        item.type,
        item.stem,
        item.options,
        item.answer,
        item.reference_answer,
        item.difficulty,
    )


def test_excel_round_trip(bank: Bank) -> None:
    first = excel.items_import_excel(
        actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=_xlsx(GOOD)
    )
    exported = excel.export_bytes(first)
    sheet = load_workbook(io.BytesIO(exported)).active
    assert sheet["C2"].value == "'=SUM(A1)是什么"  # formula injection neutralised
    again = excel.items_import_excel(
        actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=exported
    )
    assert [_signature(i) for i in again] == [_signature(i) for i in first]


def test_template_has_the_chinese_headers() -> None:
    sheet = load_workbook(io.BytesIO(excel.template_bytes())).active
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["鉴定点编号", "题型", "题干"]
    assert headers[3:9] == [f"选项{k}" for k in "ABCDEF"]
    assert headers[9:] == ["答案", "参考答案", "难度"]


CONTENTS = [
    ItemContent(
        type="single",
        stem="车床主轴转速的单位是（ ）。",
        options=[{"key": "A", "text": "r/min"}, {"key": "B", "text": "m/s"}],
        answer=["A"],
        difficulty=2,
    ),
    ItemContent(
        type="multiple",
        stem="车刀材料有（ ）。",
        options=[
            {"key": "A", "text": "高速钢"},
            {"key": "B", "text": "硬质合金"},
            {"key": "C", "text": "木材"},
        ],
        answer=["A", "B"],
        difficulty=4,
    ),
    ItemContent(type="true_false", stem="车床可以车螺纹。", answer=["F"], difficulty=1),
    ItemContent(type="short_answer", stem="简述<车刀>的组成。", reference_answer="刀头 & 刀杆。"),
]


@pytest.mark.parametrize("content", CONTENTS, ids=lambda c: c.type)
def test_qti_round_trip(bank: Bank, content: ItemContent) -> None:
    item = item_create(actor=bank.admin, owner=bank.owner, point=bank.points[1], content=content)
    xml = qti.item_to_qti(item)
    root = ET.fromstring(xml)  # noqa: S314 - our own output
    assert root.tag == f"{{{qti.NS}}}qti-assessment-item"
    assert root.find(f"{{{qti.NS}}}qti-item-body") is not None
    interaction = (
        "qti-extended-text-interaction"
        if content.type == ItemType.SHORT_ANSWER
        else "qti-choice-interaction"
    )
    assert root.find(f".//{{{qti.NS}}}{interaction}") is not None
    copy = qti.item_import_qti(
        actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=xml
    )
    assert copy.pk != item.pk
    assert _signature(copy) == _signature(item)


def test_qti_correct_response_of_a_multiple_choice(bank: Bank) -> None:
    item = item_create(
        actor=bank.admin, owner=bank.owner, point=bank.points[0], content=CONTENTS[1]
    )
    root = ET.fromstring(qti.item_to_qti(item))  # noqa: S314 - our own output
    declaration = root.find(f"{{{qti.NS}}}qti-response-declaration")
    assert declaration is not None
    assert declaration.get("cardinality") == "multiple"
    values = [v.text for v in declaration.iter(f"{{{qti.NS}}}qti-value")]
    assert values == ["A", "B"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            b'<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0">&a;'
            b"</qti-assessment-item>",
            "DTD",
        ),
        (b"<not-closed>", "有效的XML"),
        (b'<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"/>', "QTI 3.0"),
        (
            b'<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"'
            b' label="1.1.1">'
            b"<qti-item-body/></qti-assessment-item>",
            "作答方式",
        ),
    ],
)
def test_qti_import_refuses_bad_files(bank: Bank, data: bytes, fragment: str) -> None:
    with pytest.raises(DomainError, match=fragment):
        qti.item_import_qti(
            actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=data
        )
    assert not Item.objects.exists()


def test_qti_import_needs_a_known_point(bank: Bank) -> None:
    item = bank.item()
    xml = qti.item_to_qti(item).replace(b'label="1.1.1"', b'label="7.7.7"')
    with pytest.raises(DomainError, match=r"7\.7\.7"):
        qti.item_import_qti(actor=bank.admin, owner=bank.owner, standard_level=bank.level, data=xml)
