"""Loading a year's State Council holiday schedule (节假日安排) into the database.

:func:`parse_schedule_csv` reads the ``date,kind,name`` file described in
``core/data/holidays/README.md``; :func:`holiday_schedule_load` validates the entries and
replaces the year's schedule, audited. :mod:`skillcert.core.workdays` reads the result.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import HolidayDay, HolidaySchedule

CSV_HEADER = ["date", "kind", "name"]
KINDS = {"holiday": False, "workday": True}  # kind → is_working_day
NAME_MAX_LENGTH = 32  # HolidayDay.name
SOURCE_MAX_LENGTH = 200  # HolidaySchedule.source
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class HolidayEntry:
    """One line of a schedule: a day off (``is_working_day=False``) or a make-up working day."""

    date: dt.date
    is_working_day: bool
    name: str


def _entry_problem(year: int, entry: HolidayEntry) -> tuple[str, str] | None:
    """The (column, message) of what is wrong with one entry on its own, or None."""
    day = entry.date.isoformat()
    if entry.date.year != year:
        return "date", _("%(date)s 不在 %(year)d 年内") % {"date": day, "year": year}
    if entry.is_working_day and entry.date.weekday() < 5:
        return "kind", _("%(date)s 不是周六或周日，不能设为调休上班日") % {"date": day}
    name = entry.name.strip()
    if not name:
        return "name", _("%(date)s 缺少节日名称") % {"date": day}
    if len(name) > NAME_MAX_LENGTH:
        return "name", _("%(date)s 的节日名称超过 %(max)d 个字") % {
            "date": day,
            "max": NAME_MAX_LENGTH,
        }
    return None


def _validate(year: int, source: str, days: list[HolidayEntry]) -> None:
    if not source:
        raise DomainError(_("请填写依据文件（如国办发明电文号）。"), code="source_missing")
    if len(source) > SOURCE_MAX_LENGTH:
        raise DomainError(
            _("依据文件不能超过 %(max)d 个字。") % {"max": SOURCE_MAX_LENGTH}, code="source_long"
        )
    if not days:
        raise DomainError(_("节假日安排中没有任何日期。"), code="schedule_empty")
    seen: set[dt.date] = set()
    for number, entry in enumerate(days, start=1):
        problem = _entry_problem(year, entry)
        if problem is None and entry.date in seen:
            problem = "date", _("%(date)s 重复出现") % {"date": entry.date.isoformat()}
        if problem is not None:
            raise DomainError(
                _("第 %(number)d 条：%(problem)s。") % {"number": number, "problem": problem[1]},
                code="schedule_invalid",
            )
        seen.add(entry.date)


def can_load_holidays(actor: Actor) -> bool:
    """The State Council schedule is national: any provincial HR official may enter it."""
    return actor.is_platform_admin or actor.role == Role.PROVINCE_OFFICIAL


def holiday_schedule_load(
    *, actor: Actor, year: int, source: str, days: list[HolidayEntry]
) -> HolidaySchedule:
    """Replace ``year``'s schedule with ``days`` (all of them; nothing is merged).

    Only platform admins and system jobs may load it. Raises DomainError naming the first
    bad entry; nothing is written then.
    """
    if not can_load_holidays(actor):
        raise PermissionDenied(_("只有省级人社部门或平台管理员可以录入节假日安排。"))
    source = source.strip()
    _validate(year, source, days)
    with transaction.atomic():
        schedule = HolidaySchedule.objects.select_for_update().filter(year=year).first()
        previous = _summary(schedule) if schedule is not None else None
        if schedule is None:
            schedule = HolidaySchedule(year=year)
        schedule.source = source
        schedule.loaded_by_label = actor.label[:128]
        schedule.save()
        # Dates are unique across schedules: clear any stray row of this year as well.
        HolidayDay.objects.filter(Q(schedule=schedule) | Q(date__year=year)).delete()
        HolidayDay.objects.bulk_create(
            HolidayDay(
                schedule=schedule,
                date=entry.date,
                is_working_day=entry.is_working_day,
                name=entry.name.strip(),
            )
            for entry in sorted(days, key=lambda entry: entry.date)
        )
        audit_record(
            actor=actor,
            action="calendar.schedule_load",
            obj=schedule,
            changes={**_summary(schedule), "previous": previous},
        )
    return schedule


def _summary(schedule: HolidaySchedule) -> dict[str, object]:
    working = list(schedule.days.values_list("is_working_day", flat=True))
    return {
        "year": schedule.year,
        "source": schedule.source,
        "holidays": working.count(False),
        "workdays": working.count(True),
    }


def parse_schedule_csv(text: str) -> tuple[int, list[HolidayEntry]]:
    """Read a ``date,kind,name`` CSV (one year; ``#`` lines are comments) into entries.

    The year is that of the first date. Raises DomainError naming the line and column.
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    rows = [
        (reader.line_num, row)
        for row in reader
        if any(cell.strip() for cell in row) and not row[0].lstrip().startswith("#")
    ]
    if not rows or [cell.strip().lower() for cell in rows[0][1]] != CSV_HEADER:
        raise DomainError(_("文件首行必须是表头 date,kind,name。"), code="csv_header")
    entries: list[HolidayEntry] = []
    seen: set[dt.date] = set()
    year = 0
    for line, row in rows[1:]:
        entry = _parse_row(line, row)
        year = year or entry.date.year
        problem = _entry_problem(year, entry)
        if problem is None and entry.date in seen:
            problem = "date", _("%(date)s 重复出现") % {"date": entry.date.isoformat()}
        if problem is not None:
            raise _row_error(line, *problem)
        seen.add(entry.date)
        entries.append(entry)
    if not entries:
        raise DomainError(_("文件中没有任何日期。"), code="schedule_empty")
    return year, entries


def _parse_row(line: int, row: list[str]) -> HolidayEntry:
    if len(row) != len(CSV_HEADER):
        raise DomainError(
            _("第 %(line)d 行：应有 3 列（date,kind,name），实际 %(count)d 列。")
            % {"line": line, "count": len(row)},
            code="csv_invalid",
        )
    raw_date, raw_kind, name = (cell.strip() for cell in row)
    day = _parse_date(raw_date)
    if day is None:
        raise _row_error(
            line, "date", _("“%(value)s”不是 YYYY-MM-DD 格式的日期") % {"value": raw_date}
        )
    kind = raw_kind.lower()
    if kind not in KINDS:
        raise _row_error(
            line, "kind", _("“%(value)s”应为 holiday 或 workday") % {"value": raw_kind}
        )
    return HolidayEntry(date=day, is_working_day=KINDS[kind], name=name)


def _parse_date(value: str) -> dt.date | None:
    # fromisoformat alone would also take 20270101 and 2027-W01-1.
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:  # 2027-02-30
        return None


def _row_error(line: int, column: str, problem: str) -> DomainError:
    return DomainError(
        _("第 %(line)d 行 %(column)s 列：%(problem)s。")
        % {"line": line, "column": column, "problem": problem},
        code="csv_invalid",
    )
