"""Catalogue JSON endpoints. Public reference data: no authentication (``auth=None``)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from skillcert.catalog import selectors
from skillcert.catalog.choices import OccupationTier, WeightTable
from skillcert.catalog.eligibility import Route, describe_route
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow, WorkType

router = Router(tags=["catalog"])


class OccupationOut(Schema):
    code: str
    name: str
    tier: int
    tier_label: str
    is_digital: bool
    is_green: bool
    source: str
    initials: str


class WorkTypeOut(Schema):
    id: int
    name: str
    code: str


class StandardSummaryOut(Schema):
    id: int
    kind: str
    title: str
    document_number: str
    year: int
    is_demo: bool
    work_types: list[str]
    levels: list[int]


class OccupationDetailOut(OccupationOut):
    gbm_code: str
    definition: str
    tasks: str
    published_by: str
    is_active: bool
    ancestors: list[OccupationOut]
    work_types: list[WorkTypeOut]
    standards: list[StandardSummaryOut]


class RouteOut(Schema):
    """One eligibility route (schema in catalog.eligibility) and its Chinese wording."""

    label: str = ""
    prior_level: int | None = None
    years_after_prior: int | None = None
    work_years: int | None = None
    school_types: list[str] = []
    related_major: bool = False
    graduating_students: bool = False
    education_min: int | None = None
    apprenticeship: bool = False
    preparatory_technician: bool = False
    description: str


class WeightOut(Schema):
    code: str
    name: str
    percent: Decimal


class LevelOut(Schema):
    level: int
    level_label: str
    theory_minutes: int
    practical_minutes: int
    review_minutes: int | None
    candidates_per_proctor: int
    min_proctors_per_room: int
    candidates_per_examiner: int
    min_examiners: int
    min_review_panel: int
    routes: list[RouteOut]
    theory_weights: list[WeightOut]
    skill_weights: list[WeightOut]


class StandardOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    document_number: str
    year: int
    is_demo: bool
    is_active: bool
    occupation: OccupationOut
    work_types: list[WorkTypeOut]
    levels: list[LevelOut]


class OccupationQuery(Schema):
    q: str = ""
    tier: int | None = Field(default=OccupationTier.OCCUPATION, ge=1, le=4)
    limit: int = Field(default=50, ge=1, le=200)


def _occupation_out(o: Occupation) -> OccupationOut:
    return OccupationOut(
        code=o.code,
        name=o.name,
        tier=o.tier,
        tier_label=str(o.get_tier_display()),
        is_digital=o.is_digital,
        is_green=o.is_green,
        source=o.source,
        initials=o.initials,
    )


def _work_type_out(w: WorkType) -> WorkTypeOut:
    return WorkTypeOut(id=w.pk, name=w.name, code=w.code)


def _standard_summary(s: Standard) -> StandardSummaryOut:
    return StandardSummaryOut(
        id=s.pk,
        kind=s.kind,
        title=s.title,
        document_number=s.document_number,
        year=s.year,
        is_demo=s.is_demo,
        work_types=[w.name for w in s.work_types.all()],
        levels=sorted((lv.level for lv in s.levels.all()), reverse=True),
    )


def _route_out(route: Route) -> RouteOut:
    return RouteOut(**route, description=describe_route(route))


def _weights(rows: list[WeightRow], table: str) -> list[WeightOut]:
    return [
        WeightOut(code=w.code, name=w.name, percent=w.percent) for w in rows if w.table == table
    ]


def _level_out(level: StandardLevel) -> LevelOut:
    weights = list(level.weights.all())
    return LevelOut(
        level=level.level,
        level_label=str(level.get_level_display()),
        theory_minutes=level.theory_minutes,
        practical_minutes=level.practical_minutes,
        review_minutes=level.review_minutes,
        candidates_per_proctor=level.candidates_per_proctor,
        min_proctors_per_room=level.min_proctors_per_room,
        candidates_per_examiner=level.candidates_per_examiner,
        min_examiners=level.min_examiners,
        min_review_panel=level.min_review_panel,
        routes=[_route_out(route) for route in level.eligibility_routes],
        theory_weights=_weights(weights, WeightTable.THEORY),
        skill_weights=_weights(weights, WeightTable.SKILL),
    )


@router.get(
    "/occupations",
    response=list[OccupationOut],
    auth=None,
    url_name="catalog-occupation-list",
    summary="Search the occupational catalogue by code, name or pinyin initials",
)
def occupation_list(request: HttpRequest, filters: Query[OccupationQuery]) -> list[OccupationOut]:
    found = selectors.occupation_search(filters.q, filters.tier, filters.limit)
    return [_occupation_out(o) for o in found]


@router.get(
    "/occupations/{code}",
    response=OccupationDetailOut,
    auth=None,
    url_name="catalog-occupation-detail",
    summary="One occupation with its ancestors, work types and standards",
)
def occupation_detail(request: HttpRequest, code: str) -> OccupationDetailOut:
    o = selectors.occupation_by_code(code)
    if o is None:
        raise Http404
    return OccupationDetailOut(
        **_occupation_out(o).model_dump(),
        gbm_code=o.gbm_code,
        definition=o.definition,
        tasks=o.tasks,
        published_by=o.published_by,
        is_active=o.is_active,
        ancestors=[_occupation_out(a) for a in selectors.occupation_ancestors(o)],
        work_types=[_work_type_out(w) for w in selectors.work_types_of(o)],
        standards=[_standard_summary(s) for s in selectors.standards_for(o)],
    )


@router.get(
    "/standards/{standard_id}",
    response=StandardOut,
    auth=None,
    url_name="catalog-standard-detail",
    summary="A standard with its levels: eligibility routes, durations, staffing, weights",
)
def standard_detail(request: HttpRequest, standard_id: int) -> StandardOut:
    s = selectors.standard_detail(standard_id)
    if s is None:
        raise Http404
    return StandardOut(
        id=s.pk,
        kind=s.kind,
        kind_label=str(s.get_kind_display()),
        title=s.title,
        document_number=s.document_number,
        year=s.year,
        is_demo=s.is_demo,
        is_active=s.is_active,
        occupation=_occupation_out(s.occupation),
        work_types=[_work_type_out(w) for w in s.work_types.all()],
        levels=[_level_out(level) for level in s.levels.all()],
    )
