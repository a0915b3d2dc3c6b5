"""Scoring pages: the staff's sheets, panels and progress pages per batch; the
examiners' list (我的评分) and their tablet scoring page per candidate.

Staff read through ``for_actor``; an examiner reaches a panel only through their own
seat on it (``scoring.panel_for_examiner``) and sees only their own sheets.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError
from skillcert.core.web import forbidden, form_errors_to_messages, run_action
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import StaffMember
from skillcert.results import links, panels, scoring, sheets
from skillcert.results.choices import LinkKind, PanelComponent
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


# --- forms ------------------------------------------------------------------------------


def _component_choices(batch: Batch) -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in PanelComponent if c.value in batch.components]


class SheetForm(forms.Form):
    component = forms.ChoiceField(label=gettext_lazy("考核科目"))
    title = forms.CharField(max_length=128, label=gettext_lazy("考核项目（评分表名称）"))

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["component"]
        if isinstance(field, forms.ChoiceField):
            field.choices = _component_choices(batch)


class ItemForm(forms.Form):
    title = forms.CharField(max_length=128, label=gettext_lazy("评分项"))
    max_points = forms.DecimalField(
        label=gettext_lazy("配分"),
        min_value=Decimal("0.5"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=1,
    )
    criteria = forms.CharField(
        required=False, label=gettext_lazy("评分标准"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PanelForm(forms.Form):
    component = forms.ChoiceField(label=gettext_lazy("考核科目"))
    name = forms.CharField(max_length=64, label=gettext_lazy("小组名称"))

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["component"]
        if isinstance(field, forms.ChoiceField):
            field.choices = _component_choices(batch)


class ReasonForm(forms.Form):
    text = forms.CharField(max_length=200, label=gettext_lazy("理由"))


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


def _decimal(value: str) -> Decimal | None:
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
    for value, label in _component_choices(batch):
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
        value = _decimal(raw)
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
