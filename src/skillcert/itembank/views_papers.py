"""Blueprint and paper pages of one standard level: the 组卷蓝图, assembly of parallel
forms (a background job), the papers, a paper's items and its seal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.models import Job
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.itembank import blueprint_services as bps
from skillcert.itembank.assembly import paper_seal, verify_seal
from skillcert.itembank.blueprint import (
    CLASSIC_DURATION_MINUTES,
    DIFFICULTIES,
    BlueprintSpec,
    blueprint_for,
    default_type_plan,
    parse_type_plan,
)
from skillcert.itembank.forms_papers import AssemblyForm, BlueprintForm
from skillcert.itembank.models import Paper
from skillcert.itembank.services import bank_kept_by, can_read_bank
from skillcert.itembank.tasks import JOB_KIND, assembly_start

PAPERS_PER_PAGE = 50
RECENT_JOBS = 10


def _level(pk: int) -> StandardLevel:
    return get_object_or_404(StandardLevel.objects.select_related("standard"), pk=pk)


def _spec(level: StandardLevel) -> tuple[BlueprintSpec | None, str]:
    """The level's blueprint, or why there is none (a missing weight table, a bad plan)."""
    try:
        return blueprint_for(level), ""
    except DomainError as exc:
        return None, str(exc.message)


def _paper(request: ActorRequest, pk: int) -> Paper:
    return get_object_or_404(
        Paper.objects.for_actor(request.actor).select_related(
            "owner", "standard_level__standard", "assembly"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def blueprint_detail(request: ActorRequest, level_pk: int) -> HttpResponse:
    """The level's blueprint (knowledge areas × item types) and, for bank keepers, its form."""
    actor = request.actor
    if not can_read_bank(actor):
        return forbidden(request)
    level = _level(level_pk)
    editable = bps.can_set_blueprint(actor)
    if request.method == "POST" and not editable:
        return forbidden(request)
    current = bps.blueprint_current(level)
    form = BlueprintForm(request.POST or None, initial=BlueprintForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        try:
            bps.blueprint_set(
                actor=actor,
                standard_level=level,
                type_plan=form.cleaned_data["type_plan"],
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("组卷蓝图已保存。"))
            return redirect("itembank-blueprint", level_pk=level.pk)
    spec, error = _spec(level)
    context = {
        "level": level,
        "spec": spec,
        "error": error,
        "types": bps.blueprint_types(spec) if spec is not None else [],
        "rows": bps.blueprint_rows(spec) if spec is not None else [],
        "current": current,
        "classic": parse_type_plan(default_type_plan()),
        "classic_minutes": CLASSIC_DURATION_MINUTES,
        "editable": editable,
        "form": form,
        "difficulties": DIFFICULTIES,
    }
    return render(request, "itembank/blueprint_detail.html", context)


@login_required
@require_GET
def paper_list(request: ActorRequest, level_pk: int) -> HttpResponse:
    """The papers of one level the actor sees, the recent assembly jobs and, for bank
    keepers, the assembly form."""
    actor = request.actor
    if not can_read_bank(actor):
        return forbidden(request)
    level = _level(level_pk)
    papers = (
        Paper.objects.for_actor(actor)
        .filter(standard_level=level)
        .select_related("owner")
        .annotate(item_count=Count("paper_items"))
        # the newest assembly first, its forms A, B, … in order
        .order_by(F("assembly_id").desc(nulls_last=True), "form_label", "-pk")
    )
    page = Paginator(papers, PAPERS_PER_PAGE).get_page(request.GET.get("page"))
    jobs = Job.objects.for_actor(actor).filter(kind=JOB_KIND, params__standard_level=level.pk)
    owner = bank_kept_by(actor)
    spec, error = _spec(level)
    default_title = _("%(standard)s %(level)s 理论知识试卷") % {
        "standard": level.standard.title,
        "level": level.get_level_display(),
    }
    context = {
        "level": level,
        "page": page,
        "jobs": jobs.order_by("-created_at")[:RECENT_JOBS],
        "own_bank": owner,
        "form": AssemblyForm(initial={"title": default_title[:128]}),
        "spec": spec,
        "error": error,
    }
    return render(request, "itembank/paper_list.html", context)


@login_required
@require_POST
def paper_assemble(request: ActorRequest, level_pk: int) -> HttpResponse:
    """Queue the assembly; the job page shows its progress and, if the bank is short,
    every cell it cannot fill."""
    level = _level(level_pk)
    owner = bank_kept_by(request.actor)
    if owner is None:
        return forbidden(request)
    form = AssemblyForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("itembank-papers", level_pk=level.pk)
    try:
        job = assembly_start(
            actor=request.actor,
            standard_level=level,
            forms=form.cleaned_data["form_count"],
            owner=owner,
            title=form.cleaned_data["title"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("itembank-papers", level_pk=level.pk)
    return redirect("job-detail", pk=job.pk)


@login_required
@require_GET
def paper_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """A paper and its seal; its items with the key only for the bank's keepers."""
    actor = request.actor
    if not can_read_bank(actor):
        return forbidden(request)
    paper = _paper(request, pk)
    keeper = bps.can_keep_paper(actor, paper)
    rows = bps.paper_rows(paper) if keeper else []
    sealed = paper.sealed_at is not None
    context = {
        "paper": paper,
        "level": paper.standard_level,
        "keeper": keeper,
        "rows": rows,
        "item_count": len(rows) if keeper else paper.paper_items.count(),
        "sealed": sealed,
        "verified": verify_seal(paper) if sealed else None,
    }
    return render(request, "itembank/paper_detail.html", context)


@login_required
@require_POST
def paper_seal_view(request: ActorRequest, pk: int) -> HttpResponse:
    if not can_read_bank(request.actor):
        return forbidden(request)
    paper = _paper(request, pk)
    if not bps.can_keep_paper(request.actor, paper):
        return forbidden(request)
    run_action(
        request,
        lambda: paper_seal(actor=request.actor, paper=paper),
        success=_("试卷已封存，内容哈希已记录。"),
    )
    return redirect("itembank-paper", pk=paper.pk)


@login_required
@require_GET
def paper_export_view(request: ActorRequest, pk: int) -> HttpResponse:
    """The paper with its key as .xlsx (audited), for the bank's keepers."""
    actor = request.actor
    if not can_read_bank(actor):
        return forbidden(request)
    paper = _paper(request, pk)
    if not bps.can_keep_paper(actor, paper):
        return forbidden(request)
    data = bps.paper_export(actor=actor, paper=paper)
    filename = f"试卷-{paper.title}-{paper.form_label}.xlsx"
    return file_response(data, filename, XLSX_CONTENT_TYPE)  # the answer key: private
