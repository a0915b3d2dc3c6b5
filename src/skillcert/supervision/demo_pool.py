"""The demo province's people pools and spot-check list (run by ``seed_demo`` first of the
supervision demos, so that the draws have people to draw and items to check).

Through the services, as the Yunnan official (yn_official):

* the default 随机抽查事项清单 of Yunnan;
* inspectors: the province official's and the Kunming official's own logins (each never
  drawn for their own organisation) and two named inspectors without a login;
* external supervisors: supervisor_a's login (Kunming's appraisal centre) and two more,
  each with a card number.

Idempotent: a member already in the pool (same pool and name) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from skillcert.core.actors import Actor
from skillcert.core.demo import PROVINCE, demo_actor
from skillcert.core.models import Organisation, Region, User
from skillcert.supervision import pool
from skillcert.supervision.choices import PoolKind
from skillcert.supervision.models import CheckItem, PoolMember


@dataclass(frozen=True)
class DemoMember:
    pool: str
    full_name: str
    username: str = ""  # a demo login, linked when given
    affiliation: str = ""  # an organisation of core.demo.ORGANISATIONS, by name
    employer: str = ""


MEMBERS: tuple[DemoMember, ...] = (
    DemoMember(PoolKind.INSPECTOR, "李明（演示）", "yn_official", "云南省人力资源和社会保障厅"),
    DemoMember(PoolKind.INSPECTOR, "张伟（演示）", "km_official", "昆明市人力资源和社会保障局"),
    DemoMember(PoolKind.INSPECTOR, "何平（演示检查员）", affiliation="曲靖市职业技能鉴定指导中心"),
    DemoMember(PoolKind.INSPECTOR, "马丽（演示检查员）", affiliation="云南省职业技能鉴定指导中心"),
    DemoMember(
        PoolKind.EXTERNAL_SUPERVISOR,
        "吴敏（演示）",
        "supervisor_a",
        "昆明市职业技能鉴定指导中心",
    ),
    DemoMember(
        PoolKind.EXTERNAL_SUPERVISOR,
        "钱进（演示督导员）",
        affiliation="曲靖市职业技能鉴定指导中心",
    ),
    DemoMember(PoolKind.EXTERNAL_SUPERVISOR, "孙红（演示督导员）", employer="云南省机械行业协会"),
)


@transaction.atomic
def seed_pool_demo() -> str | None:
    """Yunnan's list and pools; a line for ``seed_demo``, or None when all exist."""
    official = demo_actor("yn_official")
    province = Region.objects.get(code=PROVINCE)
    items_before = CheckItem.objects.filter(province=province).count()
    items = pool.checklist_ensure(province=province)
    added = [m for m in MEMBERS if _ensure(official, province, m)]
    if not added and len(items) == items_before:
        return None
    inspectors = sum(1 for m in added if m.pool == PoolKind.INSPECTOR)
    return (
        f"Supervision pools: {inspectors} inspector(s) and {len(added) - inspectors} "
        f"external supervisor(s) added; spot-check list of {len(items)} items"
    )


def _ensure(official: Actor, province: Region, spec: DemoMember) -> bool:
    existing = PoolMember.objects.filter(
        province=province, pool=spec.pool, full_name=spec.full_name
    )
    if existing.exists():
        return False
    user = User.objects.filter(username=spec.username).first() if spec.username else None
    affiliation = (
        Organisation.objects.get(province=province, name=spec.affiliation)
        if spec.affiliation
        else None
    )
    pool.member_add(
        actor=official,
        province=province,
        pool=spec.pool,
        full_name=spec.full_name,
        user=user,
        affiliation=affiliation,
        employer=spec.employer,
    )
    return True
