"""Who may do what in supervision: one place for the app's object-level rules.

Supervision is the HR authorities' work (属地: a city's officials for the city's
institutions, the province's for all): education officials and institutions read only
what concerns them, and the public only what is published.
"""

from __future__ import annotations

from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.institutions.models import Institution
from skillcert.institutions.permissions import AUTHORITY_ROLES, is_authority_over

__all__ = ["AUTHORITY_ROLES", "is_authority_over", "is_official", "is_province_official"]


def is_official(actor: Actor) -> bool:
    """An HR official (province or city), or the platform itself."""
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


def is_province_official(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role == Role.PROVINCE_OFFICIAL


def supervises(actor: Actor, institution: Institution) -> bool:
    """The official's scope holds the institution (属地)."""
    return is_authority_over(actor, institution)
