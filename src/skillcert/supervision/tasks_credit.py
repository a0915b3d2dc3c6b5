"""Background work for credit: the daily recomputation of every province's ranking.

Scheduled daily (``manage.py recompute_credit`` from cron, or ``recompute_credit_task``
enqueued by a scheduler); running it twice on a day replaces that day's scores.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django_tasks import task

from skillcert.core.actors import Actor
from skillcert.core.models import Region
from skillcert.institutions.models import Institution
from skillcert.supervision.credit import FILED_STATUSES, credit_recompute


def provinces_to_score() -> list[Region]:
    """Every province with at least one filed institution."""
    codes = Institution.objects.filter(status__in=FILED_STATUSES).values(
        "organisation__province_id"
    )
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def recompute_all(*, today: date, province: str | None = None) -> dict[str, int]:
    """Recompute each province (or only ``province``); returns {code: institutions scored}."""
    actor = Actor.system("credit")
    provinces = provinces_to_score()
    if province:
        provinces = [p for p in provinces if p.code == province]
    return {p.code: credit_recompute(actor=actor, province=p, today=today) for p in provinces}


@task()
def recompute_credit_task() -> int:
    """Recompute the credit of every province with filed institutions; returns how many
    institutions were scored."""
    return sum(recompute_all(today=timezone.localdate()).values())
