"""The statistics dashboard's figures (DESIGN.md step 10), scoped by the actor.

Everything is read from the precomputed :class:`BatchStat` and :class:`StudentCoverage`
rows (plus the province policy and each institution's current credit score): a fixed
number of queries, whatever the number of certificates. On PostgreSQL every breakdown
of the filtered rows (totals, city, occupation, level, type, month, occupation × level,
institution) comes from one ``GROUPING SETS`` query, a single pass over the rows; other
databases run one GROUP BY per breakdown. What the filter form offers, the names and
the update time come from one more GROUP BY over the reader's scope. The counting rules
are in :mod:`skillcert.stats.aggregates` and :mod:`skillcert.stats.coverage`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.catalog.models import Occupation
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.core.models import ProvincePolicy, Region
from skillcert.institutions.choices import InstitutionType
from skillcert.institutions.models import Institution
from skillcert.stats.models import BatchStat, StaleBatch, StudentCoverage
from skillcert.stats.permissions import may_filter_city, sees_institutions, sees_students
from skillcert.supervision.models import CreditScore

TOP_OCCUPATIONS = 15
SUMS = {
    "results": Sum("results"),
    "passed": Sum("passed"),
    "failed": Sum("failed"),
    "void": Sum("void"),
    "certificates": Sum("certificates"),
    "valid": Sum("certificates_valid"),
    "revoked": Sum("certificates_revoked"),
    "students": Sum("student_certificates"),
}


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal, or None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    city: str = ""
    occupation: str = ""
    level: int | None = None
    institution_type: str = ""


@dataclass
class Tally:
    results: int = 0
    passed: int = 0
    failed: int = 0
    void: int = 0
    certificates: int = 0
    valid: int = 0
    revoked: int = 0
    students: int = 0

    @classmethod
    def of(cls, row: dict[str, Any]) -> Tally:
        return cls(**{name: row.get(name) or 0 for name in SUMS})

    def add(self, other: Tally) -> None:
        for name in SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def pass_rate(self) -> Decimal | None:
        """合格率: passed of every decided result (void and absent included)."""
        return percent(self.passed, self.results)


@dataclass
class Row:
    key: str
    label: str
    tally: Tally


@dataclass
class InstitutionRow:
    pk: int
    name: str
    city: str
    institution_type: str
    tally: Tally
    credit_score: Decimal | None = None
    credit_grade: str = ""


@dataclass
class Students:
    year: int | None
    graduating: int
    certified: int
    majors: int
    majors_covered: int
    major_target_percent: int
    cumulative: int
    target_count: int
    target_year: int | None
    schools: list[dict[str, Any]] = field(default_factory=list)

    @property
    def certified_percent(self) -> Decimal | None:
        return percent(self.certified, self.graduating)

    @property
    def majors_percent(self) -> Decimal | None:
        return percent(self.majors_covered, self.majors)

    @property
    def majors_on_target(self) -> bool:
        share = self.majors_percent
        return share is not None and share >= self.major_target_percent

    @property
    def target_percent(self) -> Decimal | None:
        return percent(self.cumulative, self.target_count)


@dataclass
class Dashboard:
    filters: Filters
    totals: Tally
    by_city: list[Row]
    by_occupation: list[Row]
    by_level: list[Row]
    by_type: list[Row]
    by_month: list[Row]
    occupation_levels: list[Row]
    students: Students | None
    institutions: list[InstitutionRow] | None
    refreshed_at: datetime | None
    stale_batches: int


@dataclass
class Options:
    """What the filter form offers, from the rows the actor can read."""

    years: list[int]
    cities: list[tuple[str, str]]
    occupations: list[tuple[str, str]]
    city_filter: bool


# ---------------------------------------------------------------- querysets


def scoped_stats(actor: Actor) -> QuerySet[BatchStat]:
    return BatchStat.objects.for_actor(actor)


def filtered_stats(actor: Actor, filters: Filters) -> QuerySet[BatchStat]:
    qs = scoped_stats(actor)
    if filters.year:
        qs = qs.filter(month__year=filters.year)
    if filters.city and may_filter_city(actor):
        qs = qs.filter(city_code=filters.city)
    if filters.occupation:
        qs = qs.filter(occupation_code=filters.occupation)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.institution_type:
        qs = qs.filter(institution_type=filters.institution_type)
    return qs


def _names(model_rows: QuerySet[Any], codes: set[str]) -> dict[str, str]:
    return dict(model_rows.filter(code__in=codes).values_list("code", "name"))


def occupation_names(codes: set[str]) -> dict[str, str]:
    return _names(Occupation.objects.all(), codes)


def region_names(codes: set[str]) -> dict[str, str]:
    return {code: str(region) for code, region in Region.objects.in_bulk(list(codes)).items()}


# ---------------------------------------------------------------- the reader's scope


@dataclass
class ScopeIndex:
    """What the reader's BatchStat rows hold, whatever the filters: the years, cities and
    occupations (with their names) and the latest refresh. One GROUP BY and two name
    look-ups; shared by the filter form and the figures of one request."""

    years: list[int]
    cities: dict[str, str]
    occupation_codes: set[str]
    occupations: dict[str, str]
    refreshed_at: datetime | None


def scope_index(actor: Actor) -> ScopeIndex:
    rows = list(
        scoped_stats(actor)
        .annotate(year=ExtractYear("month"))
        .values("year", "city_code", "occupation_code")
        .annotate(at=Max("refreshed_at"))
        .order_by()
    )
    stamps = [r["at"] for r in rows if r["at"] is not None]
    codes = {r["occupation_code"] for r in rows}
    return ScopeIndex(
        years=sorted({r["year"] for r in rows}, reverse=True),
        cities=region_names({r["city_code"] for r in rows if r["city_code"]}),
        occupation_codes=codes,
        occupations=occupation_names(codes),
        refreshed_at=max(stamps) if stamps else None,
    )


# ---------------------------------------------------------------- breakdowns

# Each breakdown and the BatchStat columns it groups by ("total": no column).
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "total": (),
    "city": ("city_code",),
    "occupation": ("occupation_code",),
    "level": ("level",),
    "type": ("institution_type",),
    "month": ("month",),
    "occupation_level": ("occupation_code", "level"),
    "institution": ("institution_id", "city_code", "institution_type"),
}
DIMENSIONS = (
    "city_code",
    "occupation_code",
    "level",
    "institution_type",
    "month",
    "institution_id",
)
COLUMNS = {
    "results": "results",
    "passed": "passed",
    "failed": "failed",
    "void": "void",
    "certificates": "certificates",
    "valid": "certificates_valid",
    "revoked": "certificates_revoked",
    "students": "student_certificates",
}
Groups = dict[str, list[dict[str, Any]]]


def breakdowns(qs: QuerySet[BatchStat], names: list[str]) -> Groups:
    """The rows of each breakdown in ``names`` (keys of :data:`BREAKDOWNS`), each a dict
    of its columns and the sums, sorted by its columns; "total" is always one row."""
    if qs.query.is_empty():
        groups: Groups = {name: [] for name in names}
    elif connections[qs.db].vendor == "postgresql":
        groups = _grouping_sets(qs, names)
    else:
        groups = {
            name: list(qs.values(*BREAKDOWNS[name]).annotate(**SUMS).order_by())
            if BREAKDOWNS[name]
            else [qs.aggregate(**SUMS)]
            for name in names
        }
    for name, rows in groups.items():
        keys = BREAKDOWNS[name]
        rows.sort(key=lambda r: tuple(r[k] for k in keys))
    if "total" in groups and not groups["total"]:
        groups["total"] = [{}]
    return groups


def _grouping_sets(qs: QuerySet[BatchStat], names: list[str]) -> Groups:
    """One pass over the filtered rows for every breakdown (PostgreSQL ``GROUPING SETS``);
    ``GROUPING(...)`` tells the sets apart (bit set = column not grouped)."""
    # GROUPING() takes only columns some set groups by.
    used = [d for d in DIMENSIONS if any(d in BREAKDOWNS[name] for name in names)]
    if not used:
        return {name: [qs.aggregate(**SUMS)] for name in names}
    inner, params = qs.values(*used, *COLUMNS.values()).order_by().query.sql_with_params()
    quote = connections[qs.db].ops.quote_name
    dims = ", ".join(quote(d) for d in used)
    sums = ", ".join(f"SUM({quote(col)}) AS {quote(name)}" for name, col in COLUMNS.items())
    sets = ", ".join(
        "(" + ", ".join(quote(col) for col in BREAKDOWNS[name]) + ")" for name in names
    )
    by_mask = {
        sum(1 << (len(used) - 1 - i) for i, d in enumerate(used) if d not in BREAKDOWNS[name]): name
        for name in names
    }
    # Only quoted column names and the ORM's own compiled SQL; values stay parameters.
    sql = (
        f"SELECT GROUPING({dims}), {dims}, {sums} FROM ({inner}) AS filtered "  # noqa: S608
        f"GROUP BY GROUPING SETS ({sets})"
    )
    groups: Groups = {name: [] for name in names}
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        heads = [*used, *COLUMNS]
        for mask, *values in cursor.fetchall():
            name = by_mask[mask]
            row = dict(zip(heads, values, strict=True))
            groups[name].append({k: row[k] for k in (*BREAKDOWNS[name], *COLUMNS)})
    return groups


# ---------------------------------------------------------------- figures


def _by_city(rows: list[dict[str, Any]], names: dict[str, str]) -> list[Row]:
    return [
        Row(r["city_code"], names.get(r["city_code"], r["city_code"] or "—"), Tally.of(r))
        for r in rows
    ]


def _by_occupation(rows: list[dict[str, Any]], names: dict[str, str]) -> list[Row]:
    result = [
        Row(r["occupation_code"], names.get(r["occupation_code"], ""), Tally.of(r)) for r in rows
    ]
    result.sort(key=lambda r: (-r.tally.certificates, -r.tally.results, r.key))
    top, rest = result[:TOP_OCCUPATIONS], result[TOP_OCCUPATIONS:]
    if rest:
        other = Tally()
        for row in rest:
            other.add(row.tally)
        top.append(Row("", _("其他（%(n)d个职业）") % {"n": len(rest)}, other))
    return top


def _by_level(rows: list[dict[str, Any]]) -> list[Row]:
    return [Row(str(r["level"]), str(SkillLevel(r["level"]).label), Tally.of(r)) for r in rows]


def _by_type(rows: list[dict[str, Any]]) -> list[Row]:
    labels = dict(InstitutionType.choices)
    return [
        Row(r["institution_type"], str(labels.get(r["institution_type"], "")), Tally.of(r))
        for r in rows
    ]


def _by_month(rows: list[dict[str, Any]]) -> list[Row]:
    return [Row(f"{r['month']:%Y-%m}", f"{r['month']:%Y-%m}", Tally.of(r)) for r in rows]


def _occupation_levels(rows: list[dict[str, Any]], names: dict[str, str]) -> list[Row]:
    result = []
    for r in rows:
        occupation = names.get(r["occupation_code"], r["occupation_code"])
        label = f"{occupation} · {SkillLevel(r['level']).label}"
        result.append(Row(f"{r['occupation_code']}:{r['level']}", label, Tally.of(r)))
    return result


def _policy(actor: Actor) -> ProvincePolicy:
    code = actor.province_code
    found = ProvincePolicy.objects.filter(province_id=code).first() if code else None
    return found or ProvincePolicy()


def _only_city(filters: Filters) -> bool:
    """No filter but the city: the filtered rows are the ones the targets count."""
    return not (filters.year or filters.occupation or filters.level or filters.institution_type)


def _students(actor: Actor, filters: Filters, months: list[dict[str, Any]] | None) -> Students:
    """``months``: the filtered rows by month when :func:`_only_city` (saves a pass)."""
    coverage = StudentCoverage.objects.for_actor(actor)
    if filters.city and may_filter_city(actor):
        coverage = coverage.filter(city_code=filters.city)
    if filters.year:
        coverage = coverage.filter(graduation_year=filters.year)
    schools = [
        {
            "school": r["school"],
            "graduating": r["total_graduating"] or 0,
            "certified": r["total_certified"] or 0,
            "majors": r["majors"],
            "covered": r["covered"],
        }
        for r in coverage.values("school")
        .annotate(
            total_graduating=Sum("graduating"),
            total_certified=Sum("certified"),
            majors=Count("pk", filter=Q(graduating__gt=0)),
            covered=Count("pk", filter=Q(graduating__gt=0, certified__gt=0)),
        )
        .order_by("school")
    ]
    for school in schools:
        school["certified_percent"] = percent(school["certified"], school["graduating"])
        school["majors_percent"] = percent(school["covered"], school["majors"])
    policy = _policy(actor)
    # 云人社通〔2023〕23号: student certifications counted up to the end of the target year.
    until = date(policy.student_target_year, 12, 31) if policy.student_target_year else None
    if months is not None:
        cumulative = sum(r["students"] or 0 for r in months if until is None or r["month"] <= until)
    else:
        counted = scoped_stats(actor)
        if filters.city and may_filter_city(actor):
            counted = counted.filter(city_code=filters.city)
        if until is not None:
            counted = counted.filter(month__lte=until)
        cumulative = counted.aggregate(n=Sum("student_certificates"))["n"] or 0
    return Students(
        year=filters.year,
        graduating=sum(s["graduating"] for s in schools),
        certified=sum(s["certified"] for s in schools),
        majors=sum(s["majors"] for s in schools),
        majors_covered=sum(s["covered"] for s in schools),
        major_target_percent=policy.major_coverage_target_percent,
        cumulative=cumulative,
        target_count=policy.student_target_count,
        target_year=policy.student_target_year,
        schools=schools,
    )


def _institutions(
    actor: Actor, rows: list[dict[str, Any]], cities: dict[str, str]
) -> list[InstitutionRow]:
    ids = [r["institution_id"] for r in rows]
    names = dict(Institution.objects.filter(pk__in=ids).values_list("pk", "organisation__name"))
    types = dict(InstitutionType.choices)
    credit: dict[int, tuple[Decimal, str]] = {}
    for current in (
        CreditScore.objects.for_actor(actor)
        .filter(is_current=True, institution_id__in=ids)
        .order_by("institution_id", "computed_on", "pk")
    ):
        credit[current.institution_id] = (current.score, current.get_grade_display())
    result = []
    for r in rows:
        score, grade = credit.get(r["institution_id"], (None, ""))
        result.append(
            InstitutionRow(
                pk=r["institution_id"],
                name=names.get(r["institution_id"], ""),
                city=cities.get(r["city_code"], ""),
                institution_type=str(types.get(r["institution_type"], "")),
                tally=Tally.of(r),
                credit_score=score,
                credit_grade=grade,
            )
        )
    result.sort(key=lambda i: (-i.tally.certificates, -i.tally.results, i.name))
    return result


def stale_batches(actor: Actor) -> int:
    """Batches of the actor's scope waiting for the refresh."""
    return StaleBatch.objects.filter(batch__in=Batch.objects.for_actor(actor).values("pk")).count()


