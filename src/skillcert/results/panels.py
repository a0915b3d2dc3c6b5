"""Examiner groups (考评小组) and review panels (评审委员会): who scores which candidates.

A panel has an odd number of at least 3 members (national standards §1.9; policy
``min_examiners`` for the practical part, ``min_review_panel`` for the review), each a
registry member of the batch's institution assigned to the batch as examiner (or as
review panel member), none linked to a candidate of the panel (回避, :mod:`.links`).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.models import StaffMember
from skillcert.institutions.scope import province_policy
from skillcert.results.choices import PanelComponent
from skillcert.results.links import conflicts_between, panel_conflicts
from skillcert.results.models import ExaminerSheet, Panel, PanelCandidate, PanelMember
from skillcert.results.sheets import require_component, require_manager, require_setup

# Who may sit on a panel of each component (batches: StaffAssignment roles).
PANEL_ROLE = {
    PanelComponent.PRACTICAL: StaffRole.EXAMINER,
    PanelComponent.REVIEW: StaffRole.REVIEW_PANEL,
}


def min_members(batch: Batch, component: str) -> int:
    """The policy minimum: examiners for the practical part, panel members for the review."""
    policy = province_policy(batch.institution.organisation.province_id)
    if component == PanelComponent.REVIEW:
        return policy.min_review_panel
    return policy.min_examiners


def eligible_staff(batch: Batch, component: str) -> QuerySet[StaffMember]:
    """Active registry members of the batch's institution assigned to it in the role the
    component needs."""
    return StaffMember.objects.filter(
        institution_id=batch.institution_id,
        is_active=True,
        assignments__batch=batch,
        assignments__role=PANEL_ROLE[PanelComponent(component)],
    ).distinct()


def panel_problems(panel: Panel) -> list[str]:
    """What keeps the panel from scoring; empty when it may score."""
    batch = panel.batch
    members = list(panel.members.select_related("staff"))
    problems: list[str] = []
    minimum = min_members(batch, panel.component)
    if len(members) < minimum or len(members) % 2 == 0:
        # National standards §1.9: 考评小组不少于3人且为奇数.
        problems.append(
            _("考评小组成员须为不少于%(min)d人的奇数，现有%(n)d人。")
            % {"min": minimum, "n": len(members)}
        )
    eligible = set(eligible_staff(batch, panel.component).values_list("pk", flat=True))
    for member in members:
        if member.staff_id not in eligible:
            problems.append(
                _("%(name)s已不在册或未被安排为本批次的%(role)s。")
                % {
                    "name": member.staff.full_name,
                    "role": PANEL_ROLE[PanelComponent(panel.component)].label,
                }
            )
        elif member.staff.user_id is None:
            problems.append(
                _("%(name)s尚未开通平台账号，无法在线评分。") % {"name": member.staff.full_name}
            )
    for staff, application, reason in panel_conflicts(panel):
        problems.append(
            _("考评员%(staff)s与考生%(name)s须回避（%(reason)s）。")
            % {"staff": staff.full_name, "name": application.person.full_name, "reason": reason}
        )
    return problems


def _scoring_started(panel: Panel, application_ids: Sequence[int] | None = None) -> bool:
    rows = ExaminerSheet.objects.filter(
        sheet__batch_id=panel.batch_id,
        sheet__component=panel.component,
        application__panel_places__panel=panel,
    )
    if application_ids is not None:
        rows = rows.filter(application_id__in=application_ids)
    return rows.exists()


def _audit(
    actor: Actor,
    action: str,
    obj: Panel | PanelMember | PanelCandidate,
    batch: Batch,
    changes: dict[str, object],
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        organisation=batch.institution.organisation,
    )


def _locked(batch: Batch, actor: Actor) -> Batch:
    """Permission, then the batch row locked and its state checked."""
    require_manager(actor, batch)
    locked = lock_batch(batch)
    require_setup(locked)
    return locked


def panel_create(*, actor: Actor, batch: Batch, component: str, name: str) -> Panel:
    require_manager(actor, batch)
    require_component(batch, component)
    name = name.strip()[:64]
    if not name:
        raise DomainError(_("请填写考评小组名称。"), code="name")
    with transaction.atomic():
        batch = _locked(batch, actor)
        if Panel.objects.filter(batch=batch, component=component, name=name).exists():
            raise DomainError(_("本批次已有名为“%(name)s”的小组。") % {"name": name}, code="name")
        panel = Panel.objects.create(batch=batch, component=component, name=name)
        _audit(actor, "results.panel.create", panel, batch, {"component": component, "name": name})
    return panel


def _refuse_started(panel: Panel) -> None:
    if _scoring_started(panel):
        raise InvalidTransition(_("该小组已开始评分，不能再调整成员。"), code="scoring_started")


def member_add(
    *, actor: Actor, panel: Panel, staff: StaffMember, is_leader: bool = False
) -> PanelMember:
    """Add a registry member to the panel; refused when linked to one of its candidates."""
    with transaction.atomic():
        batch = _locked(panel.batch, actor)
        if not eligible_staff(batch, panel.component).filter(pk=staff.pk).exists():
            raise DomainError(
                _("%(name)s不是本批次在册的%(role)s，请先在批次中安排。")
                % {
                    "name": staff.full_name,
                    "role": PANEL_ROLE[PanelComponent(panel.component)].label,
                },
                code="not_assigned",
            )
        if panel.members.filter(staff=staff).exists():
            raise DomainError(_("%(name)s已在本小组中。") % {"name": staff.full_name}, code="dup")
        _refuse_started(panel)
        applications = [
            c.application for c in panel.candidates.select_related("application__person")
        ]
        found = conflicts_between([staff], applications)
        if found:
            _member, application, reason = found[0]
            raise DomainError(
                _("%(staff)s与考生%(name)s须回避（%(reason)s），不能加入本小组。")
                % {
                    "staff": staff.full_name,
                    "name": application.person.full_name,
                    "reason": reason,
                },
                code="conflict",
            )
        if is_leader:
            panel.members.filter(is_leader=True).update(is_leader=False)
        member = PanelMember.objects.create(panel=panel, staff=staff, is_leader=is_leader)
        _audit(
            actor,
            "results.panel.member_add",
            member,
            batch,
            {"panel": panel.name, "staff": staff.full_name, "is_leader": is_leader},
        )
    return member


def member_remove(*, actor: Actor, member: PanelMember) -> None:
    panel = member.panel
    with transaction.atomic():
        batch = _locked(panel.batch, actor)
        _refuse_started(panel)
        _audit(
            actor,
            "results.panel.member_remove",
            member,
            batch,
            {"panel": panel.name, "staff": member.staff.full_name},
        )
        PanelMember.objects.filter(pk=member.pk).delete()


def assignable_applications(panel: Panel) -> QuerySet[Application]:
    """Approved applications of the batch not yet on a panel of the component."""
    return (
        Application.objects.filter(batch_id=panel.batch_id, status=ApplicationStatus.APPROVED)
        .exclude(panel_places__component=panel.component)
        .select_related("person")
        .order_by("admission_number", "pk")
    )


def candidates_assign(*, actor: Actor, panel: Panel, applications: Sequence[Application]) -> int:
    """Put candidates on the panel, all or none; refuses candidates of another batch, not
    approved, already on a panel of the component or linked to a member."""
    if not applications:
        raise DomainError(_("请选择考生。"), code="empty")
    with transaction.atomic():
        batch = _locked(panel.batch, actor)
        ids = [a.pk for a in applications]
        open_ids = set(
            assignable_applications(panel).filter(pk__in=ids).values_list("pk", flat=True)
        )
        rows = list(Application.objects.filter(pk__in=ids).select_related("person"))
        for application in rows:
            if application.pk not in open_ids:
                raise DomainError(
                    _("考生%(name)s不是本批次审核通过的考生，或已在其他小组中。")
                    % {"name": application.person.full_name},
                    code="not_assignable",
                )
        staff = [m.staff for m in panel.members.select_related("staff")]
        found = conflicts_between(staff, rows)
        if found:
            member, application, reason = found[0]
            raise DomainError(
                _("考评员%(staff)s与考生%(name)s须回避（%(reason)s），不能将该考生分入本小组。")
                % {
                    "staff": member.full_name,
                    "name": application.person.full_name,
                    "reason": reason,
                },
                code="conflict",
            )
        PanelCandidate.objects.bulk_create(
            PanelCandidate(panel=panel, application=a, component=panel.component) for a in rows
        )
        _audit(
            actor,
            "results.panel.candidates_assign",
            panel,
            batch,
            {"panel": panel.name, "applications": sorted(ids)},
        )
    return len(rows)


def candidate_remove(*, actor: Actor, place: PanelCandidate) -> None:
    panel = place.panel
    with transaction.atomic():
        batch = _locked(panel.batch, actor)
        if _scoring_started(panel, [place.application_id]):
            raise InvalidTransition(
                _("已有考评员为该考生评分，不能移出本小组。"), code="scoring_started"
            )
        _audit(
            actor,
            "results.panel.candidate_remove",
            place,
            batch,
            {"panel": panel.name, "application": place.application_id},
        )
        PanelCandidate.objects.filter(pk=place.pk).delete()


def panel_remove(*, actor: Actor, panel: Panel) -> None:
    """Delete an empty panel set up by mistake (only before any scoring)."""
    with transaction.atomic():
        batch = _locked(panel.batch, actor)
        _refuse_started(panel)
        _audit(actor, "results.panel.remove", panel, batch, {"name": panel.name})
        Panel.objects.filter(pk=panel.pk).delete()
