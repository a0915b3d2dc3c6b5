"""Eligibility routes (申报条件) of a standard level, in the national template's form.

A standard's 1.8 申报条件 lists, per level, several routes introduced by "具备以下条件之一者":
a candidate qualifies when **any one route** holds, and a route holds when **every
condition in it** holds. ``StandardLevel.eligibility_routes`` stores the list of routes
as JSON; this module is the one definition of its schema (national-rules.md §3).

Route keys (all optional, but a route must carry at least one condition):

``prior_level`` (int 2–5)
    Holds this occupation's (or a related occupation's) certificate of that level — a
    lower level than the target, so numerically greater (target 4 → usually 5).
``years_after_prior`` (int ≥ 1, needs ``prior_level``)
    累计从事本职业或相关职业工作 N 年（含）以上 *after* obtaining that certificate.
``work_years`` (int ≥ 1)
    累计从事本职业或相关职业工作 N 年（含）以上 in total.
``school_types`` (list of :class:`SchoolType` values)
    Graduated from one of these kinds of school.
``related_major`` (bool, needs ``school_types`` or ``education_min``)
    The diploma is in this or a related major (本专业或相关专业).
``graduating_students`` (bool, needs ``school_types`` or ``education_min``)
    Graduating-year students still without the diploma also qualify
    (含尚未取得毕业证书的在校应届毕业生); the certificate is held until the diploma is
    verified (云人社通〔2023〕23号).
``education_min`` (:class:`EducationLevel` value)
    Highest education at least this level (e.g. 大专及以上).
``apprenticeship`` (bool)
    本职业或相关职业学徒期满.
``preparatory_technician`` (bool, levels 2 and 1 only)
    Holds a 预备技师证书 (技师学院 graduates).
``label`` (str)
    The standard's own wording of the route, shown to people; not evaluated.

A boolean condition set to ``false`` is the same as leaving it out. An empty list of
routes means the conditions have not been entered yet: nobody qualifies through it.
Each standard also defines what counts as a related occupation or major; the engine
that evaluates routes against a person's records (enrollment app) reads them from the
standard.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypedDict, cast

from django.utils import translation
from django.utils.translation import gettext as _

from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.core.choices import SkillLevel


class Route(TypedDict, total=False):
    """One eligibility route: every present condition must hold (see the module doc)."""

    label: str
    prior_level: int
    years_after_prior: int
    work_years: int
    school_types: list[str]
    related_major: bool
    graduating_students: bool
    education_min: int
    apprenticeship: bool
    preparatory_technician: bool


INT_KEYS = ("prior_level", "years_after_prior", "work_years", "education_min")
BOOL_KEYS = ("related_major", "graduating_students", "apprenticeship", "preparatory_technician")
ROUTE_KEYS = frozenset(Route.__annotations__)
CONDITION_KEYS = ROUTE_KEYS - {"label"}
MAX_ROUTES = 20
MAX_YEARS = 50
MAX_LABEL = 300


def validate_routes(level: int, routes: Any) -> list[str]:
    """Every problem with ``routes`` for target ``level``, in Chinese; empty when valid."""
    if level not in SkillLevel.values:
        return [_("等级必须是 1 至 5。")]
    if not isinstance(routes, list):
        return [_("申报条件必须是途径的列表。")]
    if len(routes) > MAX_ROUTES:
        return [_("申报条件最多 %(n)s 条途径。") % {"n": MAX_ROUTES}]
    errors: list[str] = []
    seen: list[tuple[int, dict[str, Any]]] = []
    for index, route in enumerate(routes, start=1):
        prefix = _("第 %(n)s 条途径：") % {"n": index}
        problems = _route_problems(level, route)
        errors.extend(prefix + problem for problem in problems)
        if problems:
            continue
        conditions = _conditions(route)
        same = next((earlier for earlier, other in seen if other == conditions), None)
        if same is not None:
            errors.append(prefix + _("与第 %(m)s 条相同。") % {"m": same})
        seen.append((index, conditions))
    return errors


def _conditions(route: dict[str, Any]) -> dict[str, Any]:
    """The route's effective conditions: no label, no false flags, school types as a set."""
    found = {k: v for k, v in route.items() if k != "label" and v is not False}
    if "school_types" in found:
        found["school_types"] = sorted(found["school_types"])
    return found


def _route_problems(level: int, route: Any) -> list[str]:
    if not isinstance(route, dict):
        return [_("每条途径必须是一个对象（键值对）。")]
    unknown = sorted(set(route) - ROUTE_KEYS)
    if unknown:
        return [_("不认识的条件：%(keys)s。") % {"keys": "、".join(map(str, unknown))}]
    problems = _type_problems(route)
    if problems:
        return problems
    if not _conditions(route):
        return [_("没有任何条件。")]
    return _rule_problems(level, route)


