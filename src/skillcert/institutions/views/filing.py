"""Filing applications: the institution applies and tracks, authorities work the queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import Role
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.institutions import selectors
from skillcert.institutions.choices import FILING_EDITABLE
from skillcert.institutions.conditions import filing_conditions
from skillcert.institutions.forms import (
    FilingCreateForm,
    MaterialForm,
    OnsiteForm,
    OpinionForm,
    ReasonForm,
    ScopeLineForm,
)
from skillcert.institutions.models import FilingApplication, FilingScopeLine, Institution
from skillcert.institutions.permissions import is_authority_over, is_own_admin
from skillcert.institutions.services import filing


def _application(request: ActorRequest, pk: int) -> FilingApplication:
    return get_object_or_404(
        FilingApplication.objects.for_actor(request.actor).select_related(
            "institution__organisation__city", "filing"
        ),
        pk=pk,
    )


@login_required
def filing_list(request: ActorRequest) -> HttpResponse:
    """Authorities see their queue (overdue first); institutions see their applications."""
    applications = selectors.filing_queue(actor=request.actor)
    today = timezone.localdate()
    rows = [(a, selectors.is_overdue(a, today)) for a in applications]
    own = Institution.objects.for_actor(request.actor).first()
    can_apply = request.actor.role == Role.INSTITUTION_ADMIN and own is not None
    return render(
        request,
        "institutions/filing_list.html",
        {"rows": rows, "can_apply": can_apply, "create_form": FilingCreateForm()},
    )


@login_required
@require_POST
def filing_create(request: ActorRequest) -> HttpResponse:
    institution = Institution.objects.for_actor(request.actor).first()
    form = FilingCreateForm(request.POST)
    if institution is None or not form.is_valid():
        raise Http404
    application = run_action(
        request,
        lambda: filing.filing_application_create(
            actor=request.actor, institution=institution, kind=form.cleaned_data["kind"]
        ),
        success=_("已创建备案申请草稿。"),
    )
    if application is None:
        return redirect("filing-list")
    return redirect("filing-detail", pk=application.pk)


@login_required
def filing_detail(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    actor = request.actor
    institution = application.institution
    context = {
        "application": application,
        "overdue": selectors.is_overdue(application, timezone.localdate()),
        "lines": application.scope_lines.select_related("occupation", "work_type", "standard"),
        "materials": application.materials.all(),
        "opinions": application.expert_opinions.all(),
        "checks": application.onsite_checks.all(),
        "conditions": filing_conditions(application),
        "is_applicant": is_own_admin(actor, institution),
        "is_authority": is_authority_over(actor, institution),
        "is_expert": actor.role == Role.EXPERT,
        "editable": application.status in FILING_EDITABLE,
        "line_form": ScopeLineForm(),
        "material_form": MaterialForm(),
        "reason_form": ReasonForm(),
        "opinion_form": OpinionForm(),
        "onsite_form": OnsiteForm(),
    }
    return render(request, "institutions/filing_detail.html", context)


@login_required
@require_POST
def scope_line_add(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = ScopeLineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: filing.scope_line_add(
                actor=request.actor,
                application=application,
                occupation=data["standard"].occupation,
                work_type=form.work_type_obj(),
                standard=data["standard"],
                lowest_level=data["lowest_level"],
                highest_level=data["highest_level"],
                item_bank_source=data["item_bank_source"],
            ),
            success=_("已添加申请职业（工种）。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("filing-detail", pk=pk)


@login_required
@require_POST
def scope_line_remove(request: ActorRequest, pk: int, line_pk: int) -> HttpResponse:
    application = _application(request, pk)
    line = get_object_or_404(FilingScopeLine, pk=line_pk, application=application)
    run_action(
        request,
        lambda: filing.scope_line_remove(actor=request.actor, line=line),
        success=_("已删除。"),
    )
    return redirect("filing-detail", pk=pk)


@login_required
@require_POST
def material_upload(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        run_action(
            request,
            lambda: filing.material_upload(
                actor=request.actor,
                application=application,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
            ),
            success=_("材料已上传。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("filing-detail", pk=pk)


# action name -> (service call, success message, needs a reason)
_Transition = Callable[[Actor, FilingApplication, str], Any]
TRANSITIONS: dict[str, tuple[_Transition, Any, bool]] = {
    "submit": (
        lambda actor, app, _r: filing.filing_submit(actor=actor, application=app),
        gettext_lazy("已提交备案申请。"),
        False,
    ),
    "accept": (
        lambda actor, app, _r: filing.filing_accept(actor=actor, application=app),
        gettext_lazy("已受理。"),
        False,
    ),
    "return": (
        lambda actor, app, reason: filing.filing_return(
            actor=actor, application=app, reason=reason
        ),
        gettext_lazy("已退回。"),
        True,
    ),
    "start_assessment": (
        lambda actor, app, _r: filing.filing_start_assessment(actor=actor, application=app),
        gettext_lazy("已进入专家评估。"),
        False,
    ),
    "approve": (
        lambda actor, app, note: filing.filing_approve(actor=actor, application=app, note=note),
        gettext_lazy("已准予备案，机构已列入目录。"),
        False,
    ),
    "refuse": (
        lambda actor, app, reason: filing.filing_refuse(
            actor=actor, application=app, reason=reason
        ),
        gettext_lazy("已作出不予备案决定。"),
        True,
    ),
}


@login_required
@require_POST
def filing_transition(request: ActorRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    application = _application(request, pk)
    call, success, needs_reason = TRANSITIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    if needs_reason and not reason:
        form_errors_to_messages(request, form)
        return redirect("filing-detail", pk=pk)
    run_action(request, lambda: call(request.actor, application, reason), success=success)
    return redirect("filing-detail", pk=pk)


@login_required
@require_POST
def opinion_add(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application_for_expert(request, pk)
    form = OpinionForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: filing.expert_opinion_add(
                actor=request.actor, application=application, **form.cleaned_data
            ),
            success=_("评估意见已提交。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("filing-detail", pk=pk)


def _application_for_expert(request: ActorRequest, pk: int) -> FilingApplication:
    # Experts act for themselves (person scope); the service checks they may assess it.
    if request.actor.role == Role.EXPERT:
        return get_object_or_404(selectors.applications_for_expert(actor=request.actor), pk=pk)
    return _application(request, pk)


@login_required
@require_POST
def onsite_add(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = OnsiteForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: filing.onsite_check_record(
                actor=request.actor, application=application, **form.cleaned_data
            ),
            success=_("现场考察记录已保存。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("filing-detail", pk=pk)
