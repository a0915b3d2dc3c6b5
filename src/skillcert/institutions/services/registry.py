"""The institution's file: registration, sites, staff registry and examiner qualifications."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import OrganisationKind, Role
from skillcert.core.errors import DomainError, PermissionDenied, clean_or_raise
from skillcert.core.identifiers import validate_id, validate_phone, validate_uscc
from skillcert.core.models import Organisation, Region, User
from skillcert.core.personal import id_index
from skillcert.core.services import organisation_create
from skillcert.institutions.models import (
    ExaminerQualification,
    Institution,
    Site,
    StaffMember,
)
from skillcert.institutions.permissions import can_edit_registry


@transaction.atomic
def institution_register(
    *,
    actor: Actor,
    name: str,
    type: str,
    uscc: str,
    city: Region,
    supervisor: Organisation,
    address: str,
    contact_name: str,
    contact_phone: str,
) -> Institution:
    """Register an institution in the organisation tree (a city or provincial official does)."""
    _require_registrar(actor)
    code, phone = _valid_uscc_and_phone(uscc, contact_phone)
    _check_supervisor(supervisor)
    org = organisation_create(
        actor=actor,
        name=name,
        kind=OrganisationKind.INSTITUTION,
        province=city.parent or city,
        city=city,
        parent=supervisor,
    )
    return _institution_save(
        actor,
        org,
        type=type,
        uscc=code,
        supervisor=supervisor,
        address=address,
        contact_name=contact_name,
        contact_phone=phone,
    )


@transaction.atomic
def institution_attach(
    *,
    actor: Actor,
    organisation: Organisation,
    type: str,
    uscc: str,
    supervisor: Organisation,
    address: str,
    contact_name: str,
    contact_phone: str,
) -> Institution:
    """Open the institution file for an existing organisation of kind INSTITUTION."""
    _require_registrar(actor)
    if not (actor.is_platform_admin or _organisation_in_scope(actor, organisation)):
        raise PermissionDenied(_("您无权登记该评价机构。"))
    if organisation.kind != OrganisationKind.INSTITUTION:
        raise DomainError(_("只有评价机构类单位可以登记为评价机构。"))
    if Institution.objects.filter(organisation=organisation).exists():
        raise DomainError(_("该单位已登记为评价机构。"))
    code, phone = _valid_uscc_and_phone(uscc, contact_phone)
    _check_supervisor(supervisor)
    return _institution_save(
        actor,
        organisation,
        type=type,
        uscc=code,
        supervisor=supervisor,
        address=address,
        contact_name=contact_name,
        contact_phone=phone,
    )


def _require_registrar(actor: Actor) -> None:
    if not (actor.is_platform_admin or actor.role in {Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL}):
        raise PermissionDenied(_("只有人社部门可以登记评价机构。"))


def _organisation_in_scope(actor: Actor, organisation: Organisation) -> bool:
    return Organisation.objects.for_actor(actor).filter(pk=organisation.pk).exists()


def _valid_uscc_and_phone(uscc: str, contact_phone: str) -> tuple[str, str]:
    try:
        code = validate_uscc(uscc)
        phone = validate_phone(contact_phone)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages)) from exc
    if Institution.objects.filter(uscc=code).exists():
        raise DomainError(_("该统一社会信用代码已登记。"))
    return code, phone


def _check_supervisor(supervisor: Organisation) -> None:
    if supervisor.kind not in {OrganisationKind.CITY_CENTRE, OrganisationKind.PROVINCE_CENTRE}:
        raise DomainError(_("属地主管部门应为市（州）或省职业技能鉴定指导中心。"))


def _institution_save(
    actor: Actor,
    org: Organisation,
    *,
    type: str,
    uscc: str,
    supervisor: Organisation,
    address: str,
    contact_name: str,
    contact_phone: str,
) -> Institution:
    institution = Institution(
        organisation=org,
        type=type,
        uscc=uscc,
        supervisor=supervisor,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    clean_or_raise(institution)
    institution.save()
    audit_record(
        actor=actor,
        action="institution.register",
        obj=institution,
        organisation=org,
        changes={"after": {"name": org.name, "type": type, "uscc": uscc}},
    )
    return institution


@transaction.atomic
def site_add(
    *,
    actor: Actor,
    institution: Institution,
    name: str,
    address: str,
    latitude: Decimal,
    longitude: Decimal,
    radius_m: int = 300,
    capacity: int = 0,
    has_video_monitoring: bool = False,
) -> Site:
    if not can_edit_registry(actor, institution):
        raise PermissionDenied(_("您无权修改该机构的场地。"))
    site = Site(
        institution=institution,
        name=name,
        address=address,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius_m,
        capacity=capacity,
        has_video_monitoring=has_video_monitoring,
    )
    clean_or_raise(site)
    site.save()
    audit_record(
        actor=actor,
        action="institution.site_add",
        obj=site,
        organisation=institution.organisation,
        changes={"after": {"name": name, "capacity": capacity, "video": has_video_monitoring}},
    )
    return site


@transaction.atomic
def staff_add(
    *,
    actor: Actor,
    institution: Institution,
    kind: str,
    full_name: str,
    id_type: str,
    id_number: str,
    phone: str = "",
    title: str = "",
    skill_level: int | None = None,
    education: str = "",
    employer: str = "",
) -> StaffMember:
    """Add a person to the registry; the ID number is validated, encrypted and indexed."""
    if not can_edit_registry(actor, institution):
        raise PermissionDenied(_("您无权修改该机构的人员名单。"))
    try:
        facts = validate_id(id_type, id_number)
        phone = validate_phone(phone) if phone else ""
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages)) from exc
    index = id_index(id_type, facts.number)
    if StaffMember.objects.filter(
        institution=institution, kind=kind, id_number_index=index
    ).exists():
        raise DomainError(_("此人已在该类人员名单中。"))
    member = StaffMember(
        institution=institution,
        kind=kind,
        full_name=full_name.strip(),
        id_type=id_type,
        id_number=facts.number,
        id_number_index=index,
        gender=facts.gender,
        birth_date=facts.birth_date,
        phone=phone,
        title=title,
        skill_level=skill_level,
        education=education,
        employer=employer,
    )
    clean_or_raise(member)
    member.save()
    audit_record(
        actor=actor,
        action="institution.staff_add",
        obj=member,
        organisation=institution.organisation,
        changes={"after": {"kind": kind, "full_name": member.full_name}},
    )
    return member


@transaction.atomic
def staff_deactivate(*, actor: Actor, member: StaffMember) -> StaffMember:
    if not can_edit_registry(actor, member.institution):
        raise PermissionDenied(_("您无权修改该机构的人员名单。"))
    updated = StaffMember.objects.filter(pk=member.pk, is_active=True).update(is_active=False)
    if not updated:
        raise DomainError(_("该人员已不在册。"))
    member.is_active = False
    audit_record(
        actor=actor,
        action="institution.staff_deactivate",
        obj=member,
        organisation=member.institution.organisation,
    )
    return member


@transaction.atomic
def qualification_set(
    *,
    actor: Actor,
    member: StaffMember,
    occupation: Occupation,
    work_type: WorkType | None,
    highest_level: int,
) -> ExaminerQualification:
    """Record that an examiner may assess an occupation (work type) up to a level."""
    if not can_edit_registry(actor, member.institution):
        raise PermissionDenied(_("您无权修改该机构的人员名单。"))
    if member.kind != "examiner":
        raise DomainError(_("只有考评人员可以登记考评资格。"))
    if work_type is not None and work_type.occupation_id != occupation.pk:
        raise DomainError(_("工种不属于该职业。"))
    qualification, _created = ExaminerQualification.objects.update_or_create(
        staff=member,
        occupation=occupation,
        work_type=work_type,
        defaults={"highest_level": highest_level},
    )
    audit_record(
        actor=actor,
        action="institution.qualification_set",
        obj=qualification,
        organisation=member.institution.organisation,
        changes={"after": {"occupation": occupation.code, "highest_level": highest_level}},
    )
    return qualification


@transaction.atomic
def staff_account_link(*, actor: Actor, member: StaffMember, user: User) -> StaffMember:
    """Let a registry member act through an account (an examiner who scores, a review
    panel member); one account per member of an institution."""
    if not can_edit_registry(actor, member.institution):
        raise PermissionDenied(_("您无权修改该机构的人员名单。"))
    if not member.is_active:
        raise DomainError(_("该人员已不在册。"))
    taken = StaffMember.objects.filter(institution=member.institution, user=user).exclude(
        pk=member.pk
    )
    if taken.exists():
        raise DomainError(_("该账号已关联本机构的其他人员。"))
    before = member.user_id
    member.user = user
    member.save(update_fields=["user"])
    audit_record(
        actor=actor,
        action="institution.staff_account_link",
        obj=member,
        organisation=member.institution.organisation,
        changes={"user": [before, user.pk]},
    )
    return member
