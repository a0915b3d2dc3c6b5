"""Persons and their records: education, student status, work history, certificates held.

A person is one real person, found by the blind index of their ID number (type and
number); a second registration with the same number but another name is refused, so
one ID number never stands for two people. Records are added by the person themself or
by staff of an institution they applied to; each add or removal is audited.

Declared records count for the eligibility engine once the application carries the
matching evidence (see ``enrollment.eligibility``); records from the education registry
or issued on this platform cannot be removed here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.identifiers import validate_id, validate_phone
from skillcert.core.models import User
from skillcert.core.personal import id_index, phone_index
from skillcert.enrollment.choices import RecordSource
from skillcert.enrollment.models import (
    Application,
    EducationRecord,
    HeldCertificate,
    Person,
    StudentStatus,
    WorkRecord,
)
from skillcert.enrollment.permissions import can_edit_records, can_verify_diploma
from skillcert.enrollment.services.base import clean_or_raise, required_text
from skillcert.institutions.permissions import STAFF_ROLES

Record = EducationRecord | StudentStatus | WorkRecord | HeldCertificate


def _same_name(a: str, b: str) -> bool:
    return "".join(a.split()) == "".join(b.split())


def _validated_id(id_type: str, id_number: str) -> Any:
    try:
        return validate_id(id_type, id_number)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_id") from exc


def _is_registrar(actor: Actor) -> bool:
    """Institution staff register candidates (and platform admins anyone)."""
    return actor.is_platform_admin or actor.role in STAFF_ROLES


def _may_register(actor: Actor, user: User | None) -> bool:
    return _is_registrar(actor) or (user is not None and actor.user_id == user.pk)


@transaction.atomic
def person_find_or_create(
    *,
    actor: Actor,
    full_name: str,
    id_type: str,
    id_number: str,
    phone: str = "",
    education_level: int | None = None,
    household_registration: str = "",
    user: User | None = None,
) -> Person:
    """The person with this ID number, created if new.

    An existing person is returned unchanged, except that blank contact details are
    filled in and an unlinked person is linked to ``user``. A name that differs from the
    registered one is refused without saying what the registered name is.
    """
    if not _may_register(actor, user):
        raise PermissionDenied(_("只有本人或评价机构工作人员可以登记人员信息。"))
    name = required_text(full_name, _("请填写姓名。"))
    facts = _validated_id(id_type, id_number)
    index = id_index(id_type, facts.number)
    if not _is_registrar(actor) and user is not None and user.id_number_index != index:
        # Registering oneself: only with the real-name identity of one's own account.
        raise PermissionDenied(_("只能使用本人账号登记的证件号码建立个人档案。"))
    existing = Person.objects.select_for_update().filter(id_number_index=index).first()
    if existing is not None:
        return _found(actor, existing, name, phone=phone, user=user)
    person = Person(
        full_name=name,
        id_type=id_type,
        id_number=facts.number,
        id_number_index=index,
        gender=facts.gender,
        birth_date=facts.birth_date,
        education_level=education_level,
        household_registration=household_registration.strip(),
        user=user,
    )
    _set_phone(person, phone)
    clean_or_raise(person, exclude=["photo"])
    try:
        with transaction.atomic():
            person.save(force_insert=True)
    except IntegrityError as exc:
        # Another request registered the same number a moment ago: use theirs.
        raced = Person.objects.select_for_update().filter(id_number_index=index).first()
        if raced is None:
            raise DomainError(_("该账号已关联其他人员档案。"), code="linked_elsewhere") from exc
        return _found(actor, raced, name, phone=phone, user=user)
    audit_record(actor=actor, action="person.create", obj=person, changes={"id_type": id_type})
    return person


def _found(actor: Actor, person: Person, name: str, *, phone: str, user: User | None) -> Person:
    if not _same_name(person.full_name, name):
        raise DomainError(
            _("该证件号码已登记，但姓名与登记信息不一致，请核对姓名和证件号码。"),
            code="name_mismatch",
        )
    return _complete(actor, person, phone=phone, user=user)


def _set_phone(person: Person, phone: str) -> None:
    if not phone.strip():
        return
    try:
        value = validate_phone(phone)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_phone") from exc
    person.phone = value
    person.phone_index = phone_index(value)


def _complete(actor: Actor, person: Person, *, phone: str, user: User | None) -> Person:
    fields: list[str] = []
    if phone.strip() and not person.phone:
        _set_phone(person, phone)
        fields += ["phone", "phone_index"]
    if user is not None and person.user_id != user.pk:
        if person.user_id is not None:
            raise DomainError(
                _("该人员已关联其他账号，请联系评价机构核实。"), code="linked_elsewhere"
            )
        if Person.objects.filter(user=user).exists():
            raise DomainError(_("您的账号已关联其他人员档案。"), code="linked_elsewhere")
        person.user = user
        fields.append("user")
    if fields:
        person.save(update_fields=fields)
        audit_record(actor=actor, action="person.update", obj=person, changes={"fields": fields})
    return person


def person_for_user(*, actor: Actor) -> Person:
    """The acting user's own person, created from their account's real-name identity."""
    user = actor.user
    if user is None or not user.pk:
        raise PermissionDenied(_("请先登录。"))
    own = Person.objects.filter(user=user).first()
    if own is not None:
        return own
    if not user.id_type or not user.id_number:
        raise DomainError(_("您的账号尚未登记证件号码，无法建立个人档案。"), code="no_identity")
    return person_find_or_create(
        actor=actor,
        full_name=user.full_name or user.username,
        id_type=user.id_type,
        id_number=user.id_number.plain,
        phone=user.phone.plain if user.phone else "",
        user=user,
    )


# ---------------------------------------------------------------- records


def _require_editor(actor: Actor, person: Person) -> None:
    if not can_edit_records(actor, person):
        raise PermissionDenied(_("只有本人或其报名机构的工作人员可以修改个人记录。"))


def _not_future(day: date | None, label: str) -> None:
    if day is not None and day > timezone.localdate():
        raise DomainError(_("%(label)s不能晚于今天。") % {"label": label})


def _save_record(actor: Actor, record: Record, action: str) -> None:
    clean_or_raise(record)
    record.save()
    audit_record(
        actor=actor,
        action=action,
        obj=record.person,
        changes={"record": record._meta.model_name, "id": record.pk, "label": str(record)},
    )


@transaction.atomic
def education_add(
    *,
    actor: Actor,
    person: Person,
    school: str,
    school_type: str,
    education_level: int,
    major: str,
    related_major: bool = False,
    major_code: str = "",
    graduated_on: date | None = None,
    diploma_number: str = "",
) -> EducationRecord:
    """A diploma (学历) the person declares; ``graduated_on`` empty: not yet graduated."""
    _require_editor(actor, person)
    _not_future(graduated_on, _("毕业时间"))
    record = EducationRecord(
        person=person,
        school=required_text(school, _("请填写毕业院校。")),
        school_type=school_type,
        education_level=education_level,
        major=required_text(major, _("请填写专业。")),
        major_code=major_code.strip(),
        related_major=related_major,
        graduated_on=graduated_on,
        diploma_number=diploma_number.strip(),
        source=RecordSource.DECLARED,
    )
    _save_record(actor, record, "person.education_add")
    return record


@transaction.atomic
def student_status_add(
    *,
    actor: Actor,
    person: Person,
    school: str,
    school_type: str,
    major: str,
    enrollment_year: int,
    graduation_year: int,
    related_major: bool = False,
    major_code: str = "",
    student_number: str = "",
    state: str = "enrolled",
) -> StudentStatus:
    """A student status (学籍): school, major, enrollment and graduation year, number."""
    _require_editor(actor, person)
    if graduation_year < enrollment_year:
        raise DomainError(_("毕业年份不能早于入学年份。"))
    if enrollment_year > timezone.localdate().year:
        raise DomainError(_("入学年份不能晚于今年。"))
    record = StudentStatus(
        person=person,
        school=required_text(school, _("请填写学校。")),
        school_type=school_type,
        major=required_text(major, _("请填写专业。")),
        major_code=major_code.strip(),
        related_major=related_major,
        enrollment_year=enrollment_year,
        graduation_year=graduation_year,
        student_number=student_number.strip(),
        state=state,
        source=RecordSource.DECLARED,
    )
    _save_record(actor, record, "person.student_status_add")
    return record


@transaction.atomic
def work_record_add(
    *,
    actor: Actor,
    person: Person,
    employer: str,
    job_title: str,
    started_on: date,
    ended_on: date | None = None,
    related: bool = True,
    occupation: Occupation | None = None,
) -> WorkRecord:
    """A period of work; ``ended_on`` empty: still working there."""
    _require_editor(actor, person)
    _not_future(started_on, _("起始时间"))
    _not_future(ended_on, _("结束时间"))
    if ended_on is not None and ended_on < started_on:
        raise DomainError(_("结束时间不能早于起始时间。"))
    record = WorkRecord(
        person=person,
        employer=required_text(employer, _("请填写工作单位。")),
        job_title=required_text(job_title, _("请填写岗位（工种）。")),
        started_on=started_on,
        ended_on=ended_on,
        related=related,
        occupation=occupation,
    )
    _save_record(actor, record, "person.work_record_add")
    return record


@transaction.atomic
def held_certificate_add(
    *,
    actor: Actor,
    person: Person,
    occupation: Occupation,
    level: int,
    number: str,
    issued_on: date,
    issuer: str,
    work_type: WorkType | None = None,
) -> HeldCertificate:
    """A certificate the person declares (职业资格证书 or 职业技能等级证书)."""
    _require_editor(actor, person)
    _not_future(issued_on, _("发证日期"))
    if work_type is not None and work_type.occupation_id != occupation.pk:
        raise DomainError(_("所选工种不属于该职业。"))
    record = HeldCertificate(
        person=person,
        occupation=occupation,
        work_type=work_type,
        level=level,
        number=required_text(number, _("请填写证书编号。")),
        issued_on=issued_on,
        issuer=required_text(issuer, _("请填写发证机构。")),
        source=RecordSource.DECLARED,
    )
    _save_record(actor, record, "person.certificate_add")
    return record


@transaction.atomic
def record_remove(*, actor: Actor, record: Record) -> None:
    """Remove a declared record; registry and platform records stay."""
    person = record.person
    _require_editor(actor, person)
    source = getattr(record, "source", RecordSource.DECLARED)
    if source != RecordSource.DECLARED:
        raise DomainError(_("只能删除本人申报的记录。"), code="not_declared")
    if isinstance(record, EducationRecord) and record.verified_at is not None:
        raise DomainError(_("已核验的学历不能删除。"), code="verified")
    model: type[models.Model] = type(record)
    label, name, pk = str(record), record._meta.model_name, record.pk
    model._default_manager.filter(pk=pk, person=person).delete()
    audit_record(
        actor=actor,
        action="person.record_remove",
        obj=person,
        changes={"record": name, "id": pk, "label": label},
    )


@transaction.atomic
def diploma_verify(*, actor: Actor, person: Person, education_record: EducationRecord) -> int:
    """Verify a graduate's diploma (学历证书) and release the certificates waiting for it
    (云人社通〔2023〕23号): clears ``diploma_pending`` on the person's applications.
    Returns how many applications were released."""
    if education_record.person_id != person.pk:
        raise DomainError(_("该学历记录不属于此人。"))
    if not can_verify_diploma(actor, person):
        raise PermissionDenied(_("只有其报名机构的工作人员或属地人社部门可以核验学历。"))
    if education_record.graduated_on is None:
        raise DomainError(_("该学历尚无毕业时间，不能核验毕业证书。"), code="not_graduated")
    if education_record.verified_at is not None:
        raise DomainError(_("该学历已核验。"), code="already_verified")
    education_record.verified_at = timezone.now()
    education_record.verified_by_label = actor.label[:128]
    education_record.save(update_fields=["verified_at", "verified_by_label"])
    pending = Application.objects.filter(person=person, diploma_pending=True)
    released_ids = list(pending.values_list("pk", flat=True))
    released = pending.update(diploma_pending=False)
    audit_record(
        actor=actor,
        action="person.diploma_verify",
        obj=person,
        changes={"record": education_record.pk, "released_applications": released},
    )
    _issue_released(actor, released_ids)
    return released


def _issue_released(actor: Actor, application_ids: list[int]) -> None:
    """Issue the certificates that waited for this diploma (云人社通〔2023〕23号) in
    batches that have already issued, when the actor may issue them; the rest stay on
    the batch's certificate page for its staff."""
    # Local imports: the certificates app imports this one.
    from skillcert.certificates.issuance import issue_held
    from skillcert.results.choices import Outcome
    from skillcert.results.permissions import can_manage

    waiting = (
        Application.objects.filter(
            pk__in=application_ids,
            result__outcome=Outcome.PASSED,
            certificate__isnull=True,
            batch__issuance_runs__isnull=False,
        )
        .distinct()
        .select_related("batch__institution__organisation")
        .order_by("pk")
    )
    for application in waiting:
        if not can_manage(actor, application.batch):
            continue
        try:
            issue_held(actor=actor, application=application)
        except DomainError:
            continue  # refused (e.g. the batch was archived): left for the staff to see
