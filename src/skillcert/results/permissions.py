"""Who may do what with scores and results: the one place for the app's object rules.

The institution runs scoring, computes, publishes and files results (川人社办发〔2020〕20号
附件4 (四)); the centre it files with approves or returns them (沪人社职〔2022〕102号
附件四); examiners write only their own sheets for candidates of their own panels.
"""

from __future__ import annotations

from skillcert.batches.models import Batch
from skillcert.batches.permissions import is_own_staff
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.institutions.models import StaffMember
from skillcert.institutions.permissions import AUTHORITY_ROLES, is_authority_over
from skillcert.results.models import Panel


def can_manage(actor: Actor, batch: Batch) -> bool:
    """Set up sheets and panels, enter and compute scores, publish, handle objections and
    file: the institution's admin or exam staff (system jobs such as the demo too)."""
    return actor.is_platform_admin or is_own_staff(actor, batch.institution)


def can_decide(actor: Actor, batch: Batch) -> bool:
    """Approve or return filed results: the institution's HR authority (属地)."""
    return is_authority_over(actor, batch.institution)


def can_read(actor: Actor, batch: Batch) -> bool:
    """Every candidate's scores: the institution's staff and its HR authorities."""
    if actor.is_platform_admin or is_own_staff(actor, batch.institution):
        return True
    return actor.role in AUTHORITY_ROLES and is_authority_over(actor, batch.institution)


def examiner_member(actor: Actor, panel: Panel) -> StaffMember | None:
    """The registry member through whom ``actor`` sits on ``panel`` (an examiner or review
    panel member of the batch's institution, active), or None."""
    if actor.role not in (Role.EXAMINER, Role.EXPERT) or actor.user_id is None:
        return None
    return (
        StaffMember.objects.filter(
            panel_seats__panel=panel,
            user_id=actor.user_id,
            institution_id=panel.batch.institution_id,
            is_active=True,
        )
        .order_by("pk")
        .first()
    )
