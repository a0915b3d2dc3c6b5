"""The people pools and the spot-check list, through the services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.choices import OrganisationKind, Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, Region
from skillcert.supervision import pool
from skillcert.supervision.choices import PoolKind, TargetKind
from skillcert.supervision.models import CheckItem, PoolMember
from tests.conftest import Cast, Refused
from tests.supervision.builders_pool import member, new_actor, new_organisation, new_user, yunnan


def _sichuan_official() -> Actor:
    region = Region.objects.get(code="510000")
    org = new_organisation(
        name="四川省人社厅", kind=OrganisationKind.PROVINCE_HR, province=region, city=None
    )
    return new_actor(new_user(), Role.PROVINCE_OFFICIAL, org)


def _add(cast: Cast, pool_kind: str = PoolKind.INSPECTOR, **kwargs: object) -> PoolMember:
    values: dict[str, object] = {"full_name": "检查员甲"}
    values.update(kwargs)
    return pool.member_add(
        actor=cast.actor("province"),
        province=yunnan(),
        pool=pool_kind,
        **values,  # type: ignore[arg-type]
    )


def _card_prefix() -> str:
    return f"R53{timezone.localdate().year % 100:02d}"


# --- member_add ----------------------------------------------------------------------------


def test_province_official_adds_an_inspector_with_an_audit_event(cast: Cast) -> None:
    added = _add(cast, affiliation=cast.orgs["city_a"], full_name="  张  三 ")
    assert (added.pool, added.full_name, added.is_active) == (PoolKind.INSPECTOR, "张 三", True)
    assert added.card_number == ""
    assert added.employer == "昆明市人社局"  # taken from the affiliation
    event = AuditEvent.objects.get(action="supervision.pool_member_add")
    assert event.object_id == str(added.pk)
    assert event.changes["affiliation"] == cast.orgs["city_a"].pk


def test_external_supervisors_get_consecutive_card_numbers(cast: Cast) -> None:
    first = _add(cast, PoolKind.EXTERNAL_SUPERVISOR, full_name="督导员甲")
    second = _add(cast, PoolKind.EXTERNAL_SUPERVISOR, full_name="督导员乙")
    inspector = _add(cast, PoolKind.INSPECTOR, full_name="检查员乙")
    assert first.card_number == f"{_card_prefix()}0001"
    assert second.card_number == f"{_card_prefix()}0002"
    assert len(first.card_number) == 9
    assert inspector.card_number == ""


@pytest.mark.parametrize("role", ["city_a", "education", "institution_a", "examiner", "candidate"])
def test_only_province_officials_add_members(cast: Cast, refused: Refused, role: str) -> None:
    refused(
        PermissionDenied,
        lambda: pool.member_add(
            actor=cast.actor(role), province=yunnan(), pool=PoolKind.INSPECTOR, full_name="某"
        ),
    )
    assert not PoolMember.objects.exists()


def test_another_provinces_official_is_refused(cast: Cast, refused: Refused) -> None:
    refused(
        PermissionDenied,
        lambda: pool.member_add(
            actor=_sichuan_official(),
            province=yunnan(),
            pool=PoolKind.INSPECTOR,
            full_name="某",
        ),
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"full_name": "   "}, "name_required"),
        ({"full_name": "名" * 65}, "name_too_long"),
        ({"pool_kind": "examiner"}, "invalid_pool"),
        ({"employer": "单" * 129}, "employer_too_long"),
    ],
)
def test_invalid_entries_are_refused(
    cast: Cast, refused: Refused, kwargs: dict[str, object], code: str
) -> None:
    refused(DomainError, lambda: _add(cast, **kwargs), code=code)  # type: ignore[arg-type]
    assert not PoolMember.objects.exists()


def test_affiliation_must_be_in_the_province(cast: Cast, refused: Refused) -> None:
    other = new_organisation(
        name="成都市人社局",
        kind=OrganisationKind.CITY_HR,
        province=Region.objects.get(code="510000"),
        city=Region.objects.get(code="510100"),
    )
    refused(DomainError, lambda: _add(cast, affiliation=other), code="affiliation_other_province")


def test_a_login_is_one_active_member_per_pool(cast: Cast, refused: Refused) -> None:
    user = new_user()
    first = _add(cast, PoolKind.EXTERNAL_SUPERVISOR, user=user)
    refused(
        DomainError,
        lambda: _add(cast, PoolKind.EXTERNAL_SUPERVISOR, user=user),
        code="duplicate_member",
    )
    # The refused entry allocated no card number.
    again = _add(cast, PoolKind.EXTERNAL_SUPERVISOR, full_name="督导员丙")
    assert again.card_number == f"{_card_prefix()}0002"
    # The other pool may hold the same login, and so may this one once the first left.
    assert _add(cast, PoolKind.INSPECTOR, user=user).user == user
    pool.member_deactivate(actor=cast.actor("province"), member=first)
    assert _add(cast, PoolKind.EXTERNAL_SUPERVISOR, user=user).is_active


def test_an_inactive_login_is_refused(cast: Cast, refused: Refused) -> None:
    user = new_user(is_active=False)
    refused(DomainError, lambda: _add(cast, user=user), code="user_inactive")


# --- member_deactivate / member_link_user ---------------------------------------------------


def test_deactivate_takes_a_member_out_once(cast: Cast, refused: Refused) -> None:
    row = member(PoolKind.INSPECTOR)
    done = pool.member_deactivate(actor=cast.actor("province"), member=row, reason="调离")
    assert not done.is_active
    row.refresh_from_db()
    assert row.is_active is False
    event = AuditEvent.objects.get(action="supervision.pool_member_deactivate")
    assert event.changes == {"is_active": [True, False], "reason": "调离"}
    refused(
        InvalidTransition,
        lambda: pool.member_deactivate(actor=cast.actor("province"), member=row),
        code="already_inactive",
    )


def test_city_officials_cannot_deactivate(cast: Cast, refused: Refused) -> None:
    row = member(PoolKind.INSPECTOR, affiliation=cast.orgs["city_a"])
    refused(
        PermissionDenied, lambda: pool.member_deactivate(actor=cast.actor("city_a"), member=row)
    )
    row.refresh_from_db()
    assert row.is_active


def test_link_user(cast: Cast, refused: Refused) -> None:
    row = member(PoolKind.EXTERNAL_SUPERVISOR)
    user = new_user()
    linked = pool.member_link_user(actor=cast.actor("province"), member=row, user=user)
    assert linked.user == user
    row.refresh_from_db()
    assert row.user_id == user.pk
    assert AuditEvent.objects.get(action="supervision.pool_member_link_user").changes == {
        "user": [None, user.pk]
    }
    refused(
        InvalidTransition,
        lambda: pool.member_link_user(actor=cast.actor("province"), member=row, user=user),
        code="already_linked",
    )
    other = member(PoolKind.EXTERNAL_SUPERVISOR, name="督导员乙")
    refused(
        DomainError,
        lambda: pool.member_link_user(actor=cast.actor("province"), member=other, user=user),
        code="duplicate_member",
    )
    refused(
        PermissionDenied,
        lambda: pool.member_link_user(actor=cast.actor("city_a"), member=other, user=user),
    )


def test_an_inactive_member_is_not_linked(cast: Cast, refused: Refused) -> None:
    row = member(PoolKind.INSPECTOR)
    pool.member_deactivate(actor=cast.actor("province"), member=row)
    refused(
        InvalidTransition,
        lambda: pool.member_link_user(actor=cast.actor("province"), member=row, user=new_user()),
        code="inactive",
    )


# --- the spot-check list ----------------------------------------------------------------------


def test_checklist_ensure_writes_the_default_list_once(cast: Cast) -> None:
    items = pool.checklist_ensure(province=yunnan())
    assert [i.code for i in items] == sorted(d.code for d in pool.DEFAULT_ITEMS)
    assert {i.applies_to for i in items} == {TargetKind.INSTITUTION, TargetKind.BATCH}
    assert all("〔20" in i.basis and i.method for i in items)
    archive = [i for i in items if "档案" in i.title]
    assert archive
    assert archive[0].basis == "云人社函〔2023〕1号 二(三)"
    events = AuditEvent.objects.filter(action="supervision.checklist_ensure").count()
    assert events == 1
    again = pool.checklist_ensure(province=yunnan())
    assert [i.pk for i in again] == [i.pk for i in items]
    assert AuditEvent.objects.filter(action="supervision.checklist_ensure").count() == events


def test_checklist_ensure_keeps_the_officials_changes(cast: Cast) -> None:
    items = pool.checklist_ensure(province=yunnan())
    switched = pool.check_item_toggle(actor=cast.actor("province"), item=items[0])
    CheckItem.objects.filter(pk=items[1].pk).delete()
    pool.checklist_ensure(province=yunnan())
    switched.refresh_from_db()
    assert switched.is_active is False
    assert CheckItem.objects.filter(province_id="530000").count() == len(pool.DEFAULT_ITEMS)
    assert CheckItem.objects.get(province_id="530000", code=items[1].code).is_active


def test_check_item_add(cast: Cast, refused: Refused) -> None:
    def add(actor: Actor, code: str = "x01", target: str = TargetKind.BATCH) -> CheckItem:
        return pool.check_item_add(
            actor=actor,
            province=yunnan(),
            code=code,
            title="专项检查：考评员轮换",
            basis="国家职业技能标准 1.9",
            method="查阅考评员派遣记录",
            applies_to=target,
        )

    item = add(cast.actor("province"))
    assert (item.code, item.applies_to, item.is_active) == ("X01", TargetKind.BATCH, True)
    assert AuditEvent.objects.filter(action="supervision.check_item_add").count() == 1
    refused(DomainError, lambda: add(cast.actor("province")), code="duplicate_code")
    refused(
        DomainError,
        lambda: add(cast.actor("province"), "X02", TargetKind.SESSION),
        code="invalid_target",
    )
    refused(DomainError, lambda: add(cast.actor("province"), " "), code="invalid_code")
    refused(PermissionDenied, lambda: add(cast.actor("city_a"), "X03"))
    refused(PermissionDenied, lambda: add(_sichuan_official(), "X04"))
    assert CheckItem.objects.count() == 1


def test_check_item_toggle(cast: Cast, refused: Refused) -> None:
    item = pool.checklist_ensure(province=yunnan())[0]
    assert not pool.check_item_toggle(actor=cast.actor("province"), item=item).is_active
    assert pool.check_item_toggle(actor=cast.actor("province"), item=item).is_active
    changes = [
        e.changes["is_active"]
        for e in AuditEvent.objects.filter(action="supervision.check_item_toggle").order_by("seq")
    ]
    assert changes == [[True, False], [False, True]]
    refused(PermissionDenied, lambda: pool.check_item_toggle(actor=cast.actor("city_a"), item=item))
    refused(PermissionDenied, lambda: pool.check_item_toggle(actor=_sichuan_official(), item=item))
    item.refresh_from_db()
    assert item.is_active


# --- the demo ---------------------------------------------------------------------------------


def test_demo_fills_the_pools_once(db: None) -> None:
    from skillcert.core.demo import seed_demo
    from skillcert.supervision.demo_pool import seed_pool_demo

    seed_demo()
    line = seed_pool_demo()
    assert line is not None
    assert "4 inspector(s)" in line
    assert "3 external supervisor(s)" in line
    supervisor = PoolMember.objects.get(user__username="supervisor_a")
    assert supervisor.pool == PoolKind.EXTERNAL_SUPERVISOR
    assert supervisor.affiliation is not None
    assert supervisor.affiliation.name == "昆明市职业技能鉴定指导中心"
    assert supervisor.card_number.startswith("R53")
    linked = PoolMember.objects.filter(pool=PoolKind.INSPECTOR, user__isnull=False)
    assert {m.user.username for m in linked if m.user} == {"yn_official", "km_official"}
    counts = (PoolMember.objects.count(), CheckItem.objects.count(), AuditEvent.objects.count())
    assert seed_pool_demo() is None
    assert (
        PoolMember.objects.count(),
        CheckItem.objects.count(),
        AuditEvent.objects.count(),
    ) == counts
