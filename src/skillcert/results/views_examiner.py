"""The examiners' pages: their list (我的评分) and the tablet scoring page per
candidate. An examiner reaches a panel only through their own seat on it
(``scoring.panel_for_examiner``) and sees only their own sheets.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError
from skillcert.core.web import forbidden, run_action
from skillcert.enrollment.models import Application
from skillcert.results import scoring, sheets
from skillcert.results.models import (
    Panel,
    ScoringSheet,
)
from skillcert.results.views_scoring import NO_STORE, parse_points

# --- examiners ----------------------------------------------------------------------------


def _scores_somewhere(actor: Actor) -> bool:
    return actor.user_id is not None and actor.role in (Role.EXAMINER, Role.EXPERT)


@login_required
@require_GET
def my_scoring(request: ActorRequest) -> HttpResponse:
    """我的评分: the examiner's candidates, panel by panel."""
    if not _scores_somewhere(request.actor):
        return forbidden(request, _("只有考评员和评审专家有评分任务。"))
    response = render(
        request, "results/scoring/mine.html", {"rows": scoring.my_worklist(request.actor)}
    )
    response["Cache-Control"] = NO_STORE
    return response


def _examiner_panel(
    request: ActorRequest, panel_pk: int, application_pk: int
) -> tuple[Panel, Application] | HttpResponse:
    """The panel and candidate for the actor's own scoring; a panel in the actor's scope
    they do not sit on is a 403, anything else a 404."""
    panel = scoring.panel_for_examiner(request.actor, panel_pk)
    if panel is None:
        if Panel.objects.for_actor(request.actor).filter(pk=panel_pk).exists():
            return forbidden(request, _("您不是该考评小组的成员。"))
        raise Http404
    application = scoring.panel_application(panel, application_pk)
    if application is None:
        raise Http404
    return panel, application


def _sheet_of(panel: Panel, sheet_pk: int) -> ScoringSheet:
    found = next(
        (s for s in sheets.component_sheets(panel.batch, panel.component) if s.pk == sheet_pk),
        None,
    )
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def scoring_page(request: ActorRequest, panel_pk: int, application_pk: int) -> HttpResponse:
    """The tablet page: one column, one large input per item, the examiner's own sheets."""
    found = _examiner_panel(request, panel_pk, application_pk)
    if isinstance(found, HttpResponse):
        return found
    panel, application = found
    sitting_no = scoring.current_sitting(application, panel.component)
    try:
        view = scoring.examiner_view(request.actor, panel, application, panel.component, sitting_no)
    except DomainError as exc:
        return forbidden(request, str(exc.message))
    response = render(request, "results/scoring/sheet.html", {"view": view})
    response["Cache-Control"] = NO_STORE
    return response


def _posted_points(request: ActorRequest, sheet: ScoringSheet) -> dict[int, Decimal] | str:
    points: dict[int, Decimal] = {}
    for item in sheet.items.all():
        raw = request.POST.get(f"item-{item.pk}", "").strip()
        if not raw:
            continue
        value = parse_points(raw)
        if value is None:
            return _("“%(item)s”的得分不是数字。") % {"item": item.title}
        points[item.pk] = value
    return points


@login_required
@require_POST
def scoring_save(
    request: ActorRequest, panel_pk: int, application_pk: int, sheet_pk: int
) -> HttpResponse:
    found = _examiner_panel(request, panel_pk, application_pk)
    if isinstance(found, HttpResponse):
        return found
    panel, application = found
    sheet = _sheet_of(panel, sheet_pk)
    page = reverse("results-scoring-sheet", args=[panel.pk, application.pk])
    points = _posted_points(request, sheet)
    if isinstance(points, str):
        messages.error(request, points)
        return redirect(f"{page}#sheet-{sheet.pk}")
    sitting_no = scoring.current_sitting(application, panel.component)

    def save() -> object:
        own = scoring.examiner_sheet(
            actor=request.actor,
            panel=panel,
            application=application,
            sheet=sheet,
            sitting_no=sitting_no,
        )
        return scoring.sheet_save(
            actor=request.actor,
            examiner_sheet=own,
            points=points,
            comment=request.POST.get("comment", ""),
        )

    saved = run_action(request, save, success=_("已保存草稿。"))
    if saved is not None and request.POST.get("action") == "review":
        return redirect("results-scoring-confirm", panel.pk, application.pk, sheet.pk)
    return redirect(f"{page}#sheet-{sheet.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def scoring_confirm(
    request: ActorRequest, panel_pk: int, application_pk: int, sheet_pk: int
) -> HttpResponse:
    """The confirmation step: the examiner reviews the points and signs."""
    found = _examiner_panel(request, panel_pk, application_pk)
    if isinstance(found, HttpResponse):
        return found
    panel, application = found
    sheet = _sheet_of(panel, sheet_pk)
    page = reverse("results-scoring-sheet", args=[panel.pk, application.pk])
    sitting_no = scoring.current_sitting(application, panel.component)
    view = scoring.examiner_view(request.actor, panel, application, panel.component, sitting_no)
    sheet_view = next((s for s in view.sheets if s.sheet.pk == sheet.pk), None)
    if sheet_view is None or sheet_view.own is None:
        messages.error(request, _("请先填写并保存这张评分表。"))
        return redirect(page)
    if request.method == "POST":
        if request.POST.get("pledge") != "on":
            messages.error(request, _("请勾选确认声明后再签字。"))
            return redirect("results-scoring-confirm", panel.pk, application.pk, sheet.pk)
        own = sheet_view.own
        done = run_action(
            request,
            lambda: scoring.sheet_confirm(actor=request.actor, examiner_sheet=own),
            success=_("已签字确认评分表。"),
        )
        if done is None:
            return redirect("results-scoring-confirm", panel.pk, application.pk, sheet.pk)
        return redirect(page)
    missing = [item for item in sheet_view.items if item.pk not in sheet_view.points]
    context = {"view": view, "sheet_view": sheet_view, "missing": missing}
    response = render(request, "results/scoring/confirm.html", context)
    response["Cache-Control"] = NO_STORE
    return response
