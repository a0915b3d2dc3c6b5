"""Application pages: candidates apply, upload evidence, sign and submit; institution staff
review one by one or in bulk; everyone reads through the scoped selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import ActorRequest
from skillcert.core.choices import ScopeLevel
from skillcert.core.errors import DomainError
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.enrollment import selectors
from skillcert.enrollment.choices import APPLICATION_EDITABLE, ApplicationStatus
from skillcert.enrollment.eligibility import RouteResult, evaluate
from skillcert.enrollment.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    BulkReviewForm,
    EvidenceForm,
    PledgeForm,
    ReviewForm,
    StaffApplicationForm,
)
from skillcert.enrollment.models import Application
from skillcert.enrollment.permissions import (
    can_cross_check,
    can_edit_application,
    can_review,
    can_spot_check,
    can_view_evidence,
    is_batch_staff,
    is_self,
)
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import persons, review
from skillcert.enrollment.services.review import REVIEW_BATCH_STATES, BulkReviewRefused

LIST_PAGE_SIZE = 100
ORGANISATION_LEVELS = (ScopeLevel.PROVINCE, ScopeLevel.CITY, ScopeLevel.INSTITUTION)


def _application(request: ActorRequest, pk: int) -> Application:
    return get_object_or_404(selectors.application_detail(actor=request.actor), pk=pk)


def _back(application: Application) -> HttpResponse:
    return redirect("application-detail", pk=application.pk)


def _is_organisation(request: ActorRequest) -> bool:
    return request.actor.is_platform_admin or request.actor.level in ORGANISATION_LEVELS


# ---------------------------------------------------------------- home and applying


@login_required
def enrollment_home(request: ActorRequest) -> HttpResponse:
    """Candidates: their applications and the batches open for enrollment. Staff and
    officials: the batches in scope with their application counts."""
    actor = request.actor
    if _is_organisation(request):
        page = Paginator(selectors.batch_overview(actor=actor), 50).get_page(
            request.GET.get("page")
        )
        return render(request, "enrollment/home_batches.html", {"page": page})
    mine = list(selectors.my_applications(actor=actor))
    applied = {a.batch_id for a in mine}
    open_batches = [b for b in selectors.enrolling_batches()[:100] if b.pk not in applied]
    return render(
        request,
        "enrollment/home_candidate.html",
        {
            "applications": mine,
            "open_batches": open_batches,
            "person": selectors.own_person(actor=actor),
        },
    )


@login_required
def application_apply(request: ActorRequest, pk: int) -> HttpResponse:
    """A candidate applies to an enrolling batch for themself."""
    batch = get_object_or_404(
        selectors.enrolling_batches().select_related("standard_level__standard"), pk=pk
    )
    if request.method == "POST":
        form = ApplicationForm(request.POST, batch=batch)
        if form.is_valid():
            application = run_action(
                request,
                lambda: flow.application_create(
                    actor=request.actor,
                    person=persons.person_for_user(actor=request.actor),
                    batch=batch,
                    **form.cleaned_data,
                ),
                success=_("已创建报名申请，请上传证明材料并签署承诺后提交。"),
            )
            if application is not None:
                return _back(application)
    else:
        form = ApplicationForm(batch=batch)
    person = selectors.own_person(actor=request.actor)
    preview: list[RouteResult] = []
    if person is not None:
        preview = evaluate(
            person,
            batch.standard_level,
            on_date=timezone.localdate(),
            occupation=batch.occupation,
        )
    return render(
        request,
        "enrollment/apply.html",
        {"batch": batch, "form": form, "person": person, "results": preview},
    )


# ---------------------------------------------------------------- one application


def _results(application: Application) -> tuple[list[RouteResult], bool]:
    """(results, live): an open application is evaluated now with its evidence; a
    submitted one shows what the engine stored at submission."""
    if application.status in APPLICATION_EDITABLE:
        return flow.evaluate_application(application, timezone.localdate()), True
    return [RouteResult.from_json(r) for r in application.eligibility], False


@login_required
def application_detail(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    actor = request.actor
    person = application.person
    editable = application.status in APPLICATION_EDITABLE and can_edit_application(
        actor, application
    )
    results, live = _results(application)
    reviewable = (
        application.status == ApplicationStatus.SUBMITTED
        and application.batch.status in REVIEW_BATCH_STATES
        and can_review(actor, application)
    )
    context = {
        "application": application,
        "person": person,
        "education": person.education.all(),
        "students": person.student_statuses.all(),
        "work": person.work_history.all(),
        "certificates": person.certificates_held.select_related("occupation", "work_type"),
        "evidence": application.evidence.all(),
        "results": results,
        "live": live,
        "is_self": is_self(actor, person),
        "editable": editable,
        "can_view_evidence": can_view_evidence(actor, application),
        "reviewable": reviewable,
        "is_authority": can_spot_check(actor, application.batch),
        "spot_checks": application.spot_checks.all(),
        "pledge_text": flow.PLEDGE_TEXT,
        "pledge_sha256": flow.pledge_sha256(),
        "edit_form": ApplicationForm(
            batch=application.batch,
            initial={
                "employer": application.employer,
                "current_job": application.current_job,
                "work_years": application.work_years,
                "declared_route": application.declared_route,
            },
        ),
        "evidence_form": EvidenceForm(auto_id="evidence_%s"),
        "pledge_form": PledgeForm(auto_id="pledge_%s"),
        "review_form": ReviewForm(auto_id="review_%s"),
    }
    return render(request, "enrollment/application_detail.html", context)


@login_required
@require_POST
def application_edit(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = ApplicationForm(request.POST, batch=application.batch)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(application)
    run_action(
        request,
        lambda: flow.application_update(
            actor=request.actor, application=application, **form.cleaned_data
        ),
        success=_("已保存申报表。"),
    )
    return _back(application)


@login_required
@require_POST
def evidence_upload(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(application)
    run_action(
        request,
        lambda: flow.evidence_upload(
            actor=request.actor,
            application=application,
            kind=form.cleaned_data["kind"],
            uploaded_file=form.cleaned_data["file"],
        ),
        success=_("已上传材料。"),
    )
    return _back(application)


@login_required
@require_POST
def evidence_remove(request: ActorRequest, pk: int, evidence_pk: int) -> HttpResponse:
    application = _application(request, pk)
    evidence = get_object_or_404(application.evidence.all(), pk=evidence_pk)
    run_action(
        request,
        lambda: flow.evidence_remove(actor=request.actor, evidence=evidence),
        success=_("已删除材料。"),
    )
    return _back(application)


@login_required
def evidence_download(request: ActorRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """The file itself, for the candidate, the batch's staff and the HR authority."""
    evidence = get_object_or_404(
        selectors.evidence_in_scope(actor=request.actor), pk=evidence_pk, application_id=pk
    )
    if not can_view_evidence(request.actor, evidence.application):
        return render(request, "core/forbidden.html", status=403)
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def application_pledge(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = PledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请勾选确认后再签署承诺。"))
        return _back(application)
    # The hash of the text the page showed; a stale page signs nothing.
    seen = request.POST.get("pledge_sha256", "")
    text = flow.PLEDGE_TEXT if seen == flow.pledge_sha256() else ""
    run_action(
        request,
        lambda: flow.pledge_sign(
            actor=request.actor,
            application=application,
            client_address=request.META.get("REMOTE_ADDR", ""),
            pledge_text=text,
        ),
        success=_("已签署真实性承诺。"),
    )
    return _back(application)


@login_required
@require_POST
def application_submit(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    run_action(
        request,
        lambda: flow.application_submit(actor=request.actor, application=application),
        success=_("已提交，等待评价机构审核。"),
    )
    return _back(application)


@login_required
@require_POST
def application_withdraw(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    run_action(
        request,
        lambda: flow.application_withdraw(actor=request.actor, application=application),
        success=_("已撤回报名申请。"),
    )
    return _back(application)


@login_required
@require_POST
def application_review(request: ActorRequest, pk: int) -> HttpResponse:
    application = _application(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(application)
    run_action(
        request,
        lambda: review.review_one(
            actor=request.actor,
            application=application,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        ),
        success=_("已记录审核决定。"),
    )
    return _back(application)


# ---------------------------------------------------------------- a batch's applications


def _batch(request: ActorRequest, pk: int) -> Batch:
    return get_object_or_404(selectors.batch_in_scope(actor=request.actor), pk=pk)


@login_required
def batch_applications(request: ActorRequest, pk: int) -> HttpResponse:
    """A batch's applications with filters; its staff review in bulk and apply on behalf."""
    if not _is_organisation(request):
        raise Http404
    batch = _batch(request, pk)
    filters = ApplicationFilterForm(request.GET or None)
    rows = selectors.application_list(
        actor=request.actor,
        batch=batch,
        status=filters.cleaned_data.get("status", "") if filters.is_valid() else "",
        eligible=filters.flag("eligible"),
        diploma_pending=filters.flag("diploma_pending"),
    )
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    is_staff = is_batch_staff(request.actor, batch)
    return render(
        request,
        "enrollment/batch_applications.html",
        {
            "batch": batch,
            "page": page,
            "filters": filters,
            "query": request.GET.urlencode(),
            "is_staff": is_staff,
            "can_bulk": is_staff and batch.status in REVIEW_BATCH_STATES,
            "can_register": is_staff and batch.status == BatchStatus.ENROLLING,
            "can_spot_check": can_spot_check(request.actor, batch),
            "can_cross_check": can_cross_check(request.actor, batch),
            "bulk_form": ReviewForm(auto_id="bulk_%s"),
            "register_form": StaffApplicationForm(batch=batch, auto_id="register_%s"),
        },
    )


def _back_to_list(request: ActorRequest, batch: Batch) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("batch-applications", pk=batch.pk)


@login_required
@require_POST
def batch_application_create(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = StaffApplicationForm(request.POST, batch=batch)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back_to_list(request, batch)
    application = run_action(
        request,
        lambda: flow.application_register(actor=request.actor, batch=batch, **form.cleaned_data),
        success=_("已代为创建报名申请。"),
    )
    return _back(application) if application else _back_to_list(request, batch)


@login_required
@require_POST
def batch_review_bulk(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    ids = list(
        selectors.application_list(actor=request.actor, batch=batch).values_list("pk", flat=True)
    )
    form = BulkReviewForm(request.POST, ids=ids)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back_to_list(request, batch)
    try:
        outcomes = review.applications_review_bulk(
            actor=request.actor,
            batch=batch,
            ids=form.cleaned_data["ids"],
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except BulkReviewRefused as refused:
        messages.error(request, str(refused.message))
        for outcome in refused.outcomes:
            if not outcome.ok:
                messages.error(request, f"#{outcome.application_id}：{outcome.message}")
        return _back_to_list(request, batch)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back_to_list(request, batch)
    messages.success(request, _("已处理 %(n)d 份申请。") % {"n": len(outcomes)})
    return _back_to_list(request, batch)
