"""Linking a registry member to the account through which they score."""

from __future__ import annotations

import pytest

from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.services import registry
from tests.factories import UserFactory
from tests.institutions.conftest import World, person


def test_the_institution_links_a_member_to_an_account(world: World) -> None:
    member = person(world.inst_a, StaffKind.EXAMINER)
    user = UserFactory()
    linked = registry.staff_account_link(
        actor=world.cast.actor("institution_a"), member=member, user=user
    )
    member.refresh_from_db()
    assert member.user_id == linked.user_id == user.pk
    event = AuditEvent.objects.filter(action="institution.staff_account_link").get()
    assert event.changes == {"user": [None, user.pk]}


def test_linking_is_refused_to_others_and_for_a_taken_account(world: World) -> None:
    member = person(world.inst_a, StaffKind.EXAMINER)
    other = person(world.inst_a, StaffKind.EXPERT)
    user = UserFactory()
    for role in ("institution_b", "examiner", "candidate", "city_b"):
        with pytest.raises(PermissionDenied):
            registry.staff_account_link(actor=world.cast.actor(role), member=member, user=user)
    admin = world.cast.actor("institution_a")
    registry.staff_account_link(actor=admin, member=member, user=user)
    with pytest.raises(DomainError):
        registry.staff_account_link(actor=admin, member=other, user=user)
    registry.staff_deactivate(actor=admin, member=other)
    with pytest.raises(DomainError):
        registry.staff_account_link(actor=admin, member=other, user=UserFactory())
    assert AuditEvent.objects.filter(action="institution.staff_account_link").count() == 1
