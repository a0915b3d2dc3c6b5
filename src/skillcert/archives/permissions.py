"""Who may do what with archives: one place for the app's object-level rules.

The institution keeps its batches' archives (云人社函〔2023〕1号 二(三): 评价机构…建立
档案): its admin and exam staff archive batches; its admin proposes disposal lists and
carries out an approved one. The HR authority over it (属地) places legal holds and
approves or rejects disposal lists. Education officials, examiners and persons have no
business with archives.
"""

from __future__ import annotations

from skillcert.batches.models import Batch
from skillcert.batches.permissions import is_own_staff
from skillcert.core.actors import Actor
from skillcert.institutions.models import Institution
from skillcert.institutions.permissions import (
    AUTHORITY_ROLES,
    STAFF_ROLES,
    is_authority_over,
    is_own_admin,
)


def reads_archives(actor: Actor) -> bool:
    """HR officials and institution staff (each within their scope)."""
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES | STAFF_ROLES


def is_official(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


def can_archive(actor: Actor, batch: Batch) -> bool:
    """Archive a batch and register its video: the institution's admin or exam staff."""
    return actor.is_platform_admin or is_own_staff(actor, batch.institution)


def can_hold(actor: Actor, institution: Institution) -> bool:
    """Place or release a legal hold: the HR authority over the institution."""
    return is_official(actor) and is_authority_over(actor, institution)


def can_propose_disposal(actor: Actor, institution: Institution) -> bool:
    """Draw up, submit and carry out a disposal list: the institution's admin."""
    return actor.is_platform_admin or is_own_admin(actor, institution)


def can_decide_disposal(actor: Actor, institution: Institution) -> bool:
    """Approve or reject a disposal list: the HR authority over the institution only."""
    return is_official(actor) and is_authority_over(actor, institution)
