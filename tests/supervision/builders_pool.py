"""Builders for the pool and external-supervision tests.

``external_world(cast)`` takes institution A's kit (tests/batches/conftest.py), plans a
complete draft batch with its sessions and, as a draw would, writes an EXTERNAL_SUPERVISION
plan, an inspection of the batch's theory session and the assignment of an external
supervisor whose login (role SUPERVISOR at Kunming's centre) is ``world.supervisor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.test import Client

from skillcert.batches.choices import Component
from skillcert.batches.models import Session
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.core.models import Membership, Organisation, Region, User
from skillcert.supervision.choices import PlanKind, PlanStatus, PoolKind, TargetKind
from skillcert.supervision.models import (
    Inspection,
    InspectionAssignment,
    InspectionPlan,
    PoolMember,
)
from tests.batches.conftest import Kit, build_kit
from tests.conftest import Cast
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

YUNNAN = "530000"


def yunnan() -> Region:
    return Region.objects.get(code=YUNNAN)


def new_user(**kwargs: Any) -> User:
    """The user factory, typed."""
    return cast(User, UserFactory(**kwargs))  # type: ignore[no-untyped-call]


def new_organisation(**kwargs: Any) -> Organisation:
    return cast(Organisation, OrganisationFactory(**kwargs))  # type: ignore[no-untyped-call]


def new_actor(user: User, role: str, organisation: Organisation) -> Actor:
    membership = cast(
        Membership,
        MembershipFactory(user=user, role=role, organisation=organisation),  # type: ignore[no-untyped-call]
    )
    return Actor(user=user, membership=membership)


def login_actor(the_cast: Cast, username: str, role: str = Role.SUPERVISOR) -> Actor:
    """A login outside the cast: a supervisor at Kunming's appraisal centre by default."""
    return new_actor(new_user(username=username), role, the_cast.orgs["centre_a"])


def client_for(actor: Actor) -> Client:
    client = Client()
    assert actor.user is not None
    client.force_login(actor.user)
    return client


def member(
    pool: str = PoolKind.EXTERNAL_SUPERVISOR,
    *,
    name: str = "督导员甲",
    actor: Actor | None = None,
    affiliation: Organisation | None = None,
) -> PoolMember:
    """A pool row written directly (the service is tested on its own)."""
    return PoolMember.objects.create(
        province=yunnan(),
        pool=pool,
        full_name=name,
        user=actor.user if actor else None,
        affiliation=affiliation,
    )


@dataclass
class ExternalWorld:
    cast: Cast
    kit: Kit
    plan: InspectionPlan
    inspection: Inspection
    session: Session  # the inspection's own (theory)
    sibling: Session  # another session of the same batch (practical)
    supervisor: Actor
    member: PoolMember


def plan(
    the_cast: Cast, kind: str = PlanKind.EXTERNAL_SUPERVISION, **kwargs: object
) -> InspectionPlan:
    values: dict[str, object] = {
        "province": yunnan(),
        "organisation": the_cast.orgs["province_hr"],
        "kind": kind,
        "title": "外部质量督导选派（测试）",
        "target_kind": TargetKind.SESSION,
        "target_count": 1,
        "members_per_target": 1,
        "status": PlanStatus.DRAWN,
        "created_by_label": "test",
    }
    values.update(kwargs)
    return InspectionPlan.objects.create(**values)


def assign(inspection: Inspection, pool_member: PoolMember, *, lead: bool = True) -> None:
    InspectionAssignment.objects.create(inspection=inspection, member=pool_member, is_lead=lead)


def external_world(the_cast: Cast, *, kit: Kit | None = None) -> ExternalWorld:
    kit = kit or build_kit(the_cast)
    batch = kit.complete(kit.batch())
    session = batch.sessions.get(component=Component.THEORY)
    sibling = batch.sessions.exclude(pk=session.pk).first()
    assert sibling is not None
    the_plan = plan(the_cast)
    inspection = Inspection.objects.create(
        plan=the_plan, institution=kit.inst, batch=batch, session=session
    )
    supervisor = login_actor(the_cast, f"supervisor_{inspection.pk}")
    pool_member = member(actor=supervisor, affiliation=the_cast.orgs["centre_a"])
    assign(inspection, pool_member)
    return ExternalWorld(
        cast=the_cast,
        kit=kit,
        plan=the_plan,
        inspection=inspection,
        session=session,
        sibling=sibling,
        supervisor=supervisor,
        member=pool_member,
    )
