"""The credit demo: one recomputation of Yunnan's ranking by the provincial official,
after the other supervision demos wrote their cases, complaints and alerts.

Idempotent: once Yunnan has scores computed today, nothing happens.
"""

from __future__ import annotations

from django.utils import timezone

from skillcert.core.demo import demo_actor
from skillcert.core.models import Region
from skillcert.supervision.credit import credit_recompute
from skillcert.supervision.models import CreditScore

YUNNAN = "530000"


def seed_credit_demo() -> str | None:
    today = timezone.localdate()
    province = Region.objects.get(code=YUNNAN)
    if CreditScore.objects.filter(
        institution__organisation__province=province, computed_on=today
    ).exists():
        return None
    count = credit_recompute(actor=demo_actor("yn_official"), province=province, today=today)
    return f"Credit: {count} institution(s) of Yunnan scored and ranked; ranking at /public/credit/"
