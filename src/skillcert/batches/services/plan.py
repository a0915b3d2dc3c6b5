"""The batch plan (认定计划): rooms, the batch itself, its sessions and its staffing.

The plan's contents follow 川人社办发〔2020〕20号 附件4 (一) (occupation and level, the
assessment mode and weights, rooms, exam staff and examiners) and 沪人社职〔2022〕102号
附件 四(一) (评价时间地点、考场安排及监考人员、考评人员、内部质量督导员安排). Each function
is one transaction with one audit event; the batch row is locked before it changes.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BATCH_EDITABLE, AssessmentMode, Component, StaffRole
from skillcert.batches.models import Batch, Room, Session, StaffAssignment
from skillcert.batches.services.common import (
    audit,
    lock_batch,
    require_adjustable,
    require_not_frozen,
    require_planner,
    require_status,
)
from skillcert.batches.validation import local_day, plan_filing_due
from skillcert.catalog.models import StandardLevel, WorkType
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import Institution, Site, StaffMember
from skillcert.institutions.numbering import next_value
from skillcert.institutions.scope import province_policy
from skillcert.institutions.services.lifecycle import clean_or_raise

# ---------------------------------------------------------------- rooms


@transaction.atomic
def room_add(*, actor: Actor, site: Site, name: str, kind: str, capacity: int) -> Room:
    """Add a room with its seats to one of the institution's sites."""
    institution = site.institution
    require_planner(actor, institution)
    if not site.is_active:
        raise DomainError(_("该场地已停用，不能添加考场。"), code="site_inactive")
    name = name.strip()
    if Room.objects.filter(site=site, name=name).exists():
        raise DomainError(
            _("该场地已有名为“%(name)s”的考场。") % {"name": name}, code="room_exists"
        )
    room = Room(site=site, name=name, kind=kind, capacity=capacity)
    clean_or_raise(room)
    room.save()
    audit_record(
        actor=actor,
        action="batch.room_add",
        obj=room,
        organisation=institution.organisation,
        changes={"after": {"site": site.name, "name": name, "kind": kind, "capacity": capacity}},
    )
    return room


# ---------------------------------------------------------------- the batch


def _default_weights(level: int) -> tuple[Decimal, Decimal, Decimal]:
    # Levels 2 and 1 add a performance review (附件4 (一)); the institution sets the shares.
    if level <= 2:
        return Decimal(20), Decimal(60), Decimal(20)
    return Decimal(30), Decimal(70), Decimal(0)


def allocate_code(institution: Institution, year: int) -> str:
    """``{province}{site serial}-{YYYY}-{NNN}``, e.g. ``53000001-2026-001``, per institution
    and year, from a counter locked until the transaction ends. Before the province assigns
    a site serial the institution's id stands in (``53I17-2026-001``); the counter is the
    institution's either way, so the codes never repeat."""
    province = institution.site_province or institution.organisation.province_id[:2]
    prefix = (
        f"{province}{institution.site_serial}"
        if institution.site_serial
        else f"{province}I{institution.pk}"
    )
    serial = next_value(f"batch:{institution.pk}:{year}", 999)
    return f"{prefix}-{year:04d}-{serial:03d}"


def _check_subject(standard_level: StandardLevel, work_type: WorkType | None, level: int) -> None:
    standard = standard_level.standard
    if not standard.is_active:
        raise DomainError(_("该职业技能标准已停止使用。"), code="standard_inactive")
    if level != standard_level.level:
        raise DomainError(_("等级与所选标准等级不一致。"), code="level_mismatch")
    if work_type is None:
        return
    if work_type.occupation_id != standard.occupation_id:
        raise DomainError(_("工种不属于该标准的职业。"), code="work_type_mismatch")
    covered = list(standard.work_types.values_list("pk", flat=True))
    if covered and work_type.pk not in covered:
        raise DomainError(_("该标准不适用于这个工种。"), code="work_type_mismatch")


@transaction.atomic
def batch_create(
    *,
    actor: Actor,
    institution: Institution,
    standard_level: StandardLevel,
    work_type: WorkType | None = None,
    level: int | None = None,
    title: str,
    mode: str = AssessmentMode.STANDARD,
    planned_candidates: int,
    enrollment_opens: date,
    enrollment_closes: date,
    theory_weight: Decimal | None = None,
    practical_weight: Decimal | None = None,
    review_weight: Decimal | None = None,
    pass_mark: int | None = None,
    component_pass_marks: dict[str, int] | None = None,
) -> Batch:
    """Start a draft plan for one occupation (work type) × level × standard. The occupation
    comes from the standard; weights default by level and the pass mark from the policy."""
    require_planner(actor, institution)
    level = standard_level.level if level is None else level
    _check_subject(standard_level, work_type, level)
    defaults = _default_weights(level)
    policy = province_policy(institution.organisation.province_id)
    batch = Batch(
        institution=institution,
        code=allocate_code(institution, timezone.localdate().year),
        title=title.strip(),
        standard_level=standard_level,
        occupation_id=standard_level.standard.occupation_id,
        work_type=work_type,
        level=level,
        mode=mode,
        planned_candidates=planned_candidates,
        enrollment_opens=enrollment_opens,
        enrollment_closes=enrollment_closes,
        theory_weight=defaults[0] if theory_weight is None else theory_weight,
        practical_weight=defaults[1] if practical_weight is None else practical_weight,
        review_weight=defaults[2] if review_weight is None else review_weight,
        pass_mark=policy.pass_mark if pass_mark is None else pass_mark,
        component_pass_marks=_component_marks(component_pass_marks or {}),
    )
    _preview_due(batch, None)
    clean_or_raise(batch)
    batch.save()
    audit(
        actor,
        "batch.create",
        batch,
        after={
            "code": batch.code,
            "standard_level": standard_level.pk,
            "work_type": work_type.pk if work_type else None,
            "level": level,
            "planned_candidates": planned_candidates,
        },
    )
    return batch


