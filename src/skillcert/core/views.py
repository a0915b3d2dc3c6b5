"""Core pages: home per role, organisations, audit log, holiday calendar, profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.core import selectors
from skillcert.core.actors import ActorRequest
from skillcert.core.choices import OFFICIAL_ROLES, ScopeLevel
from skillcert.core.errors import DomainError
from skillcert.core.middleware import ACTIVE_MEMBERSHIP_KEY
from skillcert.core.models import HolidaySchedule, Membership, Organisation
from skillcert.core.personal import personal_reveal


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
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def home(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    context: dict[str, object] = {"memberships": _memberships(request)}
    if actor.level in (ScopeLevel.PROVINCE, ScopeLevel.CITY, ScopeLevel.INSTITUTION):
        context["organisations"] = selectors.organisation_list(actor=actor)[:200]
    return render(request, "core/home.html", context)


def _memberships(request: ActorRequest) -> list[Membership]:
    return list(
        Membership.objects.for_actor(request.actor)
        .filter(user_id=request.actor.user_id, is_active=True)
        .select_related("organisation")
    )


@login_required
@require_POST
def membership_switch(request: ActorRequest) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.filter(user_id=request.actor.user_id, is_active=True),
        pk=request.POST.get("membership", ""),
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
    schedules = HolidaySchedule.objects.annotate(
        holiday_count=Count("days", filter=Q(days__is_working_day=False)),
        workday_count=Count("days", filter=Q(days__is_working_day=True)),
    )
    return render(request, "core/holiday_list.html", {"schedules": schedules})


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
