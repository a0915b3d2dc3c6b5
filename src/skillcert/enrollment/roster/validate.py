"""Checking every cell of a roster, collecting every problem (DESIGN.md lifecycle step 3).

Nothing stops at the first error: each row is checked column by column, then the rows
are checked against each other (the same ID twice) and against the database (already
applied to this batch; the ID registered under another name) with one query per chunk
of rows. Reasons are in Chinese, row numbers as Excel shows them.

What the import checks itself, per row:

* required columns: 姓名, 证件类型, 证件号码, 手机号码, 文化程度, 申报条件序号;
* the ID number: format, check digit, birth date and area code for resident IDs
  (``core.identifiers.validate_id``); an ID stored as a number is refused, since Excel
  keeps only 15 significant digits; 性别, when filled, must match the ID;
* the phone number (``validate_phone``), 文化程度 from the list, years as whole numbers;
* 申报条件序号 must name one of the batch's routes (1-based, as 填写说明 lists them), and
  what the sheet can show about that route must agree with it:
  - a route that needs 本专业或相关专业 needs 专业 filled and 专业相关 = 是;
  - a school route (``school_types``) needs 学校 and 毕业年份; a student who has not
    graduated (毕业年份 this year or later) qualifies only through a route open to
    graduating-year students (``graduating_students``), and only in the graduating year
    (the academic year ends in August: from September on, next year's class);
  - ``work_years`` needs 从事本职业年限 at least that; ``education_min`` needs 文化程度
    at least that;
  certificates held, years since a certificate and apprenticeships are not in the
  sheet: the institution's review checks them against the evidence, and the
  eligibility engine evaluates persons already known (see ``commit``).
* 学校, 专业, 入学年份, 毕业年份 are filled together or not at all.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.catalog.choices import EducationLevel
from skillcert.catalog.eligibility import Route
from skillcert.core.identifiers import IdentityFacts, validate_id, validate_phone
from skillcert.core.personal import id_index, phone_index
from skillcert.enrollment.eligibility import academic_graduation_years
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.roster.columns import (
    BY_KEY,
    COLUMNS,
    EDUCATION_ALIASES,
    ID_TYPE_ALIASES,
    NO,
    YES,
    education_levels,
    genders,
    id_types,
)
from skillcert.enrollment.roster.parse import Cell, RosterSheet

CHUNK = 2000
MAX_WORK_YEARS = 60
FIRST_YEAR = 1950
# 姓名: letters of any script, single separators between parts (少数民族、外籍人员姓名).
_NAME = re.compile(r"[^\W\d_]+(?:[·•・．. '\-][^\W\d_]+)*")
_FORMULA_STARTS = ("=", "+", "-", "@")
_SCHOOL_KEYS = ("school", "major", "enrollment_year", "graduation_year")

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class CellError:
    """One problem in one cell: Excel row number, column letter, header, reason."""

    row: int
    column: str
    header: str
    reason: str


@dataclass(slots=True)
class RosterRow:
    """A checked row, ready to be written."""

    row: int
    full_name: str
    id_type: str
    id_number: str
    id_index: str
    gender: str
    birth_date: datetime.date | None
    phone: str
    phone_index: str
    education_level: int
    employer: str
    work_years: int
    route: int  # 1-based, as written in the sheet
    school: str
    major: str
    major_related: bool | None
    enrollment_year: int | None
    graduation_year: int | None
    student_number: str
    is_student: bool  # has not graduated yet: the certificate waits for the diploma


@dataclass
class RosterCheck:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    # Persons already registered, by blind index of their ID number: index -> pk.
    known: dict[str, int] = field(default_factory=dict)

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def graduating_year(today: datetime.date) -> int:
    """The latest graduation year that counts as 应届 (the eligibility engine's rule)."""
    return max(academic_graduation_years(today))


class _Row:
    """The problems found in one row, keyed by column, and who the row is (when the ID is
    valid), for the checks across rows and against the database."""

    __slots__ = ("full_name", "index", "problems")

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}
        self.index = ""
        self.full_name = ""

    def add(self, key: str, reason: str) -> None:
        self.problems.setdefault(key, []).append(reason)

    def has(self, key: str) -> bool:
        return key in self.problems


