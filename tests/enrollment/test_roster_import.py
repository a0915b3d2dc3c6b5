"""Roster import: every check with its exact row, column and reason; nothing written on
any error; a clean file written in one go with one audit event."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from skillcert.batches.choices import BatchStatus
from skillcert.core.choices import Gender, IdType
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.personal import id_index
from skillcert.enrollment.choices import ApplicationStatus, StudentState
from skillcert.enrollment.models import Application, Person, StudentStatus
from skillcert.enrollment.roster.annotate import AUTHOR, ERROR_COLOUR
from skillcert.enrollment.roster.columns import REASON_HEADER, SHEET_TITLE, SUMMARY_TITLE
from skillcert.enrollment.roster.importer import RosterOutcome, roster_import
from skillcert.enrollment.roster.parse import RosterFileError
from tests.conftest import Cast
from tests.enrollment.test_roster_support import (
    TODAY,
    RosterWorld,
    build_roster_world,
    person_id,
    roster_bytes,
    row,
    student_row,
)


@pytest.fixture
def rw(cast: Cast) -> RosterWorld:
    return build_roster_world(cast)


def run(rw: RosterWorld, data: bytes, **kwargs: Any) -> RosterOutcome:
    return roster_import(
        actor=rw.staff, batch=rw.batch, data=data, file_name="名册.xlsx", today=TODAY, **kwargs
    )


def errors_of(outcome: RosterOutcome) -> list[tuple[int, str, str, str]]:
    return [(e.row, e.column, e.header, e.reason) for e in outcome.errors]


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Application.objects.count(),
        StudentStatus.objects.count(),
        AuditEvent.objects.count(),
    )


# ---------------------------------------------------------------- a clean file


def test_a_clean_roster_is_written_in_one_go(rw: RosterWorld) -> None:
    data = roster_bytes([row(1), student_row(2), row(3, gender="女", phone="0871-65123456")])
    before = AuditEvent.objects.count()

    outcome = run(rw, data)

    assert outcome.errors == []
    assert outcome.counts is not None
    assert outcome.counts.as_dict() == {
        "rows": 3,
        "persons_created": 3,
        "persons_existing": 0,
        "student_statuses": 1,
    }
    person = Person.objects.get(id_number_index=id_index(IdType.RESIDENT, person_id(1)))
    assert person.full_name == row(1)["full_name"]
    assert person.id_number == person_id(1)
    assert person.phone == "13900000001"
    assert person.birth_date is not None
    assert person.birth_date.isoformat() == "2005-01-15"
    assert person.gender == Gender.FEMALE
    assert person.education_level == 1
    # Encrypted at rest: the column holds ciphertext, never the number.
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM enrollment_person WHERE id = %s", [person.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert stored_id.startswith("v1.")
    assert person_id(1) not in stored_id
    assert stored_phone.startswith("v1.")
    app = Application.objects.get(person=person, batch=rw.batch)
    assert app.status == ApplicationStatus.DRAFT
    assert app.declared_route == 1  # sheet's route 2, stored 0-based
    assert (app.employer, app.work_years, app.diploma_pending) == ("昆明机床厂", 6, False)
    student = Application.objects.get(person__full_name=student_row(2)["full_name"])
    assert student.diploma_pending is True  # route 3 through a student status
    status = StudentStatus.objects.get(person=student.person)
    assert (status.school, status.major, status.enrollment_year, status.graduation_year) == (
        "昆明技师学院",
        "数控加工",
        2023,
        2026,
    )
    assert status.state == StudentState.ENROLLED
    assert status.related_major is True
    event = AuditEvent.objects.get(seq=before + 1)
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "roster.import"
    assert event.changes["rows"] == 3
    assert event.changes["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_known_person_is_reused_and_evaluated(rw: RosterWorld) -> None:
    known = Person.objects.create(
        full_name=row(1)["full_name"],
        id_type=IdType.RESIDENT,
        id_number=person_id(1),
        id_number_index=id_index(IdType.RESIDENT, person_id(1)),
        phone="13700000000",
    )

    outcome = run(rw, roster_bytes([row(1), row(2)]))

    assert outcome.counts is not None
    assert (outcome.counts.persons_created, outcome.counts.persons_existing) == (1, 1)
    known.refresh_from_db()
    assert known.phone == "13700000000"  # the roster never overwrites a person
    app = Application.objects.get(person=known)
    assert [r["index"] for r in app.eligibility] == [0, 1, 2, 3]  # the engine ran
    assert app.eligible is False
    assert app.eligibility_checked_on == TODAY
    new = Application.objects.exclude(person=known).get()
    assert new.eligibility == []
    assert new.eligibility_checked_on is None


def test_a_second_import_of_the_same_file_fails_for_every_row(rw: RosterWorld) -> None:
    data = roster_bytes([row(1), row(2)])
    run(rw, data)
    before = counts()

    outcome = run(rw, data)

    assert errors_of(outcome) == [
        (2, "C", "证件号码", "该考生已报名本批次。"),
        (3, "C", "证件号码", "该考生已报名本批次。"),
    ]
    assert counts() == before


def test_the_database_checks_run_on_rows_with_other_errors(rw: RosterWorld) -> None:
    run(rw, roster_bytes([row(1)]))
    outcome = run(rw, roster_bytes([row(1, phone="1", full_name="王五")]))
    assert errors_of(outcome) == [
        (2, "A", "姓名", "姓名与系统中该证件号码登记的姓名不一致，请核对姓名和证件号码。"),
        (2, "C", "证件号码", "该考生已报名本批次。"),
        (2, "E", "手机号码", "电话号码格式不正确（11位手机号或带区号的固定电话）。"),
    ]


def test_dry_run_checks_and_writes_nothing(rw: RosterWorld) -> None:
    before = counts()
    outcome = run(rw, roster_bytes([row(1)]), dry_run=True)
    assert outcome.is_clean
    assert outcome.counts is None
    assert outcome.rows == 1
    assert counts() == before


# ---------------------------------------------------------------- every error kind

ROUTE_ERRORS: list[tuple[str, dict[str, Any], list[tuple[str, str, str]]]] = [
    ("required name", row(1, full_name=""), [("A", "姓名", "必须填写姓名。")]),
    (
        "formula in the name",
        row(1, full_name='=HYPERLINK("http://x","点我")'),
        [("A", "姓名", "姓名不能以 = + - @ 开头。")],
    ),
    (
        "digits in the name",
        row(1, full_name="张3"),
        [
            (
                "A",
                "姓名",
                "姓名只能由文字组成，不能含数字或符号（少数民族、外籍人员姓名可用“·”分隔）。",
            )
        ],
    ),
    (
        "unknown ID type",
        row(1, id_type="军官证"),
        [
            (
                "B",
                "证件类型",
                "证件类型“军官证”不在下拉列表中（居民身份证、护照、港澳居民来往内地通行证、"
                "台湾居民来往大陆通行证、港澳台居民居住证、外国人永久居留身份证）。",
            )
        ],
    ),
    ("required ID", row(1, id_number=""), [("C", "证件号码", "必须填写证件号码。")]),
    (
        "ID check digit",
        row(1, id_number=person_id(1)[:-1] + ("0" if person_id(1)[-1] != "0" else "1")),
        [("C", "证件号码", "身份证号码不正确（位数、出生日期、地区码或校验位有误）。")],
    ),
    (
        "ID birth date",
        row(1, id_number="530102200502300010"),  # 30 February, right check digit
        [("C", "证件号码", "身份证号码不正确（位数、出生日期、地区码或校验位有误）。")],
    ),
    (
        "gender against the ID",
        row(1, gender="男"),
        [("D", "性别", "性别与证件号码不符：证件号码显示为“女”。")],
    ),
    ("gender value", row(1, gender="M"), [("D", "性别", "性别应填“男”或“女”。")]),
    ("required phone", row(1, phone=""), [("E", "手机号码", "必须填写手机号码。")]),
    (
        "phone format",
        row(1, phone="1390000"),
        [("E", "手机号码", "电话号码格式不正确（11位手机号或带区号的固定电话）。")],
    ),
    (
        "education not in the list",
        row(1, education="小学"),
        [
            (
                "F",
                "文化程度",
                "文化程度“小学”不在下拉列表中（中专/高中及以下、大专、本科、硕士研究生、博士研究生）。",
            )
        ],
    ),
    (
        "years as a number",
        row(1, work_years="六年"),
        [("H", "从事本职业年限", "从事本职业年限应为整数。")],
    ),
    ("required route", row(1, route=""), [("I", "申报条件序号", "必须填写申报条件序号。")]),
    (
        "route number out of range",
        row(1, route=9),
        [("I", "申报条件序号", "申报条件序号应在 1 至 4 之间。")],
    ),
    (
        "route's work years",
        row(1, work_years=3),
        [
            (
                "H",
                "从事本职业年限",
                "所选申报条件要求累计从事本职业或相关职业工作 6 年以上。",
            )
        ],
    ),
    (
        "major relevance",
        student_row(1, major_related="否"),
        [("L", "专业相关（是/否）", "所选申报条件要求本专业或相关专业，专业相关应填“是”。")],
    ),
    (
        "school route without school data",
        row(1, route=3, work_years=0),
        [
            ("J", "学校", "所选申报条件要求学校毕业（或在校应届毕业），请填写学校。"),
            ("K", "专业", "所选申报条件要求本专业或相关专业，请填写专业。"),
            ("L", "专业相关（是/否）", "所选申报条件要求本专业或相关专业，专业相关应填“是”。"),
            ("N", "毕业年份", "所选申报条件要求学校毕业（或在校应届毕业），请填写毕业年份。"),
        ],
    ),
    (
        "incomplete school data",
        student_row(1, major=""),
        [("K", "专业", "填写学籍信息时，学校、专业、入学年份、毕业年份须同时填写。")],
    ),
    (
        "not a graduating-year student",
        student_row(1, graduation_year=2028),
        [("N", "毕业年份", "在校生须为应届毕业生（2026 年毕业）才能按所选申报条件申报。")],
    ),
    (
        "a student on a work route",
        row(
            1,
            route=4,
            work_years=0,
            school="某中职",
            major="机电",
            major_related="是",
            enrollment_year=2026,
            graduation_year=2025,
        ),
        [("N", "毕业年份", "毕业年份早于入学年份。")],
    ),
    (
        "years out of range",
        student_row(1, enrollment_year=1900),
        [("M", "入学年份", "入学年份应在 1950 至 2034 之间。")],
    ),
]


@pytest.mark.parametrize(
    ("values", "expected"),
    [pytest.param(v, e, id=name) for name, v, e in ROUTE_ERRORS],
)
def test_each_bad_cell_is_named(
    rw: RosterWorld, values: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    before = counts()
    outcome = run(rw, roster_bytes([row(7), values]))  # the bad row is row 3
    assert errors_of(outcome) == [(3, *e) for e in expected]
    assert outcome.counts is None
    assert outcome.report is not None
    assert counts() == before


def test_an_id_typed_as_a_number_is_refused(rw: RosterWorld) -> None:
    data = roster_bytes([row(1, id_number="")], raw={"C2": 530102200501150011})
    outcome = run(rw, data)
    assert errors_of(outcome) == [
        (
            2,
            "C",
            "证件号码",
            "证件号码被存成了数字，Excel 只保留15位有效数字，18位号码的末几位已经丢失。"
            "请将该列设为“文本”格式后重新输入号码。",
        )
    ]


def test_numbers_typed_as_numbers_are_fine_where_they_are_numbers(rw: RosterWorld) -> None:
    data = roster_bytes([row(1, phone="")], raw={"E2": 13900000001})
    assert run(rw, data).is_clean


def test_duplicates_in_the_file_name_both_rows(rw: RosterWorld) -> None:
    outcome = run(rw, roster_bytes([row(1), row(2), row(1)]))
    reason = "证件号码在文件中重复出现（第 2、4 行）。"
    assert errors_of(outcome) == [(2, "C", "证件号码", reason), (4, "C", "证件号码", reason)]


def test_a_name_not_matching_the_registered_person(rw: RosterWorld) -> None:
    Person.objects.create(
        full_name="王五",
        id_type=IdType.RESIDENT,
        id_number=person_id(1),
        id_number_index=id_index(IdType.RESIDENT, person_id(1)),
    )
    outcome = run(rw, roster_bytes([row(1)]))
    assert errors_of(outcome) == [
        (2, "A", "姓名", "姓名与系统中该证件号码登记的姓名不一致，请核对姓名和证件号码。")
    ]


def test_every_error_of_every_row_is_collected(rw: RosterWorld) -> None:
    rows = [row(1, full_name="", phone="12"), row(2), row(3, route=0), row(4, gender="女")]
    outcome = run(rw, roster_bytes(rows, title_rows=2))  # the header is on row 3
    assert [(e.row, e.column) for e in outcome.errors] == [
        (4, "A"),
        (4, "E"),
        (6, "I"),
        (7, "D"),
    ]
    assert outcome.error_rows == 3


def test_columns_are_found_by_header_in_any_order(rw: RosterWorld) -> None:
    from skillcert.enrollment.roster.columns import COLUMNS

    headers = [c.header for c in COLUMNS]
    swapped = [headers[2], headers[1], headers[0], *headers[3:]]
    values = row(1, phone="1")
    values["full_name"], values["id_number"] = values["id_number"], values["full_name"]
    outcome = run(rw, roster_bytes([values], headers=swapped))
    assert errors_of(outcome) == [
        (2, "E", "手机号码", "电话号码格式不正确（11位手机号或带区号的固定电话）。")
    ]


# ---------------------------------------------------------------- the batch and the actor


def test_only_an_enrolling_batch_takes_a_roster(rw: RosterWorld) -> None:
    rw.batch.status = BatchStatus.ENROLLMENT_CLOSED
    rw.batch.save(update_fields=["status"])
    with pytest.raises(InvalidTransition, match="报名中"):
        run(rw, roster_bytes([row(1)]))


def test_a_batch_without_routes_takes_no_roster(rw: RosterWorld) -> None:
    level = rw.batch.standard_level
    level.eligibility_routes = []
    level.save(update_fields=["eligibility_routes"])
    with pytest.raises(DomainError, match="尚未录入申报条件"):
        run(rw, roster_bytes([row(1)]))


@pytest.mark.parametrize("role", ["institution_b", "city_a", "examiner"])
def test_only_the_batch_staff_import(cast: Cast, rw: RosterWorld, role: str) -> None:
    with pytest.raises(PermissionDenied):
        roster_import(
            actor=cast.actor(role), batch=rw.batch, data=roster_bytes([row(1)]), file_name="x"
        )


def test_missing_headers_are_named(rw: RosterWorld) -> None:
    from skillcert.enrollment.roster.columns import COLUMNS

    headers = [c.header for c in COLUMNS if c.header not in ("证件号码", "申报条件序号")]
    with pytest.raises(RosterFileError) as caught:
        run(rw, roster_bytes([], headers=["姓名", *headers[1:]]))
    assert str(caught.value.message) == (
        "第 1 行的表头缺少以下列：证件号码、申报条件序号。请使用名册模板，不要修改表头。"
    )


# ---------------------------------------------------------------- the annotated file


def test_the_report_marks_every_bad_cell(rw: RosterWorld) -> None:
    rows = [row(1), row(2, full_name='=HYPERLINK("http://evil","x")', phone="1"), row(3)]
    data = roster_bytes(rows, raw={"P4": "=1+1"})  # a real formula in a remark

    outcome = run(rw, data)

    assert outcome.report is not None
    book = load_workbook(io.BytesIO(outcome.report))
    assert book.sheetnames[0] == SUMMARY_TITLE
    assert book.active.title == SUMMARY_TITLE
    sheet = book[SHEET_TITLE]
    for ref in ("A3", "E3"):
        assert sheet[ref].fill.fgColor.rgb == ERROR_COLOUR
        assert sheet[ref].comment is not None
        assert sheet[ref].comment.author == AUTHOR
    assert sheet["A3"].comment.text == "姓名不能以 = + - @ 开头。"
    assert sheet["B3"].fill.fgColor.rgb != ERROR_COLOUR
    assert sheet["A2"].comment is None
    assert sheet["Q1"].value == REASON_HEADER
    assert sheet["Q3"].value == (
        "A列（姓名）：姓名不能以 = + - @ 开头。；"
        "E列（手机号码）：电话号码格式不正确（11位手机号或带区号的固定电话）。"
    )
    assert sheet["Q2"].value is None
    # No formula anywhere: the text name stays text, the real formula becomes quoted text.
    assert sheet["A3"].data_type == "s"
    assert sheet["P4"].data_type == "s"
    assert sheet["P4"].value == "'=1+1"
    formulas = [
        c.coordinate for ws in book for line in ws.iter_rows() for c in line if c.data_type == "f"
    ]
    assert formulas == []
    summary = [list(r) for r in book[SUMMARY_TITLE].iter_rows(min_row=4, values_only=True)]
    assert summary == [
        [3, "A", "姓名", "姓名不能以 = + - @ 开头。"],
        [3, "E", "手机号码", "电话号码格式不正确（11位手机号或带区号的固定电话）。"],
    ]


def test_a_corrected_report_can_be_uploaded_again(rw: RosterWorld) -> None:
    first = run(rw, roster_bytes([row(1), row(2, phone="1")]))
    assert first.report is not None
    book = load_workbook(io.BytesIO(first.report))
    book[SHEET_TITLE]["E3"] = "13900000002"
    book[SHEET_TITLE]["A2"] = "张三3"  # a new mistake elsewhere
    buffer = io.BytesIO()
    book.save(buffer)

    second = run(rw, buffer.getvalue())

    assert [(e.row, e.column) for e in second.errors] == [(2, "A")]
    assert second.report is not None
    sheet = load_workbook(io.BytesIO(second.report))[SHEET_TITLE]
    assert sheet["E3"].fill.fgColor.rgb != ERROR_COLOUR
    assert sheet["E3"].comment is None
    assert sheet["Q3"].value is None
    assert sheet["Q2"].value.startswith("A列（姓名）")
    assert sheet["R1"].value is None  # the same reason column, not a second one


def test_a_large_roster_is_reported_on_a_streamed_copy(
    rw: RosterWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skillcert.enrollment.roster import annotate

    monkeypatch.setattr(annotate, "FULL_COPY_CELLS", 10)
    monkeypatch.setattr(annotate, "MAX_COMMENTS", 1)
    rows = [row(1, phone="1"), row(2), row(3, full_name="=1+2", note="备注")]

    outcome = run(rw, roster_bytes(rows, title_rows=1))

    assert outcome.report is not None
    book = load_workbook(io.BytesIO(outcome.report))
    assert book.sheetnames == [SUMMARY_TITLE, SHEET_TITLE]
    assert "批注只加在前 1 个单元格上" in book[SUMMARY_TITLE]["A1"].value
    sheet = book[SHEET_TITLE]
    assert sheet["A1"].value == "标题行1"
    assert sheet["A2"].value == "姓名"
    assert sheet["Q2"].value == REASON_HEADER
    assert sheet["C3"].value == person_id(1)
    assert sheet["C3"].data_type == "s"
    assert sheet["H3"].value == 6  # numbers stay numbers
    assert sheet["E3"].fill.fgColor.rgb == ERROR_COLOUR
    assert sheet["E3"].comment is not None
    assert sheet["A5"].fill.fgColor.rgb == ERROR_COLOUR
    assert sheet["A5"].comment is None
    assert sheet["A5"].value == "'=1+2"
    assert sheet["A5"].data_type == "s"
    assert sheet["P5"].value == "备注"
    assert sheet["Q4"].value is None
    assert sheet["Q5"].value.startswith("A列（姓名）")
    assert sheet.column_dimensions["C"].number_format == "@"
    lists = {str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert {"B3:B5", "I3:I5"} <= lists
