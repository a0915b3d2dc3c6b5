"""The statistics dashboard (统计分析, DESIGN.md step 10): figures in the reader's scope
with ECharts charts and tables, and the same figures as Excel. Reads only the
precomputed aggregates (``selectors_dashboard``); never scans certificates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.web import file_response, forbidden
from skillcert.stats import selectors_dashboard as sel
from skillcert.stats.exports import dashboard_workbook
from skillcert.stats.forms_dashboard import DashboardFilterForm
from skillcert.stats.permissions import can_view_dashboard

NO_STORE = "private, no-store"
# Rows of the long tables shown on the page (the largest first); the Excel export holds
# them all. A province has hundreds of institutions and schools.
INSTITUTIONS_SHOWN = 50
SCHOOLS_SHOWN = 50


def _board(request: ActorRequest) -> tuple[DashboardFilterForm, sel.Dashboard]:
    index = sel.scope_index(request.actor)
    form = DashboardFilterForm(request.GET or None, options=sel.options(request.actor, index))
    filters = form.filters() if request.GET else sel.Filters()
    return form, sel.dashboard(actor=request.actor, filters=filters, index=index)


def _top_schools(board: sel.Dashboard) -> list[dict[str, Any]]:
    """The schools with the most graduating students, at most ``SCHOOLS_SHOWN``."""
    if board.students is None:
        return []
    schools = board.students.schools
    if len(schools) <= SCHOOLS_SHOWN:
        return schools
    ranked = sorted(schools, key=lambda s: (-s["graduating"], -s["certified"], s["school"]))
    return ranked[:SCHOOLS_SHOWN]


def _scope_label(actor: Actor) -> str:
    org = actor.organisation
    return org.name if org is not None else _("全部")


def _rate(value: Any) -> float | None:
    return float(value) if value is not None else None


def _series(rows: list[sel.Row]) -> dict[str, list[Any]]:
    return {
        "labels": [r.label for r in rows],
        "certificates": [r.tally.certificates for r in rows],
        "valid": [r.tally.valid for r in rows],
        "revoked": [r.tally.revoked for r in rows],
        "results": [r.tally.results for r in rows],
        "passed": [r.tally.passed for r in rows],
        "pass_rate": [_rate(r.tally.pass_rate) for r in rows],
    }


def _chart_data(board: sel.Dashboard, schools: list[dict[str, Any]]) -> dict[str, Any]:
    """What stats.js draws: plain lists, passed through ``json_script``."""
    data: dict[str, Any] = {
        "labels": {
            "certificates": _("发证数"),
            "valid": _("有效证书"),
            "revoked": _("已撤销"),
            "results": _("成绩人数"),
            "passed": _("合格人数"),
            "pass_rate": _("合格率（%）"),
            "graduating": _("毕业生人数"),
            "certified": _("取得证书人数"),
        },
        "city": _series(board.by_city),
        "occupation": _series(board.by_occupation),
        "level": _series(board.by_level),
        "type": _series(board.by_type),
        "month": _series(board.by_month),
    }
    if board.students is not None:
        data["schools"] = {
            "labels": [s["school"] for s in schools],
            "graduating": [s["graduating"] or 0 for s in schools],
            "certified": [s["certified"] or 0 for s in schools],
        }
    return data


@login_required
@require_GET
def dashboard(request: ActorRequest) -> HttpResponse:
    """统计分析: totals, charts and tables for the reader's province, city or institution."""
    if not can_view_dashboard(request.actor):
        return forbidden(request, _("您的角色不能查看统计分析。"))
    form, board = _board(request)
    schools = _top_schools(board)
    institutions = board.institutions or []
    context = {
        "form": form,
        "board": board,
        "chart_data": _chart_data(board, schools),
        "schools": schools,
        "schools_hidden": len(board.students.schools) - len(schools) if board.students else 0,
        "institutions": institutions[:INSTITUTIONS_SHOWN],
        "institutions_hidden": max(0, len(institutions) - INSTITUTIONS_SHOWN),
        "scope_label": _scope_label(request.actor),
        "export_query": request.GET.urlencode(),
    }
    response = render(request, "stats/dashboard.html", context)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_GET
def dashboard_export(request: ActorRequest) -> HttpResponse:
    """The dashboard under the same filters as .xlsx, a sheet per table."""
    if not can_view_dashboard(request.actor):
        return forbidden(request, _("您的角色不能查看统计分析。"))
    _form, board = _board(request)
    data = dashboard_workbook(board, scope_label=_scope_label(request.actor))
    day: date = timezone.localdate()
    name = _("统计分析-%(day)s.xlsx") % {"day": day.isoformat()}
    return file_response(data, name, XLSX_CONTENT_TYPE)
