"""Training records (培训记录) for the lifelong skill record.

粤人社函〔2021〕76号 五(二): the skill bank account records the worker's lifelong training
as well as their evaluations. An institution's admin or exam staff record the courses
people take at their institution; the person is found by the blind index of their ID
number or registered through enrollment's ``person_find_or_create`` (which refuses a name
that differs from the registered one). The same institution later records the outcome.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.permissions import is_own_staff
from skillcert.catalog.models import Occupation
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import SkillLevel
from skillcert.core.errors import DomainError, PermissionDenied, clean_or_raise
from skillcert.enrollment.services.persons import person_find_or_create
from skillcert.institutions.models import Institution
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.models import TrainingRecord

HOURS_MAX = 2000
COURSE_MAX = 128
CERTIFICATE_NUMBER_MAX = 64
# Outcomes that end the course: the end date is then known.
FINISHED = frozenset(
    {TrainingOutcome.COMPLETED, TrainingOutcome.NOT_PASSED, TrainingOutcome.WITHDRAWN}
)


def can_record(actor: Actor, institution: Institution) -> bool:
    """The institution's admin or exam staff (system jobs such as the demo too)."""
    return actor.is_platform_admin or is_own_staff(actor, institution)


def institution_of(actor: Actor) -> Institution | None:
    """The institution whose training an admin or exam staff member records."""
    if actor.organisation_id is None:
        return None
    found = Institution.objects.filter(organisation_id=actor.organisation_id).first()
    return found if found is not None and can_record(actor, found) else None


def _refuse() -> PermissionDenied:
    return PermissionDenied(_("只有本机构的管理员或考务人员可以登记培训记录。"))


def check_outcome(
    outcome: str, started_on: date, ended_on: date | None, certificate_number: str
) -> None:
    if outcome not in TrainingOutcome.values:
        raise DomainError(_("请选择培训结果。"), code="invalid_outcome")
    today = timezone.localdate()
    if started_on > today:
        raise DomainError(_("开始日期不能晚于今天。"), code="future")
    if ended_on is not None and ended_on < started_on:
        raise DomainError(_("结束日期不能早于开始日期。"), code="dates")
    if outcome in FINISHED:
        if ended_on is None:
            raise DomainError(_("培训已结束，请填写结束日期。"), code="ended_on_required")
        if ended_on > today:
            raise DomainError(_("结束日期不能晚于今天。"), code="future")
    if certificate_number and outcome != TrainingOutcome.COMPLETED:
        raise DomainError(_("只有结业合格的培训才能填写培训合格证书编号。"), code="certificate")


def check_course(course: str, hours: int, level: int | None) -> str:
    text = course.strip()
    if not text:
        raise DomainError(_("请填写培训项目。"), code="required")
    if len(text) > COURSE_MAX:
        raise DomainError(_("培训项目名称过长。"), code="too_long")
    if not 1 <= hours <= HOURS_MAX:
        raise DomainError(_("学时应在1至%(max)s之间。") % {"max": HOURS_MAX}, code="invalid_hours")
    if level is not None and level not in SkillLevel.values:
        raise DomainError(_("请选择正确的等级。"), code="invalid_level")
    return text


@transaction.atomic
def training_record_add(
    *,
    actor: Actor,
    name: str,
    id_type: str,
    id_number: str,
    course: str,
    hours: int,
    started_on: date,
    ended_on: date | None,
    outcome: str,
    occupation: Occupation | None = None,
    level: int | None = None,
    certificate_number: str = "",
    institution: Institution | None = None,
) -> TrainingRecord:
    """Record a course taken at the actor's institution. ``institution`` is for platform
    admins and system jobs (staff record for their own institution only)."""
    own = institution_of(actor)
    target = institution or own
    if target is None or not can_record(actor, target):
        raise _refuse()
    text = check_course(course, hours, level)
    number = certificate_number.strip()
    if len(number) > CERTIFICATE_NUMBER_MAX:
        raise DomainError(_("培训合格证书编号过长。"), code="too_long")
    check_outcome(outcome, started_on, ended_on, number)
    person = person_find_or_create(
        actor=actor, full_name=name, id_type=id_type, id_number=id_number
    )
    duplicate = TrainingRecord.objects.filter(
        person=person, institution=target, course=text, started_on=started_on
    ).exists()
    if duplicate:
        raise DomainError(_("该人员的这项培训已登记。"), code="duplicate")
    record = TrainingRecord(
        person=person,
        institution=target,
        course=text,
        occupation=occupation,
        level=level,
        hours=hours,
        started_on=started_on,
        ended_on=ended_on,
        outcome=outcome,
        certificate_number=number,
        recorded_by_label=actor.label[:128],
    )
    clean_or_raise(record)
    record.save(force_insert=True)
    audit_record(
        actor=actor,
        action="stats.training_add",
        obj=record,
        organisation=target.organisation,
        changes={"person": person.pk, "course": text, "hours": hours, "outcome": outcome},
    )
    return record


@transaction.atomic
def training_record_update(
    *,
    actor: Actor,
    record: TrainingRecord,
    outcome: str,
    ended_on: date | None,
    certificate_number: str = "",
) -> TrainingRecord:
    """Record the outcome, end date and certificate number of a course: the institution
    that recorded it."""
    locked = (
        TrainingRecord.objects.select_for_update()
        .select_related("institution__organisation")
        .get(pk=record.pk)
    )
    if not can_record(actor, locked.institution):
        raise _refuse()
    number = certificate_number.strip()
    if len(number) > CERTIFICATE_NUMBER_MAX:
        raise DomainError(_("培训合格证书编号过长。"), code="too_long")
    check_outcome(outcome, locked.started_on, ended_on, number)
    before = {
        "outcome": locked.outcome,
        "ended_on": locked.ended_on,
        "certificate_number": locked.certificate_number,
    }
    after = {"outcome": outcome, "ended_on": ended_on, "certificate_number": number}
    if before == after:
        raise DomainError(_("培训记录没有变化。"), code="unchanged")
    locked.outcome, locked.ended_on, locked.certificate_number = outcome, ended_on, number
    clean_or_raise(locked)
    locked.save(update_fields=["outcome", "ended_on", "certificate_number"])
    audit_record(
        actor=actor,
        action="stats.training_update",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={"before": before, "after": after},
    )
    return locked
