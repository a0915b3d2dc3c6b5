"""The eligibility engine: a person's records against a standard level's 申报条件.

Every route of ``StandardLevel.eligibility_routes`` (schema: ``catalog.eligibility``) is
evaluated and reported with the exact reasons it fails, so the candidate and the
reviewer see which routes hold and why the others do not (DESIGN.md lifecycle step 3).

The rules, where the national template (national-rules.md §3) leaves room:

* **本职业 and 相关职业.** The catalogue does not list a standard's related occupations,
  so a *certificate* counts only for the same occupation as the batch (``occupation``,
  by default the standard's); it counts for its own level and every lower level
  (a level-4 certificate meets ``prior_level`` 5). *Work* counts when the candidate
  declared it 本职业或相关职业 (``WorkRecord.related``) or it names this occupation.
* **Years** are whole months. Work periods run from ``started_on`` up to ``ended_on``
  (inclusive) or ``on_date`` (exclusive) when still ongoing; overlapping and adjacent
  periods are merged first, so two jobs at once count once; each merged period
  contributes its whole months; N years means 12·N months. ``years_after_prior``
  counts from the ``issued_on`` of the earliest qualifying certificate.
* **Related major** (本专业或相关专业) holds when the record is declared related
  (``related_major``) or when the major's name contains the occupation's name
  (``数控车工`` for 车工). The reviewer checks the declaration against the standard.
* **Graduates** hold an education record whose ``graduated_on`` is on or before
  ``on_date``. When the route admits graduating students, an *enrolled* student status
  graduating in the current academic year also holds: ``graduation_year`` is
  ``on_date.year``, or ``on_date.year + 1`` from September on. Such a route result is
  marked ``pending_diploma``: the certificate waits for the diploma (云人社通〔2023〕23号).
  For ``education_min`` a student status counts at its school type's level
  (:data:`SCHOOL_EDUCATION_LEVEL`).
* **Evidence.** Without ``evidence_kinds`` (a preview before applying) declared records
  count as declared. With the application's evidence kinds, a *declared* record counts
  only when the matching material was uploaded (certificate → 职业资格（技能等级）证书,
  diploma → 学历证书, student status → 在校学籍证明, work → 工作年限证明); records from
  the education registry, issued here or verified by a reviewer need none.
  Apprenticeship and the 预备技师证书 are proven by evidence alone, so they never hold
  in a preview.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils import translation

from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.catalog.eligibility import Route, describe_route
from skillcert.catalog.models import Occupation, StandardLevel
from skillcert.core.choices import SkillLevel
from skillcert.enrollment.choices import EvidenceKind, RecordSource, StudentState
from skillcert.enrollment.models import (
    EducationRecord,
    HeldCertificate,
    Person,
    StudentStatus,
    WorkRecord,
)

# The education level a student at each school type is studying for (for education_min).
SCHOOL_EDUCATION_LEVEL: dict[str, int] = {
    SchoolType.TECHNICAL_SCHOOL: EducationLevel.SECONDARY,
    SchoolType.SECONDARY_VOCATIONAL: EducationLevel.SECONDARY,
    SchoolType.SENIOR_TECHNICAL_SCHOOL: EducationLevel.COLLEGE,
    SchoolType.TECHNICIAN_COLLEGE: EducationLevel.COLLEGE,
    SchoolType.HIGHER_VOCATIONAL: EducationLevel.COLLEGE,
    SchoolType.VOCATIONAL_UNDERGRADUATE: EducationLevel.BACHELOR,
    SchoolType.UNDERGRADUATE: EducationLevel.BACHELOR,
}


@dataclass(frozen=True)
class RouteResult:
    """One route of the standard level: whether it holds and, if not, exactly why."""

    index: int  # position in StandardLevel.eligibility_routes, from 0
    label: str  # describe_route(route)
    holds: bool
    reasons: list[str] = field(default_factory=list)
    # Holds only through a graduating-year student status (no diploma yet).
    pending_diploma: bool = False

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RouteResult:
        return cls(
            index=int(data["index"]),
            label=str(data["label"]),
            holds=bool(data["holds"]),
            reasons=[str(r) for r in data.get("reasons", [])],
            pending_diploma=bool(data.get("pending_diploma", False)),
        )


# ---------------------------------------------------------------- periods


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def whole_months(start: date, end: date) -> int:
    """Complete months in the half-open period [start, end)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def merged_months(periods: Iterable[tuple[date, date]]) -> int:
    """Whole months of the union of half-open periods (overlaps and joins merged)."""
    merged: list[list[date]] = []
    for start, end in sorted(p for p in periods if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return sum(whole_months(start, end) for start, end in merged)


def format_months(months: int) -> str:
    """``27`` → ``2年3个月``; ``24`` → ``2年``; ``3`` → ``3个月``; ``0`` → ``0个月``."""
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years}年{rest}个月"
    return f"{years}年" if years else f"{rest}个月"


