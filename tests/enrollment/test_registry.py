"""The education department's student registry: import (all or nothing) and cross-check."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import Workbook, load_workbook

from skillcert.catalog.choices import SchoolType
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.enrollment.models import RegistryImport, StudentRegistryRecord
from skillcert.enrollment.services import persons, registry
from skillcert.enrollment.services.registry import COLUMNS, CellError, RegistryFileInvalid
from tests.enrollment.conftest import Enrol, new_candidate
from tests.factories import resident_id

ID_1 = resident_id(area="530103", birth="20060101", serial=11)
ID_2 = resident_id(area="530103", birth="20060202", serial=12)


def xlsx(rows: Sequence[Sequence[object]], headers: Sequence[str] = COLUMNS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "学籍.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def row(number: str = ID_1, **changes: object) -> list[object]:
    values: dict[str, object] = {
        "姓名": "张三",
        "证件类型": "居民身份证",
        "证件号码": number,
        "学校": "昆明技工学校",
        "专业": "数控车工",
        "专业代码": "660103",
        "入学年份": 2022,
        "毕业年份": 2025,
        "学号": "2022001",
        "学籍状态": "在读",
    }
    values.update(changes)
    return [values[c] for c in COLUMNS]


def test_education_officials_import_the_registry(enrol: Enrol) -> None:
    education = enrol.cast.actor("education")
    data = xlsx([row(), row(ID_2, 姓名="李四", 证件类型="resident", 学籍状态="已毕业", 学号="")])
    source = registry.registry_import(actor=education, file=upload(data))
    assert (source.rows, source.file_name, source.organisation_id) == (
        2,
        "学籍.xlsx",
        enrol.cast.orgs["province_edu"].pk,
    )
    first = StudentRegistryRecord.objects.get(full_name="张三")
    assert (first.school, first.major_code, first.enrollment_year, first.state) == (
        "昆明技工学校",
        "660103",
        2022,
        "enrolled",
    )
    assert StudentRegistryRecord.objects.get(full_name="李四").state == "graduated"


def test_only_the_blind_index_is_stored(enrol: Enrol) -> None:
    registry.registry_import(actor=enrol.cast.actor("education"), file=upload(xlsx([row()])))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM enrollment_studentregistryrecord")
        stored = " ".join(str(v) for r in cursor.fetchall() for v in r)
    assert ID_1 not in stored
    assert ID_1[-8:] not in stored


def errors_of(data: bytes, enrol: Enrol) -> list[CellError]:
    with pytest.raises(RegistryFileInvalid) as info:
        registry.registry_import(actor=enrol.cast.actor("education"), file=upload(data))
    assert not RegistryImport.objects.exists()
    assert not StudentRegistryRecord.objects.exists()
    return info.value.errors


def test_every_bad_cell_is_reported_and_nothing_written(enrol: Enrol) -> None:
    data = xlsx(
        [
            row(),
            row(ID_2, 姓名="", 学籍状态="毕业了"),
            row("530103200601011234", 入学年份="二〇二二"),
            row(ID_2, 证件类型="身份证", 毕业年份=2020),
            row(ID_1),
            ["", "", "", "", "", "", "", "", "", ""],
            row(resident_id(area="530103", serial=13), 毕业年份=2021),
        ]
    )
    assert errors_of(data, enrol) == [
        CellError(3, "姓名", "不能为空。"),
        CellError(3, "学籍状态", "应为在读、已毕业、休学或退学。"),
        CellError(4, "证件号码", "身份证号码不正确（位数、出生日期、地区码或校验位有误）。"),
        CellError(4, "入学年份", "应为四位年份。"),
        CellError(5, "证件类型", "不认识的证件类型“身份证”。"),
        CellError(5, "毕业年份", "毕业年份不能早于入学年份。"),
        CellError(6, "证件号码", "与第2行的证件号码重复。"),
        CellError(8, "毕业年份", "毕业年份不能早于入学年份。"),
    ]


def test_a_numeric_id_cell_is_refused(enrol: Enrol) -> None:
    assert errors_of(xlsx([row(int(ID_1[:15]))]), enrol) == [
        CellError(2, "证件号码", "证件号码须以文本格式填写（数字格式会丢失位数）。")
    ]


def test_missing_columns_are_named(enrol: Enrol) -> None:
    headers = [c for c in COLUMNS if c not in ("学号", "学籍状态")]
    assert errors_of(xlsx([], headers=headers), enrol) == [
        CellError(1, "学号", "缺少此列。"),
        CellError(1, "学籍状态", "缺少此列。"),
    ]


def test_a_file_without_rows_is_refused(enrol: Enrol) -> None:
    assert errors_of(xlsx([]), enrol) == [CellError(2, "", "文件中没有数据行。")]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [("学籍.csv", b"a,b", "file_type"), ("学籍.xlsx", b"not a workbook", "unreadable")],
)
def test_unreadable_files(enrol: Enrol, refused: Any, name: str, data: bytes, code: str) -> None:
    refused(
        DomainError,
        lambda: registry.registry_import(
            actor=enrol.cast.actor("education"), file=upload(data, name)
        ),
        code,
    )


@pytest.mark.parametrize("role", ["province", "city_a", "institution_a", "candidate"])
def test_only_education_officials_import(enrol: Enrol, refused: Any, role: str) -> None:
    refused(
        PermissionDenied,
        lambda: registry.registry_import(actor=enrol.cast.actor(role), file=upload(xlsx([row()]))),
    )


# ---------------------------------------------------------------- cross-check


def _student(enrol: Enrol, **changes: Any) -> int:
    """A new candidate with a declared student status, submitted; returns the id."""
    actor = new_candidate()
    person = enrol.person(actor)
    values: dict[str, Any] = {
        "school": "昆明技工学校",
        "school_type": SchoolType.TECHNICAL_SCHOOL,
        "major": "数控车工",
        "major_code": "660103",
        "enrollment_year": 2022,
        "graduation_year": 2025,
    }
    values.update(changes)
    persons.student_status_add(actor=actor, person=person, **values)
    return enrol.submitted(actor).pk


def _registry_row(enrol: Enrol, application_id: int, **changes: object) -> list[object]:
    from skillcert.enrollment.models import Application

    person = Application.objects.get(pk=application_id).person
    return row(person.id_number.plain, 姓名=person.full_name, **changes)


def test_cross_check_rows(enrol: Enrol) -> None:
    ok = _student(enrol)
    state = _student(enrol)
    major = _student(enrol, major="会计", major_code="")
    year = _student(enrol, graduation_year=2026)
    several = _student(enrol)
    missing = _student(enrol)
    undeclared = enrol.submitted(new_candidate()).pk
    draft_only = enrol.draft(new_candidate()).pk
    data = xlsx(
        [
            _registry_row(enrol, ok),
            _registry_row(enrol, state, 学籍状态="退学"),
            _registry_row(enrol, major, 专业="数控加工", 专业代码=""),
            _registry_row(enrol, year),
            _registry_row(enrol, several, 学籍状态="休学", 专业="烹饪", 专业代码="740201"),
            _registry_row(enrol, undeclared),
        ]
    )
    registry.registry_import(actor=enrol.cast.actor("education"), file=upload(data))
    rows = registry.registry_cross_check(actor=enrol.cast.actor("city_a"), batch=enrol.batch)
    found = {r.application.pk: r.findings for r in rows}
    assert draft_only not in found
    assert found == {
        ok: ("ok",),
        state: ("state_differs",),
        major: ("major_differs",),
        year: ("year_differs",),
        several: ("state_differs", "major_differs"),
        missing: ("not_found",),
        undeclared: ("no_status",),
    }
    first = next(r for r in rows if r.application.pk == state)
    assert first.labels == ["学籍状态不一致"]
    assert not first.ok
    assert next(r for r in rows if r.application.pk == ok).ok


def test_the_newest_import_wins(enrol: Enrol) -> None:
    application = _student(enrol)
    education = enrol.cast.actor("education")
    registry.registry_import(
        actor=education, file=upload(xlsx([_registry_row(enrol, application, 学籍状态="休学")]))
    )
    registry.registry_import(
        actor=education, file=upload(xlsx([_registry_row(enrol, application)]))
    )
    (only,) = registry.registry_cross_check(actor=enrol.staff, batch=enrol.batch)
    assert only.findings == ("ok",)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("province", True),
        ("city_a", True),
        ("education", True),
        ("institution_a", True),
        ("city_b", False),
        ("institution_b", False),
        ("candidate", False),
    ],
)
def test_who_sees_the_cross_check(enrol: Enrol, role: str, allowed: bool) -> None:
    def call() -> object:
        return registry.registry_cross_check(actor=enrol.cast.actor(role), batch=enrol.batch)

    if allowed:
        assert call() == []
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_cross_check_export_masks_ids_and_quotes_formulas(enrol: Enrol) -> None:
    application = _student(enrol, major="=HYPERLINK(1)", major_code="")
    registry.registry_import(
        actor=enrol.cast.actor("education"),
        file=upload(xlsx([_registry_row(enrol, application)])),
    )
    rows = registry.registry_cross_check(actor=enrol.staff, batch=enrol.batch)
    sheet = load_workbook(io.BytesIO(registry.cross_check_workbook(enrol.batch, rows))).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0] == list(registry.CROSS_CHECK_HEADERS)
    person = rows[0].application.person
    assert values[1][2] == str(person.id_number)
    assert person.id_number.plain not in str(values)
    assert values[1][4] == "'=HYPERLINK(1)"
    assert values[1][-1] == "专业不一致"