class RosterValidator:
    """Checks a parsed roster against one batch; see the module doc for the rules."""

    def __init__(self, *, batch: Batch, sheet: RosterSheet, today: datetime.date) -> None:
        self.batch = batch
        self.sheet = sheet
        self.today = today
        self.routes: list[Route] = list(batch.standard_level.eligibility_routes or [])
        self.graduating = graduating_year(today)
        self.letters = {key: sheet.letter(key) for key in sheet.positions}

    def run(self, *, progress: Progress | None = None) -> RosterCheck:
        check = RosterCheck()
        seen: dict[str, list[int]] = {}
        rows = self.sheet.rows
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            identified: list[tuple[int, _Row]] = []
            for number, values in chunk:
                found, row = self.check_row(number, values)
                if row.problems:
                    check.errors.extend(self._cell_errors(number, row))
                if row.index:
                    seen.setdefault(row.index, []).append(number)
                    identified.append((number, row))
                if found is not None:
                    check.rows.append(found)
            self._check_database(identified, check)
            if progress is not None:
                progress(start + len(chunk))
        self._check_duplicates(seen, check)
        # Row by row, then left to right as the sheet has its columns (B < Z < AA).
        check.errors.sort(key=lambda e: (e.row, len(e.column), e.column))
        if check.errors:
            check.rows = []  # nothing will be written; free the memory
        return check

    # --- one row -----------------------------------------------------------------------

    def check_row(self, number: int, values: Sequence[Cell]) -> tuple[RosterRow | None, _Row]:
        """The row's value when every column is right (DB checks aside), and its problems."""
        row = _Row()
        v = dict(zip(_KEYS, values, strict=True))
        full_name = self._name(row, v["full_name"])
        id_type = self._id_type(row, v["id_type"])
        facts = self._id_number(row, id_type, v["id_number"])
        gender = self._gender(row, v["gender"], facts.gender if facts else "")
        phone = self._phone(row, v["phone"])
        education = self._choice(
            row, "education", v["education"], education_levels(), EDUCATION_ALIASES
        )
        employer = self._limited(row, "employer", v["employer"], 128)
        work_years = self._integer(row, "work_years", v["work_years"], 0, MAX_WORK_YEARS)
        route = self._integer(row, "route", v["route"], 1, max(len(self.routes), 1))
        school = self._school(row, v)
        if route is not None and not row.has("route"):
            self._route_rules(row, self.routes[route - 1], education, work_years, school)
        if facts is not None and id_type is not None:
            row.index = id_index(id_type, facts.number)
            row.full_name = "" if row.has("full_name") else full_name
        if row.problems or facts is None or id_type is None or education is None or route is None:
            return None, row
        return (
            RosterRow(
                row=number,
                full_name=full_name,
                id_type=id_type,
                id_number=facts.number,
                id_index=row.index,
                gender=gender,
                birth_date=facts.birth_date,
                phone=phone,
                phone_index=phone_index(phone),
                education_level=education,
                employer=employer,
                work_years=work_years or 0,
                route=route,
                school=school.school,
                major=school.major,
                major_related=school.related,
                enrollment_year=school.enrolled,
                graduation_year=school.graduates,
                student_number=school.number,
                is_student=school.graduates is not None and school.graduates >= self.today.year,
            ),
            row,
        )

    def _name(self, row: _Row, value: Cell) -> str:
        text = _text(value)
        if not text:
            row.add("full_name", _("必须填写姓名。"))
        elif text.startswith(_FORMULA_STARTS):
            row.add("full_name", _("姓名不能以 = + - @ 开头。"))
        elif len(text) > 64:
            row.add("full_name", _("姓名超过 64 个字。"))
        elif not _NAME.fullmatch(text):
            row.add(
                "full_name",
                _("姓名只能由文字组成，不能含数字或符号（少数民族、外籍人员姓名可用“·”分隔）。"),
            )
        return text

    def _id_type(self, row: _Row, value: Cell) -> str | None:
        text = _text(value)
        if not text:
            row.add("id_type", _("必须填写证件类型。"))
            return None
        found = id_types().get(text) or ID_TYPE_ALIASES.get(text)
        if found is None:
            row.add(
                "id_type",
                _("证件类型“%(v)s”不在下拉列表中（%(list)s）。")
                % {"v": text, "list": "、".join(id_types())},
            )
        return found

    def _id_number(self, row: _Row, id_type: str | None, value: Cell) -> IdentityFacts | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            row.add(
                "id_number",
                _(
                    "证件号码被存成了数字，Excel 只保留15位有效数字，18位号码的末几位已经丢失。"
                    "请将该列设为“文本”格式后重新输入号码。"
                ),
            )
            return None
        text = _digits(value)
        if not text:
            row.add("id_number", _("必须填写证件号码。"))
            return None
        if id_type is None:
            return None  # the type's own error says what to fix
        try:
            facts = validate_id(id_type, text)
        except ValidationError as exc:
            row.add("id_number", " ".join(exc.messages))
            return None
        if facts.birth_date is not None and facts.birth_date > self.today:
            row.add("id_number", _("证件号码中的出生日期晚于今天。"))
            return None
        return facts

    def _gender(self, row: _Row, value: Cell, from_id: str) -> str:
        text = _text(value)
        if not text:
            return from_id
        gender = genders().get(text)
        if gender is None:
            row.add("gender", _("性别应填“男”或“女”。"))
            return from_id
        if from_id and gender != from_id:
            row.add(
                "gender",
                _("性别与证件号码不符：证件号码显示为“%(g)s”。")
                % {"g": next(k for k, v in genders().items() if v == from_id)},
            )
        return from_id or gender

    def _phone(self, row: _Row, value: Cell) -> str:
        text = _digits(value)
        if not text:
            row.add("phone", _("必须填写手机号码。"))
            return ""
        try:
            return validate_phone(text)
        except ValidationError as exc:
            row.add("phone", " ".join(exc.messages))
            return ""

    def _choice(
        self, row: _Row, key: str, value: Cell, choices: dict[str, int], aliases: dict[str, int]
    ) -> int | None:
        text = _text(value)
        header = BY_KEY[key].header
        if not text:
            row.add(key, _("必须填写%(h)s。") % {"h": header})
            return None
        found = choices.get(text, aliases.get(text))
        if found is None:
            row.add(
                key,
                _("%(h)s“%(v)s”不在下拉列表中（%(list)s）。")
                % {"h": header, "v": text, "list": "、".join(choices)},
            )
        return found

    def _limited(self, row: _Row, key: str, value: Cell, limit: int) -> str:
        text = _text(value)
        if len(text) > limit:
            row.add(key, _("超过 %(n)s 个字。") % {"n": limit})
        return text

    def _integer(self, row: _Row, key: str, value: Cell, low: int, high: int) -> int | None:
        column = BY_KEY[key]
        if value is None or value == "":
            if column.required:
                row.add(key, _("必须填写%(h)s。") % {"h": column.header})
            return None
        number = _whole_number(value)
        if number is None:
            row.add(key, _("%(h)s应为整数。") % {"h": column.header})
            return None
        if key == "route" and not self.routes:
            row.add(key, _("本批次的评价标准尚未录入申报条件。"))
            return None
        if not low <= number <= high:
            row.add(
                key,
                _("%(h)s应在 %(low)s 至 %(high)s 之间。")
                % {"h": column.header, "low": low, "high": high},
            )
            return None
        return number

    def _school(self, row: _Row, v: dict[str, Cell]) -> _School:
        school = _School(
            school=self._limited(row, "school", v["school"], 128),
            major=self._limited(row, "major", v["major"], 128),
            number=self._limited(row, "student_number", v["student_number"], 32),
        )
        related = _text(v["major_related"])
        if related and related not in (YES, NO):
            row.add("major_related", _("专业相关应填“是”或“否”。"))
        school.related = {YES: True, NO: False}.get(related)
        last = self.today.year + 8
        school.enrolled = self._integer(
            row, "enrollment_year", v["enrollment_year"], FIRST_YEAR, last
        )
        school.graduates = self._integer(
            row, "graduation_year", v["graduation_year"], FIRST_YEAR, last
        )
        given = {k for k in _SCHOOL_KEYS if _text(v[k])}
        if given and len(given) < len(_SCHOOL_KEYS):
            for key in _SCHOOL_KEYS:
                if key not in given:
                    row.add(key, _("填写学籍信息时，学校、专业、入学年份、毕业年份须同时填写。"))
        if school.enrolled and school.graduates and school.enrolled > school.graduates:
            row.add("graduation_year", _("毕业年份早于入学年份。"))
        return school

    def _route_rules(
        self,
        row: _Row,
        route: Route,
        education: int | None,
        work_years: int | None,
        school: _School,
    ) -> None:
        """What the sheet can show about the declared route (see the module doc)."""
        if route.get("related_major"):
            if not school.major and not row.has("major"):
                row.add("major", _("所选申报条件要求本专业或相关专业，请填写专业。"))
            if school.related is not True and not row.has("major_related"):
                row.add("major_related", _("所选申报条件要求本专业或相关专业，专业相关应填“是”。"))
        if route.get("school_types"):
            for key in ("school", "graduation_year"):
                if not _present(school, key) and not row.has(key):
                    row.add(
                        key,
                        _("所选申报条件要求学校毕业（或在校应届毕业），请填写%(h)s。")
                        % {"h": BY_KEY[key].header},
                    )
        if school.graduates is not None and school.graduates >= self.today.year:
            self._student_rules(row, route, school.graduates)
        needed = route.get("work_years")
        if needed and (work_years or 0) < needed and not row.has("work_years"):
            row.add(
                "work_years",
                _("所选申报条件要求累计从事本职业或相关职业工作 %(n)s 年以上。") % {"n": needed},
            )
        least = route.get("education_min")
        if least and education is not None and education < least:
            row.add(
                "education",
                _("所选申报条件要求%(level)s及以上学历。") % {"level": EducationLevel(least).label},
            )

    def _student_rules(self, row: _Row, route: Route, graduates: int) -> None:
        school_route = bool(route.get("school_types") or route.get("education_min"))
        if not school_route or row.has("graduation_year"):
            return
        if not route.get("graduating_students"):
            row.add(
                "graduation_year",
                _("所选申报条件要求已取得毕业证书，在校生不符合（毕业年份 %(y)s）。")
                % {"y": graduates},
            )
        elif graduates > self.graduating:
            row.add(
                "graduation_year",
                _("在校生须为应届毕业生（%(y)s 年毕业）才能按所选申报条件申报。")
                % {"y": self.graduating},
            )

    # --- across rows and against the database ------------------------------------------

    def _check_database(self, identified: list[tuple[int, _Row]], check: RosterCheck) -> None:
        """Already applied to this batch; registered under another name (two queries)."""
        if not identified:
            return
        indexes = [row.index for _number, row in identified]
        known = {
            index: (pk, name)
            for index, pk, name in Person.objects.filter(id_number_index__in=indexes).values_list(
                "id_number_index", "pk", "full_name"
            )
        }
        applied = set(
            Application.objects.filter(
                batch=self.batch, person__id_number_index__in=indexes
            ).values_list("person__id_number_index", flat=True)
        )
        for number, row in identified:
            if row.index in applied:
                check.errors.append(self._error(number, "id_number", _("该考生已报名本批次。")))
            if row.index not in known:
                continue
            pk, name = known[row.index]
            check.known[row.index] = pk
            if row.full_name and name != row.full_name:
                check.errors.append(
                    self._error(
                        number,
                        "full_name",
                        _("姓名与系统中该证件号码登记的姓名不一致，请核对姓名和证件号码。"),
                    )
                )

    def _check_duplicates(self, seen: dict[str, list[int]], check: RosterCheck) -> None:
        for numbers in seen.values():
            if len(numbers) < 2:
                continue
            listed = "、".join(str(n) for n in numbers)
            for number in numbers:
                check.errors.append(
                    self._error(
                        number,
                        "id_number",
                        _("证件号码在文件中重复出现（第 %(rows)s 行）。") % {"rows": listed},
                    )
                )

    def _error(self, number: int, key: str, reason: str) -> CellError:
        return CellError(number, self.letters[key], BY_KEY[key].header, reason)

    def _cell_errors(self, number: int, row: _Row) -> list[CellError]:
        found: list[CellError] = []
        for key, reasons in row.problems.items():
            found.extend(self._error(number, key, reason) for reason in reasons)
        return found


@dataclass(slots=True)
class _School:
    school: str = ""
    major: str = ""
    number: str = ""
    related: bool | None = None
    enrolled: int | None = None
    graduates: int | None = None


_KEYS = tuple(c.key for c in COLUMNS)


def _present(school: _School, key: str) -> bool:
    return bool(school.school) if key == "school" else school.graduates is not None


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _digits(value: Cell) -> str:
    """Text of a number-like cell: full-width digits and letters folded to ASCII."""
    text = _text(value)
    return unicodedata.normalize("NFKC", text) if not text.isascii() else text


def _whole_number(value: Cell) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = _digits(value)
        return int(text) if text.isdigit() and len(text) <= 6 else None
    return None  # a date, a time, an error value
