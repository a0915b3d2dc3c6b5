"""The roster template and the roster export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from skillcert.catalog.eligibility import describe_route, national_template
from skillcert.core.choices import IdType
from skillcert.core.personal import id_index
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.roster.columns import COLUMNS, GUIDE_TITLE, SHEET_TITLE
from skillcert.enrollment.roster.export import HEADERS, roster_export
from skillcert.enrollment.roster.importer import roster_import
from skillcert.enrollment.roster.template import EXAMPLE, roster_template
from tests.conftest import Cast
from tests.enrollment.test_roster_support import (
    TODAY,
    RosterWorld,
    build_roster_world,
    person_id,
    row,
)


@pytest.fixture
def rw(cast: Cast) -> RosterWorld:
    return build_roster_world(cast)


def test_the_template_has_the_headers_lists_and_text_columns(rw: RosterWorld) -> None:
    book = load_workbook(io.BytesIO(roster_template(rw.batch)))
    assert book.sheetnames == [SHEET_TITLE, GUIDE_TITLE]
    sheet = book[SHEET_TITLE]
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.max_row == 1  # nothing to import by mistake
    lists = {
        str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"
    }
    assert lists == {
        "B2:B200001": '"居民身份证,护照,港澳居民来往内地通行证,台湾居民来往大陆通行证,'
        '港澳台居民居住证,外国人永久居留身份证"',
        "D2:D200001": '"男,女"',
        "F2:F200001": '"中专/高中及以下,大专,本科,硕士研究生,博士研究生"',
        "I2:I200001": '"1,2,3,4"',
        "L2:L200001": '"是,否"',
    }
    for letter in ("C", "E", "O"):  # 证件号码, 手机号码, 学号
        assert sheet.column_dimensions[letter].number_format == "@"


def test_the_guide_describes_the_routes_and_holds_the_example(rw: RosterWorld) -> None:
    guide = load_workbook(io.BytesIO(roster_template(rw.batch)))[GUIDE_TITLE]
    lines = [list(r) for r in guide.iter_rows(values_only=True)]
    routes = [line[:2] for line in lines if isinstance(line[0], int)]
    assert routes == [
        [n, describe_route(route)] for n, route in enumerate(national_template(4), start=1)
    ]
    assert [c.header for c in COLUMNS] in [line[: len(COLUMNS)] for line in lines]
    example = next(line for line in lines if line[0] == EXAMPLE["full_name"])
    assert example[2] == EXAMPLE["id_number"]
    assert any(line[0] == rw.batch.code or line[1] == rw.batch.code for line in lines)


def test_a_filled_template_imports(rw: RosterWorld) -> None:
    book = load_workbook(io.BytesIO(roster_template(rw.batch)))
    values = row(1)
    book[SHEET_TITLE].append([values[c.key] for c in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    outcome = roster_import(
        actor=rw.staff, batch=rw.batch, data=buffer.getvalue(), file_name="t.xlsx", today=TODAY
    )
    assert outcome.errors == []
    assert outcome.counts is not None
    assert outcome.counts.rows == 1


def test_the_export_masks_numbers_and_neutralises_formulas(rw: RosterWorld) -> None:
    person = Person.objects.create(
        full_name='=HYPERLINK("http://evil.example","点我")',
        id_type=IdType.RESIDENT,
        id_number=person_id(1),
        id_number_index=id_index(IdType.RESIDENT, person_id(1)),
        phone="13912345678",
    )
    Application.objects.create(person=person, batch=rw.batch, declared_route=1, work_years=6)

    book = load_workbook(io.BytesIO(roster_export(actor=rw.staff, batch=rw.batch)))

    sheet = book.active
    assert [c.value for c in sheet[1]] == list(HEADERS)
    name, number, phone = sheet["B2"], sheet["D2"], sheet["F2"]
    assert name.data_type == "s"
    assert name.value == "'" + person.full_name
    assert number.value == person_id(1)[:6] + "********" + person_id(1)[-4:]
    assert phone.value == "139****5678"
    assert sheet["J2"].value == 2  # declared route shown 1-based
