"""The dashboard's figures equal counts computed directly from the records (acceptance
point of DESIGN.md step 10), for every reader's scope and every filter."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from skillcert.batches.models import Batch
from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.institutions.choices import InstitutionType
from skillcert.results.choices import Outcome
from skillcert.results.models import BatchResults
from skillcert.stats.aggregates import mark_stale, rebuild_all
from skillcert.stats.selectors_dashboard import (
    TOP_OCCUPATIONS,
    Filters,
    Row,
    Tally,
    dashboard,
    options,
    percent,
    scope_index,
)
from tests.conftest import Cast
from tests.enrollment.conftest import make_batch
from tests.institutions.factories import OccupationFactory, StandardFactory
from tests.stats.builders_stats import (
    Expected,
    StatsWorld,
    at,
    build_stats,
    expected,
    expected_coverage,
    result_for,
)

ROLES = ("province", "city_a", "city_b", "institution_a", "institution_b", "education")


@pytest.fixture
def sw(cast: Cast) -> StatsWorld:
    world = build_stats(cast)
    rebuild_all("530000")
    return world


def t(e: Expected | Tally) -> tuple[int, ...]:
    valid = e.valid
    return (
        e.certificates,
        valid,
        e.revoked,
        e.students,
        e.results,
        e.passed,
        e.failed,
        e.void,
    )


def by_key(rows: list[Row]) -> dict[str, tuple[int, ...]]:
    return {r.key: t(r.tally) for r in rows}


def grouped(actor: Actor, key: Callable[[dict[str, Any]], Any], **kw: Any) -> dict[str, Any]:
    return {str(k): t(v) for k, v in expected(actor, key=key, **kw).items()}


def matches(f: Filters) -> Callable[[dict[str, Any]], bool]:
    def where(fact: dict[str, Any]) -> bool:
        return (
            (not f.year or fact["month"].year == f.year)
            and (not f.city or fact["org"].city_id == f.city)
            and (not f.occupation or fact["occupation"] == f.occupation)
            and (not f.level or fact["level"] == f.level)
            and (not f.institution_type or fact["type"] == f.institution_type)
        )

    return where


FILTERS = [
    Filters(),
    Filters(year=2024),
    Filters(year=2025),
    Filters(occupation="6-18-01-01"),
    Filters(level=5),
    Filters(institution_type=InstitutionType.ENTERPRISE),
    Filters(year=2025, occupation="6-31-01-03", level=5),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_figure_equals_the_records(sw: StatsWorld, role: str) -> None:
    actor = sw.cast.actor(role)
    for filters in FILTERS:
        check_figures(actor, filters)


def check_figures(actor: Actor, filters: Filters) -> None:
    board = dashboard(actor=actor, filters=filters)
    where = matches(filters)
    total = expected(actor, where=where).get(None, Expected())
    assert t(board.totals) == t(total)
    assert by_key(board.by_city) == grouped(actor, lambda f: f["org"].city_id, where=where)
    assert by_key(board.by_level) == grouped(actor, lambda f: f["level"], where=where)
    assert by_key(board.by_type) == grouped(actor, lambda f: f["type"], where=where)
    assert by_key(board.by_month) == grouped(actor, lambda f: f"{f['month']:%Y-%m}", where=where)
    assert by_key(board.by_occupation) == grouped(actor, lambda f: f["occupation"], where=where)
    assert by_key(board.occupation_levels) == grouped(
        actor, lambda f: f"{f['occupation']}:{f['level']}", where=where
    )
    if board.institutions is not None:
        assert {i.pk: t(i.tally) for i in board.institutions} == {
            int(k): v
            for k, v in grouped(actor, lambda f: f["batch"].institution_id, where=where).items()
        }


def test_the_province_sees_both_cities_and_known_totals(sw: StatsWorld) -> None:
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters())
    # 15 certificates (3 revoked), 23 decided results of which 15 passed and 3 void.
    assert t(board.totals) == (15, 12, 3, 6, 23, 15, 5, 3)
    assert board.totals.pass_rate == Decimal("65.2")
    assert {r.key: r.label for r in board.by_city} == {"530100": "昆明市", "530300": "曲靖市"}
    assert [r.label for r in board.by_level] == [str(SkillLevel(n).label) for n in (3, 4, 5)]


@pytest.mark.parametrize(
    ("role", "cities", "institutions"),
    [
        ("city_a", {"530100"}, {"a", "c"}),
        ("city_b", {"530300"}, {"b"}),
        ("institution_a", {"530100"}, {"a"}),
        ("institution_b", {"530300"}, {"b"}),
    ],
)
def test_scoping(sw: StatsWorld, role: str, cities: set[str], institutions: set[str]) -> None:
    board = dashboard(actor=sw.cast.actor(role), filters=Filters())
    assert {r.key for r in board.by_city} == cities
    pks = {"a": sw.inst_a.pk, "b": sw.inst_b.pk, "c": sw.inst_c.pk}
    assert board.institutions is not None
    assert {i.pk for i in board.institutions} == {pks[k] for k in institutions}


def test_a_city_filter_is_for_the_province_only(sw: StatsWorld) -> None:
    qujing = Filters(city="530300")
    board = dashboard(actor=sw.cast.actor("province"), filters=qujing)
    assert {r.key for r in board.by_city} == {"530300"}
    assert t(board.totals) == t(expected(sw.cast.actor("province"), where=matches(qujing))[None])
    # City A cannot look into Qujing through the filter: it is ignored.
    city_a = dashboard(actor=sw.cast.actor("city_a"), filters=qujing)
    assert {r.key for r in city_a.by_city} == {"530100"}
    assert options(sw.cast.actor("city_a")).city_filter is False
    assert options(sw.cast.actor("province")).cities == [("530100", "昆明市"), ("530300", "曲靖市")]


def test_institutions_carry_their_current_credit(sw: StatsWorld) -> None:
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters())
    assert board.institutions is not None
    credit = {i.pk: (i.credit_score, i.credit_grade) for i in board.institutions}
    assert credit[sw.inst_a.pk] == (Decimal("92.5"), "A级（守信）")
    assert credit[sw.inst_b.pk] == (Decimal("71.0"), "C级（失信警示）")
    assert credit[sw.inst_c.pk] == (None, "")


def test_education_officials_see_totals_and_students_but_no_institutions(
    sw: StatsWorld,
) -> None:
    board = dashboard(actor=sw.cast.actor("education"), filters=Filters())
    assert board.institutions is None
    assert board.students is not None
    assert board.totals.certificates == 15


@pytest.mark.parametrize("year", [None, 2024, 2025])
def test_student_figures_equal_the_registry(sw: StatsWorld, year: int | None) -> None:
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters(year=year))
    s = board.students
    assert s is not None
    groups = expected_coverage(year=year)
    assert s.graduating == sum(g for g, _c in groups.values())
    assert s.certified == sum(c for _g, c in groups.values())
    assert s.majors == len(groups)
    assert s.majors_covered == sum(1 for _g, c in groups.values() if c)
    schools: dict[str, list[int]] = {}
    for (_year, school, _major), (g, c) in groups.items():
        schools.setdefault(school, [0, 0])
        schools[school][0] += g
        schools[school][1] += c
    assert {r["school"]: [r["graduating"], r["certified"]] for r in s.schools} == schools


def test_student_progress_against_the_province_targets(sw: StatsWorld) -> None:
    s = dashboard(actor=sw.cast.actor("province"), filters=Filters()).students
    assert s is not None
    # 6 student certificates up to 2025 (the target year) of a target of 10.
    assert (s.cumulative, s.target_count, s.target_year) == (6, 10, 2025)
    assert s.target_percent == Decimal("60.0")
    # 4 of 6 majors covered: 66.7% is below the 80% target.
    assert (s.majors_covered, s.majors, s.majors_percent) == (4, 6, Decimal("66.7"))
    assert not s.majors_on_target


def test_student_figures_by_city(sw: StatsWorld) -> None:
    qujing = sw.city_b_education()
    s = dashboard(actor=qujing, filters=Filters()).students
    assert s is not None
    groups = expected_coverage(city="530300")
    assert (s.graduating, s.certified) == (
        sum(g for g, _c in groups.values()),
        sum(c for _g, c in groups.values()),
    )
    assert (s.graduating, s.certified) == (3, 1)
    assert dashboard(actor=sw.cast.actor("city_a"), filters=Filters()).students is not None


def test_institutions_see_no_student_figures(sw: StatsWorld) -> None:
    assert dashboard(actor=sw.cast.actor("institution_a"), filters=Filters()).students is None


def test_top_occupations_and_the_rest(sw: StatsWorld) -> None:
    institution = sw.inst_a
    for n in range(TOP_OCCUPATIONS + 2):
        occupation = OccupationFactory(code=f"9-99-00-{n:02d}", name=f"职业{n}")
        StandardFactory(occupation=occupation, levels=(5,))
        batch = make_batch(institution, occupation.standards.get(), 5)
        _certified_batch(sw, batch, passed=1 + n % 3)
    rebuild_all("530000")
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters())
    assert len(board.by_occupation) == TOP_OCCUPATIONS + 1
    other = board.by_occupation[-1]
    assert other.key == ""
    assert other.label == "其他（4个职业）"
    shown = sum(r.tally.certificates for r in board.by_occupation)
    assert shown == board.totals.certificates
    tops = [r.tally.certificates for r in board.by_occupation[:-1]]
    assert tops == sorted(tops, reverse=True)


def _certified_batch(sw: StatsWorld, batch: Batch, *, passed: int) -> None:
    for _n in range(passed):
        result_for(sw.application(batch), Outcome.PASSED)
    BatchResults.objects.create(batch=batch, status="approved", decided_at=at(date(2025, 2, 3)))
    sw.certify(batch, date(2025, 2, 4))


def test_waiting_batches_and_update_time(sw: StatsWorld) -> None:
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters())
    assert board.stale_batches == 0
    assert board.refreshed_at is not None
    mark_stale(sw.batches["b_lathe4"].pk)
    assert dashboard(actor=sw.cast.actor("province"), filters=Filters()).stale_batches == 1
    assert dashboard(actor=sw.cast.actor("city_b"), filters=Filters()).stale_batches == 1
    assert dashboard(actor=sw.cast.actor("city_a"), filters=Filters()).stale_batches == 0


# The province's dashboard: the scope's index (1 GROUP BY, city and occupation names),
# the figures (PostgreSQL: 1 GROUPING SETS query; elsewhere 8 GROUP BYs), institution
# names, credit, coverage by school, the policy, the waiting batches; a filter other
# than the city adds the student target's own sum.
QUERIES = 9 if connection.vendor == "postgresql" else 16


def test_the_query_count_does_not_grow_with_the_data(
    sw: StatsWorld, django_assert_num_queries: Callable[..., Any]
) -> None:
    actor = sw.cast.actor("province")
    with django_assert_num_queries(QUERIES):
        dashboard(actor=actor, filters=Filters())
    with django_assert_num_queries(QUERIES + 1):
        dashboard(actor=actor, filters=Filters(year=2025))
    level = StandardLevel.objects.get(standard=sw.world.lathe_std, level=2)
    for _n in range(12):
        batch = make_batch(sw.inst_b, level.standard, 2)
        _certified_batch(sw, batch, passed=3)
    rebuild_all("530000")
    with django_assert_num_queries(QUERIES):
        board = dashboard(actor=actor, filters=Filters())
    assert board.totals.certificates == 15 + 36


def test_the_index_is_shared_by_the_form_and_the_figures(
    sw: StatsWorld, django_assert_num_queries: Callable[..., Any]
) -> None:
    actor = sw.cast.actor("province")
    index = scope_index(actor)
    assert index.years == [2025, 2024]
    assert index.cities == {"530100": "昆明市", "530300": "曲靖市"}
    assert index.refreshed_at is not None
    with django_assert_num_queries(0):
        offered = options(actor, index)
    assert offered == options(actor)
    with django_assert_num_queries(QUERIES - 3):
        board = dashboard(actor=actor, filters=Filters(), index=index)
    assert board.refreshed_at == index.refreshed_at


def test_a_reader_without_rows_sees_zeros(sw: StatsWorld) -> None:
    board = dashboard(actor=sw.cast.actor("province"), filters=Filters(year=2019))
    assert t(board.totals) == (0,) * 8
    assert board.by_city == board.by_month == board.occupation_levels == []
    assert board.institutions == []


def test_percent_rounds_half_up_and_knows_no_denominator() -> None:
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 0) is None
