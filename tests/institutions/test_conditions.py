"""The 附件1 conditions computed from the registry, pass and fail."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skillcert.core.models import ProvincePolicy
from skillcert.institutions.choices import FilingKind, InstitutionType, StaffKind
from skillcert.institutions.conditions import filing_conditions, missing_materials
from skillcert.institutions.models import Site, StaffMember
from skillcert.institutions.services import registry
from tests.institutions.conftest import (
    SYSTEM,
    LineSpec,
    World,
    draft,
    equip,
    examiner,
    person,
    set_type,
)

pytestmark = pytest.mark.django_db


def _results(world: World, *lines: LineSpec, materials: bool = True) -> dict[str, bool]:
    """Pass/fail per kind of condition (the per-line examiner checks folded into one)."""
    application = draft(world, world.inst_a, *lines, materials=materials)
    results: dict[str, bool] = {}
    for condition in filing_conditions(application):
        kind = condition.key.split(":")[0]
        results[kind] = results.get(kind, True) and condition.passed
    return results


def test_all_conditions_pass_for_an_equipped_institution(world: World) -> None:
    line = world.line(5, 3)
    equip(world.inst_a, line)
    application = draft(world, world.inst_a, line)
    conditions = filing_conditions(application)
    assert all(c.passed for c in conditions), [c for c in conditions if not c.passed]
    keys = [c.key.split(":")[0] for c in conditions]
    assert keys == [
        "scope",
        "examiners",
        "sites",
        "monitoring",
        "item_bank",
        "level_cap",
        "staff",
        "experts",
        "supervisors",
        "materials",
    ]


def test_an_empty_registry_fails(world: World) -> None:
    results = _results(world, world.line(), materials=False)
    assert results == {
        "scope": True,
        "examiners": False,
        "sites": False,
        "monitoring": False,
        "staff": False,
        "experts": False,
        "supervisors": False,
        "materials": False,
        "level_cap": True,
        "item_bank": True,
    }


def test_no_lines_fails_scope_and_item_bank(world: World) -> None:
    results = _results(world)
    assert results["scope"] is False
    assert results["item_bank"] is False


def test_examiners_are_counted_per_line_at_its_highest_level(world: World) -> None:
    a = world.inst_a
    line = world.line(5, 3)
    equip(a, line, examiners=0)
    examiner(a, world.lathe, 3)
    examiner(a, world.lathe, 3)
    examiner(a, world.lathe, 4)  # qualified only up to level 4: does not count for 3
    examiner(a, world.electrician, 3)  # another occupation
    application = draft(world, a, line)
    [check] = [c for c in filing_conditions(application) if c.key.startswith("examiners")]
    assert not check.passed
    assert "2" in check.detail
    examiner(a, world.lathe, 2)  # qualified higher: counts
    [check] = [c for c in filing_conditions(application) if c.key.startswith("examiners")]
    assert check.passed


def test_examiners_for_a_work_type_line(world: World) -> None:
    a = world.inst_a
    line = world.line(5, 4, work_type=world.cnc)
    equip(a, line, examiners=0)
    examiner(a, world.lathe, 4, work_type=world.cnc)
    examiner(a, world.lathe, 4)  # the whole occupation covers the work type
    application = draft(world, a, line)
    [check] = [c for c in filing_conditions(application) if c.key.startswith("examiners")]
    assert not check.passed
    inactive = examiner(a, world.lathe, 4, work_type=world.cnc)
    StaffMember.objects.filter(pk=inactive.pk).update(is_active=False)
    [check] = [c for c in filing_conditions(application) if c.key.startswith("examiners")]
    assert not check.passed
    examiner(a, world.lathe, 4, work_type=world.cnc)
    [check] = [c for c in filing_conditions(application) if c.key.startswith("examiners")]
    assert check.passed


def test_work_type_examiners_do_not_cover_the_whole_occupation(world: World) -> None:
    a = world.inst_a
    line = world.line(5, 4)
    equip(a, line, examiners=0)
    for _n in range(3):
        examiner(a, world.lathe, 4, work_type=world.cnc)
    application = draft(world, a, line)
    [check] = [c for c in filing_conditions(application) if c.key.startswith("examiners")]
    assert not check.passed


def test_the_minimum_comes_from_the_policy(world: World) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"min_examiners_per_occupation": 5}
    )
    line = world.line()
    equip(world.inst_a, line)  # three examiners
    results = _results(world, line)
    assert results["examiners"] is False


def test_monitoring_needs_an_active_site_with_video(world: World) -> None:
    a = world.inst_a
    line = world.line()
    equip(a, line)
    Site.objects.filter(institution=a).update(has_video_monitoring=False)
    registry.site_add(
        actor=SYSTEM,
        institution=a,
        name="旧楼",
        address="x",
        latitude=Decimal(25),
        longitude=Decimal(102),
        has_video_monitoring=True,
    )
    Site.objects.filter(institution=a, name="旧楼").update(is_active=False)
    results = _results(world, line)
    assert results["sites"] is True
    assert results["monitoring"] is False


def test_an_inactive_supervisor_does_not_count(world: World) -> None:
    a = world.inst_a
    line = world.line()
    equip(a, line)
    StaffMember.objects.filter(institution=a, kind=StaffKind.SUPERVISOR).update(is_active=False)
    assert _results(world, line)["supervisors"] is False
    person(a, StaffKind.SUPERVISOR)
    application = a.filing_applications.get()
    assert all(c.passed for c in filing_conditions(application))


def test_level_cap_is_shown(world: World) -> None:
    set_type(world.inst_a, InstitutionType.SECONDARY_VOCATIONAL)
    line = world.line(5, 3)
    equip(world.inst_a, line)
    application = draft(world, world.inst_a, line)
    [cap] = [c for c in filing_conditions(application) if c.key == "level_cap"]
    assert not cap.passed
    assert "车工" in cap.detail


def test_required_materials_by_kind(world: World) -> None:
    application = draft(world, world.inst_a, world.line(), materials=False)
    assert len(missing_materials(application)) == 8
    application.kind = FilingKind.ADDITION
    assert len(missing_materials(application)) == 5
    application.kind = FilingKind.RENEWAL
    assert len(missing_materials(application)) == 4
