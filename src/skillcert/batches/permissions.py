"""Who may do what to a batch: the one place for the app's object-level rules.

The institution plans and runs its own batches (川人社办发〔2020〕20号 附件4 (一)); the
centre it files with decides on the plan — the authority over the institution (属地).
"""

from __future__ import annotations

from skillcert.core.actors import Actor
from skillcert.institutions.models import Institution
from skillcert.institutions.permissions import STAFF_ROLES, is_authority_over


def is_own_staff(actor: Actor, institution: Institution) -> bool:
    """The institution's admin or exam staff (考务人员)."""
    return actor.role in STAFF_ROLES and actor.organisation_id == institution.organisation_id


def can_plan(actor: Actor, institution: Institution) -> bool:
    """Plan, file and run the institution's batches; platform admins and system jobs (the
    demo) may act for it."""
    return actor.is_platform_admin or is_own_staff(actor, institution)


def can_decide(actor: Actor, institution: Institution) -> bool:
    """Approve or return a filed plan: a provincial official, or a city official of the
    institution's city."""
    return is_authority_over(actor, institution)
