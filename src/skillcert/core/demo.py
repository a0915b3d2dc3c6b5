"""The demo province (Yunnan): authorities, two institutions and a cast of users.

Idempotent: what exists is left alone, so a second run writes nothing. Later apps add
their own demo data (filings, batches, candidates, certificates) through their services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from stdnum.cn import ric

from skillcert.core.actors import Actor
from skillcert.core.choices import IdType, OrganisationKind, Role
from skillcert.core.errors import DomainError
from skillcert.core.models import Membership, Organisation, Region, User
from skillcert.core.services import (
    membership_grant,
    organisation_create,
    policy_ensure,
    policy_update,
    user_create,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo credential
PROVINCE = "530000"
KUNMING, QUJING = "530100", "530300"

# (key, name, kind, city, parent key)
ORGANISATIONS: list[tuple[str, str, str, str | None, str | None]] = [
    ("yn_hr", "云南省人力资源和社会保障厅", OrganisationKind.PROVINCE_HR, None, None),
    ("yn_centre", "云南省职业技能鉴定指导中心", OrganisationKind.PROVINCE_CENTRE, None, "yn_hr"),
    ("yn_edu", "云南省教育厅", OrganisationKind.PROVINCE_EDU, None, None),
    ("km_hr", "昆明市人力资源和社会保障局", OrganisationKind.CITY_HR, KUNMING, "yn_hr"),
    ("km_centre", "昆明市职业技能鉴定指导中心", OrganisationKind.CITY_CENTRE, KUNMING, "km_hr"),
    ("km_edu", "昆明市教育局", OrganisationKind.CITY_EDU, KUNMING, "yn_edu"),
    ("qj_hr", "曲靖市人力资源和社会保障局", OrganisationKind.CITY_HR, QUJING, "yn_hr"),
    ("qj_centre", "曲靖市职业技能鉴定指导中心", OrganisationKind.CITY_CENTRE, QUJING, "qj_hr"),
    ("qj_edu", "曲靖市教育局", OrganisationKind.CITY_EDU, QUJING, "yn_edu"),
    ("inst_a", "滇池职业技术学校（演示）", OrganisationKind.INSTITUTION, KUNMING, "km_centre"),
    ("inst_b", "麒麟技工学校（演示）", OrganisationKind.INSTITUTION, QUJING, "qj_centre"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    organisation: str | None


LOGINS: list[DemoLogin] = [
    DemoLogin("yn_official", "李明（演示）", Role.PROVINCE_OFFICIAL, "yn_hr"),
    DemoLogin("yn_centre", "王芳（演示）", Role.PROVINCE_OFFICIAL, "yn_centre"),
    DemoLogin("yn_edu", "赵强（演示）", Role.EDUCATION_OFFICIAL, "yn_edu"),
    DemoLogin("km_official", "张伟（演示）", Role.CITY_OFFICIAL, "km_hr"),
    DemoLogin("qj_official", "刘洋（演示）", Role.CITY_OFFICIAL, "qj_hr"),
    DemoLogin("km_edu", "陈静（演示）", Role.EDUCATION_OFFICIAL, "km_edu"),
    DemoLogin("inst_a_admin", "杨丽（演示）", Role.INSTITUTION_ADMIN, "inst_a"),
    DemoLogin("inst_b_admin", "黄磊（演示）", Role.INSTITUTION_ADMIN, "inst_b"),
    DemoLogin("examiner_a", "周杰（演示）", Role.EXAMINER, "inst_a"),
    DemoLogin("supervisor_a", "吴敏（演示）", Role.SUPERVISOR, "km_centre"),
    DemoLogin("candidate_a", "孙悦（演示）", Role.CANDIDATE, None),
]


def demo_actor(username: str) -> Actor:
    """A demo login acting through its membership; refuses when the demo is not loaded."""
    found = (
        Membership.objects.select_related("user", "organisation")
        .filter(user__username=username, is_active=True)
        .first()
    )
    if found is None:
        raise DomainError(_("未找到演示数据，请先运行 manage.py seed_demo。"), code="no_demo")
    return Actor(user=found.user, membership=found)


def demo_id_number(serial: int) -> str:
    """A checksum-valid resident ID in Kunming's Wuhua district for demo people."""
    body = f"530102{2000 + serial % 10:04d}0512{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # the argument carries a check digit


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    system = Actor.system("seed_demo")
    province = Region.objects.get(code=PROVINCE)
    policy = policy_ensure(actor=system, province=province)
    if not policy.student_target_count:
        # 云人社通〔2023〕23号: 到2025年…完成120万人次学生职业技能等级认定.
        policy_update(
            actor=system, policy=policy, student_target_count=1_200_000, student_target_year=2025
        )
    orgs: dict[str, Organisation] = {}
    for key, name, kind, city_code, parent_key in ORGANISATIONS:
        existing = Organisation.objects.filter(province=province, name=name).first()
        orgs[key] = existing or organisation_create(
            actor=system,
            name=name,
            kind=kind,
            province=province,
            city=Region.objects.get(code=city_code) if city_code else None,
            parent=orgs[parent_key] if parent_key else None,
        )
    if not User.objects.filter(username="admin").exists():
        admin = user_create(
            actor=system, username="admin", password=DEMO_PASSWORD, full_name="平台管理员"
        )
        User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    for serial, login in enumerate(LOGINS, start=1):
        _ensure_login(system, login, orgs, serial)
    return LOGINS


def _ensure_login(
    system: Actor, login: DemoLogin, orgs: dict[str, Organisation], serial: int
) -> None:
    user = User.objects.filter(username=login.username).first()
    if user is None:
        user = user_create(
            actor=system,
            username=login.username,
            password=DEMO_PASSWORD,
            full_name=login.full_name,
            id_type=IdType.RESIDENT,
            id_number=demo_id_number(serial),
            phone=f"1380000{serial:04d}",
        )
    org = orgs[login.organisation] if login.organisation else None
    if not Membership.objects.filter(user=user, role=login.role, organisation=org).exists():
        membership_grant(actor=system, user=user, role=login.role, organisation=org)
