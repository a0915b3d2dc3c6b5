"""The institutions JSON API: scoped per role, the scope check's answers, filings with the
overdue flag, and the public directory without authentication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from skillcert.core.choices import IdType
from skillcert.institutions.choices import DirectoryStatus, FilingStatus, InstitutionType
from skillcert.institutions.models import Filing, Institution
from skillcert.institutions.services import filing as flow
from skillcert.institutions.services import lifecycle, registry
from tests.conftest import CAST_ROLES, Cast
from tests.factories import resident_id
from tests.institutions.conftest import (
    SYSTEM,
    World,
    another_institution,
    approved,
    draft,
    set_type,
    submitted,
)


def get(cast: Cast, role: str, url: str, **params: Any) -> Any:
    return cast.client(role).get(url, params)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json())


# ---------------------------------------------------------------- /institutions


def test_institutions_are_scoped_per_role(world: World) -> None:
    cast = world.cast
    seen = {role: get(cast, role, "/api/v1/institutions") for role in CAST_ROLES}
    assert seen.pop("anonymous").status_code == 401
    assert {role: names(response) for role, response in seen.items()} == {
        "province": ["机构A", "机构B"],
        "education": ["机构A", "机构B"],
        "city_a": ["机构A"],
        "city_b": ["机构B"],
        "institution_a": ["机构A"],
        "institution_b": ["机构B"],
        # Persons act for themselves and have no institution file in scope.
        "examiner": [],
        "candidate": [],
    }


def test_institution_fields_before_and_after_filing(world: World) -> None:
    url = f"/api/v1/institutions/{world.inst_a.pk}"
    before = get(world.cast, "city_a", url).json()
    assert before == {
        "id": world.inst_a.pk,
        "name": "机构A",
        "type": InstitutionType.TECHNICAL_SCHOOL,
        "category": "Y",
        "uscc": world.inst_a.uscc,
        "city_code": "530100",
        "status": DirectoryStatus.UNFILED,
        "filing_number": None,
        "valid_until": None,
        "certificate_prefix": "Y000053",
    }
    approved(world, world.inst_a)
    filing = Filing.objects.get(institution=world.inst_a)
    after = get(world.cast, "city_a", url).json()
    assert after["status"] == DirectoryStatus.ACTIVE
    assert after["filing_number"] == filing.filing_number
    assert after["valid_until"] == filing.valid_until.isoformat()
    world.inst_a.refresh_from_db()
    assert after["certificate_prefix"] == f"Y000053{world.inst_a.site_serial}"
    assert len(after["certificate_prefix"]) == 13


@pytest.mark.parametrize("role", ["city_b", "institution_b", "examiner", "candidate"])
def test_out_of_scope_institution_is_404(world: World, role: str) -> None:
    pk = world.inst_a.pk
    assert get(world.cast, role, f"/api/v1/institutions/{pk}").status_code == 404
    check = get(
        world.cast,
        role,
        f"/api/v1/institutions/{pk}/scope-check",
        occupation="6-18-01-01",
        level=5,
    )
    assert check.status_code == 404


def test_absent_institution_is_404(world: World) -> None:
    assert get(world.cast, "province", "/api/v1/institutions/999999").status_code == 404


# ---------------------------------------------------------------- scope check


def scope_check(
    world: World, institution: Institution, role: str = "province", **params: Any
) -> Any:
    url = f"/api/v1/institutions/{institution.pk}/scope-check"
    return get(world.cast, role, url, **params)


def decision(world: World, institution: Institution, **params: Any) -> dict[str, Any]:
    response = scope_check(world, institution, **params)
    assert response.status_code == 200, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"allowed", "code", "reason"}
    return body


def test_scope_check_answers(world: World) -> None:
    inst = world.inst_a
    assert decision(world, inst, occupation="6-18-01-01", level=5) == {
        "allowed": False,
        "code": "unfiled",
        "reason": "该机构尚未备案，不能开展 车工（6-18-01-01）五级/初级工 的认定。",
    }
    approved(world, inst, world.line(5, 3))

    for params in (
        {"occupation": "6-18-01-01", "level": 4},
        {"occupation": "6-18-01-01", "level": 3},
        # A line for the whole occupation covers its work types.
        {"occupation": "6-18-01-01", "level": 5, "work_type": "数控车工"},
    ):
        assert decision(world, inst, **params) == {"allowed": True, "code": "ok", "reason": ""}

    out = decision(world, inst, occupation="6-31-01-03", level=5)
    assert out == {
        "allowed": False,
        "code": "out_of_scope",
        "reason": "该机构未备案 电工（6-31-01-03）五级/初级工",
    }
    above = decision(world, inst, occupation="6-18-01-01", level=2)
    assert above["code"] == "level_out_of_scope"
    assert above["reason"] == (
        "该机构备案的 车工（6-18-01-01） 等级范围为五级/初级工至三级/高级工，不含二级/技师。"
    )
    later = (timezone.localdate() + timedelta(days=365 * 4)).isoformat()
    expired = decision(world, inst, occupation="6-18-01-01", level=4, on_date=later)
    assert expired["code"] == "expired"
    assert expired["allowed"] is False

    # The same answer for every official over A and for A itself.
    for role in ("city_a", "institution_a", "education"):
        assert scope_check(world, inst, role, occupation="6-18-01-01", level=4).json()["allowed"]


def test_scope_check_over_the_level_cap(world: World) -> None:
    inst = set_type(world.inst_b, InstitutionType.SECONDARY_VOCATIONAL)
    approved(world, inst, world.line(5, 4))
    assert decision(world, inst, occupation="6-18-01-01", level=4)["allowed"] is True
    capped = decision(world, inst, occupation="6-18-01-01", level=3)
    assert capped == {
        "allowed": False,
        "code": "over_level_cap",
        "reason": "中等职业学校只能开展四级/中级工及以下等级的认定，"
        "不能开展 车工（6-18-01-01）三级/高级工 的认定。",
    }


def test_scope_check_suspended_and_revoked(world: World) -> None:
    inst = world.inst_a
    approved(world, inst)
    due = timezone.localdate() + timedelta(days=30)
    lifecycle.institution_suspend(
        actor=world.cast.actor("city_a"), institution=inst, reason="整改", rectification_due=due
    )
    suspended = decision(world, inst, occupation="6-18-01-01", level=5)
    assert suspended == {
        "allowed": False,
        "code": "suspended",
        "reason": f"该机构已被暂停评价（整改期限至{due.isoformat()}），"
        "不能开展 车工（6-18-01-01）五级/初级工 的认定。",
    }
    lifecycle.institution_revoke(actor=world.cast.actor("city_a"), institution=inst, reason="违规")
    assert decision(world, inst, occupation="6-18-01-01", level=5)["code"] == "revoked"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"occupation": "6-18-01-01", "level": 9}, 422),
        ({"occupation": "6-18-01-01", "level": 0}, 422),
        ({"occupation": "6-18-01-01", "level": "三"}, 422),
        ({"occupation": "6-18-01-01"}, 422),
        ({"level": 4}, 422),
        ({"occupation": "9-99-99-99", "level": 4}, 404),
        ({"occupation": "6-18-01-01", "level": 4, "work_type": "铣工"}, 404),
        ({"occupation": "6-18-01-01", "level": 4, "on_date": "2026-13-01"}, 422),
    ],
)
def test_scope_check_refuses_bad_input(world: World, params: dict[str, Any], status: int) -> None:
    approved(world, world.inst_a)
    assert scope_check(world, world.inst_a, **params).status_code == status


def test_scope_check_needs_a_login(world: World) -> None:
    response = Client().get(
        f"/api/v1/institutions/{world.inst_a.pk}/scope-check",
        {"occupation": "6-18-01-01", "level": 5},
    )
    assert response.status_code == 401


# ---------------------------------------------------------------- filings


def _filings(world: World, role: str, **params: Any) -> list[dict[str, Any]]:
    response = get(world.cast, role, "/api/v1/filings", **params)
    assert response.status_code == 200, response.content
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_filings_with_the_overdue_flag(world: World) -> None:
    late = draft(world, another_institution("530100"), world.line())
    flow.filing_submit(actor=SYSTEM, application=late, today=timezone.localdate() - timedelta(40))
    late.refresh_from_db()
    fresh = submitted(world, world.inst_a, world.line())
    in_b = draft(world, world.inst_b, world.line())
    assert late.decision_due is not None
    assert fresh.decision_due is not None

    rows = {row["id"]: row for row in _filings(world, "city_a")}
    assert set(rows) == {late.pk, fresh.pk}
    assert rows[late.pk]["overdue"] is True
    assert rows[fresh.pk]["overdue"] is False
    assert rows[late.pk]["decision_due"] == late.decision_due.isoformat()
    assert rows[fresh.pk] == {
        "id": fresh.pk,
        "institution_id": world.inst_a.pk,
        "institution_name": "机构A",
        "kind": "initial",
        "status": FilingStatus.SUBMITTED,
        "submitted_at": rows[fresh.pk]["submitted_at"],
        "decision_due": fresh.decision_due.isoformat(),
        "decision_due_provisional": fresh.decision_due_provisional,
        "overdue": False,
    }
    assert rows[fresh.pk]["submitted_at"] is not None

    assert [r["id"] for r in _filings(world, "city_a", overdue="true")] == [late.pk]
    assert [r["id"] for r in _filings(world, "city_a", overdue="false")] == [fresh.pk]
    # City B sees its own institution's draft, not city A's applications.
    assert [r["id"] for r in _filings(world, "city_b")] == [in_b.pk]
    assert {r["id"] for r in _filings(world, "province")} == {late.pk, fresh.pk, in_b.pk}
    for role in ("examiner", "candidate"):
        assert _filings(world, role) == []
    assert get(world.cast, "anonymous", "/api/v1/filings").status_code == 401


def test_an_institution_sees_its_own_applications_in_every_state(world: World) -> None:
    application = draft(world, world.inst_b, world.line())
    rows = _filings(world, "institution_b")
    assert [(r["id"], r["status"], r["overdue"]) for r in rows] == [
        (application.pk, FilingStatus.DRAFT, False)
    ]
    assert _filings(world, "institution_a") == []
    assert _filings(world, "institution_b", status="submitted") == []
    bad = get(world.cast, "institution_b", "/api/v1/filings", status="bogus")
    assert bad.status_code == 422


# ---------------------------------------------------------------- public directory


def test_public_directory_without_authentication(world: World) -> None:
    approved(world, world.inst_a, world.line(5, 3))
    approved(world, world.inst_b, world.line(5, 4, work_type=world.cnc))
    draft(world, another_institution("530100"), world.line())  # unfiled: never listed
    public = Client()

    rows = public.get("/api/v1/public/directory").json()
    assert sorted(r["name"] for r in rows) == ["机构A", "机构B"]
    entry_a = next(r for r in rows if r["name"] == "机构A")
    filing_a = Filing.objects.get(institution=world.inst_a)
    assert entry_a == {
        "id": world.inst_a.pk,
        "name": "机构A",
        "type": InstitutionType.TECHNICAL_SCHOOL,
        "category": "Y",
        "city_code": "530100",
        "status": DirectoryStatus.ACTIVE,
        "filing_number": filing_a.filing_number,
        "valid_from": filing_a.valid_from.isoformat(),
        "valid_until": filing_a.valid_until.isoformat(),
        "scope": [
            {
                "occupation_code": "6-18-01-01",
                "occupation_name": "车工",
                "work_type": None,
                "lowest_level": 5,
                "highest_level": 3,
                "standard": "国家职业技能标准 车工（2018年版）",
            }
        ],
    }
    assert "uscc" not in entry_a  # no more than the public page shows
    entry_b = next(r for r in rows if r["name"] == "机构B")
    assert entry_b["scope"][0]["work_type"] == "数控车工"

    def listed(**params: Any) -> list[str]:
        response = public.get("/api/v1/public/directory", params)
        assert response.status_code == 200
        return sorted(r["name"] for r in response.json())

    assert listed(occupation="车工", level=3) == ["机构A"]
    assert listed(occupation="6-18-01-01", level=4) == ["机构A", "机构B"]
    assert listed(occupation="电工") == []
    assert public.get("/api/v1/public/directory", {"level": 7}).status_code == 422

    lifecycle.institution_revoke(
        actor=world.cast.actor("city_b"), institution=world.inst_b, reason="违规"
    )
    assert listed() == ["机构A"]


# ---------------------------------------------------------------- query counts


def _more_filed(world: World, n: int) -> None:
    for _n in range(n):
        approved(world, another_institution("530100"))


@pytest.mark.parametrize("extra", [0, 3])
def test_public_directory_queries(world: World, django_assert_num_queries: Any, extra: int) -> None:
    approved(world, world.inst_a)
    _more_filed(world, extra)
    with django_assert_num_queries(2):  # institutions, their scope entries
        response = Client().get("/api/v1/public/directory")
    assert len(response.json()) == 1 + extra


@pytest.mark.parametrize("extra", [0, 4])
def test_institutions_endpoint_queries(
    world: World, django_assert_num_queries: Any, extra: int
) -> None:
    for _n in range(extra):
        another_institution("530100")
    client = world.cast.client("province")
    with django_assert_num_queries(4):  # session, user, memberships, institutions
        response = client.get("/api/v1/institutions")
    assert len(response.json()) == 2 + extra


@pytest.mark.parametrize("extra", [0, 3])
def test_filings_endpoint_queries(world: World, django_assert_num_queries: Any, extra: int) -> None:
    submitted(world, world.inst_a, world.line())
    for _n in range(extra):
        submitted(world, another_institution("530100"), world.line())
    client = world.cast.client("city_a")
    with django_assert_num_queries(4):  # session, user, memberships, applications
        response = client.get("/api/v1/filings")
    assert len(response.json()) == 1 + extra


def test_registry_writes_do_not_leak_personal_data(world: World) -> None:
    """The institution endpoints carry no staff data: ID numbers stay out of the API."""
    number = resident_id(serial=555)
    registry.staff_add(
        actor=world.cast.actor("institution_a"),
        institution=world.inst_a,
        kind="examiner",
        full_name="赵考评",
        id_type=IdType.RESIDENT,
        id_number=number,
    )
    body = get(world.cast, "city_a", f"/api/v1/institutions/{world.inst_a.pk}").content.decode()
    assert number not in body
    assert "赵考评" not in body
