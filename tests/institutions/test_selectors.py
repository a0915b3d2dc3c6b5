"""Scoped reads (institution list, filing queue, expert queue) and the public directory."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.institutions import selectors
from skillcert.institutions.choices import DirectoryNoticeKind, DirectoryStatus
from skillcert.institutions.models import Filing, FilingApplication, Institution
from skillcert.institutions.services import filing as flow
from skillcert.institutions.services import lifecycle
from tests.factories import MembershipFactory
from tests.institutions.conftest import (
    LineSpec,
    World,
    another_institution,
    approved,
    draft,
    submitted,
    under_assessment,
)

pytestmark = pytest.mark.django_db


def test_institution_list_is_scoped(world: World) -> None:
    names = {
        role: {i.pk for i in selectors.institution_list(actor=world.cast.actor(role))}
        for role in ("province", "city_a", "city_b", "institution_a", "candidate", "anonymous")
    }
    a, b = world.inst_a.pk, world.inst_b.pk
    assert names == {
        "province": {a, b},
        "city_a": {a},
        "city_b": {b},
        "institution_a": {a},
        "candidate": set(),
        "anonymous": set(),
    }


def test_filing_queue_puts_overdue_first_and_is_scoped(world: World) -> None:
    late = submitted(world, world.inst_a, world.line())
    FilingApplication.objects.filter(pk=late.pk).update(
        decision_due=timezone.localdate() - timedelta(days=1)
    )
    other = another_institution(city="530400")  # Yuxi: neither city A nor city B
    on_time = submitted(world, other, world.line())
    accepted = submitted(world, world.inst_b, world.line())
    flow.filing_accept(actor=world.authority(world.inst_b), application=accepted)
    queue = list(selectors.filing_queue(actor=world.cast.actor("province")))
    assert queue[0].pk == late.pk
    assert {a.pk for a in queue} == {late.pk, on_time.pk, accepted.pk}
    flags = {a.pk: a.overdue for a in queue}  # type: ignore[attr-defined]
    assert flags == {late.pk: True, on_time.pk: False, accepted.pk: False}
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert selectors.is_overdue(late)
    assert not selectors.is_overdue(on_time)
    assert selectors.is_overdue(on_time, on_time.decision_due + timedelta(days=1))  # type: ignore[operator]
    assert [a.pk for a in selectors.filing_queue(actor=world.cast.actor("city_a"))] == [late.pk]
    assert list(selectors.filing_queue(actor=world.cast.actor("candidate"))) == []


def test_drafts_are_not_in_the_queue_but_in_the_list(world: World) -> None:
    application = draft(world, world.inst_a, world.line())
    assert list(selectors.filing_queue(actor=world.cast.actor("city_a"))) == []
    for role in ("institution_a", "city_a", "province"):
        rows = list(selectors.filing_application_list(actor=world.cast.actor(role)))
        assert [a.pk for a in rows] == [application.pk]
    for role in ("institution_b", "city_b", "candidate"):
        assert list(selectors.filing_application_list(actor=world.cast.actor(role))) == []


def test_applications_for_expert(world: World) -> None:
    application = under_assessment(world, world.inst_a, world.line(), opinions=0, onsite=False)
    expert = world.experts[0]
    assert [a.pk for a in selectors.applications_for_expert(actor=expert)] == [application.pk]
    MembershipFactory(
        user=expert.user, role=Role.EXPERT, organisation=world.cast.orgs["institution_a"]
    )
    assert list(selectors.applications_for_expert(actor=expert)) == []
    assert list(selectors.applications_for_expert(actor=world.cast.actor("city_a"))) == []


def _directory(**filters: Any) -> set[int]:
    return {i.pk for i in selectors.public_directory(**filters)}


def test_public_directory_lists_active_and_suspended_only(world: World) -> None:
    a, b = world.inst_a, world.inst_b
    approved(world, a)
    approved(world, b, LineSpec(world.electrician, world.electric_std, 5, 3))
    unfiled = another_institution()
    assert _directory() == {a.pk, b.pk}
    lifecycle.institution_suspend(
        actor=world.authority(b),
        institution=b,
        reason="x",
        rectification_due=timezone.localdate() + timedelta(days=9),
    )
    rows = {i.pk: i for i in selectors.public_directory()}
    assert rows[b.pk].status == DirectoryStatus.SUSPENDED
    lifecycle.institution_revoke(actor=world.authority(b), institution=b, reason="x")
    assert _directory() == {a.pk}
    Filing.objects.filter(institution=a).update(valid_until=timezone.localdate() - timedelta(1))
    assert _directory() == set()  # expired by date, before the daily task
    Institution.objects.filter(pk=a.pk).update(status=DirectoryStatus.EXPIRED)
    assert _directory() == set()
    assert unfiled.pk not in _directory()


def test_public_directory_filters(world: World) -> None:
    a, b = world.inst_a, world.inst_b
    approved(world, a, world.line(5, 3))
    approved(world, b, LineSpec(world.electrician, world.electric_std, 5, 4))
    assert _directory(region="530100") == {a.pk}
    assert _directory(region=b.organisation.city) == {b.pk}
    assert _directory(region="530000") == {a.pk, b.pk}
    assert _directory(occupation=world.lathe) == {a.pk}
    assert _directory(occupation="6-31-01-03") == {b.pk}
    assert _directory(occupation="车") == {a.pk}
    assert _directory(level=3) == {a.pk}
    assert _directory(occupation=world.electrician, level=3) == set()
    assert _directory(level=5) == {a.pk, b.pk}
    assert _directory(q=a.organisation.name) == {a.pk}
    assert _directory(q=a.uscc) == {a.pk}
    assert _directory(q=Filing.objects.get(institution=b).filing_number) == {b.pk}


def test_public_directory_carries_active_entries_in_two_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    approved(world, world.inst_a, world.line(), LineSpec(world.electrician, world.electric_std))
    approved(world, world.inst_b)
    with django_assert_num_queries(2):
        rows = list(selectors.public_directory())
        entries = {i.pk: [e.occupation.code for e in i.filing.public_entries] for i in rows}
        _names = [(i.organisation.name, i.filing.filing_number) for i in rows]
    assert sorted(entries[world.inst_a.pk]) == ["6-18-01-01", "6-31-01-03"]


def test_public_notices_keep_the_revocation(world: World) -> None:
    approved(world, world.inst_a)
    lifecycle.institution_revoke(
        actor=world.authority(world.inst_a), institution=world.inst_a, reason="造假"
    )
    notices = selectors.public_notices(10)
    assert [n.kind for n in notices] == [DirectoryNoticeKind.REVOKED, DirectoryNoticeKind.LISTED]
    assert selectors.public_notices(1)[0].institution == world.inst_a


def test_the_directory_needs_no_actor(world: World) -> None:
    # Public reads take no actor at all: nothing to scope, nothing private in the rows.
    approved(world, world.inst_a)
    assert _directory() == {world.inst_a.pk}
    assert Actor.system("x").is_platform_admin
