"""Institution pages for officials and the institution's own staff: the file and registry."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import Role, SkillLevel
from skillcert.core.models import Organisation, Region
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.institutions import selectors
from skillcert.institutions.forms import (
    CENTRE_KINDS,
    InstitutionRegisterForm,
    QualificationForm,
    ReasonForm,
    SiteForm,
    StaffForm,
    SuspendForm,
)
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.permissions import AUTHORITY_ROLES, can_edit_registry, is_authority_over
from skillcert.institutions.services import lifecycle, registry


def _institution(request: ActorRequest, pk: int) -> Institution:
    return get_object_or_404(
        Institution.objects.for_actor(request.actor).select_related(
            "organisation__city", "supervisor"
        ),
        pk=pk,
    )


@login_required
def institution_list(request: ActorRequest) -> HttpResponse:
    # A city's label may name its province (市辖区): fetch the parent with the row.
    institutions = selectors.institution_list(actor=request.actor).select_related(
        "organisation__city__parent"
    )
    if request.actor.role == Role.INSTITUTION_ADMIN and len(institutions) == 1:
        return redirect("institution-detail", pk=institutions[0].pk)
    can_register = request.actor.is_platform_admin or request.actor.role in AUTHORITY_ROLES
    return render(
        request,
        "institutions/institution_list.html",
        {"institutions": institutions, "can_register": can_register},
    )


@login_required
def institution_detail(request: ActorRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    context = {
        "institution": institution,
        "sites": institution.sites.all(),
        "staff": institution.staff.filter(is_active=True).prefetch_related(
            "qualifications__occupation", "qualifications__work_type"
        ),
        "applications": institution.filing_applications.all(),
        "can_edit": can_edit_registry(request.actor, institution),
        "is_authority": is_authority_over(request.actor, institution),
        # Distinct id prefixes: several of these forms share field names on one page.
        "site_form": SiteForm(auto_id="site_%s"),
        "staff_form": StaffForm(auto_id="staff_%s"),
        "suspend_form": SuspendForm(auto_id="suspend_%s"),
        "reinstate_form": ReasonForm(auto_id="reinstate_%s"),
        "revoke_form": ReasonForm(auto_id="revoke_%s"),
        "level_choices": SkillLevel.choices,
    }
    return render(request, "institutions/institution_detail.html", context)


def _register_cities(actor: Actor) -> QuerySet[Region]:
    """A city official registers institutions in their city; a provincial one, anywhere
    in the province."""
    if actor.city_code:
        return Region.objects.filter(code=actor.city_code)
    return Region.objects.filter(parent_id=actor.province_code)


@login_required
def institution_register(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not (actor.is_platform_admin or actor.role in AUTHORITY_ROLES) or actor.organisation is None:
        return render(request, "core/forbidden.html", status=403)
    centres = Organisation.objects.for_actor(actor).filter(kind__in=CENTRE_KINDS)
    form = InstitutionRegisterForm(
        request.POST or None, cities=_register_cities(actor), centres=centres
    )
    if request.method == "POST" and form.is_valid():
        institution = run_action(
            request,
            lambda: registry.institution_register(actor=actor, **form.cleaned_data),
            success=_("机构已登记。"),
        )
        if institution is not None:
            return redirect("institution-detail", pk=institution.pk)
    return render(request, "institutions/institution_register.html", {"form": form})


@login_required
@require_POST
def site_add(request: ActorRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = SiteForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: registry.site_add(
                actor=request.actor, institution=institution, **form.cleaned_data
            ),
            success=_("场地已添加。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("institution-detail", pk=pk)


@login_required
@require_POST
def staff_add(request: ActorRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = StaffForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: registry.staff_add(
                actor=request.actor, institution=institution, **form.cleaned_data
            ),
            success=_("人员已添加。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("institution-detail", pk=pk)


def _staff(request: ActorRequest, pk: int, staff_pk: int) -> StaffMember:
    return get_object_or_404(
        StaffMember.objects.for_actor(request.actor).select_related("institution"),
        pk=staff_pk,
        institution_id=pk,
    )


@login_required
@require_POST
def staff_deactivate(request: ActorRequest, pk: int, staff_pk: int) -> HttpResponse:
    member = _staff(request, pk, staff_pk)
    run_action(
        request,
        lambda: registry.staff_deactivate(actor=request.actor, member=member),
        success=_("人员已移出名单。"),
    )
    return redirect("institution-detail", pk=pk)


@login_required
@require_POST
def qualification_add(request: ActorRequest, pk: int, staff_pk: int) -> HttpResponse:
    member = _staff(request, pk, staff_pk)
    form = QualificationForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: registry.qualification_set(
                actor=request.actor, member=member, **form.cleaned_data
            ),
            success=_("考评资格已登记。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("institution-detail", pk=pk)


@login_required
@require_POST
def institution_suspend(request: ActorRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = SuspendForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: lifecycle.institution_suspend(
                actor=request.actor,
                institution=institution,
                reason=form.cleaned_data["reason"],
                rectification_due=form.cleaned_data["rectification_due"],
            ),
            success=_("已暂停该机构的评价工作。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("institution-detail", pk=pk)


@login_required
@require_POST
def institution_reinstate(request: ActorRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: lifecycle.institution_reinstate(
                actor=request.actor, institution=institution, note=form.cleaned_data["reason"]
            ),
            success=_("已恢复该机构的评价工作。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("institution-detail", pk=pk)


@login_required
@require_POST
def institution_revoke(request: ActorRequest, pk: int) -> HttpResponse:
    institution = _institution(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: lifecycle.institution_revoke(
                actor=request.actor, institution=institution, reason=form.cleaned_data["reason"]
            ),
            success=_("已取消该机构的备案，并发布公告。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("institution-detail", pk=pk)
