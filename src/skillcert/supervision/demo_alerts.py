"""The early-warning demo: the province's scan over what the other demos built.

The batches demo files one plan late (电工 五级, filed after its due date), so the scan
opens at least that alert; nothing is made up here. Idempotent: once Yunnan has alerts,
running it again does nothing.
"""

from __future__ import annotations

from skillcert.core.demo import PROVINCE, demo_actor
from skillcert.core.models import Region
from skillcert.supervision.alerts import alerts_scan
from skillcert.supervision.models import Alert


def seed_alerts_demo() -> str | None:
    """Scan Yunnan as its provincial official; one line for seed_demo, or None."""
    province = Region.objects.filter(code=PROVINCE).first()
    if province is None or Alert.objects.filter(province=province).exists():
        return None
    report = alerts_scan(actor=demo_actor("yn_official"), province=province)
    rules = "、".join(f"{rule} {n}" for rule, n in sorted(report.by_rule.items()))
    return f"Early warnings: {report.created} alert(s) for {province.name} ({rules or 'none'})."
