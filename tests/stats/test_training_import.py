"""Importing training records from Excel: every row checked first, errors by row and
column, the service's own refusals reported against their row, nothing written unless
the whole file is clean; only institution staff import."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.sheet_import import SheetInvalid
from skillcert.enrollment.models import Person
from skillcert.stats import training_import
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.models import TrainingRecord
from skillcert.stats.training_import import COLUMNS
from skillcert.stats.training_import import training_import as do_import
from tests.conftest import Cast, Refused
from tests.factories import resident_id
from tests.institutions.conftest import World, build_world

pytestmark = pytest.mark.django_db

ID_1 = resident_id(birth="19990101", serial=411)
ID_2 = resident_id(birth="20000202", serial=412)
ID_3 = resident_id(birth="20010303", serial=413)


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def line(**cells: Any) -> list[Any]:
    values: dict[str, Any] = {
        "姓名": "李华",
        "证件类型": "居民身份证",
        "证件号码": ID_1,
        "培训项目": "车工技能提升培训",
        "职业编码": "6-18-01-01",
        "等级": "四级",
        "学时": 40,
        "开始日期": "2024-03-01",
        "结束日期": "2024-04-30",
        "培训结果": "结业合格",
        "培训合格证书编号": "PX2024-101",
    }
    values.update(cells)
    return [values[c] for c in COLUMNS]


def xlsx(*rows: list[Any], headers: tuple[str, ...] = COLUMNS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("培训.xlsx", buffer.getvalue())


def nothing_written(persons: int) -> None:
    assert not TrainingRecord.objects.exists()
    assert Person.objects.count() == persons
    assert not AuditEvent.objects.filter(action__startswith="stats.training").exists()


def test_a_clean_file_records_every_row(cast: Cast, world: World) -> None:
    file = xlsx(
        line(),
        # Level as a digit, a date cell, a course still running.
        line(
            姓名="赵敏",
            证件号码=ID_2,
            等级=5,
            开始日期=date(2024, 9, 2),
            结束日期="",
            培训结果="在训",
            培训合格证书编号="",
        ),
        [""] * len(COLUMNS),  # a blank line is skipped
        line(
            姓名="钱进",
            证件号码=ID_3,
            职业编码="",
            等级="",
            学时="16",
            培训结果="中途退训",
            培训合格证书编号="",
        ),
        line(培训项目="电工上岗培训", 职业编码="6-31-01-03", 等级="三级/高级工"),
    )
    assert do_import(actor=cast.actor("institution_a"), file=file) == 4
    records = {
        (r.person.full_name, r.course): r
        for r in TrainingRecord.objects.select_related("person", "occupation")
    }
    assert len(records) == 4
    first = records["李华", "车工技能提升培训"]
    assert (first.institution, first.occupation, first.level, first.hours) == (
        world.inst_a,
        world.lathe,
        4,
        40,
    )
    assert (first.started_on, first.ended_on) == (date(2024, 3, 1), date(2024, 4, 30))
    assert first.certificate_number == "PX2024-101"
    running = records["赵敏", "车工技能提升培训"]
    assert (running.level, running.started_on, running.ended_on, running.outcome) == (
        5,
        date(2024, 9, 2),
        None,
        TrainingOutcome.IN_PROGRESS,
    )
    left = records["钱进", "车工技能提升培训"]
    assert (left.occupation, left.level, left.hours) == (None, None, 16)
    assert records["李华", "电工上岗培训"].occupation == world.electrician
    # One person for 李华's two courses.
    assert Person.objects.filter(full_name="李华").count() == 1
    assert AuditEvent.objects.filter(action="stats.training_add").count() == 4
    event = AuditEvent.objects.get(action="stats.training_import")
    assert event.changes == {"file": "培训.xlsx", "rows": 4}


def test_errors_name_the_row_and_column_and_nothing_is_written(cast: Cast, world: World) -> None:
    persons = Person.objects.count()
    file = xlsx(
        line(),  # row 2: clean, but not written either
        line(姓名=""),  # 3
        line(证件号码="110101199001011234"),  # 4: wrong check digit
        line(证件号码=110101199001011237.0),  # 5: typed as a number
        line(职业编码="9-99-99-99", 等级="六级"),  # 6
        line(学时=0, 开始日期="2024-02-30"),  # 7
        line(开始日期="2024-05-01"),  # 8: ends before it starts
        line(培训结果="已结业"),  # 9
        line(培训结果="在训", 结束日期=""),  # 10: a certificate number while in training
        line(证件类型="学生证"),  # 11
        line(),  # 12: the same as row 2
    )
    with pytest.raises(SheetInvalid) as info:
        do_import(actor=cast.actor("institution_a"), file=file)
    found = [(e.row, e.column) for e in info.value.errors]
    assert found == [
        (3, "姓名"),
        (4, "证件号码"),
        (5, "证件号码"),
        (6, "职业编码"),
        (6, "等级"),
        (7, "学时"),
        (7, "开始日期"),
        (8, "结束日期"),
        (9, "培训结果"),
        (10, "培训合格证书编号"),
        (11, "证件类型"),
        (12, "培训项目"),
    ]
    messages = {(e.row, e.column): e.message for e in info.value.errors}
    assert messages[12, "培训项目"] == "与第2行是同一人的同一培训。"
    assert messages[8, "结束日期"] == "结束日期不能早于开始日期。"
    assert str(info.value.message) == "文件有 12 处错误，未导入任何数据。"
    nothing_written(persons)


def test_the_services_refusals_are_reported_by_row_and_roll_back_everything(
    cast: Cast, world: World
) -> None:
    do_import(actor=cast.actor("institution_a"), file=xlsx(line()))
    before = (Person.objects.count(), TrainingRecord.objects.count())
    audits = AuditEvent.objects.count()
    file = xlsx(
        line(姓名="孙立", 证件号码=ID_2),  # 2: clean, written then rolled back
        line(姓名="李小华", 培训项目="数控车工培训"),  # 3: ID_1 is registered as 李华
        line(姓名="孙立", 证件号码=ID_2, 培训项目="电工上岗培训"),  # 4: clean
        line(培训项目="车工技能提升培训"),  # 5: recorded by the first import
    )
    with pytest.raises(SheetInvalid) as info:
        do_import(actor=cast.actor("institution_a"), file=file)
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "姓名"), (5, "培训项目")]
    assert (Person.objects.count(), TrainingRecord.objects.count()) == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize("role", ["city_a", "province", "education", "examiner", "candidate"])
def test_only_institution_staff_import(
    cast: Cast, world: World, refused: Refused, role: str
) -> None:
    persons = Person.objects.count()
    refused(PermissionDenied, lambda: do_import(actor=cast.actor(role), file=xlsx(line())))
    nothing_written(persons)


def test_bad_files_are_refused_whole(cast: Cast, world: World, refused: Refused) -> None:
    admin = cast.actor("institution_a")
    persons = Person.objects.count()
    csv = SimpleUploadedFile("培训.csv", b"a,b\n")
    refused(DomainError, lambda: do_import(actor=admin, file=csv), code="file_type")
    junk = SimpleUploadedFile("培训.xlsx", b"not a workbook")
    refused(DomainError, lambda: do_import(actor=admin, file=junk), code="unreadable")
    missing = xlsx(line()[:-2], headers=COLUMNS[:-2])
    error = refused(SheetInvalid, lambda: do_import(actor=admin, file=missing))
    assert [(e.row, e.column) for e in error.errors] == [(1, "培训结果"), (1, "培训合格证书编号")]
    empty = refused(SheetInvalid, lambda: do_import(actor=admin, file=xlsx()))
    assert [(e.row, e.message) for e in empty.errors] == [(2, "文件中没有数据行。")]
    nothing_written(persons)


def test_too_many_rows_or_bytes_are_refused(
    cast: Cast, world: World, refused: Refused, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training_import, "IMPORT_MAX_ROWS", 2)
    file = xlsx(line(), line(证件号码=ID_2), line(证件号码=ID_3))
    admin = cast.actor("institution_a")
    refused(DomainError, lambda: do_import(actor=admin, file=file), code="too_many")
    monkeypatch.setattr(training_import, "IMPORT_MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("培训.xlsx", b"x" * (1024 * 1024 + 1))
    error = refused(DomainError, lambda: do_import(actor=admin, file=big), code="file_size")
    assert str(error.message) == "文件不能超过1 MB。"


def test_the_template_imports_once_its_example_is_filled_in(cast: Cast, world: World) -> None:
    book = load_workbook(io.BytesIO(training_import.training_template()))
    sheet = book.active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert tuple(rows[0]) == COLUMNS
    example = rows[1]
    example[COLUMNS.index("证件号码")] = ID_1
    assert do_import(actor=cast.actor("institution_a"), file=xlsx(example)) == 1
    assert TrainingRecord.objects.get().outcome == TrainingOutcome.COMPLETED


# --- over HTTP ---------------------------------------------------------------------------


def test_the_import_page_over_http(cast: Cast, world: World) -> None:
    client = cast.client("institution_a")
    url = reverse("stats-training-import")
    page = client.get(url)
    assert page.status_code == 200
    assert 'id="training-template"' in page.content.decode()
    template = client.get(reverse("stats-training-template"))
    assert template.status_code == 200
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.post(url, {"file": xlsx(line(), line(学时="四十"))})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "文件有 1 处错误，未导入任何数据。" in body
    assert '<td class="num">3</td><td>学时</td>' in body
    assert not TrainingRecord.objects.exists()
    good = client.post(url, {"file": xlsx(line(), line(证件号码=ID_2, 姓名="赵敏"))})
    assert good.status_code == 302
    assert good["Location"] == reverse("stats-training")
    assert TrainingRecord.objects.count() == 2
    listing = client.get(good["Location"]).content.decode()
    assert "已导入 2 条培训记录。" in listing
    assert 'id="training-import"' in listing


@pytest.mark.parametrize("role", ["city_a", "education", "examiner", "candidate"])
def test_the_import_pages_are_refused_to_others(cast: Cast, world: World, role: str) -> None:
    client = cast.client(role)
    assert client.get(reverse("stats-training-import")).status_code == 403
    assert client.get(reverse("stats-training-template")).status_code == 403
    posted = client.post(reverse("stats-training-import"), {"file": xlsx(line())})
    assert posted.status_code == 403
    assert not TrainingRecord.objects.exists()
