"""Builders for the roster tests (no tests here): an enrolling batch of institution A and
small generated roster files.

The batch is 车工 level 4 with the national template's four routes:
1 五级 + 4 years, 2 six years of work, 3 技工学校 related major (graduating students too),
4 中等及以上职业学校 related major (graduating students too).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import Any

from openpyxl import Workbook

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.catalog.eligibility import national_template
from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.enrollment.roster.columns import COLUMNS, SHEET_TITLE
from skillcert.institutions.models import Institution
from tests.conftest import Cast
from tests.factories import resident_id
from tests.institutions.conftest import World, build_world

_codes = count(1)
STEMS = "甲乙丙丁戊己庚辛壬癸"
NUMERALS = "一二三四五六七八九十"
TODAY = date(2026, 5, 15)  # before September: the 应届 class graduates in 2026


@dataclass
class RosterWorld:
    world: World
    batch: Batch
    staff: Actor

    @property
    def institution(self) -> Institution:
        return self.world.inst_a


def make_roster_batch(world: World, status: str = BatchStatus.ENROLLING) -> Batch:
    level = StandardLevel.objects.get(standard=world.lathe_std, level=4)
    level.eligibility_routes = national_template(4)
    level.save(update_fields=["eligibility_routes"])
    serial = next(_codes)
    return Batch.objects.create(
        institution=world.inst_a,
        code=f"R2026{serial:03d}",
        title=f"2026年第{serial}批车工四级认定",
        standard_level=level,
        occupation=world.lathe,
        level=4,
        planned_candidates=100,
        enrollment_opens=date(2026, 4, 1),
        enrollment_closes=date(2026, 6, 30),
        status=status,
    )


def build_roster_world(cast: Cast) -> RosterWorld:
    world = build_world(cast)
    return RosterWorld(world, make_roster_batch(world), cast.actor("institution_a"))


def person_id(serial: int) -> str:
    """A valid resident ID, distinct per serial (born 2005–2007 in Kunming)."""
    birth = f"{2005 + serial // 900}0{1 + serial // 300 % 3}15"
    return resident_id(area="530102", birth=birth, serial=serial % 300 + 1)


def row(serial: int = 1, **values: Any) -> dict[str, Any]:
    """A valid row for route 2 (six years of work); keyword arguments override columns."""
    base: dict[str, Any] = {
        "full_name": "考生" + STEMS[serial % 10] + NUMERALS[serial // 10 % 10],
        "id_type": "居民身份证",
        "id_number": person_id(serial),
        "gender": "",
        "phone": f"139{serial:08d}",
        "education": "中专/高中及以下",
        "employer": "昆明机床厂",
        "work_years": 6,
        "route": 2,
        "school": "",
        "major": "",
        "major_related": "",
        "enrollment_year": "",
        "graduation_year": "",
        "student_number": "",
        "note": "",
    }
    base.update(values)
    return base


def student_row(serial: int = 1, **values: Any) -> dict[str, Any]:
    """A valid graduating-year technical-school student for route 3."""
    return row(
        serial,
        **{
            "work_years": 0,
            "route": 3,
            "school": "昆明技师学院",
            "major": "数控加工",
            "major_related": "是",
            "enrollment_year": 2023,
            "graduation_year": 2026,
            "student_number": f"2023{serial:04d}",
            **values,
        },
    )


def roster_bytes(
    rows: Iterable[Mapping[str, Any]],
    *,
    headers: list[str] | None = None,
    title_rows: int = 0,
    sheet: str = SHEET_TITLE,
    raw: Mapping[str, Any] | None = None,
) -> bytes:
    """An .xlsx roster; text values stay text (a leading ``=`` too). ``raw`` writes cells
    as given, e.g. ``{"C2": 530102200501150011}`` for an ID typed as a number."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for n in range(title_rows):
        ws.append([f"标题行{n + 1}"])
    keys = [c.key for c in COLUMNS]
    ws.append(headers if headers is not None else [c.header for c in COLUMNS])
    for values in rows:
        ws.append([None] * len(keys))
        line = ws.max_row
        for index, key in enumerate(keys, start=1):
            value = values.get(key, "")
            if value in ("", None):
                continue
            cell = ws.cell(row=line, column=index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # keep "=..." as text, as Excel does for text cells
    for ref, value in (raw or {}).items():
        ws[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
