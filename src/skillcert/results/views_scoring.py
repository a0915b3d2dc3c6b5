"""Scoring set-up pages for the institution's staff: scoring sheets (评分表), panels
(考评小组) with recusal links, and the scoring progress with re-scoring.

Staff read through ``for_actor``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.models import Batch
from skillcert.core.actors import ActorRequest
from skillcert.core.web import forbidden, form_errors_to_messages, run_action
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import StaffMember
from skillcert.results import links, panels, scoring, sheets
from skillcert.results.choices import LinkKind, PanelComponent
from skillcert.results.forms import ItemForm, PanelForm, ReasonForm, SheetForm, component_choices
from skillcert.results.models import (
    ComponentScore,
    ExaminerLink,
    Panel,
    PanelCandidate,
    PanelMember,
    ScoringSheet,
    SheetItem,
)
from skillcert.results.permissions import can_manage, can_read

NO_STORE = "private, no-store"

# --- look-ups -----------------------------------------------------------------------------


def _batch(request: ActorRequest, batch_pk: int) -> Batch:
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(
            "institution__organisation", "standard_level__standard", "occupation"
        ),
        pk=batch_pk,
    )


def _sheet(request: ActorRequest, sheet_pk: int) -> ScoringSheet:
    return get_object_or_404(
        ScoringSheet.objects.for_actor(request.actor).select_related(
            "batch__institution__organisation"
        ),
        pk=sheet_pk,
    )


def _item(request: ActorRequest, item_pk: int) -> SheetItem:
    sheets_in_scope = ScoringSheet.objects.for_actor(request.actor)
    return get_object_or_404(
        SheetItem.objects.filter(sheet__in=sheets_in_scope).select_related(
            "sheet__batch__institution__organisation"
        ),
        pk=item_pk,
    )


def _panel(request: ActorRequest, panel_pk: int) -> Panel:
    return get_object_or_404(
        Panel.objects.for_actor(request.actor).select_related("batch__institution__organisation"),
        pk=panel_pk,
    )


def _done(request: ActorRequest, name: str, batch: Batch, anchor: str = "") -> HttpResponse:
    url = reverse(name, kwargs={"batch_pk": batch.pk})
    return redirect(f"{url}#{anchor}" if anchor else url)


def parse_points(value: str) -> Decimal | None:
    try:
        number = Decimal(value.strip())
    except (InvalidOperation, AttributeError):
        return None
    return number if number.is_finite() else None


# --- sheets -------------------------------------------------------------------------------


@login_required
@require_GET
def sheets_page(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    components = []
    for value, label in component_choices(batch):
        components.append(
            {
                "value": value,
                "label": label,
                "sheets": sheets.component_sheets(batch, value),
                "total": sheets.sheets_total(batch, value),
                "problems": sheets.sheets_ready(batch, value),
                "locked": sheets.is_locked(batch, value),
            }
        )
    context = {
        "batch": batch,
        "components": components,
        "can_manage": can_manage(request.actor, batch),
        "sheet_form": SheetForm(batch=batch),
        "item_form": ItemForm(),
    }
    return render(request, "results/scoring/sheets.html", context)


def _manage_batch(request: ActorRequest, batch_pk: int) -> Batch | HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_manage(request.actor, batch):
        return forbidden(request)
    return batch


@login_required
@require_POST
def sheet_from_weights(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _manage_batch(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    component = request.POST.get("component", PanelComponent.PRACTICAL)
    run_action(
        request,
        lambda: sheets.sheet_from_weights(actor=request.actor, batch=batch, component=component),
        success=_("已按技能要求权重表生成评分表。"),
    )
    return _done(request, "results-sheets", batch)


@login_required
@require_POST
def sheet_create(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _manage_batch(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = SheetForm(request.POST, batch=batch)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _done(request, "results-sheets", batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: sheets.sheet_create(
            actor=request.actor, batch=batch, component=data["component"], title=data["title"]
        ),
        success=_("已新建评分表，请添加评分项。"),
    )
    return _done(request, "results-sheets", batch)


@login_required
@require_POST
def sheet_remove(request: ActorRequest, sheet_pk: int) -> HttpResponse:
    sheet = _sheet(request, sheet_pk)
    if not can_manage(request.actor, sheet.batch):
        return forbidden(request)
    run_action(
        request,
        lambda: sheets.sheet_remove(actor=request.actor, sheet=sheet),
        success=_("已删除评分表。"),
    )
    return _done(request, "results-sheets", sheet.batch)


@login_required
@require_POST
def item_add(request: ActorRequest, sheet_pk: int) -> HttpResponse:
    sheet = _sheet(request, sheet_pk)
    if not can_manage(request.actor, sheet.batch):
        return forbidden(request)
    form = ItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: sheets.item_add(
                actor=request.actor,
                sheet=sheet,
                title=data["title"],
                max_points=data["max_points"],
                criteria=data["criteria"],
            ),
            success=_("已添加评分项。"),
        )
    else:
        form_errors_to_messages(request, form)
    return _done(request, "results-sheets", sheet.batch, f"sheet-{sheet.pk}")


@login_required
@require_POST
def item_update(request: ActorRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    batch = item.sheet.batch
    if not can_manage(request.actor, batch):
        return forbidden(request)
    form = ItemForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: sheets.item_update(
                actor=request.actor,
                item=item,
                title=data["title"],
                max_points=data["max_points"],
                criteria=data["criteria"],
            ),
            success=_("已修改评分项。"),
        )
    else:
        form_errors_to_messages(request, form)
    return _done(request, "results-sheets", batch, f"sheet-{item.sheet_id}")


@login_required
@require_POST
def item_remove(request: ActorRequest, item_pk: int) -> HttpResponse:
    item = _item(request, item_pk)
    batch = item.sheet.batch
    if not can_manage(request.actor, batch):
        return forbidden(request)
    run_action(
        request,
        lambda: sheets.item_remove(actor=request.actor, item=item),
        success=_("已删除评分项。"),
    )
    return _done(request, "results-sheets", batch, f"sheet-{item.sheet_id}")


# --- panels -------------------------------------------------------------------------------


@login_required
@require_GET
def panels_page(request: ActorRequest, batch_pk: int) -> HttpResponse:
    actor = request.actor
    batch = _batch(request, batch_pk)
    if not can_read(actor, batch):
        return forbidden(request)
    rows = []
    for panel in (
        Panel.objects.for_actor(actor)
        .filter(batch=batch)
        .prefetch_related("members__staff", "candidates__application__person")
    ):
        rows.append(
            {
                "panel": panel,
                "problems": panels.panel_problems(panel),
                "minimum": panels.min_members(batch, panel.component),
                "eligible": panels.eligible_staff(batch, panel.component).exclude(
                    panel_seats__panel=panel
                ),
                "assignable": panels.assignable_applications(panel),
            }
        )
    staff = (
        StaffMember.objects.for_actor(actor)
        .filter(
            institution_id=batch.institution_id,
            is_active=True,
            kind__in=[StaffKind.EXAMINER, StaffKind.EXPERT],
        )
        .order_by("kind", "full_name")
    )
    candidates = (
        Application.objects.for_actor(actor)
        .filter(batch=batch, status=ApplicationStatus.APPROVED)
        .select_related("person")
        .order_by("admission_number", "pk")
    )
    declared = (
        ExaminerLink.objects.for_actor(actor)
        .filter(staff__institution_id=batch.institution_id, person__applications__batch=batch)
        .select_related("staff", "person")
        .distinct()
    )
    context = {
        "batch": batch,
        "rows": rows,
        "can_manage": can_manage(actor, batch),
        "panel_form": PanelForm(batch=batch),
        "staff": staff,
        "candidates": candidates,
        "declared": declared,
        "link_kinds": LinkKind.choices,
    }
    return render(request, "results/scoring/panels.html", context)


@login_required
@require_POST
def panel_create(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _manage_batch(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = PanelForm(request.POST, batch=batch)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: panels.panel_create(
                actor=request.actor, batch=batch, component=data["component"], name=data["name"]
            ),
            success=_("已新建考评小组。"),
        )
    else:
        form_errors_to_messages(request, form)
    return _done(request, "results-panels", batch)


def _managed_panel(request: ActorRequest, panel_pk: int) -> Panel | HttpResponse:
    panel = _panel(request, panel_pk)
    if not can_manage(request.actor, panel.batch):
        return forbidden(request)
    return panel


@login_required
@require_POST
def panel_remove(request: ActorRequest, panel_pk: int) -> HttpResponse:
    panel = _managed_panel(request, panel_pk)
    if isinstance(panel, HttpResponse):
        return panel
    run_action(
        request,
        lambda: panels.panel_remove(actor=request.actor, panel=panel),
        success=_("已删除考评小组。"),
    )
    return _done(request, "results-panels", panel.batch)


@login_required
@require_POST
def member_add(request: ActorRequest, panel_pk: int) -> HttpResponse:
    panel = _managed_panel(request, panel_pk)
    if isinstance(panel, HttpResponse):
        return panel
    staff = (
        StaffMember.objects.for_actor(request.actor)
        .filter(pk=request.POST.get("staff") or 0, institution_id=panel.batch.institution_id)
        .first()
    )
    if staff is None:
        messages.error(request, _("请选择考评人员。"))
    else:
        leader = request.POST.get("is_leader") == "on"
        run_action(
            request,
            lambda: panels.member_add(
                actor=request.actor, panel=panel, staff=staff, is_leader=leader
            ),
            success=_("已加入小组：%(name)s。") % {"name": staff.full_name},
        )
    return _done(request, "results-panels", panel.batch, f"panel-{panel.pk}")


@login_required
@require_POST
def member_remove(request: ActorRequest, member_pk: int) -> HttpResponse:
    member = get_object_or_404(
        PanelMember.objects.filter(panel__in=Panel.objects.for_actor(request.actor)).select_related(
            "panel__batch__institution__organisation", "staff"
        ),
        pk=member_pk,
    )
    batch = member.panel.batch
    if not can_manage(request.actor, batch):
        return forbidden(request)
    run_action(
        request,
        lambda: panels.member_remove(actor=request.actor, member=member),
        success=_("已移出小组：%(name)s。") % {"name": member.staff.full_name},
    )
    return _done(request, "results-panels", batch, f"panel-{member.panel_id}")


@login_required
@require_POST
def candidates_assign(request: ActorRequest, panel_pk: int) -> HttpResponse:
    panel = _managed_panel(request, panel_pk)
    if isinstance(panel, HttpResponse):
        return panel
    ids = [int(v) for v in request.POST.getlist("applications") if v.isdigit()]
    chosen = list(
        Application.objects.for_actor(request.actor).filter(pk__in=ids, batch_id=panel.batch_id)
    )
    run_action(
        request,
        lambda: panels.candidates_assign(actor=request.actor, panel=panel, applications=chosen),
        success=_("已分配 %(n)d 名考生。") % {"n": len(chosen)},
    )
    return _done(request, "results-panels", panel.batch, f"panel-{panel.pk}")


@login_required
@require_POST
def candidate_remove(request: ActorRequest, place_pk: int) -> HttpResponse:
    place = get_object_or_404(
        PanelCandidate.objects.filter(
            panel__in=Panel.objects.for_actor(request.actor)
        ).select_related("panel__batch__institution__organisation"),
        pk=place_pk,
    )
    batch = place.panel.batch
    if not can_manage(request.actor, batch):
        return forbidden(request)
    run_action(
        request,
        lambda: panels.candidate_remove(actor=request.actor, place=place),
        success=_("已将考生移出小组。"),
    )
    return _done(request, "results-panels", batch, f"panel-{place.panel_id}")


@login_required
@require_POST
def link_declare(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _manage_batch(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    staff = (
        StaffMember.objects.for_actor(request.actor)
        .filter(pk=request.POST.get("staff") or 0, institution_id=batch.institution_id)
        .first()
    )
    application = (
        Application.objects.for_actor(request.actor)
        .filter(pk=request.POST.get("application") or 0, batch=batch)
        .select_related("person")
        .first()
    )
    if staff is None or application is None:
        messages.error(request, _("请选择考评人员和考生。"))
        return _done(request, "results-panels", batch, "links")
    run_action(
        request,
        lambda: links.link_declare(
            actor=request.actor,
            staff=staff,
            person=application.person,
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
        ),
        success=_("已登记回避关系。"),
    )
    return _done(request, "results-panels", batch, "links")


@login_required
@require_POST
def link_remove(request: ActorRequest, link_pk: int) -> HttpResponse:
    link = get_object_or_404(
        ExaminerLink.objects.for_actor(request.actor).select_related(
            "staff__institution__organisation", "person"
        ),
        pk=link_pk,
    )
    batch_pk = request.POST.get("batch", "")
    run_action(
        request,
        lambda: links.link_remove(actor=request.actor, link=link),
        success=_("已撤销回避关系。"),
    )
    batch = Batch.objects.for_actor(request.actor).filter(pk=batch_pk or 0).first()
    if batch is None:
        return redirect("home")
    return _done(request, "results-panels", batch, "links")


# --- progress -----------------------------------------------------------------------------


@login_required
@require_GET
def progress_page(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    context = {
        "batch": batch,
        "rows": scoring.progress(batch),
        "can_manage": can_manage(request.actor, batch),
        "threshold": scoring.spread_threshold(batch),
    }
    response = render(request, "results/scoring/progress.html", context)
    response["Cache-Control"] = NO_STORE
    return response


def _flagged_action(request: ActorRequest, score_pk: int, accept: bool) -> HttpResponse:
    row = get_object_or_404(
        ComponentScore.objects.for_actor(request.actor).select_related(
            "application__batch__institution__organisation"
        ),
        pk=score_pk,
    )
    batch = row.application.batch
    if not can_manage(request.actor, batch):
        return forbidden(request)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _done(request, "results-scoring-progress", batch)
    text = form.cleaned_data["text"]
    if accept:
        run_action(
            request,
            lambda: scoring.spread_accept(
                actor=request.actor,
                application=row.application,
                component=row.component,
                note=text,
                sitting_no=row.sitting_no,
            ),
            success=_("已认可分差，成绩确定。"),
        )
    else:
        run_action(
            request,
            lambda: scoring.rescore_open(
                actor=request.actor,
                application=row.application,
                component=row.component,
                reason=text,
                sitting_no=row.sitting_no,
            ),
            success=_("已开启新一轮评分，考评员须重新评分。"),
        )
    return _done(request, "results-scoring-progress", batch)


@login_required
@require_POST
def rescore_open(request: ActorRequest, score_pk: int) -> HttpResponse:
    return _flagged_action(request, score_pk, accept=False)


@login_required
@require_POST
def spread_accept(request: ActorRequest, score_pk: int) -> HttpResponse:
    return _flagged_action(request, score_pk, accept=True)
