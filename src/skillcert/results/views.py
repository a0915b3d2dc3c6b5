"""The institution's batch results page, its actions and the archive exports (DESIGN.md
lifecycle step 6).

Views parse input and call the services; every read goes through ``for_actor`` and
every refusal of a service comes back as a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.results import (
    composite,
    exports,
    filing,
    invalidation,
    objections,
    publication,
    selectors,
)
from skillcert.results.choices import (
    ObjectionStatus,
    ViolationGrade,
)
from skillcert.results.forms import (
    AbsentForm,
    CandidateForm,
    HandleForm,
    PaperObjectionForm,
    RetakeForm,
    ScoreEnterForm,
    VoidForm,
)
from skillcert.results.models import BatchResults, CertificateRevocation, Objection
from skillcert.results.permissions import can_decide, can_manage, can_read

_BATCH_RELATED = ("institution__organisation", "occupation", "work_type", "standard_level")

# The scoring pages (sheets, panels, progress) live beside these; linked when present.
SCORING_PAGES = (
    ("results-sheets", gettext_lazy("评分表")),
    ("results-panels", gettext_lazy("考评小组")),
    ("results-scoring-progress", gettext_lazy("评分进度")),
)


# --- look-ups ---------------------------------------------------------------------------


def results_batch(request: ActorRequest, batch_pk: int) -> Batch:
    """The batch if the actor's scope holds it (else 404)."""
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(*_BATCH_RELATED), pk=batch_pk
    )


def published_results(actor: Actor, batch: Batch) -> BatchResults | None:
    return BatchResults.objects.for_actor(actor).filter(batch_id=batch.pk).first()


def _candidates(actor: Actor, batch: Batch) -> QuerySet[Application]:
    return (
        Application.objects.for_actor(actor)
        .filter(batch_id=batch.pk, status=ApplicationStatus.APPROVED)
        .select_related("person")
        .order_by("admission_number", "pk")
    )


def _scoring_links(batch: Batch) -> list[tuple[str, str]]:
    links = []
    for name, label in SCORING_PAGES:
        try:
            links.append((str(label), reverse(name, kwargs={"batch_pk": batch.pk})))
        except NoReverseMatch:
            continue
    return links


def deadline_facts(batch: Batch, published: BatchResults | None) -> dict[str, Any]:
    """The filing deadline (stored at publication, else computed), provisional flag and
    the overdue warning (沪人社职〔2022〕102号 附件四)."""
    today = timezone.localdate()
    if published is not None and published.filing_due is not None:
        due, provisional = published.filing_due, published.deadlines_provisional
        overdue = filing.is_overdue(published, today)
    else:
        due, provisional = filing.filing_due(batch)
        overdue = today > due
    return {"due": due, "provisional": provisional, "overdue": overdue, "today": today}


def _form_kwargs(actor: Actor, batch: Batch) -> dict[str, Any]:
    return {"candidates": _candidates(actor, batch), "components": batch.components}


# --- the institution's batch results page -----------------------------------------------