def dashboard(*, actor: Actor, filters: Filters, index: ScopeIndex | None = None) -> Dashboard:
    """Every figure of the dashboard for ``actor`` under ``filters``; ``index``: the
    reader's :func:`scope_index` when the caller has it already."""
    index = index if index is not None else scope_index(actor)
    with_institutions = sees_institutions(actor)
    names = [n for n in BREAKDOWNS if n != "institution" or with_institutions]
    groups = breakdowns(filtered_stats(actor, filters), names)
    occupations = index.occupations
    with_students = sees_students(actor)
    months = groups["month"] if with_students and _only_city(filters) else None
    return Dashboard(
        filters=filters,
        totals=Tally.of(groups["total"][0]),
        by_city=_by_city(groups["city"], index.cities),
        by_occupation=_by_occupation(groups["occupation"], occupations),
        by_level=_by_level(groups["level"]),
        by_type=_by_type(groups["type"]),
        by_month=_by_month(groups["month"]),
        occupation_levels=_occupation_levels(groups["occupation_level"], occupations),
        students=_students(actor, filters, months) if with_students else None,
        institutions=(
            _institutions(actor, groups["institution"], index.cities) if with_institutions else None
        ),
        refreshed_at=index.refreshed_at,
        stale_batches=stale_batches(actor),
    )


def options(actor: Actor, index: ScopeIndex | None = None) -> Options:
    index = index if index is not None else scope_index(actor)
    city_filter = may_filter_city(actor)
    cities = sorted(index.cities.items()) if city_filter else []
    names = index.occupations
    occupations = sorted((code, f"{code} {names.get(code, '')}") for code in index.occupation_codes)
    return Options(
        years=index.years, cities=cities, occupations=occupations, city_filter=city_filter
    )
