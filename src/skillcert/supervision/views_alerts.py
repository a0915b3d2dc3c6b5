"""Pages of early warnings (预警, 云人社函〔2023〕1号 三): the officials' list with filters
and counts per rule, an alert with its evidence linked to the records, assignment and
closure, the Excel export, and the province's "scan now".

HR officials only (province, and cities for their own institutions): everyone else is
refused (403); an alert outside the official's scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE, workbook_bytes
from skillcert.core.models import Region
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.supervision import alerts as service
from skillcert.supervision.choices import AlertStatus
from skillcert.supervision.forms_alerts import AlertFilterForm, AssignForm, CloseForm
from skillcert.supervision.models import Alert
from skillcert.supervision.selectors_alerts import (
    alerts_for,
    can_read_alerts,
    counts_by_rule,
    evidence_lines,
    institutions_with_alerts,
)

PAGE_SIZE = 50
NO_STORE = "private, no-store"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _alert(request: ActorRequest, pk: int) -> Alert:
    return get_object_or_404(
        Alert.objects.for_actor(request.actor).select_related(
            "institution__organisation", "batch", "assignee"
        ),
        pk=pk,
    )


def _filter_form(request: ActorRequest) -> AlertFilterForm:
    return AlertFilterForm(
        request.GET or None, institutions=institutions_with_alerts(request.actor)
    )


@login_required
@require_GET
def alert_list(request: ActorRequest) -> HttpResponse:
    """预警信息: open first, filters by rule, status, institution; counts per rule."""
    actor = request.actor
    if not can_read_alerts(actor):
        return forbidden(request)
    form = _filter_form(request)
    page = Paginator(alerts_for(actor, **form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    province = Region.objects.filter(code=actor.province_code or "").first()
    context = {
        "form": form,
        "page": page,
        "counts": counts_by_rule(actor),
        "query": query.urlencode(),
        "may_scan": province is not None and service.can_scan(actor, province),
    }
    return _private(render(request, "supervision/alerts/list.html", context))


@login_required
@require_GET
def alert_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """One alert: its evidence linked to the records, its handling."""
    actor = request.actor
    if not can_read_alerts(actor):
        return forbidden(request)
    alert = _alert(request, pk)
    may_handle = alert.status != AlertStatus.CLOSED and service.can_handle(actor, alert)
    context = {
        "alert": alert,
        "lines": evidence_lines(alert),
        "may_handle": may_handle,
        "assign_form": AssignForm(officials=service.assignable_officials(alert.institution))
        if may_handle
        else None,
        "close_form": CloseForm() if may_handle else None,
    }
    return _private(render(request, "supervision/alerts/detail.html", context))


@login_required
@require_POST
def alert_assign(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not can_read_alerts(actor):
        return forbidden(request)
    alert = _alert(request, pk)
    form = AssignForm(request.POST, officials=service.assignable_officials(alert.institution))
    if form.is_valid():
        run_action(
            request,
            lambda: service.alert_assign(
                actor=actor, alert=alert, assignee=form.cleaned_data["assignee"]
            ),
            success=_("已分派核查。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("supervision-alert-detail", pk=alert.pk)


@login_required
@require_POST
def alert_close(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not can_read_alerts(actor):
        return forbidden(request)
    alert = _alert(request, pk)
    form = CloseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: service.alert_close(
                actor=actor, alert=alert, closure=data["closure"], note=data["note"]
            ),
            success=_("预警已办结。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("supervision-alert-detail", pk=alert.pk)


@login_required
@require_POST
def alerts_scan(request: ActorRequest) -> HttpResponse:
    """Run the scan for the official's province now (it also runs daily)."""
    actor = request.actor
    province = Region.objects.filter(code=actor.province_code or "").first()
    if province is None or not service.can_scan(actor, province):
        return forbidden(request)
    try:
        report = service.alerts_scan(actor=actor, province=province)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        text = _("预警扫描已完成：发现%(findings)s条，新增%(created)s条，重新打开%(reopened)s条。")
        values = {
            "findings": report.findings,
            "created": report.created,
            "reopened": report.reopened,
        }
        messages.success(request, text % values)
    return redirect("supervision-alerts")


@login_required
@require_GET
def alerts_export(request: ActorRequest) -> HttpResponse:
    """The filtered list as Excel."""
    actor = request.actor
    if not can_read_alerts(actor):
        return forbidden(request)
    form = _filter_form(request)
    headers = [
        _("编号"),
        _("预警规则"),
        _("级别"),
        _("评价机构"),
        _("批次"),
        _("预警内容"),
        _("状态"),
        _("仍在触发"),
        _("首次发现"),
        _("最近发现"),
        _("核查人"),
        _("办结方式"),
        _("办结说明"),
    ]
    rows = (
        [
            a.pk,
            a.get_rule_display(),
            a.get_severity_display(),
            a.institution.name,
            a.batch.code if a.batch else "",
            a.title,
            a.get_status_display(),
            a.still_firing,
            timezone.localtime(a.first_seen_at),
            timezone.localtime(a.last_seen_at),
            a.assignee.display_name if a.assignee else "",
            a.get_closure_display(),
            a.closure_note,
        ]
        for a in alerts_for(actor, **form.filters())
    )
    data = workbook_bytes(title=_("预警信息"), headers=headers, rows=rows)
    name = f"预警信息-{timezone.localdate():%Y%m%d}.xlsx"
    return file_response(data, name, XLSX_CONTENT_TYPE)
