"""Checks of what, when and where: scope, weights, dates, components, durations, rooms."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from skillcert.batches.choices import Component, RoomKind
from skillcert.batches.models import Batch, Session
from skillcert.batches.validation.context import (
    PlanData,
    level_label,
    local_day,
    number_label,
    overlap_window,
    session_label,
)
from skillcert.batches.validation.report import Check, Collector
from skillcert.institutions.scope import scope_allows

HUNDRED = Decimal(100)


def scope(plan: PlanData, out: Collector) -> None:
    """In scope, within the filing's validity and the level cap when enrollment closes and on
    every session day (沪人社职〔2022〕102号 附件 一(三))."""
    batch = plan.batch
    days = sorted({batch.enrollment_closes, *(local_day(s) for s in plan.sessions)})
    for day in days:
        decision = scope_allows(
            batch.institution, batch.occupation, batch.work_type, batch.level, day
        )
        if not decision.allowed:
            out.error(Check.SCOPE, decision.code, decision.reason)


def weights(batch: Batch, out: Collector) -> None:
    """Weights set by the institution (川人社办发〔2020〕20号 附件4 (一)); levels 2 and 1 add a
    performance review (技师（高级技师）等级认定应增加综合业绩评审)."""
    weights = [batch.theory_weight, batch.practical_weight, batch.review_weight]
    if any(w < 0 for w in weights):
        out.error(Check.WEIGHTS, "weights_negative", _("各科权重不能为负数。"))
    total = sum(weights, Decimal(0))
    if total != HUNDRED:
        text = _("各科权重之和应为100%%，现为%(total)s%%。") % {"total": number_label(total)}
        out.error(Check.WEIGHTS, "weights_sum", text)
    if batch.needs_review and batch.review_weight <= 0:
        text = _("%(level)s须设综合评审，其权重应大于0。")
        out.error(
            Check.WEIGHTS, "review_weight_missing", text % {"level": level_label(batch.level)}
        )
    if not batch.needs_review and batch.review_weight > 0:
        text = _("只有二级、一级设综合评审，%(level)s的综合评审权重应为0。")
        out.error(
            Check.WEIGHTS, "review_weight_not_allowed", text % {"level": level_label(batch.level)}
        )


def dates(plan: PlanData, out: Collector) -> None:
    batch = plan.batch
    if batch.enrollment_opens > batch.enrollment_closes:
        out.error(Check.DATES, "enrollment_dates", _("报名开始日期不能晚于报名截止日期。"))
    if plan.sessions:
        first = local_day(plan.sessions[0])
        if first <= batch.enrollment_closes:
            text = _("首场考核（%(first)s）应在报名截止（%(closes)s）之后。")
            values = {"first": first.isoformat(), "closes": batch.enrollment_closes.isoformat()}
            out.error(Check.DATES, "session_before_enrollment_closes", text % values)


def components(plan: PlanData, out: Collector) -> None:
    batch = plan.batch
    for component in batch.scheduled_components:
        if not plan.by_component(component):
            text = _("尚未安排%(component)s场次。") % {"component": Component(component).label}
            out.error(Check.COMPONENTS, "component_missing", text)
    extra = {s.component for s in plan.sessions} - set(batch.scheduled_components)
    for component in sorted(extra):
        text = _("本批次不考%(component)s，请删除该科目的场次。")
        out.error(
            Check.COMPONENTS,
            "component_not_assessed",
            text % {"component": Component(component).label},
        )


def durations(plan: PlanData, out: Collector) -> None:
    """Theory ≥90 min, practical ≥ the standard's minimum, review ≥30 min (§1.9 鉴定时间)."""
    minimum = {
        Component.THEORY: plan.need.theory_minutes,
        Component.PRACTICAL: plan.need.practical_minutes,
        Component.REVIEW: plan.need.review_minutes,
    }
    for session in plan.sessions:
        least = minimum.get(Component(session.component))
        if least is not None and session.duration_minutes < least:
            text = _("%(session)s时长%(minutes)s分钟，少于规定的%(least)s分钟。")
            values = {
                "session": session_label(session),
                "minutes": session.duration_minutes,
                "least": least,
            }
            out.error(Check.DURATIONS, f"{session.component}_too_short", text % values)


def rooms(plan: PlanData, out: Collector) -> None:
    batch = plan.batch
    for session in plan.sessions:
        room = session.room
        if room.site.institution_id != batch.institution_id:
            text = _("%(session)s的考场不属于本机构的评价场地。")
            out.error(Check.ROOMS, "room_not_owned", text % {"session": session_label(session)})
        elif not (room.is_active and room.site.is_active):
            text = _("%(session)s的考场“%(room)s”已停用。")
            values = {"session": session_label(session), "room": room}
            out.error(Check.ROOMS, "room_inactive", text % values)
        _room_kind(session, out)
    for component in plan.batch.scheduled_components:
        sessions = plan.by_component(component)
        seats = sum(s.room.capacity for s in sessions)
        if sessions and seats < batch.planned_candidates:
            text = _("%(component)s各场次座位合计%(seats)s个，少于计划人数%(planned)s人。")
            values = {
                "component": Component(component).label,
                "seats": seats,
                "planned": batch.planned_candidates,
            }
            out.error(Check.ROOMS, "room_capacity", text % values)
    _double_booked_rooms(plan, out)


_ROOM_KINDS = {
    Component.THEORY: {RoomKind.COMPUTER, RoomKind.CLASSROOM},
    Component.REVIEW: {RoomKind.MEETING, RoomKind.CLASSROOM},
}


def _room_kind(session: Session, out: Collector) -> None:
    suitable = _ROOM_KINDS.get(Component(session.component))
    if suitable is not None and session.room.kind not in suitable:
        text = _("%(session)s安排在%(kind)s，请确认考场类型合适。")
        values = {"session": session_label(session), "kind": session.room.get_kind_display()}
        out.warning(Check.ROOMS, "room_kind", text % values)


def _double_booked_rooms(plan: PlanData, out: Collector) -> None:
    window, any_sessions = overlap_window(plan.sessions)
    if not any_sessions:
        return
    rooms = {s.room_id for s in plan.sessions}
    others = list(
        Session.objects.filter(window, room_id__in=rooms)
        .exclude(pk__in=[s.pk for s in plan.sessions])
        .select_related("batch")
    )
    for session in plan.sessions:
        clashes = [o for o in plan.sessions if o.pk != session.pk and o.room_id == session.room_id]
        clashes += [o for o in others if o.room_id == session.room_id]
        for other in clashes:
            if session.overlaps(other):
                text = _("%(session)s与%(other)s在同一考场时间重叠。")
                where = other.batch.code if other.batch_id != plan.batch.pk else ""
                values = {
                    "session": session_label(session),
                    "other": f"{where} {session_label(other)}".strip(),
                }
                out.error(Check.ROOMS, "room_double_booked", text % values)
                break
