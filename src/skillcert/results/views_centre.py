"""The HR authority's pages: filed results with approval or return, and pending
certificate revocations (沪人社职〔2022〕102号 附件四; 云人社函〔2023〕1号 一(四)).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.web import forbidden, form_errors_to_messages, run_action
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.results import (
    filing,
    invalidation,
    selectors,
)
from skillcert.results.choices import (
    ObjectionStatus,
    ResultsStatus,
)
from skillcert.results.forms import ReturnForm
from skillcert.results.models import Objection
from skillcert.results.permissions import can_decide, can_read
from skillcert.results.views import deadline_facts, published_results, results_batch

# --- the centre -------------------------------------------------------------------------


def _is_authority(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


@login_required
@require_GET
def filing_list(request: ActorRequest) -> HttpResponse:
    """Results filed with (or due at) the HR authority, overdue ones first."""
    actor = request.actor
    if not _is_authority(actor):
        return forbidden(request, _("成绩备案由属地人社部门审核。"))
    today = timezone.localdate()
    page = Paginator(filing.filings_for(actor, today), 50).get_page(request.GET.get("page"))
    context = {"page": page, "today": today, "filed": ResultsStatus.FILED}
    return render(request, "results/filing_list.html", context)


@login_required
@require_GET
def filing_detail(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """One batch's filed results for the centre's decision."""
    actor = request.actor
    batch = results_batch(request, batch_pk)
    if not can_read(actor, batch):
        return forbidden(request)
    published = published_results(actor, batch)
    if published is None:
        return redirect("results-batch", batch_pk=batch.pk)
    rows = selectors.batch_table(batch)
    open_count = (
        Objection.objects.for_actor(actor)
        .filter(application__batch_id=batch.pk, status=ObjectionStatus.SUBMITTED)
        .count()
    )
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row.outcome_label] = outcomes.get(row.outcome_label, 0) + 1
    context = {
        "batch": batch,
        "published": published,
        "rows": rows,
        "components": [(c, Component(c).label) for c in batch.components],
        "outcomes": sorted(outcomes.items()),
        "open_objections": open_count,
        "deadlines": deadline_facts(batch, published),
        "can_decide": can_decide(actor, batch),
        "return_form": ReturnForm(),
    }
    response = render(request, "results/filing_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _decided(request: ActorRequest, batch_pk: int) -> Batch | HttpResponse:
    batch = results_batch(request, batch_pk)
    if not can_decide(request.actor, batch):
        return forbidden(request, _("只有该机构的属地人社部门可以审核成绩备案。"))
    return batch


@login_required
@require_POST
def filing_approve(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _decided(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(
        request,
        lambda: filing.results_approve(actor=request.actor, batch=batch),
        success=_("成绩备案已审核通过。"),
    )
    return redirect("results-filing", batch_pk=batch.pk)


@login_required
@require_POST
def filing_return(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _decided(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = ReturnForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("results-filing", batch_pk=batch.pk)
    run_action(
        request,
        lambda: filing.results_return(
            actor=request.actor, batch=batch, reason=form.cleaned_data["reason"]
        ),
        success=_("成绩备案已退回机构更正。"),
    )
    return redirect("results-filing", batch_pk=batch.pk)


# --- pending certificate revocations -----------------------------------------------------


@login_required
@require_GET
def revocation_list(request: ActorRequest) -> HttpResponse:
    """Certificates to revoke because their results were voided: the step the
    certificates service will carry out (云人社函〔2023〕1号 一(四))."""
    actor = request.actor
    if not (_is_authority(actor) or actor.role in STAFF_ROLES):
        return forbidden(request)
    rows = invalidation.pending_revocations(actor).select_related(
        "application__person", "application__batch__institution__organisation"
    )
    return render(request, "results/revocation_list.html", {"revocations": rows})
