"""Reads of the violation-case pages: lists in the actor's scope, a case's effects with
links to what they touched, and the cases a person may appeal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.choices import IdType
from skillcert.core.personal import id_index
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.supervision import cases
from skillcert.supervision.choices import AppealStatus, CaseStatus, SubjectKind
from skillcert.supervision.integrity import active_bar
from skillcert.supervision.models import Appeal, CaseEffect, IntegrityRecord, ViolationCase

_RELATED = (
    "institution__organisation",
    "person",
    "staff",
    "application__batch",
    "batch",
)


def is_case_reader(actor: Actor) -> bool:
    """HR officials and institution staff read cases (each in their scope)."""
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES | STAFF_ROLES


def is_hr_official(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


def cases_for(
    actor: Actor, *, status: str = "", subject_kind: str = "", q: str = ""
) -> QuerySet[ViolationCase]:
    found = ViolationCase.objects.for_actor(actor).select_related(*_RELATED)
    if status:
        found = found.filter(status=status)
    if subject_kind:
        found = found.filter(subject_kind=subject_kind)
    q = q.strip()
    if q:
        found = found.filter(
            Q(number__icontains=q)
            | Q(person__full_name__icontains=q)
            | Q(staff__full_name__icontains=q)
            | Q(institution__organisation__name__icontains=q)
        )
    return found


def my_cases(actor: Actor) -> QuerySet[ViolationCase]:
    """Cases about the signed-in person: as a candidate or as a staff member."""
    if actor.user_id is None:
        return ViolationCase.objects.none()
    return (
        ViolationCase.objects.filter(
            Q(subject_kind=SubjectKind.CANDIDATE, person__user_id=actor.user_id)
            | Q(subject_kind=SubjectKind.STAFF, staff__user_id=actor.user_id)
        )
        .exclude(status=CaseStatus.OPEN)
        .select_related(*_RELATED)
        .prefetch_related("effects", "appeals")
    )


def my_case(actor: Actor, pk: int) -> ViolationCase | None:
    return my_cases(actor).filter(pk=pk).first()


@dataclass(frozen=True)
class EffectRow:
    effect: CaseEffect
    url: str


def _effect_url(case: ViolationCase, effect: CaseEffect, *, integrity: bool) -> str:
    if not effect.object_id:
        return ""
    pk = int(effect.object_id)
    if effect.object_type == "certificates.certificate":
        return reverse("certificates-detail", kwargs={"pk": pk})
    if effect.object_type == "institutions.institution":
        return reverse("institution-detail", kwargs={"pk": pk})
    if effect.object_type == "results.result" and case.application_id:
        return reverse("application-detail", kwargs={"pk": case.application_id})
    if effect.object_type == "enrollment.person" and integrity:
        return reverse("supervision-integrity-person", kwargs={"pk": pk})
    if effect.object_type == "institutions.staffmember":
        member = StaffMember.objects.filter(pk=pk).only("institution_id").first()
        if member is not None:
            return reverse("institution-detail", kwargs={"pk": member.institution_id})
    return ""


def effect_rows(
    case: ViolationCase, *, links: bool = True, integrity: bool = False
) -> list[EffectRow]:
    """The case's effects, with links to what they touched (``integrity``: to the
    person's integrity record too, for HR officials)."""
    return [
        EffectRow(effect=e, url=_effect_url(case, e, integrity=integrity) if links else "")
        for e in CaseEffect.objects.filter(case=case).order_by("pk")
    ]


def appeals_of(case: ViolationCase) -> list[Appeal]:
    return list(Appeal.objects.filter(case=case).order_by("pk"))


def may_appeal(actor: Actor, case: ViolationCase, today: date | None = None) -> bool:
    day = today or timezone.localdate()
    return (
        cases.is_subject(actor, case)
        and case.status == CaseStatus.DECIDED
        and case.appeal_due is not None
        and day <= case.appeal_due
        and not Appeal.objects.filter(case=case, status=AppealStatus.FILED).exists()
    )


def open_appeal(case: ViolationCase) -> Appeal | None:
    return Appeal.objects.filter(case=case, status=AppealStatus.FILED).first()


def find_application(actor: Actor, admission_number: str) -> Application | None:
    number = admission_number.strip()
    if not number:
        return None
    return (
        Application.objects.for_actor(actor)
        .select_related("batch__institution", "person")
        .filter(admission_number=number)
        .first()
    )


def find_staff(actor: Actor, institution: Institution, id_number: str) -> StaffMember | None:
    number = id_number.strip().upper()
    if not number:
        return None
    indexes = [id_index(kind, number) for kind in IdType.values]
    return (
        StaffMember.objects.for_actor(actor)
        .filter(institution=institution, id_number_index__in=indexes)
        .order_by("-is_active", "pk")
        .first()
    )


def institution_records(actor: Actor, institution: Institution) -> QuerySet[IntegrityRecord]:
    return (
        IntegrityRecord.objects.for_actor(actor)
        .filter(institution=institution)
        .select_related("case")
    )


def person_records(actor: Actor, person: Person) -> QuerySet[IntegrityRecord]:
    """The person's entries in the official's scope (the bar itself is checked across
    the platform: :func:`person_bar`)."""
    return (
        IntegrityRecord.objects.for_actor(actor)
        .filter(id_number_index=person.id_number_index)
        .select_related("case", "institution__organisation")
    )


def person_bar(person: Person) -> IntegrityRecord | None:
    return active_bar(
        person.id_number_index, on=timezone.localdate(), subject_kind=SubjectKind.CANDIDATE
    )
