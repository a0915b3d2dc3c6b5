"""Core JSON endpoints: who am I, and the organisations I can see."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from skillcert.core import selectors
from skillcert.core.actors import ActorRequest
from skillcert.core.models import Organisation

router = Router(tags=["core"])


class MembershipOut(Schema):
    id: int
    role: str
    role_label: str
    organisation_id: int | None
    organisation_name: str | None


class MeOut(Schema):
    username: str
    full_name: str
    is_platform_admin: bool
    scope_level: str | None
    active_membership: MembershipOut | None
    memberships: list[MembershipOut]


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    province_code: str
    city_code: str | None
    parent_id: int | None


def _membership_out(m: object) -> MembershipOut:
    from skillcert.core.models import Membership

    assert isinstance(m, Membership)  # noqa: S101 - narrows the type for mypy
    return MembershipOut(
        id=m.pk,
        role=m.role,
        role_label=str(m.get_role_display()),
        organisation_id=m.organisation_id,
        organisation_name=m.organisation.name if m.organisation else None,
    )


def _organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.pk,
        name=org.name,
        kind=org.kind,
        kind_label=str(org.get_kind_display()),
        province_code=org.province_id,
        city_code=org.city_id,
        parent_id=org.parent_id,
    )


@router.get("/me", response=MeOut, summary="The current user and the membership they act in")
def me(request: ActorRequest) -> MeOut:
    actor = request.actor
    assert actor.user is not None  # noqa: S101 - the router requires authentication
    memberships = selectors.own_memberships(user_id=actor.user_id)
    return MeOut(
        username=actor.user.username,
        full_name=actor.user.full_name,
        is_platform_admin=actor.is_platform_admin,
        scope_level=actor.level,
        active_membership=_membership_out(actor.membership) if actor.membership else None,
        memberships=[_membership_out(m) for m in memberships],
    )


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations in scope")
def organisations(request: ActorRequest) -> list[OrganisationOut]:
    return [_organisation_out(o) for o in selectors.organisation_list(actor=request.actor)]


@router.get("/organisations/{org_id}", response=OrganisationOut)
def organisation(request: ActorRequest, org_id: int) -> OrganisationOut:
    org = get_object_or_404(Organisation.objects.for_actor(request.actor), pk=org_id)
    return _organisation_out(org)