@login_required
@require_GET
def batch_results(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """Component table, actions, objections and deadlines of one batch's results."""
    actor = request.actor
    batch = results_batch(request, batch_pk)
    if not can_read(actor, batch):
        return forbidden(request, _("只有本机构人员和属地人社部门可以查看成绩。"))
    published = published_results(actor, batch)
    kwargs = _form_kwargs(actor, batch)
    batch_objections = (
        Objection.objects.for_actor(actor)
        .filter(application__batch_id=batch.pk)
        .select_related("application__person")
        .order_by("status", "-submitted_at")
    )
    context = {
        "batch": batch,
        "published": published,
        "components": [(c, Component(c).label) for c in batch.components],
        "rows": selectors.batch_table(batch),
        "deadlines": deadline_facts(batch, published),
        "can_manage": can_manage(actor, batch),
        "can_decide": can_decide(actor, batch),
        "scoring_links": _scoring_links(batch),
        # One handling form per objection, each with its own element ids.
        "objections": [(o, HandleForm(auto_id=f"handle{o.pk}_%s")) for o in batch_objections],
        "revocations": CertificateRevocation.objects.for_actor(actor)
        .filter(application__batch_id=batch.pk)
        .select_related("application__person"),
        # Several forms share field names on this page: each gets its own id prefix.
        "enter_form": ScoreEnterForm(auto_id="enter_%s", **kwargs),
        "absent_form": AbsentForm(auto_id="absent_%s", **kwargs),
        "retake_form": RetakeForm(auto_id="retake_%s", **kwargs),
        "void_form": VoidForm(auto_id="void_%s", **kwargs),
        "paper_form": PaperObjectionForm(auto_id="paper_%s", **kwargs),
        "submitted": ObjectionStatus.SUBMITTED,
    }
    response = render(request, "results/batch_results.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _managed(request: ActorRequest, batch_pk: int) -> Batch | HttpResponse:
    """The batch for a staff action, or the forbidden page."""
    batch = results_batch(request, batch_pk)
    if not can_manage(request.actor, batch):
        return forbidden(request, _("只有本机构的管理员或考务人员可以办理成绩事项。"))
    return batch


def _back(batch: Batch) -> HttpResponse:
    return redirect("results-batch", batch_pk=batch.pk)


def _batch_action(
    request: ActorRequest,
    batch_pk: int,
    call: Callable[[Actor, Batch], object],
    success: str,
) -> HttpResponse:
    """A staff action on the whole batch: the service's refusal becomes a message."""
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(request, lambda: call(request.actor, batch), success=success)
    return _back(batch)


def _candidate_action(
    request: ActorRequest,
    batch_pk: int,
    form_class: type[CandidateForm],
    call: Callable[[Actor, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """A staff action on one candidate chosen in ``form_class``; ``success`` may name
    the candidate as %(name)s."""
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = form_class(request.POST, **_form_kwargs(request.actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    text = success % {"name": data["application"].person.full_name}
    run_action(request, lambda: call(request.actor, data), success=text)
    return _back(batch)


@login_required
@require_POST
def theory_collect(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    written = run_action(
        request,
        lambda: composite.theory_collect(actor=request.actor, batch=batch),
        success=_("已收集理论成绩。"),
    )
    if written is not None:
        messages.info(request, _("本次写入 %(n)d 条理论成绩。") % {"n": written})
    return _back(batch)


@login_required
@require_POST
def score_enter(request: ActorRequest, batch_pk: int) -> HttpResponse:
    return _candidate_action(
        request,
        batch_pk,
        ScoreEnterForm,
        lambda actor, data: composite.component_enter(
            actor=actor,
            application=data["application"],
            component=data["component"],
            score=data["score"],
            note=data["note"],
            sitting_no=data["sitting_no"],
        ),
        _("已录入 %(name)s 的成绩。"),
    )


@login_required
@require_POST
def score_absent(request: ActorRequest, batch_pk: int) -> HttpResponse:
    return _candidate_action(
        request,
        batch_pk,
        AbsentForm,
        lambda actor, data: composite.component_absent(
            actor=actor,
            application=data["application"],
            component=data["component"],
            sitting_no=data["sitting_no"],
        ),
        _("已登记 %(name)s 缺考。"),
    )


@login_required
@require_POST
def results_compute(request: ActorRequest, batch_pk: int) -> HttpResponse:
    return _batch_action(
        request,
        batch_pk,
        lambda actor, batch: composite.results_compute(actor=actor, batch=batch),
        _("统分完成。"),
    )


@login_required
@require_POST
def results_publish(request: ActorRequest, batch_pk: int) -> HttpResponse:
    return _batch_action(
        request,
        batch_pk,
        lambda actor, batch: publication.results_publish(actor=actor, batch=batch),
        _("成绩已发布公示。"),
    )


@login_required
@require_POST
def retake_open(request: ActorRequest, batch_pk: int) -> HttpResponse:
    return _candidate_action(
        request,
        batch_pk,
        RetakeForm,
        lambda actor, data: composite.retake_open(
            actor=actor, application=data["application"], component=data["component"]
        ),
        _("已为 %(name)s 安排补考。"),
    )


@login_required
@require_POST
def result_void(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """Void a component or all results for a confirmed violation (云人社函〔2023〕1号 一(四)):
    the institution's staff or its HR authority."""
    actor = request.actor
    batch = results_batch(request, batch_pk)
    if not (can_manage(actor, batch) or can_decide(actor, batch)):
        return forbidden(request)
    form = VoidForm(request.POST, **_form_kwargs(actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: invalidation.result_void(
            actor=actor,
            application=data["application"],
            grade=ViolationGrade(data["grade"]),
            reason=data["reason"],
            component=data["component"],
        ),
        success=_("已认定 %(name)s 的成绩无效。") % {"name": data["application"].person.full_name},
    )
    return _back(batch)


@login_required
@require_POST
def results_file(request: ActorRequest, batch_pk: int) -> HttpResponse:
    return _batch_action(
        request,
        batch_pk,
        lambda actor, batch: filing.results_file(actor=actor, batch=batch),
        _("成绩已报备，等待属地人社部门审核。"),
    )


@login_required
@require_POST
def objection_record(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """Staff record an objection or review request received on paper."""
    return _candidate_action(
        request,
        batch_pk,
        PaperObjectionForm,
        lambda actor, data: objections.objection_submit(
            actor=actor,
            application=data["application"],
            kind=data["kind"],
            text=data["text"],
            component=data["component"],
        ),
        _("已登记。"),
    )


@login_required
@require_POST
def objection_handle(request: ActorRequest, objection_pk: int) -> HttpResponse:
    actor = request.actor
    objection = get_object_or_404(
        Objection.objects.for_actor(actor).select_related(
            "application__batch__institution__organisation"
        ),
        pk=objection_pk,
    )
    batch = objection.application.batch
    if not can_manage(actor, batch):
        return forbidden(request, _("只有本机构的管理员或考务人员可以处理异议和复核申请。"))
    form = HandleForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: objections.objection_handle(
            actor=actor,
            objection=objection,
            upheld=data["upheld"],
            response=data["response"],
            omission_found=data["omission_found"],
            sum_error_found=data["sum_error_found"],
            corrected_score=data["corrected_score"],
        ),
        success=_("处理结果已记录。"),
    )
    return _back(batch)


# --- exports ------------------------------------------------------------------------------


@login_required
@require_GET
def export_results(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """The results sheet (成绩汇总表) as Excel: the staff and the HR authorities."""
    batch = results_batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    data = exports.results_workbook(batch)
    return file_response(data, f"成绩汇总表_{batch.code}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_GET
def export_score_sheets(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """The score sheets (评分记录表) as PDF: the staff and the HR authorities."""
    batch = results_batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    data = exports.score_sheets_pdf(batch)
    return file_response(data, f"评分记录表_{batch.code}.pdf", "application/pdf")
