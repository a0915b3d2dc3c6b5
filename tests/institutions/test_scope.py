"""scope_allows: every refusal code with its reason, and the cases it allows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.models import ProvincePolicy
from skillcert.institutions.choices import DirectoryStatus, InstitutionType
from skillcert.institutions.models import Filing, Institution, ScopeEntry
from skillcert.institutions.scope import ScopeCode, ScopeDecision, scope_allows
from skillcert.institutions.services import lifecycle
from tests.institutions.conftest import LineSpec, World, approved, set_type
from tests.institutions.factories import OccupationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(world: World) -> Institution:
    """Institution A filed for 车工·数控车工 5–3 and 电工 (whole occupation) 5–4."""
    approved(
        world,
        world.inst_a,
        world.line(5, 3, work_type=world.cnc),
        LineSpec(world.electrician, world.electric_std, 5, 4),
    )
    return world.inst_a


def _ask(
    world: World,
    institution: Institution,
    *,
    occupation: Occupation | None = None,
    work_type: WorkType | None = None,
    level: int = 4,
    days: int = 0,
) -> ScopeDecision:
    on_date = timezone.localdate() + timedelta(days=days)
    return scope_allows(institution, occupation or world.electrician, work_type, level, on_date)


def test_allowed(world: World, filed: Institution) -> None:
    decision = _ask(world, filed, level=5)
    assert decision.allowed
    assert decision.code == ScopeCode.OK == "ok"
    assert decision.reason == ""
    assert decision.entry is not None
    assert decision.entry.occupation == world.electrician
    # A whole-occupation entry covers any work type of the occupation.
    work_type = world.electrician.work_types.create(name="维修电工")
    assert _ask(world, filed, work_type=work_type).allowed
    # A work-type entry covers that work type.
    assert _ask(world, filed, occupation=world.lathe, work_type=world.cnc, level=3).allowed


def test_out_of_scope_occupation(world: World, filed: Institution) -> None:
    welder = OccupationFactory(code="6-18-02-04", name="焊工")
    decision = _ask(world, filed, occupation=welder, level=3)
    assert not decision.allowed
    assert decision.code == "out_of_scope"
    assert decision.reason == "该机构未备案 焊工（6-18-02-04）三级/高级工"
    assert decision.entry is None


def test_work_type_mismatch(world: World, filed: Institution) -> None:
    other = world.lathe.work_types.create(name="普通车工")
    decision = _ask(world, filed, occupation=world.lathe, work_type=other, level=4)
    assert decision.code == "out_of_scope"
    assert "车工（6-18-01-01）·普通车工" in decision.reason
    # An entry for a work type does not cover the whole occupation.
    assert _ask(world, filed, occupation=world.lathe, level=4).code == "out_of_scope"


def test_level_out_of_range(world: World, filed: Institution) -> None:
    decision = _ask(world, filed, level=3)
    assert decision.code == "level_out_of_scope"
    assert decision.reason == (
        "该机构备案的 电工（6-31-01-03） 等级范围为五级/初级工至四级/中级工，不含三级/高级工。"
    )


def test_over_level_cap(world: World, filed: Institution) -> None:
    set_type(filed, InstitutionType.SECONDARY_VOCATIONAL)
    decision = _ask(world, filed, occupation=world.lathe, work_type=world.cnc, level=3)
    assert decision.code == "over_level_cap"
    assert "中等职业学校" in decision.reason
    assert "车工（6-18-01-01）·数控车工 三级/高级工" in decision.reason
    set_type(filed, InstitutionType.HIGHER_VOCATIONAL)
    assert _ask(world, filed, occupation=world.lathe, work_type=world.cnc, level=3).allowed
    assert _ask(world, filed, level=2).code == "over_level_cap"
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"higher_vocational_level_cap": 4}
    )
    assert _ask(world, filed, occupation=world.lathe, work_type=world.cnc, level=3).code == (
        "over_level_cap"
    )


def test_suspended(world: World, filed: Institution) -> None:
    due = timezone.localdate() + timedelta(days=30)
    lifecycle.institution_suspend(
        actor=world.authority(filed), institution=filed, reason="整改", rectification_due=due
    )
    filed.refresh_from_db()
    decision = _ask(world, filed)
    assert decision.code == "suspended"
    assert due.isoformat() in decision.reason
    assert "电工（6-31-01-03）四级/中级工" in decision.reason


def test_revoked(world: World, filed: Institution) -> None:
    lifecycle.institution_revoke(actor=world.authority(filed), institution=filed, reason="造假")
    filed.refresh_from_db()
    decision = _ask(world, filed)
    assert decision.code == "revoked"
    assert "取消备案" in decision.reason


def test_expired_by_status(world: World, filed: Institution) -> None:
    Institution.objects.filter(pk=filed.pk).update(status=DirectoryStatus.EXPIRED)
    filed.refresh_from_db()
    decision = _ask(world, filed)
    assert decision.code == "expired"
    assert filed.filing.valid_until.isoformat() in decision.reason


def test_expired_by_date_before_the_daily_task(world: World, filed: Institution) -> None:
    until = Filing.objects.get(institution=filed).valid_until
    assert _ask(world, filed, days=(until - timezone.localdate()).days).allowed
    decision = _ask(world, filed, days=(until - timezone.localdate()).days + 1)
    assert decision.code == "expired"
    assert filed.status == DirectoryStatus.ACTIVE


def test_not_yet_valid(world: World, filed: Institution) -> None:
    decision = _ask(world, filed, days=-1)
    assert decision.code == "not_yet_valid"
    assert timezone.localdate().isoformat() in decision.reason


def test_unfiled(world: World) -> None:
    decision = _ask(world, world.inst_b)
    assert decision.code == "unfiled"
    assert "尚未备案" in decision.reason


def test_deactivated_and_future_entries_do_not_count(world: World, filed: Institution) -> None:
    ScopeEntry.objects.filter(occupation=world.electrician).update(
        granted_on=timezone.localdate() + timedelta(days=5)
    )
    assert _ask(world, filed).code == "out_of_scope"
    assert _ask(world, filed, days=5).allowed
    ScopeEntry.objects.filter(occupation=world.electrician).update(is_active=False)
    assert _ask(world, filed, days=5).code == "out_of_scope"


def test_codes_are_stable() -> None:
    assert [c.value for c in ScopeCode] == [
        "ok",
        "unfiled",
        "suspended",
        "revoked",
        "expired",
        "not_yet_valid",
        "out_of_scope",
        "level_out_of_scope",
        "over_level_cap",
    ]
