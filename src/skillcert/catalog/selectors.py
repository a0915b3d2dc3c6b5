"""Reads of the catalogue. Public reference data: no scoping by actor."""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from skillcert.catalog.choices import OccupationTier
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow, WorkType

DIGITS_RE = re.compile(r"^\d{1,7}$")
CODE_PREFIX_RE = re.compile(r"^\d(-\d{0,2}){0,3}$")
MAX_QUERY = 64


def code_prefix(query: str) -> str | None:
    """A code prefix typed with or without dashes: ``61801`` → ``6-18-01``."""
    if CODE_PREFIX_RE.match(query):
        return query
    if DIGITS_RE.match(query):
        parts = [query[0], query[1:3], query[3:5], query[5:7]]
        return "-".join(p for p in parts if p)
    return None


def occupation_matches(
    query: str, tier: int | None = OccupationTier.OCCUPATION
) -> QuerySet[Occupation]:
    """Active occupations whose code starts with, name contains, or pinyin initials start
    with ``query`` (also through their work types); all of ``tier`` for an empty query."""
    found = Occupation.objects.filter(is_active=True)
    if tier is not None:
        found = found.filter(tier=tier)
    query = query.strip()[:MAX_QUERY]
    if query:
        initials = query.lower()
        condition = Q(name__icontains=query) | Q(initials__startswith=initials)
        prefix = code_prefix(query)
        if prefix:
            condition |= Q(code__startswith=prefix)
        work_types = WorkType.objects.filter(occupation=OuterRef("pk"), is_active=True).filter(
            Q(name__icontains=query) | Q(initials__startswith=initials)
        )
        found = found.filter(condition | Exists(work_types))
    return found.order_by("code")


def occupation_search(
    query: str, tier: int | None = OccupationTier.OCCUPATION, limit: int = 50
) -> list[Occupation]:
    """The first ``limit`` matches of :func:`occupation_matches`, in code order."""
    return list(occupation_matches(query, tier)[:limit])


def occupation_by_code(code: str) -> Occupation | None:
    return Occupation.objects.select_related("parent__parent__parent").filter(code=code).first()


def occupation_ancestors(occupation: Occupation) -> list[Occupation]:
    """大类 … parent, outermost first (parents were loaded by :func:`occupation_by_code`)."""
    chain: list[Occupation] = []
    node = occupation.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain[::-1]


def occupation_children(occupation: Occupation) -> QuerySet[Occupation]:
    return Occupation.objects.filter(parent=occupation, is_active=True).order_by("code")


def work_types_of(occupation: Occupation) -> QuerySet[WorkType]:
    return WorkType.objects.filter(occupation=occupation, is_active=True).order_by("name")


def standards_for(occupation: Occupation, work_type: WorkType | None = None) -> QuerySet[Standard]:
    """Active standards for an occupation; with ``work_type``, those covering it — the ones
    naming it and the ones for the whole occupation (no work types)."""
    found = Standard.objects.filter(occupation=occupation, is_active=True)
    if work_type is not None:
        found = found.filter(Q(work_types=work_type) | Q(work_types__isnull=True)).distinct()
    return found.prefetch_related("work_types", "levels").order_by("-year", "title")


def standard_detail(pk: int) -> Standard | None:
    """A standard with its occupation, work types, levels and both weight tables."""
    weights = WeightRow.objects.order_by("table", "position")
    levels = StandardLevel.objects.order_by("-level").prefetch_related(
        Prefetch("weights", queryset=weights)
    )
    return (
        Standard.objects.select_related("occupation")
        .prefetch_related("work_types", Prefetch("levels", queryset=levels))
        .filter(pk=pk)
        .first()
    )
