"""The roster's columns: one definition shared by the template, the parser and the report.

Headers are matched by name (any order, extra columns ignored), so a school that moves a
column or adds its own keeps a valid file; the Excel column letter of each error is the
one in the uploaded file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils import translation

from skillcert.catalog.choices import EducationLevel
from skillcert.core.choices import Gender, IdType

SHEET_TITLE = "报名名册"
GUIDE_TITLE = "填写说明"
REASON_HEADER = "错误原因"
SUMMARY_TITLE = "错误汇总"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    hint: str
    width: int = 14
    text: bool = False  # formatted as text in the template (long digit strings)


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "姓名", True, "与证件上的姓名一致。", 10),
    Column("id_type", "证件类型", True, "从下拉列表选择。", 14),
    Column(
        "id_number",
        "证件号码",
        True,
        "本列为文本格式，请勿改为数字（18位号码会丢失末几位）。",
        22,
        text=True,
    ),
    Column("gender", "性别", False, "可不填；填写时须与身份证号码一致。", 6),
    Column("phone", "手机号码", True, "11位手机号或带区号的固定电话。", 14, text=True),
    Column("education", "文化程度", True, "从下拉列表选择最高学历。", 16),
    Column("employer", "工作单位", False, "在校生可填学校名称。", 20),
    Column("work_years", "从事本职业年限", False, "整数，累计从事本职业或相关职业的年数。", 8),
    Column("route", "申报条件序号", True, "填写“填写说明”中申报条件的序号。", 8),
    Column("school", "学校", False, "学校、专业、入学年份、毕业年份须同时填写或同时不填。", 20),
    Column("major", "专业", False, "所学专业全称。", 16),
    Column("major_related", "专业相关（是/否）", False, "专业是否为本职业的本专业或相关专业。", 8),
    Column("enrollment_year", "入学年份", False, "四位年份，如 2023。", 8),
    Column("graduation_year", "毕业年份", False, "四位年份；在校生填预计毕业年份。", 8),
    Column("student_number", "学号", False, "可不填。", 14, text=True),
    Column("note", "备注", False, "供本机构使用，不导入系统。", 16),
)

KEYS = tuple(c.key for c in COLUMNS)
BY_KEY = {c.key: c for c in COLUMNS}
POSITION = {c.key: i for i, c in enumerate(COLUMNS)}

# Values of the drop-down lists, as the sheet shows them: always the Chinese labels,
# whatever the language of the request (the sheet is an official form).
SHEET_LANGUAGE = "zh-hans"


@cache
def id_types() -> dict[str, str]:
    """证件类型 label -> IdType value."""
    with translation.override(SHEET_LANGUAGE):
        return {str(label): value for value, label in IdType.choices}


@cache
def education_levels() -> dict[str, int]:
    """文化程度 label -> EducationLevel value."""
    with translation.override(SHEET_LANGUAGE):
        return {str(label): value for value, label in EducationLevel.choices}


@cache
def genders() -> dict[str, str]:
    with translation.override(SHEET_LANGUAGE):
        return {str(label): value for value, label in Gender.choices}


ID_TYPE_ALIASES = {"身份证": IdType.RESIDENT.value, "二代身份证": IdType.RESIDENT.value}
# Common spellings of the same levels, accepted so schools need not retype their lists.
EDUCATION_ALIASES: dict[str, int] = {
    "初中": EducationLevel.SECONDARY,
    "高中": EducationLevel.SECONDARY,
    "中专": EducationLevel.SECONDARY,
    "中职": EducationLevel.SECONDARY,
    "技校": EducationLevel.SECONDARY,
    "专科": EducationLevel.COLLEGE,
    "高职": EducationLevel.COLLEGE,
    "大学本科": EducationLevel.BACHELOR,
    "硕士": EducationLevel.MASTER,
    "研究生": EducationLevel.MASTER,
    "博士": EducationLevel.DOCTOR,
}
YES, NO = "是", "否"


def drop_down_lists(route_count: int) -> dict[str, list[str]]:
    """The drop-down list of each column that has one, for a batch with that many routes."""
    lists = {
        "id_type": list(id_types()),
        "gender": list(genders()),
        "education": list(education_levels()),
        "major_related": [YES, NO],
    }
    if route_count:
        lists["route"] = [str(n) for n in range(1, route_count + 1)]
    return lists


_HEADER_NOISE = re.compile(r"[\s*＊]")
_BRACKETS = str.maketrans({"(": "（", ")": "）", "／": "/"})


def normalise_header(text: object) -> str:
    """``专业相关(是/否)``, ``*姓名 `` and ``专业相关（是／否）`` all match the template."""
    return _HEADER_NOISE.sub("", str(text or "")).translate(_BRACKETS)


HEADER_KEYS = {normalise_header(c.header): c.key for c in COLUMNS}


def column_letter(index: int) -> str:
    """0-based column index to the Excel letters: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
