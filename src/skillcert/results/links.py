"""Examiner recusal (回避): who may not score whom.

An examiner may not score a candidate they are linked to (DESIGN.md step 5; national
standards §1.9 考评人员回避): a declared relation (own teacher, relative, employer or
another interest, :class:`ExaminerLink`), the same person (the ID numbers' blind indexes
match) or the same employer (the employer names match once blanks are removed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from skillcert.batches.permissions import is_own_staff
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import StaffMember
from skillcert.results.choices import LinkKind
from skillcert.results.models import ExaminerLink, Panel

Conflict = tuple[StaffMember, Application, str]


def normalise_employer(name: str) -> str:
    """An employer name without any white space (full-width spaces too)."""
    return "".join(name.split())


def _declared(
    staff: Sequence[StaffMember], persons: Iterable[int]
) -> dict[tuple[str, int], ExaminerLink]:
    """Declared links by (staff ID index, person id). A link declared on one registry row
    of a person (say as examiner) also binds their other rows (say as expert)."""
    indexes = {member.id_number_index for member in staff}
    links = ExaminerLink.objects.filter(
        staff__id_number_index__in=indexes, person_id__in=set(persons)
    ).select_related("staff")
    return {(link.staff.id_number_index, link.person_id): link for link in links}


def _reason(
    member: StaffMember,
    application: Application,
    declared: dict[tuple[str, int], ExaminerLink],
) -> str | None:
    link = declared.get((member.id_number_index, application.person_id))
    if link is not None:
        return _("已申报回避关系：%(kind)s") % {"kind": link.get_kind_display()}
    if member.id_number_index == application.person.id_number_index:
        return _("考评员本人即为考生")
    employer = normalise_employer(member.employer)
    if employer and employer == normalise_employer(application.employer):
        return _("与考生为同一工作单位")
    return None


def conflict_reason(staff: StaffMember, application: Application) -> str | None:
    """Why ``staff`` may not score ``application``'s candidate, or None."""
    declared = _declared([staff], [application.person_id])
    return _reason(staff, application, declared)


def conflicts_between(
    staff: Sequence[StaffMember], applications: Sequence[Application]
) -> list[Conflict]:
    """Every (examiner, candidate, reason) conflict among the given rows, with one query
    for the declared links (applications need ``person`` loaded)."""
    declared = _declared(staff, [a.person_id for a in applications])
    found: list[Conflict] = []
    for member in staff:
        for application in applications:
            reason = _reason(member, application, declared)
            if reason is not None:
                found.append((member, application, reason))
    return found


def panel_conflicts(panel: Panel) -> list[Conflict]:
    """The conflicts between the panel's members and its candidates."""
    staff = [m.staff for m in panel.members.select_related("staff")]
    applications = [c.application for c in panel.candidates.select_related("application__person")]
    return conflicts_between(staff, applications)


def _can_declare(actor: Actor, staff: StaffMember) -> bool:
    return actor.is_platform_admin or is_own_staff(actor, staff.institution)


def link_declare(
    *, actor: Actor, staff: StaffMember, person: Person, kind: str, note: str = ""
) -> ExaminerLink:
    """Record that ``staff`` is linked to ``person`` (declared by the examiner or found by
    the institution). Declaring never fails because of existing panels: a panel that
    now holds a conflict shows it as a problem and its scoring stops until it is fixed."""
    if not _can_declare(actor, staff):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以登记回避关系。"))
    if kind not in LinkKind.values:
        raise DomainError(_("请选择回避关系的类型。"), code="kind")
    link = ExaminerLink(
        staff=staff,
        person=person,
        kind=kind,
        note=note.strip()[:200],
        declared_by_label=actor.label[:128],
    )
    try:
        with transaction.atomic():
            link.save()
            audit_record(
                actor=actor,
                action="results.link.declare",
                obj=link,
                changes={"staff": staff.full_name, "person": person.full_name, "kind": kind},
                organisation=staff.institution.organisation,
            )
    except IntegrityError as exc:
        raise DomainError(
            _("%(staff)s与%(person)s的回避关系已登记。")
            % {"staff": staff.full_name, "person": person.full_name},
            code="duplicate",
        ) from exc
    return link


def link_remove(*, actor: Actor, link: ExaminerLink) -> None:
    """Withdraw a declared link (entered by mistake); the audit keeps what it was."""
    staff = link.staff
    if not _can_declare(actor, staff):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以撤销回避关系。"))
    with transaction.atomic():
        locked = ExaminerLink.objects.select_for_update().filter(pk=link.pk).first()
        if locked is None:
            raise DomainError(_("该回避关系已撤销。"), code="gone")
        audit_record(
            actor=actor,
            action="results.link.remove",
            obj=locked,
            changes={
                "staff": staff.full_name,
                "person": locked.person.full_name,
                "kind": locked.kind,
            },
            organisation=staff.institution.organisation,
        )
        locked.delete()
