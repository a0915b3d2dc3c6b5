"""Who may do what to an institution: one place for the app's object-level rules."""

from __future__ import annotations

from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.institutions.models import Institution

AUTHORITY_ROLES = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL})
STAFF_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.EXAM_STAFF})


def in_scope(actor: Actor, institution: Institution) -> bool:
    return Institution.objects.for_actor(actor).filter(pk=institution.pk).exists()


def is_authority_over(actor: Actor, institution: Institution) -> bool:
    """A provincial official of its province or a city official of its city (属地)."""
    if actor.is_platform_admin:
        return True
    return actor.role in AUTHORITY_ROLES and in_scope(actor, institution)


def is_own_admin(actor: Actor, institution: Institution) -> bool:
    return (
        actor.role == Role.INSTITUTION_ADMIN
        and actor.organisation_id == institution.organisation_id
    )


def can_apply(actor: Actor, institution: Institution) -> bool:
    """The institution prepares and submits its own filing applications (platform admins
    and system jobs such as the demo may act for it)."""
    return actor.is_platform_admin or is_own_admin(actor, institution)


def can_edit_registry(actor: Actor, institution: Institution) -> bool:
    """The institution keeps its own registry; authorities may correct it."""
    return is_own_admin(actor, institution) or is_authority_over(actor, institution)