def _type_problems(route: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key in INT_KEYS:
        if key in route and (type(route[key]) is not int):
            problems.append(_("%(key)s 必须是整数。") % {"key": key})
    for key in BOOL_KEYS:
        if key in route and not isinstance(route[key], bool):
            problems.append(_("%(key)s 必须是 true 或 false。") % {"key": key})
    label = route.get("label", "")
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        problems.append(_("label 必须是不超过 %(n)s 字的文字。") % {"n": MAX_LABEL})
    schools = route.get("school_types", [])
    if not isinstance(schools, list) or not all(isinstance(s, str) for s in schools):
        problems.append(_("school_types 必须是学校类型代码的列表。"))
    return problems


def _rule_problems(level: int, route: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    prior = route.get("prior_level")
    if prior is not None and not (level < prior <= SkillLevel.FIVE):
        problems.append(
            _("已取得证书的等级（prior_level）必须低于申报等级，即大于 %(level)s 且不大于 5。")
            % {"level": level}
        )
    if "years_after_prior" in route and prior is None:
        problems.append(_("years_after_prior 需要同时给出 prior_level。"))
    for key in ("years_after_prior", "work_years"):
        if key in route and not (1 <= route[key] <= MAX_YEARS):
            problems.append(
                _("%(key)s 必须在 1 至 %(max)s 年之间。") % {"key": key, "max": MAX_YEARS}
            )
    problems.extend(_school_problems(level, route))
    return problems


def _school_problems(level: int, route: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    schools = route.get("school_types")
    if schools is not None:
        if not schools:
            problems.append(_("school_types 不能为空列表。"))
        bad = [s for s in schools if s not in SchoolType.values]
        if bad:
            problems.append(_("未知的学校类型：%(v)s。") % {"v": "、".join(bad)})
        if len(set(schools)) != len(schools):
            problems.append(_("school_types 中有重复。"))
    education = route.get("education_min")
    if education is not None and education not in EducationLevel.values:
        problems.append(_("未知的学历层次：%(v)s。") % {"v": education})
    has_school = bool(schools) or education is not None
    for key in ("related_major", "graduating_students"):
        if route.get(key) and not has_school:
            problems.append(
                _("%(key)s 需要同时给出 school_types 或 education_min。") % {"key": key}
            )
    if route.get("preparatory_technician") and level > SkillLevel.TWO:
        problems.append(_("预备技师证书途径只适用于二级、一级。"))
    return problems


# --- human wording ---------------------------------------------------------------------

WORK = "累计从事本职业或相关职业工作{n}年（含）以上"


def describe_route(route: Route) -> str:
    """The route as a Chinese sentence in the standards' wording (always Chinese)."""
    with translation.override("zh-hans"):
        parts: list[str] = []
        if "education_min" in route:
            parts.append(_education_clause(route))
        if "prior_level" in route:
            clause = f"取得本职业或相关职业{SkillLevel(route['prior_level']).label}证书"
            if "years_after_prior" in route:
                clause += "后，" + WORK.format(n=route["years_after_prior"])
            parts.append(clause)
        if route.get("preparatory_technician"):
            parts.append("取得预备技师证书")
        if route.get("school_types"):
            parts.append(_school_clause(route, first=not parts))
        if "work_years" in route:
            parts.append(WORK.format(n=route["work_years"]))
        if route.get("apprenticeship"):
            parts.append("本职业或相关职业学徒期满")
        return "，".join(parts)


def _education_clause(route: Route) -> str:
    education = str(EducationLevel(route["education_min"]).label).removesuffix("及以下")
    if route.get("school_types"):  # the school clause names the major and the students
        return f"具有{education}及以上学历"
    major = "本专业或相关专业" if route.get("related_major") else ""
    return f"具有{education}及以上{major}毕业证书{_students_clause(route)}"


def _school_clause(route: Route, *, first: bool) -> str:
    names = [str(SchoolType(s).label) for s in route.get("school_types", [])]
    schools = "或".join(filter(None, ["、".join(names[:-1]), names[-1]]))
    major = "本专业或相关专业" if route.get("related_major") else ""
    verb = "取得" if first else "并取得"
    return f"{verb}{schools}{major}毕业证书{_students_clause(route)}"


def _students_clause(route: Route) -> str:
    return "（含尚未取得毕业证书的在校应届毕业生）" if route.get("graduating_students") else ""


def describe_routes(routes: Sequence[Route]) -> list[str]:
    return [describe_route(route) for route in routes]


# --- the national template -------------------------------------------------------------

S = SchoolType
# 中等及以上职业学校 / 高等职业学校: 高等职业学校 include undergraduate-level vocational
# schools (职业教育法（2022）第十五条), so 职业本科学校 is listed with them.
_SECONDARY_AND_ABOVE = [S.SECONDARY_VOCATIONAL, S.HIGHER_VOCATIONAL, S.VOCATIONAL_UNDERGRADUATE]
_HIGHER_VOCATIONAL = [S.HIGHER_VOCATIONAL, S.VOCATIONAL_UNDERGRADUATE]
_SENIOR_TECHNICAL = [S.SENIOR_TECHNICAL_SCHOOL, S.TECHNICIAN_COLLEGE]

_TEMPLATE: dict[int, list[Route]] = {
    SkillLevel.FIVE: [
        Route(label="累计从事本职业或相关职业工作1年（含）以上。", work_years=1),
        Route(label="本职业或相关职业学徒期满。", apprenticeship=True),
    ],
    SkillLevel.FOUR: [
        Route(
            label="取得本职业或相关职业五级/初级工职业资格证书（技能等级证书）后，"
            "累计从事本职业或相关职业工作4年（含）以上。",
            prior_level=5,
            years_after_prior=4,
        ),
        Route(label="累计从事本职业或相关职业工作6年（含）以上。", work_years=6),
        Route(
            label="取得技工学校本专业或相关专业毕业证书（含尚未取得毕业证书的在校应届毕业生）。",
            school_types=[S.TECHNICAL_SCHOOL],
            related_major=True,
            graduating_students=True,
        ),
        Route(
            label="取得经评估论证、以中级技能为培养目标的中等及以上职业学校本专业或相关专业"
            "毕业证书（含尚未取得毕业证书的在校应届毕业生）。",
            school_types=list(_SECONDARY_AND_ABOVE),
            related_major=True,
            graduating_students=True,
        ),
    ],
    SkillLevel.THREE: [
        Route(
            label="取得本职业或相关职业四级/中级工职业资格证书（技能等级证书）后，"
            "累计从事本职业或相关职业工作5年（含）以上。",
            prior_level=4,
            years_after_prior=5,
        ),
        Route(
            label="取得本职业或相关职业四级/中级工职业资格证书（技能等级证书），并具有高级技工学校、"
            "技师学院毕业证书（含尚未取得毕业证书的在校应届毕业生）。",
            prior_level=4,
            school_types=list(_SENIOR_TECHNICAL),
            graduating_students=True,
        ),
        Route(
            label="取得本职业或相关职业四级/中级工职业资格证书（技能等级证书），并具有经评估论证、"
            "以高级技能为培养目标的高等职业学校本专业或相关专业毕业证书"
            "（含尚未取得毕业证书的在校应届毕业生）。",
            prior_level=4,
            school_types=list(_HIGHER_VOCATIONAL),
            related_major=True,
            graduating_students=True,
        ),
        Route(
            label="具有大专及以上本专业或相关专业毕业证书，并取得本职业或相关职业四级/中级工"
            "职业资格证书（技能等级证书）后，累计从事本职业或相关职业工作2年（含）以上。",
            education_min=EducationLevel.COLLEGE,
            related_major=True,
            prior_level=4,
            years_after_prior=2,
        ),
    ],
    SkillLevel.TWO: [
        Route(
            label="取得本职业或相关职业三级/高级工职业资格证书（技能等级证书）后，"
            "累计从事本职业或相关职业工作4年（含）以上。",
            prior_level=3,
            years_after_prior=4,
        ),
        Route(
            label="取得本职业或相关职业三级/高级工职业资格证书（技能等级证书）的高级技工学校、"
            "技师学院毕业生，累计从事本职业或相关职业工作3年（含）以上。",
            prior_level=3,
            school_types=list(_SENIOR_TECHNICAL),
            work_years=3,
        ),
        Route(
            label="取得本职业或相关职业预备技师证书的技师学院毕业生，"
            "累计从事本职业或相关职业工作2年（含）以上。",
            preparatory_technician=True,
            school_types=[S.TECHNICIAN_COLLEGE],
            work_years=2,
        ),
    ],
    SkillLevel.ONE: [
        Route(
            label="取得本职业或相关职业二级/技师职业资格证书（技能等级证书）后，"
            "累计从事本职业或相关职业工作4年（含）以上。",
            prior_level=2,
            years_after_prior=4,
        ),
    ],
}


def national_template(level: int) -> list[Route]:
    """The template routes of the 国家职业技能标准 for ``level`` (national-rules.md §3).

    Returns fresh plain-JSON copies (enum members as their values), safe to edit and store.
    """
    if level not in _TEMPLATE:
        raise ValueError(f"no skill level {level!r}")
    return cast(list[Route], json.loads(json.dumps(_TEMPLATE[level])))