def academic_graduation_years(on_date: date) -> set[int]:
    """Graduation years that count as this academic year's (应届)."""
    years = {on_date.year}
    if on_date.month >= 9:
        years.add(on_date.year + 1)
    return years


# ---------------------------------------------------------------- the person's facts


@dataclass
class Facts:
    """A person's records, loaded once, and the context of one evaluation."""

    occupation: Occupation
    on_date: date
    evidence_kinds: frozenset[str] | None
    education: list[EducationRecord]
    students: list[StudentStatus]
    work: list[WorkRecord]
    certificates: list[HeldCertificate]

    @classmethod
    def load(
        cls,
        person: Person,
        occupation: Occupation,
        on_date: date,
        evidence_kinds: Collection[str] | None,
    ) -> Facts:
        return cls(
            occupation=occupation,
            on_date=on_date,
            evidence_kinds=None if evidence_kinds is None else frozenset(evidence_kinds),
            education=list(person.education.all()),
            students=list(person.student_statuses.all()),
            work=list(person.work_history.all()),
            certificates=list(person.certificates_held.all()),
        )

    def has_evidence(self, kind: str) -> bool:
        return self.evidence_kinds is None or kind in self.evidence_kinds

    def proven(self, source: str, kind: str, *, verified: bool = False) -> bool:
        """A declared record counts only with its material (unless previewing)."""
        if source != RecordSource.DECLARED or verified:
            return True
        return self.has_evidence(kind)

    def is_related_major(self, major: str, declared: bool) -> bool:
        name = self.occupation.name.strip()
        return declared or bool(name and name in major)

    def related_work_months(self, since: date | None = None) -> int:
        periods = []
        for record in self.work:
            if not (record.related or record.occupation_id == self.occupation.pk):
                continue
            start = max(record.started_on, since) if since else record.started_on
            end = record.ended_on + timedelta(days=1) if record.ended_on else self.on_date
            periods.append((start, min(end, self.on_date)))
        return merged_months(periods)


# ---------------------------------------------------------------- the engine


def evaluate(
    person: Person,
    standard_level: StandardLevel,
    *,
    on_date: date,
    occupation: Occupation | None = None,
    evidence_kinds: Collection[str] | None = None,
) -> list[RouteResult]:
    """Every route of ``standard_level`` evaluated against ``person``'s records.

    ``occupation`` is the batch's occupation (本职业), by default the standard's;
    ``evidence_kinds`` are the kinds of material uploaded to the application (``None``:
    a preview, see the module doc).
    """
    target = occupation or standard_level.standard.occupation
    facts = Facts.load(person, target, on_date, evidence_kinds)
    routes: list[Route] = list(standard_level.eligibility_routes or [])
    with translation.override("zh-hans"):
        return [_route_result(index, route, facts) for index, route in enumerate(routes)]


def holds_any(results: Iterable[RouteResult]) -> bool:
    return any(r.holds for r in results)


def diploma_pending_after(person: Person, results: list[RouteResult], on_date: date) -> bool:
    """The certificate must wait for a diploma: a graduating-year student without one,
    and no route holds without leaning on the student status."""
    if any(r.holds and not r.pending_diploma for r in results):
        return False
    return is_graduating_without_diploma(person, on_date)


def is_graduating_without_diploma(person: Person, on_date: date) -> bool:
    """An enrolled student graduating this academic year with no diploma on record from
    that school (graduated on or before ``on_date``)."""
    years = academic_graduation_years(on_date)
    schools_done = {
        e.school.strip()
        for e in person.education.all()
        if e.graduated_on is not None and e.graduated_on <= on_date
    }
    return any(
        s.state == StudentState.ENROLLED
        and s.graduation_year in years
        and s.school.strip() not in schools_done
        for s in person.student_statuses.all()
    )


def _route_result(index: int, route: Route, facts: Facts) -> RouteResult:
    reasons: list[str] = []
    pending = False
    if "prior_level" in route:
        reasons.extend(_prior_reasons(route, facts))
    if "work_years" in route:
        reasons.extend(_work_reasons(route["work_years"], facts))
    if route.get("school_types") or "education_min" in route:
        school_reasons, pending = _school_reasons(route, facts)
        reasons.extend(school_reasons)
    if route.get("apprenticeship") and not _evidence_given(facts, EvidenceKind.APPRENTICESHIP):
        reasons.append("需本职业或相关职业学徒期满证明（未上传）")
    if route.get("preparatory_technician") and not _evidence_given(
        facts, EvidenceKind.PREPARATORY_TECHNICIAN
    ):
        reasons.append("需预备技师证书（未上传）")
    holds = not reasons
    return RouteResult(
        index=index,
        label=describe_route(route),
        holds=holds,
        reasons=reasons,
        pending_diploma=holds and pending,
    )


