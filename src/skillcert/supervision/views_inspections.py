"""Pages of random inspections (双随机一公开): plans and their draws for HR officials, the
item-by-item record for the drawn inspectors, and the public results (一公开).

Views parse input and call :mod:`skillcert.supervision.inspections`; every read goes
through ``for_actor`` or the selectors built on it (out of scope: 404), a role that may
never see the page gets 403, and a refusal comes back as a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.core.actors import ActorRequest
from skillcert.core.web import forbidden, form_errors_to_messages, run_action
from skillcert.supervision import inspections as services
from skillcert.supervision import selectors_inspections as selectors
from skillcert.supervision.choices import Conclusion, InspectionStatus, PlanKind, PlanStatus
from skillcert.supervision.forms_inspections import (
    EvidenceForm,
    FindingForm,
    FinishForm,
    PlanForm,
)
from skillcert.supervision.models import Inspection, InspectionPlan

NO_STORE = "private, no-store"
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _plan(request: ActorRequest, pk: int) -> InspectionPlan:
    return get_object_or_404(
        InspectionPlan.objects.for_actor(request.actor).select_related("organisation"), pk=pk
    )


def _inspection(request: ActorRequest, pk: int) -> Inspection:
    return get_object_or_404(
        selectors.inspections_for(request.actor).select_related(
            "plan__organisation", "institution__organisation", "batch", "session"
        ),
        pk=pk,
    )


def _plan_form(request: ActorRequest, data: QueryDict | None = None, **kwargs: Any) -> PlanForm:
    organisation = request.actor.organisation
    province = organisation.province_id if organisation is not None else ""
    return PlanForm(data, province=province, city=request.actor.city_code, **kwargs)


# --- plans ----------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: ActorRequest) -> HttpResponse:
    """双随机抽查任务: the plans in the official's scope."""
    if not selectors.reads_plans(request.actor):
        return forbidden(request)
    page = Paginator(selectors.plans_for(request.actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_create = request.actor.organisation is not None
    context = {"page": page, "may_create": may_create}
    return _private(render(request, "supervision/inspections/plan_list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not selectors.reads_plans(actor) or actor.organisation is None:
        return forbidden(request, _("只有省、市人社部门可以制定抽查任务。"))
    form = _plan_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            arguments = form.service_arguments()
            plan = run_action(
                request,
                lambda: services.plan_create(actor=actor, **arguments),
                success=_("已创建抽查任务。"),
            )
            if plan is not None:
                return redirect("supervision-plan-detail", pk=plan.pk)
        else:
            form_errors_to_messages(request, form)
    context = {"form": form, "plan": None}
    return _private(render(request, "supervision/inspections/plan_form.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not selectors.reads_plans(actor) or actor.organisation is None:
        return forbidden(request)
    plan = _plan(request, pk)
    if not services.can_manage_plan(actor, plan):
        return forbidden(request)
    if plan.status != PlanStatus.DRAFT:
        return redirect("supervision-plan-detail", pk=plan.pk)
    if request.method == "POST":
        form = _plan_form(request, request.POST)
        if form.is_valid():
            arguments = form.service_arguments()
            done = run_action(
                request,
                lambda: services.plan_update(actor=actor, plan=plan, **arguments),
                success=_("已保存抽查任务。"),
            )
            if done is not None:
                return redirect("supervision-plan-detail", pk=plan.pk)
        else:
            form_errors_to_messages(request, form)
    else:
        form = _plan_form(request, initial=PlanForm.initial_for(plan))
    context = {"form": form, "plan": plan}
    return _private(render(request, "supervision/inspections/plan_form.html", context))


@login_required
@require_GET
def plan_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """The plan, its filters and items, the draw record and the inspections drawn."""
    actor = request.actor
    if not selectors.reads_plans(actor):
        return forbidden(request)
    plan = _plan(request, pk)
    inspections = selectors.plan_inspections(plan)
    context = {
        "plan": plan,
        "items": plan.items.order_by("code"),
        "draw": selectors.draw_view(plan),
        "inspections": inspections,
        "may_manage": services.can_manage_plan(actor, plan),
        "may_publish": plan.kind == PlanKind.INSPECTION
        and plan.status in (PlanStatus.DRAWN, PlanStatus.COMPLETED)
        and all(i.status == InspectionStatus.FINISHED for i in inspections),
    }
    return _private(render(request, "supervision/inspections/plan_detail.html", context))


@login_required
@require_POST
def plan_draw(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    plan = _plan(request, pk)
    if not services.can_manage_plan(actor, plan):
        return forbidden(request)
    run_action(
        request,
        lambda: services.plan_draw(actor=actor, plan=plan),
        success=_("已随机抽取检查对象和检查人员，抽取记录已保存。"),
    )
    return redirect("supervision-plan-detail", pk=plan.pk)


@login_required
@require_POST
def plan_publish(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    plan = _plan(request, pk)
    if not services.can_manage_plan(actor, plan):
        return forbidden(request)
    run_action(
        request,
        lambda: services.plan_publish(actor=actor, plan=plan),
        success=_("抽查结果已向社会公开。"),
    )
    return redirect("supervision-plan-detail", pk=plan.pk)


# --- inspections ----------------------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request: ActorRequest) -> HttpResponse:
    """检查任务: officials' scope, an inspector's own, an institution's published ones."""
    actor = request.actor
    if not selectors.reads_inspections(actor):
        return forbidden(request)
    page = Paginator(selectors.inspection_list(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return _private(render(request, "supervision/inspections/inspection_list.html", {"page": page}))


def _item_rows(inspection: Inspection, may_record: bool) -> list[dict[str, object]]:
    findings = {f.item_id: f for f in inspection.findings.select_related("item")}
    rows: list[dict[str, object]] = []
    for item in inspection.plan.items.order_by("code"):
        finding = findings.get(item.pk)
        initial: dict[str, object] = {"item": item.pk}
        if finding is not None:
            initial |= {"outcome": finding.outcome, "note": finding.note}
        rows.append(
            {
                "item": item,
                "finding": finding,
                "form": FindingForm(initial=initial, prefix=f"i{item.pk}") if may_record else None,
            }
        )
    return rows


@login_required
@require_GET
def inspection_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not selectors.reads_inspections(actor):
        return forbidden(request)
    inspection = _inspection(request, pk)
    assigned = services.is_assigned(actor, inspection)
    is_official = services.is_authority(actor)
    open_ = inspection.status != InspectionStatus.FINISHED
    may_record = assigned and open_ and inspection.plan.kind == PlanKind.INSPECTION
    items = list(inspection.plan.items.order_by("code"))
    context = {
        "inspection": inspection,
        "plan": inspection.plan,
        "people": inspection.assignments.select_related("member").order_by("-is_lead", "pk"),
        "rows": _item_rows(inspection, may_record),
        "evidence": inspection.evidence.select_related("finding__item")
        if assigned or is_official
        else [],
        "may_record": may_record,
        "may_read_evidence": assigned or is_official,
        "evidence_form": EvidenceForm(items=items) if may_record else None,
        "finish_form": FinishForm() if may_record else None,
        "missing": services.missing_items(inspection) if may_record else [],
        "may_confirm": inspection.conclusion == Conclusion.RECTIFY
        and inspection.rectified_at is None
        and services.can_confirm_rectification(actor, inspection),
    }
    return _private(render(request, "supervision/inspections/inspection_detail.html", context))


def _back(inspection: Inspection) -> HttpResponse:
    return redirect("supervision-inspection-detail", pk=inspection.pk)


@login_required
@require_POST
def inspection_finding(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    inspection = _inspection(request, pk)
    if not services.is_assigned(actor, inspection):
        return forbidden(request)
    item_pk = request.POST.get("item_pk", "")
    form = FindingForm(request.POST, prefix=f"i{item_pk}")
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(inspection)
    item = get_object_or_404(inspection.plan.items.all(), pk=form.cleaned_data["item"])
    run_action(
        request,
        lambda: services.finding_record(
            actor=actor,
            inspection=inspection,
            item=item,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        ),
        success=_("已登记“%(item)s”的检查结果。") % {"item": item.title},
    )
    return _back(inspection)


@login_required
@require_POST
def inspection_evidence_upload(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    inspection = _inspection(request, pk)
    if not services.is_assigned(actor, inspection):
        return forbidden(request)
    form = EvidenceForm(request.POST, request.FILES, items=list(inspection.plan.items.all()))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(inspection)
    item_pk = form.cleaned_data["item"]
    finding = inspection.findings.filter(item_id=item_pk).first() if item_pk else None
    if item_pk and finding is None:
        messages.error(request, _("请先登记该事项的检查结果，再上传其证据材料。"))
        return _back(inspection)
    run_action(
        request,
        lambda: services.evidence_upload(
            actor=actor,
            inspection=inspection,
            uploaded_file=form.cleaned_data["file"],
            finding=finding,
        ),
        success=_("证据材料已上传。"),
    )
    return _back(inspection)


@login_required
@require_GET
def inspection_evidence(request: ActorRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """An evidence file: the drawn inspectors and the HR officials in scope."""
    actor = request.actor
    if not selectors.reads_inspections(actor):
        return forbidden(request)
    inspection = _inspection(request, pk)
    if not (services.is_assigned(actor, inspection) or services.is_authority(actor)):
        return forbidden(request)
    evidence = get_object_or_404(inspection.evidence.all(), pk=evidence_pk)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_POST
def inspection_finish(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    inspection = _inspection(request, pk)
    if not services.is_assigned(actor, inspection):
        return forbidden(request)
    form = FinishForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(inspection)
    run_action(
        request,
        lambda: services.inspection_finish(
            actor=actor,
            inspection=inspection,
            conclusion=form.cleaned_data["conclusion"],
            summary=form.cleaned_data["summary"],
        ),
        success=_("检查已完成。"),
    )
    return _back(inspection)


@login_required
@require_POST
def inspection_rectified(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    inspection = _inspection(request, pk)
    if not services.can_confirm_rectification(actor, inspection):
        return forbidden(request)
    run_action(
        request,
        lambda: services.rectification_confirm(actor=actor, inspection=inspection),
        success=_("已确认整改完成。"),
    )
    return _back(inspection)


# --- public ---------------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """抽查结果公开: the published plans, newest first."""
    page = Paginator(selectors.published_plans(), 30).get_page(request.GET.get("page"))
    return render(request, "supervision/inspections/public_list.html", {"page": page})


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(selectors.published_plans(), pk=pk)
    context = {
        "plan": plan,
        "items": plan.items.order_by("code"),
        "results": selectors.public_results(plan),
    }
    return render(request, "supervision/inspections/public_detail.html", context)
