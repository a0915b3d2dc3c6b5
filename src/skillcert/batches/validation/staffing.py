"""Checks of who: proctors, examiners, the review panel, the supervisor, exam staff,
double bookings and examiner rotation (national standards §1.9; national-rules §1.2)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from skillcert.batches.choices import BATCH_EDITABLE, Component, StaffRole
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.batches.validation.context import (
    PlanData,
    overlap_window,
    session_label,
    smallest_odd_at_least,
    subject,
)
from skillcert.batches.validation.report import Check, Collector
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import StaffMember


def proctors(plan: PlanData, out: Collector) -> None:
    """Each theory session: ≥ max(2, ⌈room capacity ÷ 15⌉) proctors (§1.9 配比)."""
    for session in plan.by_component(Component.THEORY):
        proctors = _active(plan, StaffRole.PROCTOR, [session], Check.PROCTORS, out)
        least = plan.need.proctors_for(session.room.capacity)
        if len(proctors) < least:
            text = _("%(session)s（%(seats)s座）需要至少%(least)s名监考人员，现有%(count)s名。")
            values = {
                "session": session_label(session),
                "seats": session.room.capacity,
                "least": least,
                "count": len(proctors),
            }
            out.error(Check.PROCTORS, "proctors_short", text % values)


def _active(
    plan: PlanData, role: str, sessions: list[Session] | None, check: str, out: Collector
) -> list[StaffMember]:
    """The active staff in ``role``; those who left the registry are reported."""
    found = plan.staff(role, sessions)
    for member in found:
        if not member.is_active:
            text = _("%(name)s已不在本机构人员名单中，请更换。") % {"name": member.full_name}
            out.error(check, "staff_inactive", text)
    return [m for m in found if m.is_active]


def _qualified(member: StaffMember, batch: Batch) -> bool:
    """An examiner qualified for the occupation (or this work type) at this level or above
    (levels count down: highest_level 3 covers 5, 4 and 3)."""
    return member.kind == StaffKind.EXAMINER and any(
        q.occupation_id == batch.occupation_id
        and (q.work_type_id is None or q.work_type_id == batch.work_type_id)
        and q.highest_level <= batch.level
        for q in member.qualifications.all()
    )


def _unqualified(plan: PlanData, members: list[StaffMember], check: str, out: Collector) -> None:
    for member in members:
        if not _qualified(member, plan.batch):
            text = _("%(name)s没有 %(subject)s 的考评资格。")
            values = {"name": member.full_name, "subject": subject(plan.batch)}
            code = "examiner_unqualified" if check == Check.EXAMINERS else "panel_unqualified"
            out.error(check, code, text % values)


def examiners(plan: PlanData, out: Collector) -> None:
    """An odd number, ≥3 and ≥1 per 5 candidates, each qualified (§1.9; 附件1)."""
    practical = plan.by_component(Component.PRACTICAL)
    examiners = _active(plan, StaffRole.EXAMINER, practical, Check.EXAMINERS, out)
    _unqualified(plan, examiners, Check.EXAMINERS, out)
    qualified = [m for m in examiners if _qualified(m, plan.batch)]
    least = plan.need.examiners_for(plan.batch.planned_candidates)
    if len(qualified) < least:
        text = _("计划%(planned)s人，需要至少%(least)s名合格的考评人员（单数），现有%(count)s名。")
        values = {"planned": plan.batch.planned_candidates, "least": least, "count": len(qualified)}
        out.error(Check.EXAMINERS, "examiners_short", text % values)
    elif len(qualified) % 2 == 0:
        text = _("考评人员应为单数，现有%(count)s名。") % {"count": len(qualified)}
        out.error(Check.EXAMINERS, "examiners_even", text)
    if any(a.role == StaffRole.EXAMINER and a.session_id for a in plan.assignments):
        for session in practical:
            _panel(plan, session, out)


def _panel(plan: PlanData, session: Session, out: Collector) -> None:
    """When examiners are assigned per session, each session's panel scores its candidates
    independently: ≥3 and odd (DESIGN.md step 5)."""
    panel = [m for m in plan.staff(StaffRole.EXAMINER, [session]) if m.is_active]
    if len(panel) < plan.need.min_examiners or len(panel) % 2 == 0:
        text = _("%(session)s的考评组有%(count)s名考评人员，应为不少于%(least)s名的单数。")
        values = {
            "session": session_label(session),
            "count": len(panel),
            "least": plan.need.min_examiners,
        }
        out.error(Check.EXAMINERS, "examiner_panel", text % values)


def review_panel(plan: PlanData, out: Collector) -> None:
    """Levels 2–1: a review panel of ≥3, an odd number (§1.9 综合评审委员)."""
    sessions = plan.by_component(Component.REVIEW)
    panel = _active(plan, StaffRole.REVIEW_PANEL, sessions, Check.REVIEW_PANEL, out)
    examiners = [m for m in panel if m.kind == StaffKind.EXAMINER]
    _unqualified(plan, examiners, Check.REVIEW_PANEL, out)
    least = smallest_odd_at_least(plan.need.min_review_panel)
    if len(panel) < least:
        text = _("综合评审委员需要至少%(least)s名（单数），现有%(count)s名。")
        out.error(
            Check.REVIEW_PANEL,
            "review_panel_short",
            text % {"least": least, "count": len(panel)},
        )
    elif len(panel) % 2 == 0:
        text = _("综合评审委员应为单数，现有%(count)s名。") % {"count": len(panel)}
        out.error(Check.REVIEW_PANEL, "review_panel_even", text)


def supervisor(plan: PlanData, out: Collector) -> None:
    """An internal quality supervisor for the whole batch (川人社办发〔2020〕20号 附件4 (三)),
    who holds no other role in it."""
    supervisors = _active(plan, StaffRole.INTERNAL_SUPERVISOR, None, Check.SUPERVISOR, out)
    if not supervisors:
        out.error(Check.SUPERVISOR, "supervisor_missing", _("尚未安排内部质量督导员。"))
    people = {m.id_number_index for m in supervisors}
    for a in plan.assignments:
        if a.role != StaffRole.INTERNAL_SUPERVISOR and a.staff.id_number_index in people:
            text = _("内部质量督导员%(name)s不能同时担任%(role)s。")
            values = {"name": a.staff.full_name, "role": a.get_role_display()}
            out.error(Check.SUPERVISOR, "supervisor_conflict", text % values)


def exam_staff(plan: PlanData, out: Collector) -> None:
    if not _active(plan, StaffRole.EXAM_STAFF, None, Check.EXAM_STAFF, out):
        out.error(Check.EXAM_STAFF, "exam_staff_missing", _("尚未安排考务人员。"))


_CHECK_OF_ROLE = {
    StaffRole.PROCTOR: Check.PROCTORS,
    StaffRole.EXAMINER: Check.EXAMINERS,
    StaffRole.REVIEW_PANEL: Check.REVIEW_PANEL,
    StaffRole.EXAM_STAFF: Check.EXAM_STAFF,
    StaffRole.INTERNAL_SUPERVISOR: Check.SUPERVISOR,
}


def double_booked_staff(plan: PlanData, out: Collector) -> None:
    """Nobody sits in two overlapping sessions, in this batch or another."""
    mine = [a for a in plan.assignments if a.session_id is not None]
    window, any_sessions = overlap_window(plan.sessions)
    if not mine or not any_sessions:
        return
    sessions = {s.pk: s for s in plan.sessions}
    people = {a.staff.id_number_index for a in mine}
    others = list(
        StaffAssignment.objects.filter(
            session__in=Session.objects.filter(window),
            staff__id_number_index__in=people,
        )
        .exclude(batch=plan.batch)
        .select_related("session", "batch", "staff")
    )
    booked: dict[str, list[tuple[Session, str]]] = defaultdict(list)
    for a in others:
        if a.session is not None:
            booked[a.staff.id_number_index].append((a.session, a.batch.code))
    for a in mine:
        session = sessions.get(a.session_id or 0)
        if session is None:
            continue
        for other, code in booked[a.staff.id_number_index]:
            if other.pk != session.pk and session.overlaps(other):
                text = _("%(name)s在%(session)s与%(other)s的时间重叠。")
                values = {
                    "name": a.staff.full_name,
                    "session": session_label(session),
                    "other": f"{code} {session_label(other)}".strip(),
                }
                out.error(_CHECK_OF_ROLE[StaffRole(a.role)], "staff_double_booked", text % values)
        booked[a.staff.id_number_index].append((session, ""))


def rotation(plan: PlanData, out: Collector) -> None:
    """Examiner rotation (考评员轮换制度, national-rules §1.2): no more than N consecutive
    batches of this occupation at the same institution. A warning, not an error."""
    batch, limit = plan.batch, plan.need.max_consecutive_batches
    examiners = plan.staff(StaffRole.EXAMINER)
    if not examiners or batch.pk is None:
        return
    recent = list(
        Batch.objects.filter(institution_id=batch.institution_id, occupation_id=batch.occupation_id)
        .exclude(status__in=BATCH_EDITABLE)
        .exclude(pk=batch.pk)
        .filter(
            Q(enrollment_closes__lt=batch.enrollment_closes)
            | Q(enrollment_closes=batch.enrollment_closes, pk__lt=batch.pk)
        )
        .order_by("-enrollment_closes", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    served: dict[int, set[int]] = defaultdict(set)
    rows = StaffAssignment.objects.filter(batch_id__in=recent, role=StaffRole.EXAMINER).values_list(
        "batch_id", "staff_id"
    )
    for batch_id, staff_id in rows:
        served[batch_id].add(staff_id)
    for member in examiners:
        streak = 0
        for batch_id in recent:
            if member.pk not in served[batch_id]:
                break
            streak += 1
        if streak >= limit:
            text = _(
                "%(name)s已连续%(streak)s个批次在本机构担任考评人员，本批次将超过%(limit)s个的上限，请轮换。"
            )
            values = {"name": member.full_name, "streak": streak, "limit": limit}
            out.warning(Check.ROTATION, "examiner_rotation", text % values)
