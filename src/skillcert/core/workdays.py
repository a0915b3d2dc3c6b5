"""Chinese working-day arithmetic (工作日计算) for deadlines.

Which days of a year are worked, in this order of precedence:

1. A :class:`~skillcert.core.models.HolidaySchedule` loaded for the year
   (``manage.py load_holidays``): its days with ``is_working_day=False`` are days off,
   those with ``True`` are make-up working days (调休上班); every other day follows
   Monday–Friday.
2. Otherwise, for the years the ``chinese_calendar`` library knows, the library.
3. Otherwise the year is *provisional*: weekends and the fixed-date statutory holidays are
   off. A deadline whose counted span touches a provisional year is marked provisional.

Each public function reads a year's schedule from the database at most once and keeps
nothing between calls, so a newly loaded schedule takes effect at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar

from skillcert.core.models import HolidaySchedule

ONE_DAY = timedelta(days=1)

# 全国年节及纪念日放假办法 art. 2, as revised by 国务院令第798号 (2024-11-10, in force
# 2025-01-01): 元旦 1 Jan; 劳动节 1–2 May; 国庆节 1–3 Oct. 春节, 清明, 端午 and 中秋 follow
# the lunar calendar or solar terms, and the yearly State Council notice adds bridge days and
# make-up working days (调休), so a year without that notice can only be approximated.
FIXED_STATUTORY_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))

# The library raises for years outside its data; this is the same range it checks.
LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


@dataclass(frozen=True)
class Deadline:
    """A due date; ``provisional`` when it was counted through a year without a schedule."""

    due: date
    provisional: bool


@dataclass(frozen=True)
class _YearRule:
    """One year's exceptions to Monday–Friday."""

    days_off: frozenset[date]
    make_up_days: frozenset[date]
    provisional: bool

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.days_off


class _Calendar:
    """The year rules for one call: each year is read from the database at most once."""

    def __init__(self) -> None:
        self._years: dict[int, _YearRule] = {}

    def rule(self, year: int) -> _YearRule:
        if year not in self._years:
            self._years[year] = _year_rule(year)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        return self.rule(day.year).is_working_day(day)


def _year_rule(year: int) -> _YearRule:
    """The loaded schedule, else the library, else the provisional rule."""
    # One query: a schedule without days still yields one (None, None) row.
    rows = list(
        HolidaySchedule.objects.filter(year=year).values_list("days__date", "days__is_working_day")
    )
    if rows:
        return _YearRule(
            days_off=frozenset(day for day, working in rows if day is not None and not working),
            make_up_days=frozenset(day for day, working in rows if day is not None and working),
            provisional=False,
        )
    if year in LIBRARY_YEARS:
        return _library_rule(year)
    return _provisional_rule(year)


@cache
def _library_rule(year: int) -> _YearRule:
    # Static package data, so caching across calls is safe; same logic as is_workday().
    return _YearRule(
        days_off=frozenset(day for day in chinese_calendar.holidays if day.year == year),
        make_up_days=frozenset(day for day in chinese_calendar.workdays if day.year == year),
        provisional=False,
    )


def _provisional_rule(year: int) -> _YearRule:
    return _YearRule(
        days_off=frozenset(date(year, month, day) for month, day in FIXED_STATUTORY_HOLIDAYS),
        make_up_days=frozenset(),
        provisional=True,
    )


def _require_date(value: date) -> None:
    # A datetime is a date subclass but never equal to one: membership tests would fail.
    if isinstance(value, datetime):
        raise TypeError("pass a date, not a datetime (use timezone.localdate())")


def _add(calendar: _Calendar, start: date, n: int) -> date:
    _require_date(start)
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n > 0:
        day += ONE_DAY
        if calendar.is_working_day(day):
            n -= 1
    return day


def _count(calendar: _Calendar, a: date, b: date) -> int:
    """Working days d with a < d <= b, for a <= b."""
    days = (b - a).days
    return sum(calendar.is_working_day(a + timedelta(days=k)) for k in range(1, days + 1))


def is_working_day(day: date) -> bool:
    """Whether ``day`` is worked (a weekday that is not a holiday, or a make-up day)."""
    _require_date(day)
    return _Calendar().is_working_day(day)


def is_provisional_year(year: int) -> bool:
    """True when neither a loaded schedule nor the library covers ``year``."""
    return _Calendar().rule(year).provisional


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself not counted); ``n=0`` is
    ``start``. Raises ValueError for negative ``n``."""
    return _add(_Calendar(), start, n)


def working_days_between(a: date, b: date) -> int:
    """The number of working days d with ``a < d <= b``; negative when ``b < a``."""
    _require_date(a)
    _require_date(b)
    calendar = _Calendar()
    if b < a:
        return -_count(calendar, b, a)
    return _count(calendar, a, b)


def deadline(start: date, n: int) -> Deadline:
    """The ``n``-th working day after ``start``, provisional if any counted day
    (``start < d <= due``) lies in a provisional year."""
    calendar = _Calendar()
    due = _add(calendar, start, n)
    counted_years = range((start + ONE_DAY).year, due.year + 1) if due > start else range(0)
    return Deadline(due, any(calendar.rule(year).provisional for year in counted_years))
