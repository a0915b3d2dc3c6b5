"""The candidate's own results with objections and review requests, and the public
results announcement (公示) with masked identities.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.choices import Component
from skillcert.core.actors import ActorRequest
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.enrollment.models import Application
from skillcert.results import (
    objections,
    publication,
    selectors,
)
from skillcert.results.forms import ObjectionForm

# --- the candidate ------------------------------------------------------------------------


@login_required
@require_GET
def my_results(request: ActorRequest) -> HttpResponse:
    """The candidate's published results, with objections and review requests."""
    # The form repeats per result: its fields sit inside their labels, without ids.
    context = {"results": selectors.my_results(request.actor), "form": ObjectionForm(auto_id=False)}
    response = render(request, "results/my_results.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def objection_submit(request: ActorRequest, application_pk: int) -> HttpResponse:
    """The candidate's objection (during publicity) or review request (within the review
    window): the service checks the windows."""
    application = get_object_or_404(
        Application.objects.for_actor(request.actor).select_related("batch"), pk=application_pk
    )
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("results-mine")
    data = form.cleaned_data
    run_action(
        request,
        lambda: objections.objection_submit(
            actor=request.actor,
            application=application,
            kind=data["kind"],
            text=data["text"],
            component=data["component"],
        ),
        success=_("已提交，评价机构处理后会在此显示处理意见。"),
    )
    return redirect("results-mine")


# --- the public announcement --------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Published results announcements (masked names and ID numbers only)."""
    announcements = publication.public_announcements().select_related(
        "batch__institution__organisation", "batch__occupation", "batch__work_type"
    )
    page = Paginator(announcements, 30).get_page(request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "results/public_list.html", context)


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement as it was frozen at publication (and corrected after objections)."""
    announcement = get_object_or_404(
        publication.public_announcements().select_related(
            "batch__institution__organisation", "batch__occupation", "batch__work_type"
        ),
        pk=pk,
    )
    batch = announcement.batch
    # Only the masked columns of the frozen rows reach the page.
    rows = [
        {
            "admission_number": row.get("admission_number", ""),
            "name": row.get("name", ""),
            "id": row.get("id", ""),
            "outcome_label": row.get("outcome_label", ""),
            "score_list": [row.get("scores", {}).get(c, "") for c in batch.components],
        }
        for row in publication.announcement_rows(announcement)
    ]
    context = {
        "announcement": announcement,
        "batch": batch,
        "components": [(c, Component(c).label) for c in batch.components],
        "rows": rows,
        "today": timezone.localdate(),
    }
    return render(request, "results/public_detail.html", context)
