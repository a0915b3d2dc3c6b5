"""Core pages: home per role, organisations, audit log, holiday calendar, profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.core import selectors
from skillcert.core.actors import ActorRequest
from skillcert.core.calendar_services import (
    can_load_holidays,
    holiday_schedule_load,
    parse_schedule_csv,
)
from skillcert.core.choices import OFFICIAL_ROLES, ScopeLevel
from skillcert.core.errors import DomainError
from skillcert.core.forms import HolidayUploadForm, PolicyForm
from skillcert.core.jobs import job_result_open
from skillcert.core.middleware import ACTIVE_MEMBERSHIP_KEY
from skillcert.core.models import HolidaySchedule, Job, Organisation
from skillcert.core.personal import personal_reveal
from skillcert.core.services import can_edit_policy, policy_ensure, policy_update
from skillcert.core.workdays import is_provisional_year


class SkillCertLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    memberships = selectors.own_memberships(user_id=actor.user_id)
    context: dict[str, object] = {"memberships": memberships}
    if actor.level in (ScopeLevel.PROVINCE, ScopeLevel.CITY, ScopeLevel.INSTITUTION):
        context["organisations"] = selectors.organisation_list(actor=actor)[:200]
    return render(request, "core/home.html", context)


@login_required
@require_POST
def membership_switch(request: ActorRequest) -> HttpResponse:
    membership = get_object_or_404(
        selectors.own_memberships(user_id=request.actor.user_id),
        pk=request.POST.get("membership") or 0,
    )
    request.session[ACTIVE_MEMBERSHIP_KEY] = membership.pk
    return redirect("home")


@login_required
def organisation_list(request: ActorRequest) -> HttpResponse:
    page = Paginator(selectors.organisation_list(actor=request.actor), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/organisation_list.html", {"page": page})


@login_required
def organisation_detail(request: ActorRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(
        Organisation.objects.for_actor(request.actor).select_related("province", "city", "parent"),
        pk=pk,
    )
    children = selectors.organisation_list(actor=request.actor).filter(parent=org)
    members = selectors.organisation_members(actor=request.actor, organisation=org)
    return render(
        request,
        "core/organisation_detail.html",
        {"organisation": org, "children": children, "members": members},
    )


@login_required
def audit_list(request: ActorRequest) -> HttpResponse:
    if request.actor.role not in OFFICIAL_ROLES and not request.actor.is_platform_admin:
        return render(request, "core/forbidden.html", status=403)
    page = Paginator(selectors.audit_events(actor=request.actor), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "core/audit_list.html", {"page": page})


@login_required
def holiday_list(request: ActorRequest) -> HttpResponse:
    """The loaded schedules, which years are provisional, and the upload for officials."""
    can_load = can_load_holidays(request.actor)
    form = HolidayUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_load:
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid():
            try:
                year, days = parse_schedule_csv(form.cleaned_data["file"])
                holiday_schedule_load(
                    actor=request.actor, year=year, source=form.cleaned_data["source"], days=days
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已录入 %(year)s 年节假日安排。") % {"year": year})
                return redirect("holiday-list")
    schedules = HolidaySchedule.objects.annotate(
        holiday_count=Count("days", filter=Q(days__is_working_day=False)),
        workday_count=Count("days", filter=Q(days__is_working_day=True)),
    )
    this_year = timezone.localdate().year
    years = [(y, is_provisional_year(y)) for y in range(this_year - 1, this_year + 3)]
    context = {"schedules": schedules, "years": years, "form": form, "can_load": can_load}
    return render(request, "core/holiday_list.html", context)


@login_required
def policy_detail(request: ActorRequest) -> HttpResponse:
    """The actor's province policy: every official reads it, provincial officials edit it."""
    province = request.actor.organisation.province if request.actor.organisation else None
    if province is None:
        return render(request, "core/forbidden.html", status=403)
    policy = policy_ensure(actor=request.actor, province=province)
    can_edit = can_edit_policy(request.actor, province)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST":
        if not can_edit:
            return render(request, "core/forbidden.html", status=403)
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            if changed:
                policy_update(actor=request.actor, policy=policy, **changed)
            messages.success(request, _("政策参数已保存。"))
            return redirect("policy")
    return render(request, "core/policy.html", {"form": form, "can_edit": can_edit})


@login_required
def profile(request: ActorRequest) -> HttpResponse:
    return render(request, "core/profile.html", {"profile_user": request.user})


@login_required
@require_POST
def profile_reveal(request: ActorRequest, field: str) -> HttpResponse:
    """Show the user's own full ID or phone number once; the reveal is audited."""
    if field not in {"id_number", "phone"}:
        return HttpResponse(status=404)
    try:
        value = personal_reveal(actor=request.actor, user=request.user, field=field)  # type: ignore[arg-type]  # login_required
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("profile")
    if request.htmx:
        return HttpResponse(value)
    messages.info(request, _("完整号码：%(value)s") % {"value": value})
    return redirect("profile")


@login_required
def job_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """A long job's progress; the page polls the fragment until the job finishes."""
    job = get_object_or_404(Job.objects.for_actor(request.actor), pk=pk)
    template = "core/job_detail.html#progress" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_result(request: ActorRequest, pk: int) -> HttpResponseBase:
    """A job's result file, for the organisation that ran it; every download is audited
    because results (such as a roster's error report) can hold full ID numbers."""
    job = get_object_or_404(Job.objects.for_actor(request.actor), pk=pk)
    try:
        name = job_result_open(actor=request.actor, job=job)
    except DomainError as exc:
        return render(request, "core/forbidden.html", {"reason": exc.message}, status=403)
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
