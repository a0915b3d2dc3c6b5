"""Filing applications: the institution applies and tracks, authorities work the queue."""

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

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import Role
from skillcert.core.models import User
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
    province_experts,
)
from skillcert.institutions.models import FilingApplication, FilingScopeLine, Institution
from skillcert.institutions.permissions import STAFF_ROLES, is_authority_over, is_own_admin
from skillcert.institutions.services import filing


def _application(request: ActorRequest, pk: int) -> FilingApplication:
    return get_object_or_404(
        FilingApplication.objects.for_actor(request.actor).select_related(
            "institution__organisation__city", "filing"
        ),
        pk=pk,
    )


def _listed(actor: Actor) -> QuerySet[FilingApplication]:
    """Experts see what they may assess; an institution sees its own applications in every
    state (drafts and returned ones included); authorities see their queue."""
    if actor.role == Role.EXPERT:
        return selectors.applications_for_expert(actor=actor)
    if actor.role in STAFF_ROLES:
        return selectors.filing_application_list(actor=actor)
    return selectors.filing_queue(actor=actor)


@login_required
def filing_list(request: ActorRequest) -> HttpResponse:
    """Authorities see their queue (overdue first); institutions see their applications."""
    today = timezone.localdate()
    rows = [(a, selectors.is_overdue(a, today)) for a in _listed(request.actor)]
    can_apply = (
        request.actor.role == Role.INSTITUTION_ADMIN
        and Institution.objects.for_actor(request.actor).exists()
    )
    return render(
        request,
        "institutions/filing_list.html",
        {"rows": rows, "can_apply": can_apply, "create_form": FilingCreateForm()},
    )


@login_required
@require_POST
def filing_create(request: ActorRequest) -> HttpResponse:
    institution = Institution.objects.for_actor(request.actor).first()
    if institution is None:
        raise Http404
    form = FilingCreateForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("filing-list")
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
    application = _viewable_application(request, pk)
    actor = request.actor
    institution = application.institution
    is_authority = is_authority_over(actor, institution)
    context = {
        "application": application,
        "overdue": selectors.is_overdue(application, timezone.localdate()),
        "lines": application.scope_lines.select_related("occupation", "work_type", "standard"),
        "materials": application.materials.all(),
        "opinions": application.expert_opinions.all(),
        "checks": application.onsite_checks.all(),
        "conditions": filing_conditions(application),
        "is_applicant": is_own_admin(actor, institution),
        "is_authority": is_authority,
        "is_expert": actor.role == Role.EXPERT,
        "editable": application.status in FILING_EDITABLE,
        # Distinct id prefixes: several of these forms share field names on one page.
        "line_form": ScopeLineForm(auto_id="line_%s"),
        "material_form": MaterialForm(auto_id="material_%s"),
        "return_form": ReasonForm(auto_id="return_%s"),
        "refuse_form": ReasonForm(auto_id="refuse_%s"),
        "opinion_form": OpinionForm(
            experts=_experts(actor) if is_authority else None, auto_id="opinion_%s"
        ),
        "onsite_form": OnsiteForm(auto_id="onsite_%s"),
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
                work_type=data["work_type"],
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


# action name -> (service call, success message). The reason (or approval note) is passed
# as typed: the services that need one refuse a blank one with their own message.
_Transition = Callable[[Actor, FilingApplication, str], Any]
TRANSITIONS: dict[str, tuple[_Transition, Any]] = {
    "submit": (
        lambda actor, app, _r: filing.filing_submit(actor=actor, application=app),
        gettext_lazy("已提交备案申请。"),
    ),
    "accept": (
        lambda actor, app, _r: filing.filing_accept(actor=actor, application=app),
        gettext_lazy("已受理。"),
    ),
    "return": (
        lambda actor, app, reason: filing.filing_return(
            actor=actor, application=app, reason=reason
        ),
        gettext_lazy("已退回。"),
    ),
    "start_assessment": (
        lambda actor, app, _r: filing.filing_start_assessment(actor=actor, application=app),
        gettext_lazy("已进入专家评估。"),
    ),
    "approve": (
        lambda actor, app, note: filing.filing_approve(actor=actor, application=app, note=note),
        gettext_lazy("已准予备案，机构已列入目录。"),
    ),
    "refuse": (
        lambda actor, app, reason: filing.filing_refuse(
            actor=actor, application=app, reason=reason
        ),
        gettext_lazy("已作出不予备案决定。"),
    ),
}


@login_required
@require_POST
def filing_transition(request: ActorRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    application = _application(request, pk)
    call, success = TRANSITIONS[action]
    form = ReasonForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("filing-detail", pk=pk)
    reason = form.cleaned_data["reason"]
    run_action(request, lambda: call(request.actor, application, reason), success=success)
    return redirect("filing-detail", pk=pk)


@login_required
@require_POST
def opinion_add(request: ActorRequest, pk: int) -> HttpResponse:
    application = _viewable_application(request, pk)
    actor = request.actor
    # An expert writes their own; anyone else names the expert (the service decides who may).
    experts = None if actor.role == Role.EXPERT else _experts(actor)
    form = OpinionForm(request.POST, experts=experts)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: filing.expert_opinion_add(
                actor=actor,
                application=application,
                score=data["score"],
                recommends_approval=data["recommends_approval"],
                opinion=data["opinion"],
                expert=data.get("expert"),
            ),
            success=_("评估意见已提交。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("filing-detail", pk=pk)


def _viewable_application(request: ActorRequest, pk: int) -> FilingApplication:
    # Experts act for themselves (person scope): they reach the applications under
    # assessment in their province, not their own organisation's; the service checks again.
    if request.actor.role == Role.EXPERT:
        return get_object_or_404(selectors.applications_for_expert(actor=request.actor), pk=pk)
    return _application(request, pk)


def _experts(actor: Actor) -> QuerySet[User]:
    return province_experts(actor.province_code)


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
