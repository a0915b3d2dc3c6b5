"""Each role sees exactly its subtree: province ⊃ city ⊃ institution ⊃ person."""

from __future__ import annotations

import pytest
from django.db import transaction

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.models import AuditEvent, Membership, Organisation
from tests.conftest import Cast


def _names(qs: object) -> set[str]:
    return {o.name for o in qs}  # type: ignore[attr-defined]


def test_province_official_sees_whole_province(cast: Cast) -> None:
    seen = _names(Organisation.objects.for_actor(cast.actor("province")))
    assert seen == {o.name for o in cast.orgs.values()}


def test_city_official_sees_only_their_city(cast: Cast) -> None:
    assert _names(Organisation.objects.for_actor(cast.actor("city_a"))) == {
        "昆明市人社局",
        "昆明市鉴定中心",
        "机构A",
    }
    assert _names(Organisation.objects.for_actor(cast.actor("city_b"))) == {"曲靖市人社局", "机构B"}


def test_institution_admin_sees_only_own_institution(cast: Cast) -> None:
    assert _names(Organisation.objects.for_actor(cast.actor("institution_a"))) == {"机构A"}
    assert _names(Organisation.objects.for_actor(cast.actor("institution_b"))) == {"机构B"}


def test_education_official_at_province_sees_province(cast: Cast) -> None:
    assert len(Organisation.objects.for_actor(cast.actor("education"))) == len(cast.orgs)


def test_person_level_roles_see_only_themselves(cast: Cast) -> None:
    # An examiner acts for themself: their own organisation, their own memberships.
    assert _names(Organisation.objects.for_actor(cast.actor("examiner"))) == {"机构A"}
    mine = Membership.objects.for_actor(cast.actor("examiner"))
    assert {m.user_id for m in mine} == {cast.users["examiner"].pk}
    assert not Organisation.objects.for_actor(cast.actor("candidate")).exists()
    assert {m.pk for m in Membership.objects.for_actor(cast.actor("candidate"))} == {
        cast.memberships["candidate"].pk
    }


def test_memberships_follow_the_tree(cast: Cast) -> None:
    city_a = {m.user.username for m in Membership.objects.for_actor(cast.actor("city_a"))}
    assert city_a == {"cast_city_a", "cast_institution_a", "cast_examiner"}
    inst_b = {m.user.username for m in Membership.objects.for_actor(cast.actor("institution_b"))}
    assert inst_b == {"cast_institution_b"}


def test_anonymous_and_membershipless_users_see_nothing(cast: Cast) -> None:
    assert not Organisation.objects.for_actor(cast.actor("anonymous")).exists()
    assert not Organisation.objects.for_actor(None).exists()
    lone = Actor(user=cast.users["province"], membership=None)  # not a superuser
    assert not Organisation.objects.for_actor(lone).exists()


def test_superuser_without_membership_sees_everything(cast: Cast) -> None:
    admin = cast.users["province"]
    admin.is_superuser = True
    assert Organisation.objects.for_actor(Actor(user=admin)).count() == Organisation.objects.count()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("province", {"机构A", "机构B", "昆明市人社局"}),
        ("city_a", {"机构A", "昆明市人社局"}),
        ("institution_b", {"机构B"}),
        ("candidate", set()),
    ],
)
def test_audit_events_are_scoped(cast: Cast, role: str, expected: set[str]) -> None:
    system = Actor.system("test")
    with transaction.atomic():
        for key in ("institution_a", "institution_b", "city_a"):
            org = cast.orgs[key]
            audit_record(actor=system, action="test.touch", obj=org, organisation=org)
    seen = {e.organisation_label for e in AuditEvent.objects.for_actor(cast.actor(role))}
    assert seen == expected