def _preview_due(batch: Batch, first_session: date | None) -> None:
    """While the plan is a draft its due date follows its dates; filing fixes it."""
    due = plan_filing_due(batch, first_session)
    batch.filing_due, batch.filing_due_provisional = due.due, due.provisional


def _first_session_day(batch: Batch) -> date | None:
    first = batch.sessions.order_by("starts_at").first()
    return local_day(first) if first else None


_UPDATABLE = (
    "title",
    "mode",
    "planned_candidates",
    "enrollment_opens",
    "enrollment_closes",
    "theory_weight",
    "practical_weight",
    "review_weight",
    "pass_mark",
    "component_pass_marks",
)


def _component_marks(marks: dict[str, int]) -> dict[str, int]:
    """Pass marks of single components that differ from the batch's (each component is
    scored out of 100 and passes on its own, 川人社办发〔2020〕20号 附件4)."""
    clean: dict[str, int] = {}
    for component, mark in marks.items():
        if component not in Component.values or not 0 <= int(mark) <= 100:
            raise DomainError(_("单科合格分应为 0–100 之间的整数。"), code="pass_mark")
        clean[component] = int(mark)
    return clean


@transaction.atomic
def batch_update(
    *,
    actor: Actor,
    batch: Batch,
    title: str | None = None,
    mode: str | None = None,
    planned_candidates: int | None = None,
    enrollment_opens: date | None = None,
    enrollment_closes: date | None = None,
    theory_weight: Decimal | None = None,
    practical_weight: Decimal | None = None,
    review_weight: Decimal | None = None,
    pass_mark: int | None = None,
    component_pass_marks: dict[str, int] | None = None,
) -> Batch:
    """Change a draft or returned plan; ``None`` leaves a field as it is. The subject
    (standard, work type, level) is fixed: plan another batch for another one."""
    require_planner(actor, batch.institution)
    locked = lock_batch(batch)
    require_not_frozen(locked)
    require_status(locked, BATCH_EDITABLE, _("修改计划"))
    given: dict[str, Any] = {
        "title": title.strip() if title is not None else None,
        "mode": mode,
        "planned_candidates": planned_candidates,
        "enrollment_opens": enrollment_opens,
        "enrollment_closes": enrollment_closes,
        "theory_weight": theory_weight,
        "practical_weight": practical_weight,
        "review_weight": review_weight,
        "pass_mark": pass_mark,
        "component_pass_marks": None
        if component_pass_marks is None
        else _component_marks(component_pass_marks),
    }
    before, after = {}, {}
    for name in _UPDATABLE:
        value = given[name]
        if value is not None and value != getattr(locked, name):
            before[name], after[name] = getattr(locked, name), value
            setattr(locked, name, value)
    _preview_due(locked, _first_session_day(locked))
    clean_or_raise(locked)
    locked.save(update_fields=[*after, "filing_due", "filing_due_provisional"])
    audit(actor, "batch.update", locked, before=before, after=after)
    return locked


# ---------------------------------------------------------------- sessions


@transaction.atomic
def session_add(
    *,
    actor: Actor,
    batch: Batch,
    component: str,
    room: Room,
    starts_at: datetime,
    duration_minutes: int,
) -> Session:
    """Schedule a sitting of one component in one of the institution's rooms."""
    require_planner(actor, batch.institution)
    locked = lock_batch(batch)
    require_adjustable(locked)
    if component not in locked.scheduled_components:
        text = _("本批次不安排%(component)s场次。") % {"component": Component(component).label}
        raise DomainError(text, code="component_not_assessed")
    if room.site.institution_id != locked.institution_id:
        raise DomainError(_("只能使用本机构评价场地的考场。"), code="room_not_owned")
    if not (room.is_active and room.site.is_active):
        raise DomainError(_("该考场已停用。"), code="room_inactive")
    if timezone.is_naive(starts_at):
        raise DomainError(_("开始时间须包含时区。"), code="naive_datetime")
    session = Session(
        batch=locked,
        component=component,
        room=room,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
    )
    clean_or_raise(session)
    session.save()
    _after_schedule_change(locked)
    audit(
        actor,
        "batch.session_add",
        locked,
        after={
            "session": session.pk,
            "component": component,
            "room": str(room),
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
        },
    )
    return session