def _evidence_given(facts: Facts, kind: str) -> bool:
    # Evidence-only conditions never hold in a preview.
    return facts.evidence_kinds is not None and kind in facts.evidence_kinds


def _level_name(level: int) -> str:
    return str(SkillLevel(level).label)


def _prior_reasons(route: Route, facts: Facts) -> list[str]:
    prior = route["prior_level"]
    level = _level_name(prior)
    held = [
        c for c in facts.certificates if c.occupation_id == facts.occupation.pk and c.level <= prior
    ]
    usable = [c for c in held if facts.proven(c.source, EvidenceKind.CERTIFICATE)]
    if not usable:
        if held:
            return [f"需取得本职业{level}证书（已申报，但未上传职业资格（技能等级）证书材料）"]
        return [f"需取得本职业{level}证书（未找到）"]
    if "years_after_prior" not in route:
        return []
    since = min(c.issued_on for c in usable)
    return _years_reasons(
        route["years_after_prior"],
        facts.related_work_months(since=since),
        facts,
        prefix=f"取得{level}证书后相关工作年限不足",
    )


def _work_reasons(years: int, facts: Facts) -> list[str]:
    return _years_reasons(years, facts.related_work_months(), facts, prefix="相关工作年限不足")


def _years_reasons(years: int, months: int, facts: Facts, *, prefix: str) -> list[str]:
    if months < years * 12:
        return [f"{prefix}：需{years}年，现有{format_months(months)}"]
    if not facts.has_evidence(EvidenceKind.WORK_PROOF):
        return [f"工作年限满足（{format_months(months)}），但未上传工作年限证明"]
    return []


# ---------------------------------------------------------------- schools and education


def _school_reasons(route: Route, facts: Facts) -> tuple[list[str], bool]:
    """(reasons, pending_diploma) for the school / education part of a route."""
    problems: list[str] = []
    for record in facts.education:
        problem = _diploma_problem(route, record, facts)
        if problem is None:
            return [], False
        problems.append(problem)
    if route.get("graduating_students"):
        for status in facts.students:
            problem = _student_problem(route, status, facts)
            if problem is None:
                return [], True
            problems.append(problem)
    detail = "；".join(problems) if problems else "未找到学历或学籍记录"
    return [f"需{_school_requirement(route)}（{detail}）"], False


def _school_requirement(route: Route) -> str:
    parts: list[str] = []
    if route.get("school_types"):
        names = [str(SchoolType(s).label) for s in route["school_types"]]
        parts.append("或".join(names))
    if "education_min" in route:
        education = str(EducationLevel(route["education_min"]).label).removesuffix("及以下")
        parts.append(f"{education}及以上")
    if route.get("related_major"):
        parts.append("本专业或相关专业")
    text = "".join(parts) + "毕业证书"
    if route.get("graduating_students"):
        text += "或应届在校生学籍"
    return text


def _common_problem(
    route: Route, school: str, school_type: str, level: int | None, major: str, related: bool
) -> str | None:
    """What a record lacks for the route's school type, education level and major."""
    types = route.get("school_types")
    label = f"{school}（{SchoolType(school_type).label if school_type else '院校类型未填'}）"
    if types and school_type not in types:
        return f"{label}院校类型不符"
    minimum = route.get("education_min")
    if minimum is not None and (level is None or level < minimum):
        return f"{label}学历层次不足"
    if route.get("related_major") and not related:
        return f"{label}专业“{major}”未申报为本专业或相关专业"
    return None


def _diploma_problem(route: Route, record: EducationRecord, facts: Facts) -> str | None:
    related = facts.is_related_major(record.major, record.related_major)
    problem = _common_problem(
        route, record.school, record.school_type, record.education_level, record.major, related
    )
    if problem is not None:
        return problem
    if record.graduated_on is None or record.graduated_on > facts.on_date:
        return f"{record.school}尚未毕业"
    if not facts.proven(record.source, EvidenceKind.DIPLOMA, verified=bool(record.verified_at)):
        return f"{record.school}毕业证书未上传学历证书材料"
    return None


def _student_problem(route: Route, status: StudentStatus, facts: Facts) -> str | None:
    related = facts.is_related_major(status.major, status.related_major)
    level = SCHOOL_EDUCATION_LEVEL.get(status.school_type)
    problem = _common_problem(
        route, status.school, status.school_type, level, status.major, related
    )
    if problem is not None:
        return problem
    if status.state != StudentState.ENROLLED:
        return f"{status.school}学籍状态为“{status.get_state_display()}”"
    if status.graduation_year not in academic_graduation_years(facts.on_date):
        return f"{status.school}毕业年份{status.graduation_year}年，不是应届毕业生"
    if not facts.proven(status.source, EvidenceKind.STUDENT_PROOF):
        return f"{status.school}学籍未上传在校学籍证明"
    return None
