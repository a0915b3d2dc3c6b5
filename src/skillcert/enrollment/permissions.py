"""Who may do what with persons and applications: the app's object-level rules.

* The candidate acts for themself: the person whose ``user`` is the acting user.
* Institution staff (admin, exam staff) act for the batches of their own institution,
  and for the persons who applied to them.
* The authority over the institution (province, or the city it is located in, 属地)
  spot-checks; education officials import the student registry.
"""

from __future__ import annotations

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES, is_authority_over


def is_self(actor: Actor, person: Person) -> bool:
    return actor.user_id is not None and person.user_id == actor.user_id


def is_batch_staff(actor: Actor, batch: Batch) -> bool:
    """Admin or exam staff of the batch's institution (platform admins act for anyone)."""
    if actor.is_platform_admin:
        return True
    return actor.role in STAFF_ROLES and actor.organisation_id == batch.institution.organisation_id


def is_staff_for_person(actor: Actor, person: Person) -> bool:
    """Staff of an institution the person has applied to."""
    if actor.is_platform_admin:
        return True
    return (
        actor.role in STAFF_ROLES
        and actor.organisation_id is not None
        and Application.objects.filter(
            person=person, batch__institution__organisation_id=actor.organisation_id
        ).exists()
    )


def can_edit_records(actor: Actor, person: Person) -> bool:
    """The person themself, or staff of an institution they applied to."""
    return is_self(actor, person) or is_staff_for_person(actor, person)


def can_apply(actor: Actor, person: Person, batch: Batch) -> bool:
    """The candidate for themself, or the batch's staff on the candidate's behalf."""
    return is_self(actor, person) or is_batch_staff(actor, batch)


def can_edit_application(actor: Actor, application: Application) -> bool:
    return is_self(actor, application.person) or is_batch_staff(actor, application.batch)


def can_review(actor: Actor, application: Application) -> bool:
    return is_batch_staff(actor, application.batch)


def can_spot_check(actor: Actor, batch: Batch) -> bool:
    """The HR authority over the batch's institution (云人社函〔2023〕1号 二(一))."""
    return is_authority_over(actor, batch.institution)


def can_view_evidence(actor: Actor, application: Application) -> bool:
    """Evidence holds identity documents: the candidate, the batch's staff and the HR
    authority over it; education officials read certification data, not documents."""
    return (
        is_self(actor, application.person)
        or is_batch_staff(actor, application.batch)
        or is_authority_over(actor, application.batch.institution)
    )


def can_cross_check(actor: Actor, batch: Batch) -> bool:
    """Those who check eligibility (the batch's staff, the HR authority) and the education
    officials whose area the batch is in (云人社通〔2023〕23号: 加强信息审核校验)."""
    if is_batch_staff(actor, batch) or is_authority_over(actor, batch.institution):
        return True
    return (
        actor.role == Role.EDUCATION_OFFICIAL
        and Batch.objects.for_actor(actor).filter(pk=batch.pk).exists()
    )


def can_import_registry(actor: Actor) -> bool:
    """Education officials share their department's student registry."""
    return actor.role == Role.EDUCATION_OFFICIAL and actor.organisation_id is not None


def can_verify_diploma(actor: Actor, person: Person) -> bool:
    """Staff of an institution the person applied to, or the HR authority over one."""
    if is_staff_for_person(actor, person):
        return True
    return (
        actor.role in AUTHORITY_ROLES
        and Person.objects.for_actor(actor).filter(pk=person.pk).exists()
    )
