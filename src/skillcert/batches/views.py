"""Batch plan pages: the institution plans, files and runs; the centre approves or returns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from skillcert.batches import selectors
from skillcert.batches.choices import BatchStatus, Component, StaffRole
from skillcert.batches.forms import (
    BatchCreateForm,
    BatchUpdateForm,
    ReasonForm,
    RoomForm,
    SessionForm,
    StaffAssignForm,
)
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.batches.permissions import can_decide, can_plan
from skillcert.batches.services import plan, workflow
from skillcert.batches.services.common import ADJUSTABLE
from skillcert.batches.validation import batch_validate, local_day, plan_filing_due
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.institutions.models import Institution, Site
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES


def _batch(request: ActorRequest, pk: int) -> Batch:
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(
            "institution__organisation",
            "standard_level__standard",
            "occupation",
            "work_type",
        ),
        pk=pk,
    )


def _own_institution(actor: Actor) -> Institution | None:
    """The institution an admin or exam staff member plans for."""
    if actor.role not in STAFF_ROLES or actor.organisation is None:
        return None
    institution = Institution.objects.for_actor(actor).select_related("organisation").first()
    if institution is None or not can_plan(actor, institution):
        return None
    return institution


def _forbidden(request: ActorRequest) -> HttpResponse:
    return render(request, "core/forbidden.html", status=403)


@login_required
def batch_list(request: ActorRequest) -> HttpResponse:
    """Institutions see their batches; authorities their queue (late filings first) and
    every batch in their area."""
    actor = request.actor
    status = request.GET.get("status") or None
    if status not in BatchStatus.values:
        status = None
    is_authority = actor.is_platform_admin or actor.role in AUTHORITY_ROLES
    context = {
        "batches": selectors.batch_list(actor=actor, status=status),
        "queue": selectors.batch_queue(actor=actor) if is_authority else None,
        "status": status,
        "statuses": BatchStatus.choices,
        "can_create": _own_institution(actor) is not None,
    }
    return render(request, "batches/batch_list.html", context)


@login_required
def batch_create(request: ActorRequest) -> HttpResponse:
    institution = _own_institution(request.actor)
    if institution is None:
        return _forbidden(request)
    form = BatchCreateForm(
        request.POST or None,
        levels=selectors.plannable_levels(institution),
        work_types=selectors.plannable_work_types(institution),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        batch = run_action(
            request,
            lambda: plan.batch_create(
                actor=request.actor,
                institution=institution,
                standard_level=data["standard_level"],
                work_type=data["work_type"],
                title=data["title"],
                mode=data["mode"],
                planned_candidates=data["planned_candidates"],
                enrollment_opens=data["enrollment_opens"],
                enrollment_closes=data["enrollment_closes"],
                theory_weight=data["theory_weight"],
                practical_weight=data["practical_weight"],
                review_weight=data["review_weight"],
                pass_mark=data["pass_mark"],
                component_pass_marks=form.plan_values()["component_pass_marks"],
            ),
            success=_("已创建认定计划草稿。"),
        )
        if batch is not None:
            return redirect("batch-detail", pk=batch.pk)
    return render(request, "batches/batch_form.html", {"form": form, "institution": institution})


@login_required
def batch_update(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not can_plan(request.actor, batch.institution):
        return _forbidden(request)
    form = BatchUpdateForm(request.POST or None, initial=BatchUpdateForm.initial_for(batch))
    if request.method == "POST" and form.is_valid():
        changed = run_action(
            request,
            lambda: plan.batch_update(actor=request.actor, batch=batch, **form.plan_values()),
            success=_("计划已保存。"),
        )
        if changed is not None:
            return redirect("batch-detail", pk=pk)
    return render(request, "batches/batch_form.html", {"form": form, "batch": batch})


@login_required
def batch_detail(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    actor = request.actor
    sessions = selectors.batch_sessions(batch)
    assignments = list(selectors.batch_assignments(batch))
    planner = can_plan(actor, batch.institution)
    adjustable = not batch.is_frozen and (batch.is_editable or batch.status in ADJUSTABLE)
    check = batch_validate(batch)
    first = sessions.first()
    context: dict[str, Any] = {
        "batch": batch,
        "sessions": sessions,
        "components": [str(Component(c).label) for c in batch.components],
        "staffing": _by_role(batch, assignments),
        "check": check,
        "checklist": check.items(),
        "overdue": selectors.is_filing_overdue(batch, timezone.localdate()),
        "due": plan_filing_due(batch, local_day(first) if first else None),
        "can_plan": planner,
        "can_decide": can_decide(actor, batch.institution),
        "adjustable": planner and adjustable,
    }
    if planner and adjustable:
        context.update(_plan_forms(actor, batch, sessions))
    if context["can_decide"]:
        context["return_form"] = ReasonForm(auto_id="return_%s")
    return render(request, "batches/batch_detail.html", context)


def _by_role(
    batch: Batch, assignments: list[StaffAssignment]
) -> list[tuple[str, list[StaffAssignment]]]:
    """Staff by role; the review panel only for levels 2 and 1."""
    return [
        (str(label), [a for a in assignments if a.role == role])
        for role, label in StaffRole.choices
        if role != StaffRole.REVIEW_PANEL or batch.needs_review
    ]


def _plan_forms(actor: Actor, batch: Batch, sessions: QuerySet[Session]) -> dict[str, Any]:
    institution = batch.institution
    return {
        "room_form": RoomForm(sites=_sites(actor, institution), auto_id="room_%s"),
        "session_form": SessionForm(
            components=batch.scheduled_components,
            rooms=selectors.institution_rooms(actor=actor, institution=institution),
            auto_id="session_%s",
        ),
        "staff_form": StaffAssignForm(
            staff=selectors.assignable_staff(actor=actor, institution=institution),
            sessions=sessions,
            auto_id="staff_%s",
        ),
    }


def _sites(actor: Actor, institution: Institution) -> QuerySet[Site]:
    return Site.objects.for_actor(actor).filter(institution=institution, is_active=True)


@login_required
@require_POST
def room_add(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = RoomForm(request.POST, sites=_sites(request.actor, batch.institution))
    if form.is_valid():
        run_action(
            request,
            lambda: plan.room_add(actor=request.actor, **form.cleaned_data),
            success=_("考场已添加。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("batch-detail", pk=pk)


@login_required
@require_POST
def session_add(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = SessionForm(
        request.POST,
        components=batch.scheduled_components,
        rooms=selectors.institution_rooms(actor=request.actor, institution=batch.institution),
    )
    if form.is_valid():
        run_action(
            request,
            lambda: plan.session_add(actor=request.actor, batch=batch, **form.cleaned_data),
            success=_("场次已添加。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("batch-detail", pk=pk)


def _session(request: ActorRequest, pk: int, session_pk: int) -> Session:
    return get_object_or_404(
        Session.objects.for_actor(request.actor).select_related(
            "batch__institution__organisation", "room"
        ),
        pk=session_pk,
        batch_id=pk,
    )


@login_required
@require_POST
def session_remove(request: ActorRequest, pk: int, session_pk: int) -> HttpResponse:
    session = _session(request, pk, session_pk)
    run_action(
        request,
        lambda: plan.session_remove(actor=request.actor, session=session),
        success=_("场次已删除。"),
    )
    return redirect("batch-detail", pk=pk)


SESSION_ACTIONS: dict[str, tuple[Callable[[Actor, Session], Any], Any]] = {
    "open": (
        lambda actor, s: workflow.session_open(actor=actor, session=s),
        gettext_lazy("场次已开考，批次配置已冻结。"),
    ),
    "close": (
        lambda actor, s: workflow.session_close(actor=actor, session=s),
        gettext_lazy("场次已结束。"),
    ),
}


@login_required
@require_POST
def session_transition(
    request: ActorRequest, pk: int, session_pk: int, action: str
) -> HttpResponse:
    if action not in SESSION_ACTIONS:
        raise Http404
    session = _session(request, pk, session_pk)
    call, success = SESSION_ACTIONS[action]
    run_action(request, lambda: call(request.actor, session), success=success)
    return redirect("batch-detail", pk=pk)


@login_required
@require_POST
def staff_assign(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = StaffAssignForm(
        request.POST,
        staff=selectors.assignable_staff(actor=request.actor, institution=batch.institution),
        sessions=selectors.batch_sessions(batch),
    )
    if form.is_valid():
        run_action(
            request,
            lambda: plan.staff_assign(actor=request.actor, batch=batch, **form.cleaned_data),
            success=_("人员已安排。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("batch-detail", pk=pk)


@login_required
@require_POST
def staff_unassign(request: ActorRequest, pk: int, assignment_pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        StaffAssignment.objects.for_actor(request.actor).select_related(
            "batch__institution__organisation", "staff"
        ),
        pk=assignment_pk,
        batch_id=pk,
    )
    run_action(
        request,
        lambda: plan.staff_unassign(actor=request.actor, assignment=assignment),
        success=_("已取消安排。"),
    )
    return redirect("batch-detail", pk=pk)


# action name -> (service call, success message); the reason is used by "return" only.
_Transition = Callable[[Actor, Batch, str], Any]
TRANSITIONS: dict[str, tuple[_Transition, Any]] = {
    "file": (
        lambda actor, b, _r: workflow.batch_file(actor=actor, batch=b),
        gettext_lazy("认定计划已报备，等待人社部门审核。"),
    ),
    "approve": (
        lambda actor, b, _r: workflow.batch_approve(actor=actor, batch=b),
        gettext_lazy("已同意该认定计划。"),
    ),
    "return": (
        lambda actor, b, reason: workflow.batch_return(actor=actor, batch=b, reason=reason),
        gettext_lazy("已退回该认定计划。"),
    ),
    "open_enrollment": (
        lambda actor, b, _r: workflow.batch_open_enrollment(actor=actor, batch=b),
        gettext_lazy("已开始报名。"),
    ),
    "close_enrollment": (
        lambda actor, b, _r: workflow.batch_close_enrollment(actor=actor, batch=b),
        gettext_lazy("报名已结束。"),
    ),
}


@login_required
@require_POST
def batch_transition(request: ActorRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    batch = _batch(request, pk)
    call, success = TRANSITIONS[action]
    form = ReasonForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("batch-detail", pk=pk)
    reason = form.cleaned_data["reason"]
    run_action(request, lambda: call(request.actor, batch, reason), success=success)
    return redirect("batch-detail", pk=pk)
