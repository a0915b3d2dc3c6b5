"""Reading credit scores: the ranking in an official's scope, one institution's history
and breakdown, and the public ranking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from skillcert.core.actors import Actor
from skillcert.core.models import Region
from skillcert.institutions.models import Institution
from skillcert.supervision.credit import FILED_STATUSES, INDICATORS, PENALTY
from skillcert.supervision.models import CreditScore, SupervisionPolicy


def ranking_for(actor: Actor) -> QuerySet[CreditScore]:
    """The current scores the actor's scope holds, by province and rank."""
    return (
        CreditScore.objects.for_actor(actor)
        .filter(is_current=True)
        .select_related("institution__organisation__city", "institution__organisation__province")
        .order_by("institution__organisation__province_id", "rank", "pk")
    )


def public_ranking(province: str | None = None) -> QuerySet[CreditScore]:
    """The published ranking (粤人社函〔2021〕76号 五: 排名公示): current scores of the
    institutions in the directory. Deliberately unscoped: it is public, and it carries the
    institution, score, grade and rank only."""
    rows = CreditScore.objects.filter(is_current=True, institution__status__in=FILED_STATUSES)
    if province:
        rows = rows.filter(institution__organisation__province_id=province)
    return rows.select_related(
        "institution__organisation__city", "institution__organisation__province"
    ).order_by("institution__organisation__province_id", "rank", "pk")


def ranked_provinces() -> QuerySet[Region]:
    """Provinces with a published ranking, for the public page's selector."""
    codes = CreditScore.objects.filter(is_current=True).values(
        "institution__organisation__province_id"
    )
    return Region.objects.filter(code__in=codes).order_by("code")


def history(institution: Institution) -> QuerySet[CreditScore]:
    """Every score of the institution, newest first (an institution's own scores: its
    readers were checked through ``Institution.objects.for_actor``)."""
    return CreditScore.objects.filter(institution=institution).order_by("-computed_on", "-pk")


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    label: str
    explanation: str
    is_penalty: bool
    weight: Any
    value: Any
    points: Any


def breakdown(score: CreditScore, policy: SupervisionPolicy) -> list[BreakdownRow]:
    """The score's indicators in the order of :data:`INDICATORS`, with today's weights."""
    rows = []
    for code, indicator in INDICATORS.items():
        found = score.indicators.get(code, {})
        rows.append(
            BreakdownRow(
                code=code,
                label=str(indicator.label),
                explanation=str(indicator.explanation),
                is_penalty=indicator.kind == PENALTY,
                weight=policy.credit_weights.get(code),
                value=found.get("value"),
                points=found.get("points"),
            )
        )
    return rows


def chart_points(scores: list[CreditScore], *, width: int = 600, height: int = 160) -> str:
    """The score history as SVG polyline points (oldest left, 0 at the bottom, 100 at the
    top), drawn by the template without scripts."""
    if not scores:
        return ""
    ordered = sorted(scores, key=lambda s: (s.computed_on, s.pk))
    step = width / max(1, len(ordered) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - float(s.score) * height / 100, 1)}"
        for i, s in enumerate(ordered)
    )
