"""The demo province's published random inspection (双随机一公开), through the services.

Yunnan's official (yn_official) plans a check of the listed institutions against the
institution items of the spot-check list and draws two of them, three inspectors each
from the pool ``demo_pool`` writes (so each inspection has at least one of the two
inspectors with a login). The inspectors record every item: the first inspection finds
one item not met and concludes 限期整改, the others find nothing; the official publishes.

Idempotent: once the demo plan exists, nothing is added.
"""

from __future__ import annotations

from django.db import transaction

from skillcert.core.actors import Actor
from skillcert.core.demo import PROVINCE, demo_actor
from skillcert.supervision import inspections
from skillcert.supervision.choices import (
    Compliance,
    Conclusion,
    PlanKind,
    PoolKind,
    TargetKind,
)
from skillcert.supervision.demo_pool import seed_pool_demo
from skillcert.supervision.models import CheckItem, Inspection, InspectionPlan, PoolMember

TITLE = "2025年度全省评价机构“双随机、一公开”抽查（演示）"
ITEMS = 4


def _recorder(inspection: Inspection) -> Actor:
    """An assigned inspector with a demo login (the lead when they have one)."""
    for assignment in inspection.assignments.select_related("member__user").order_by(
        "-is_lead", "pk"
    ):
        user = assignment.member.user
        if user is not None:
            return demo_actor(user.username)
    raise LookupError(f"inspection {inspection.pk} has no inspector with a login")


def _inspect(inspection: Inspection, items: list[CheckItem], problem: bool) -> None:
    actor = _recorder(inspection)
    for n, item in enumerate(items):
        fails = problem and n == 0
        inspections.finding_record(
            actor=actor,
            inspection=inspection,
            item=item,
            outcome=Compliance.FAILS if fails else Compliance.MEETS,
            note="收费标准和评价流程未在场所显著位置公示。" if fails else "",
        )
    inspections.inspection_finish(
        actor=actor,
        inspection=inspection,
        conclusion=Conclusion.RECTIFY if problem else Conclusion.PASSED,
        summary="公示信息不完整，责令限期整改。" if problem else "查阅档案并现场核查，未发现问题。",
    )


@transaction.atomic
def seed_inspections_demo() -> str | None:
    """One published plan of the demo province; a line for ``seed_demo``, or None."""
    if InspectionPlan.objects.filter(province_id=PROVINCE, title=TITLE).exists():
        return None
    seed_pool_demo()
    official = demo_actor("yn_official")
    inspectors = PoolMember.objects.filter(
        province_id=PROVINCE, pool=PoolKind.INSPECTOR, is_active=True
    ).count()
    items = list(
        CheckItem.objects.filter(
            province_id=PROVINCE, applies_to=TargetKind.INSTITUTION, is_active=True
        ).order_by("code")[:ITEMS]
    )
    plan = inspections.plan_create(
        actor=official,
        title=TITLE,
        kind=PlanKind.INSPECTION,
        target_kind=TargetKind.INSTITUTION,
        target_filters={},
        target_count=2,
        members_per_target=min(3, max(inspectors - 1, 1)),
        item_ids=[i.pk for i in items],
    )
    record = inspections.plan_draw(actor=official, plan=plan)
    drawn = list(plan.inspections.order_by("pk"))
    for n, inspection in enumerate(drawn):
        _inspect(inspection, items, problem=n == 0)
    inspections.plan_publish(actor=official, plan=plan)
    return (
        f"Random inspection: plan {plan.pk}, {len(drawn)} institutions drawn (seed "
        f"{record.seed[:8]}…), results recorded and published, 1 to rectify; "
        f"replay with manage.py replay_draw {plan.pk}"
    )
