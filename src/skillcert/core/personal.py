"""Setting, finding and revealing personal data (ID numbers, phone numbers).

Writes go through :func:`apply_identity` / :func:`apply_phone` so the ciphertext and
its blind index never disagree; a full value leaves the system only through
:func:`personal_reveal`, which checks the role and audits the reveal.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.core import crypto
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role
from skillcert.core.errors import PermissionDenied
from skillcert.core.identifiers import normalise_id, validate_id, validate_phone
from skillcert.core.models import Membership, User

ID_INDEX = "id"
PHONE_INDEX = "phone"
REVEALABLE_FIELDS = frozenset({"id_number", "phone"})
REVEALING_ROLES = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL, Role.INSTITUTION_ADMIN})


def id_index(id_type: str, number: str) -> str:
    # The type is part of the index: the same digits on two document types are two people.
    return crypto.blind_index(ID_INDEX, f"{id_type}:{normalise_id(id_type, number)}")


def phone_index(number: str) -> str:
    return crypto.blind_index(PHONE_INDEX, number)


def apply_identity(user: User, *, id_type: str, number: str) -> None:
    """Validate and set the ID number, its index, and birth date and gender it codes."""
    facts = validate_id(id_type, number)
    user.id_type = id_type
    user.id_number = facts.number
    user.id_number_index = id_index(id_type, facts.number)
    if facts.birth_date:
        user.birth_date = facts.birth_date
    if facts.gender:
        user.gender = facts.gender


def apply_phone(user: User, *, number: str) -> None:
    value = validate_phone(number)
    user.phone = value
    user.phone_index = phone_index(value)


def find_user_by_id_number(id_type: str, number: str) -> User | None:
    return User.objects.filter(id_number_index=id_index(id_type, number)).first()


def can_reveal(actor: Actor, user: User) -> bool:
    """Full values go to the person themself, and to HR officials and institution admins
    whose scope holds one of the person's memberships. Education officials read
    certification data, not identity documents, so they see masked values only."""
    if actor.user_id is not None and actor.user_id == user.pk:
        return True
    if actor.is_platform_admin:
        return True
    if actor.role not in REVEALING_ROLES:
        return False
    return Membership.objects.for_actor(actor).filter(user=user).exists()


@transaction.atomic
def personal_reveal(*, actor: Actor, user: User, field: str) -> str:
    """Return the full value of ``field`` and audit that it was revealed."""
    if field not in REVEALABLE_FIELDS:
        raise ValueError(f"{field} is not a protected field")
    if not can_reveal(actor, user):
        raise PermissionDenied(_("您无权查看完整的个人信息。"))
    audit_record(actor=actor, action="personal_data.reveal", obj=user, changes={"field": field})
    value = getattr(user, field)
    return str(value.plain) if value else ""