def _after_schedule_change(batch: Batch) -> None:
    # An approved plan keeps the due date it was filed against.
    if batch.is_editable:
        _preview_due(batch, _first_session_day(batch))
        batch.save(update_fields=["filing_due", "filing_due_provisional"])


@transaction.atomic
def session_remove(*, actor: Actor, session: Session) -> None:
    """Remove a planned session and the staff assigned to it."""
    require_planner(actor, session.batch.institution)
    locked = lock_batch(session.batch)
    require_adjustable(locked)
    if session.seats.exists():
        raise DomainError(_("该场次已安排考生座位，不能删除。"), code="session_has_seats")
    label = str(session)
    pk = session.pk
    session.delete()
    _after_schedule_change(locked)
    audit(actor, "batch.session_remove", locked, before={"session": pk, "label": label})


# ---------------------------------------------------------------- staffing

# Which registry kinds may take which role (national standards §1.9; 附件1 staff kinds).
ROLE_KINDS: dict[str, frozenset[str]] = {
    StaffRole.EXAM_STAFF: frozenset({StaffKind.STAFF}),
    StaffRole.PROCTOR: frozenset({StaffKind.STAFF, StaffKind.EXAMINER, StaffKind.EXPERT}),
    StaffRole.EXAMINER: frozenset({StaffKind.EXAMINER}),
    StaffRole.REVIEW_PANEL: frozenset({StaffKind.EXAMINER, StaffKind.EXPERT}),
    StaffRole.INTERNAL_SUPERVISOR: frozenset({StaffKind.SUPERVISOR}),
}
# A role tied to sessions of one component; None: any session or the whole batch.
ROLE_COMPONENT: dict[str, str | None] = {
    StaffRole.EXAMINER: Component.PRACTICAL,
    StaffRole.REVIEW_PANEL: Component.REVIEW,
}


def _check_assignment(batch: Batch, staff: StaffMember, role: str, session: Session | None) -> None:
    if staff.institution_id != batch.institution_id:
        raise DomainError(_("只能安排本机构人员名单中的人员。"), code="staff_not_owned")
    if not staff.is_active:
        raise DomainError(_("该人员已不在册。"), code="staff_inactive")
    if staff.kind not in ROLE_KINDS[StaffRole(role)]:
        text = _("%(name)s是%(kind)s，不能担任%(role)s。")
        values = {
            "name": staff.full_name,
            "kind": staff.get_kind_display(),
            "role": StaffRole(role).label,
        }
        raise DomainError(text % values, code="wrong_staff_kind")
    if role == StaffRole.PROCTOR and session is None:
        raise DomainError(_("监考人员须安排到具体场次。"), code="session_required")
    if session is None:
        return
    if session.batch_id != batch.pk:
        raise DomainError(_("该场次不属于本批次。"), code="session_not_in_batch")
    component = ROLE_COMPONENT.get(StaffRole(role))
    if component is not None and session.component != component:
        text = _("%(role)s只能安排到%(component)s场次。")
        values = {"role": StaffRole(role).label, "component": Component(component).label}
        raise DomainError(text % values, code="session_component_mismatch")


@transaction.atomic
def staff_assign(
    *,
    actor: Actor,
    batch: Batch,
    staff: StaffMember,
    role: str,
    session: Session | None = None,
) -> StaffAssignment:
    """Give a registry member a role in the batch, for one session or the whole batch."""
    require_planner(actor, batch.institution)
    locked = lock_batch(batch)
    require_adjustable(locked)
    _check_assignment(locked, staff, role, session)
    # 川人社办发〔2020〕20号 六: staff whose qualification was removed work in no evaluation.
    from skillcert.supervision.integrity import require_not_barred

    require_not_barred(staff.id_number_index, on=timezone.localdate(), as_staff=True)
    if StaffAssignment.objects.filter(
        batch=locked, staff=staff, role=role, session=session
    ).exists():
        raise DomainError(_("该人员已有此安排。"), code="already_assigned")
    assignment = StaffAssignment(batch=locked, staff=staff, role=role, session=session)
    clean_or_raise(assignment)
    assignment.save()
    audit(
        actor,
        "batch.staff_assign",
        locked,
        after={
            "assignment": assignment.pk,
            "staff": staff.full_name,
            "role": role,
            "session": session.pk if session else None,
        },
    )
    return assignment


@transaction.atomic
def staff_unassign(*, actor: Actor, assignment: StaffAssignment) -> None:
    require_planner(actor, assignment.batch.institution)
    locked = lock_batch(assignment.batch)
    require_adjustable(locked)
    before = {
        "assignment": assignment.pk,
        "staff": assignment.staff.full_name,
        "role": assignment.role,
        "session": assignment.session_id,
    }
    assignment.delete()
    audit(actor, "batch.staff_unassign", locked, before=before)
