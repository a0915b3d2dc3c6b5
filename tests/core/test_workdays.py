"""Working-day arithmetic over real Chinese holiday schedules, and loading new ones.

2025 and 2026 come from chinesecalendar 1.11 (国办发明电〔2024〕12号, 〔2025〕7号);
2027 is provisional until a schedule is loaded. Weekdays are noted for each date.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import DjangoAssertNumQueries

from skillcert.core import workdays
from skillcert.core.actors import Actor
from skillcert.core.audit import verify_chain
from skillcert.core.calendar_services import (
    HolidayEntry,
    holiday_schedule_load,
    parse_schedule_csv,
)
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent, HolidayDay, HolidaySchedule
from skillcert.core.workdays import (
    Deadline,
    add_working_days,
    deadline,
    is_provisional_year,
    is_working_day,
    working_days_between,
)
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

LOADER = Actor.system("test-loader")
EXAMPLE_CSV = Path(workdays.__file__).resolve().parent / "data" / "holidays" / "example-2027.csv"


def holiday(day: date, name: str = "测试") -> HolidayEntry:
    return HolidayEntry(date=day, is_working_day=False, name=name)


def workday(day: date, name: str = "测试") -> HolidayEntry:
    return HolidayEntry(date=day, is_working_day=True, name=name)


# A made-up 2027 schedule for tests: 元旦 on Fri 1 Jan; 春节 off Fri 5 – Thu 11 Feb (so Mon
# 8 Feb is off) with make-up Saturdays 30 Jan and 13 Feb.
TEST_2027 = [
    holiday(date(2027, 1, 1), "元旦"),
    *(holiday(date(2027, 2, d), "春节") for d in range(5, 12)),
    workday(date(2027, 1, 30), "春节"),
    workday(date(2027, 2, 13), "春节"),
]


def load_2027() -> HolidaySchedule:
    return holiday_schedule_load(actor=LOADER, year=2027, source="测试安排", days=TEST_2027)


# --- Spring Festival 2025: off Tue 28 Jan – Tue 4 Feb; worked Sun 26 Jan, Sat 8 Feb --------


def test_spring_festival_2025_days() -> None:
    assert is_working_day(date(2025, 1, 24))  # Fri
    assert not is_working_day(date(2025, 1, 25))  # Sat
    assert is_working_day(date(2025, 1, 26))  # Sun, make-up
    assert not is_working_day(date(2025, 1, 28))  # Tue, 除夕
    assert not is_working_day(date(2025, 2, 4))  # Tue, last day off
    assert is_working_day(date(2025, 2, 5))  # Wed
    assert is_working_day(date(2025, 2, 8))  # Sat, make-up
    assert not is_working_day(date(2025, 2, 9))  # Sun


def test_spring_festival_2025_counting() -> None:
    start = date(2025, 1, 24)  # Fri
    assert add_working_days(start, 1) == date(2025, 1, 26)  # the make-up Sunday
    assert add_working_days(start, 2) == date(2025, 1, 27)
    assert add_working_days(start, 3) == date(2025, 2, 5)  # over the whole break
    assert add_working_days(date(2025, 1, 27), 4) == date(2025, 2, 8)  # make-up Saturday
    assert add_working_days(date(2025, 1, 27), 5) == date(2025, 2, 10)
    assert working_days_between(start, date(2025, 2, 10)) == 7


# --- National Day 2025: off Wed 1 – Wed 8 Oct; worked Sun 28 Sep, Sat 11 Oct ---------------


def test_national_day_2025() -> None:
    start = date(2025, 9, 26)  # Fri
    expected = [
        date(2025, 9, 28),  # Sun, make-up
        date(2025, 9, 29),
        date(2025, 9, 30),
        date(2025, 10, 9),  # Thu, first day back
        date(2025, 10, 10),
        date(2025, 10, 11),  # Sat, make-up
        date(2025, 10, 13),  # Mon
    ]
    assert [add_working_days(start, n) for n in range(1, 8)] == expected
    assert not any(is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert deadline(date(2025, 9, 30), 3) == Deadline(date(2025, 10, 11), provisional=False)


# --- Spring Festival 2026: off Sun 15 – Mon 23 Feb; worked Sat 14 Feb, Sat 28 Feb ----------


def test_spring_festival_2026() -> None:
    assert is_working_day(date(2026, 2, 14))  # Sat, make-up
    assert not any(is_working_day(date(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(date(2026, 2, 28))  # Sat, make-up
    assert not is_working_day(date(2026, 3, 1))  # Sun
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)  # Tue
    assert add_working_days(date(2026, 2, 24), 4) == date(2026, 2, 28)
    assert working_days_between(date(2026, 2, 13), date(2026, 3, 2)) == 7


# --- National Day 2026: off Thu 1 – Wed 7 Oct; worked Sun 20 Sep, Sat 10 Oct;
#     Mid-autumn off Fri 25 – Sun 27 Sep ---------------------------------------------------


def test_national_day_2026() -> None:
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)  # Sun, make-up
    assert add_working_days(date(2026, 9, 18), 5) == date(2026, 9, 24)
    assert add_working_days(date(2026, 9, 18), 6) == date(2026, 9, 28)  # over 中秋
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)  # Thu
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # Sat, make-up
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert deadline(date(2026, 9, 30), 4) == Deadline(date(2026, 10, 12), provisional=False)


# --- 2027 without a schedule: provisional --------------------------------------------------


def test_2027_without_schedule_is_provisional() -> None:
    assert is_provisional_year(2027)
    assert not is_provisional_year(2026)
    assert not is_provisional_year(2004)
    assert not is_working_day(date(2027, 1, 1))  # Fri, 元旦
    assert not is_working_day(date(2027, 1, 2))  # Sat
    assert not is_working_day(date(2027, 1, 3))  # Sun
    assert is_working_day(date(2027, 1, 4))  # Mon
    assert not is_working_day(date(2027, 5, 1))  # Sat, 劳动节
    assert is_working_day(date(2027, 4, 30))  # Fri
    assert not is_working_day(date(2027, 10, 1))  # Fri, 国庆节
    assert is_working_day(date(2027, 2, 8))  # Mon: lunar holidays are unknown
    assert is_working_day(date(2027, 12, 31))  # Fri


def test_late_december_2026_deadlines_without_2027_schedule() -> None:
    start = date(2026, 12, 24)  # Thu
    # 25, 28, 29, 30, 31 Dec; 1 Jan off; 4–8 Jan.
    assert deadline(start, 10) == Deadline(date(2027, 1, 8), provisional=True)
    # …11–15, 18–22, 25–29 Jan, 1–5 Feb.
    assert deadline(start, 30) == Deadline(date(2027, 2, 5), provisional=True)
    assert add_working_days(start, 31) == date(2027, 2, 8)
    # Counting only 2026 days is not provisional, even from a 2026 start near the edge.
    assert deadline(start, 5) == Deadline(date(2026, 12, 31), provisional=False)


def test_late_december_2026_deadlines_with_2027_schedule() -> None:
    load_2027()
    start = date(2026, 12, 24)
    assert not is_provisional_year(2027)
    assert deadline(start, 10) == Deadline(date(2027, 1, 8), provisional=False)
    # The make-up Saturday 30 Jan counts: one day earlier than provisionally.
    assert deadline(start, 30) == Deadline(date(2027, 2, 4), provisional=False)
    # 5–11 Feb off (incl. Mon 8 Feb), Fri 12, make-up Sat 13, Mon 15.
    assert add_working_days(start, 31) == date(2027, 2, 12)
    assert add_working_days(start, 32) == date(2027, 2, 13)
    assert add_working_days(start, 33) == date(2027, 2, 15)


def test_provisional_when_any_counted_day_is_provisional() -> None:
    holiday_schedule_load(
        actor=LOADER, year=2028, source="测试", days=[holiday(date(2028, 1, 1), "元旦")]
    )
    # Counted 28–31 Dec 2027 (provisional) and Mon 3 Jan 2028 (loaded).
    assert deadline(date(2027, 12, 27), 5) == Deadline(date(2028, 1, 3), provisional=True)
    # Counted 1–3 Jan 2028 only: the start day itself is not counted.
    assert deadline(date(2027, 12, 31), 1) == Deadline(date(2028, 1, 3), provisional=False)


def test_loaded_schedule_takes_effect_at_once() -> None:
    monday, saturday = date(2027, 2, 8), date(2027, 1, 30)
    assert is_working_day(monday)
    assert not is_working_day(saturday)
    load_2027()
    assert not is_working_day(monday)
    assert is_working_day(saturday)
    assert is_working_day(date(2027, 1, 29))  # an ordinary Fri still follows Mon–Fri


def test_loaded_schedule_overrides_the_library() -> None:
    assert not is_working_day(date(2026, 2, 16))  # Mon, library: 春节
    holiday_schedule_load(
        actor=LOADER, year=2026, source="测试", days=[holiday(date(2026, 1, 1), "元旦")]
    )
    assert is_working_day(date(2026, 2, 16))
    assert not is_working_day(date(2026, 2, 14))  # Sat, no longer a make-up day
    assert not is_working_day(date(2026, 1, 1))


def test_each_year_read_once_per_call(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    load_2027()
    with django_assert_num_queries(2):
        # 2026 and 2027, across ~60 calendar days.
        assert deadline(date(2026, 12, 24), 30).due == date(2027, 2, 4)


# --- consistency ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    [date(2025, 1, 20), date(2025, 9, 25), date(2026, 2, 10), date(2026, 12, 20)],
)
def test_between_inverts_add(start: date) -> None:
    for n in range(45):
        end = add_working_days(start, n)
        assert working_days_between(start, end) == n
        assert working_days_between(end, start) == -n
        if n:
            assert is_working_day(end)
            assert working_days_between(start, end - timedelta(days=1)) == n - 1


def test_edges() -> None:
    assert add_working_days(date(2025, 1, 28), 0) == date(2025, 1, 28)  # even on a day off
    assert deadline(date(2027, 1, 1), 0) == Deadline(date(2027, 1, 1), provisional=False)
    assert working_days_between(date(2025, 2, 10), date(2025, 1, 24)) == -7
    assert working_days_between(date(2025, 1, 28), date(2025, 2, 4)) == 0
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2025, 1, 1), -1)
    with pytest.raises(TypeError):
        is_working_day(datetime(2025, 1, 6, 9))  # noqa: DTZ001


# --- holiday_schedule_load --------------------------------------------------------------------


def test_load_writes_days_and_audit_event() -> None:
    schedule = load_2027()
    days = list(HolidayDay.objects.filter(schedule=schedule).values_list("date", "is_working_day"))
    assert days == sorted((e.date, e.is_working_day) for e in TEST_2027)
    assert (schedule.year, schedule.source, schedule.loaded_by_label) == (
        2027,
        "测试安排",
        "test-loader",
    )
    event = AuditEvent.objects.get(action="calendar.schedule_load")
    assert event.object_id == str(schedule.pk)
    assert event.actor_label == "test-loader"
    assert event.changes == {
        "year": 2027,
        "source": "测试安排",
        "holidays": 8,
        "workdays": 2,
        "previous": None,
    }
    assert verify_chain() == (1, None)


def test_reload_replaces_the_year() -> None:
    first = load_2027()
    second = holiday_schedule_load(
        actor=LOADER,
        year=2027,
        source="  国办发明电〔2026〕X号 ",
        days=[holiday(date(2027, 1, 1), "元旦"), workday(date(2027, 1, 2), "元旦")],
    )
    assert second.pk == first.pk
    assert HolidaySchedule.objects.count() == 1
    assert list(HolidayDay.objects.values_list("date", flat=True)) == [
        date(2027, 1, 1),
        date(2027, 1, 2),
    ]
    assert is_working_day(date(2027, 2, 8))  # the old 春节 days are gone
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.changes == {
        "year": 2027,
        "source": "国办发明电〔2026〕X号",
        "holidays": 1,
        "workdays": 1,
        "previous": {"year": 2027, "source": "测试安排", "holidays": 8, "workdays": 2},
    }


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (
            [holiday(date(2027, 1, 1)), holiday(date(2028, 1, 1))],
            "第 2 条：2028-01-01 不在 2027 年内。",
        ),
        (
            [holiday(date(2027, 1, 1)), holiday(date(2027, 1, 1))],
            "第 2 条：2027-01-01 重复出现。",
        ),
        ([workday(date(2027, 1, 4))], "第 1 条：2027-01-04 不是周六或周日，不能设为调休上班日。"),
        ([holiday(date(2027, 1, 1), " ")], "第 1 条：2027-01-01 缺少节日名称。"),
        ([holiday(date(2027, 1, 1), "节" * 33)], "第 1 条：2027-01-01 的节日名称超过 32 个字。"),
        ([], "节假日安排中没有任何日期。"),
    ],
)
def test_load_refuses_bad_entries(days: list[HolidayEntry], message: str) -> None:
    load_2027()
    with pytest.raises(DomainError) as caught:
        holiday_schedule_load(actor=LOADER, year=2027, source="新安排", days=days)
    assert str(caught.value) == message
    schedule = HolidaySchedule.objects.get()
    assert schedule.source == "测试安排"
    assert schedule.days.count() == len(TEST_2027)
    assert AuditEvent.objects.count() == 1


def test_load_needs_a_source() -> None:
    with pytest.raises(DomainError, match="依据文件"):
        holiday_schedule_load(actor=LOADER, year=2027, source="  ", days=TEST_2027)
    assert not HolidaySchedule.objects.exists()


@pytest.mark.parametrize("role", ["city_a", "education", "institution_a", "candidate"])
def test_only_province_officials_load_schedules(cast: Cast, role: str) -> None:
    with pytest.raises(PermissionDenied):
        holiday_schedule_load(actor=cast.actor(role), year=2027, source="测试", days=TEST_2027)
    assert not HolidaySchedule.objects.exists()
    holiday_schedule_load(actor=cast.actor("province"), year=2027, source="测试", days=TEST_2027)
    assert HolidaySchedule.objects.get().year == 2027


# --- parse_schedule_csv -----------------------------------------------------------------------


def test_parse_csv() -> None:
    text = (
        "\ufeff# 注释\ndate,kind,name\n2027-01-01,holiday,元旦\n\n 2027-01-30 , Workday , 春节 \n"
    )
    assert parse_schedule_csv(text) == (
        2027,
        [
            HolidayEntry(date(2027, 1, 1), is_working_day=False, name="元旦"),
            HolidayEntry(date(2027, 1, 30), is_working_day=True, name="春节"),
        ],
    )


HEADER = "# 示例\ndate,kind,name\n2027-01-01,holiday,元旦\n"  # data starts on line 3


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2027-02-30,holiday,春节", "第 4 行 date 列：“2027-02-30”不是 YYYY-MM-DD 格式的日期。"),
        ("2027/02/05,holiday,春节", "第 4 行 date 列：“2027/02/05”不是 YYYY-MM-DD 格式的日期。"),
        ("20270205,holiday,春节", "第 4 行 date 列：“20270205”不是 YYYY-MM-DD 格式的日期。"),
        ("2028-02-05,holiday,春节", "第 4 行 date 列：2028-02-05 不在 2027 年内。"),
        ("2027-01-01,holiday,元旦", "第 4 行 date 列：2027-01-01 重复出现。"),
        ("2027-02-05,off,春节", "第 4 行 kind 列：“off”应为 holiday 或 workday。"),
        (
            "2027-02-05,workday,春节",
            "第 4 行 kind 列：2027-02-05 不是周六或周日，不能设为调休上班日。",
        ),
        ("2027-02-05,holiday,", "第 4 行 name 列：2027-02-05 缺少节日名称。"),
        ("2027-02-05,holiday", "第 4 行：应有 3 列（date,kind,name），实际 2 列。"),
    ],
)
def test_parse_csv_errors_name_line_and_column(row: str, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_schedule_csv(HEADER + row + "\n")
    assert str(caught.value) == message


@pytest.mark.parametrize("text", ["", "# 只有注释\n", "day,kind,name\n2027-01-01,holiday,元旦\n"])
def test_parse_csv_needs_the_header(text: str) -> None:
    with pytest.raises(DomainError, match="表头 date,kind,name"):
        parse_schedule_csv(text)


def test_parse_csv_needs_a_row() -> None:
    with pytest.raises(DomainError, match="没有任何日期"):
        parse_schedule_csv("date,kind,name\n")


def test_example_file_is_labelled_and_parses() -> None:
    assert EXAMPLE_CSV.name == "example-2027.csv"
    text = EXAMPLE_CSV.read_text(encoding="utf-8")
    assert "NOT the official 2027 schedule" in text.splitlines()[0]
    year, entries = parse_schedule_csv(text)
    assert year == 2027
    assert len(entries) == 7
    readme = (EXAMPLE_CSV.parent / "README.md").read_text(encoding="utf-8")
    assert "NOT the official 2027 schedule" in readme


# --- manage.py load_holidays ------------------------------------------------------------------


GOOD_CSV = (
    "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-05,holiday,春节\n2027-01-30,workday,春节\n"
)


def test_command_loads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text("\ufeff" + GOOD_CSV, encoding="utf-8")
    out = StringIO()
    call_command("load_holidays", str(path), source="国办发明电〔2026〕X号", stdout=out)
    assert out.getvalue() == (
        "已载入 2027 年节假日安排（国办发明电〔2026〕X号）：放假 2 天，调休上班 1 天。\n"
    )
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.source == "国办发明电〔2026〕X号"
    assert schedule.loaded_by_label == "load_holidays"
    assert schedule.days.count() == 3
    assert AuditEvent.objects.get().actor_label == "load_holidays"
    assert deadline(date(2026, 12, 24), 30) == Deadline(date(2027, 2, 4), provisional=False)


def test_command_refuses_a_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    load_2027()
    before = list(HolidayDay.objects.values_list("date", "is_working_day", "name"))
    path = tmp_path / "bad.csv"
    path.write_text(GOOD_CSV + "2027-02-01,workday,春节\n", encoding="utf-8")  # a Monday
    with pytest.raises(CommandError, match="第 5 行 kind 列：2027-02-01 不是周六或周日"):
        call_command("load_holidays", str(path), source="国办发明电〔2026〕X号", stdout=StringIO())
    assert list(HolidayDay.objects.values_list("date", "is_working_day", "name")) == before
    assert HolidaySchedule.objects.get().source == "测试安排"
    assert AuditEvent.objects.count() == 1


def test_command_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="无法读取"):
        call_command("load_holidays", str(tmp_path / "none.csv"), source="x", stdout=StringIO())
    assert not HolidaySchedule.objects.exists()


def test_command_requires_a_source(tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    with pytest.raises(CommandError, match="--source"):
        call_command("load_holidays", str(path), stdout=StringIO())
    assert not HolidaySchedule.objects.exists()
