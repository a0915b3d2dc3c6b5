"""Grading pages: the blind grader queue, a sitting's scores and its item statistics."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.permissions import can_plan
from skillcert.core.actors import ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.exams import grading, stats
from skillcert.exams.models import Sitting

_RELATED = ("session__batch__institution__organisation", "session__room")


class GradeForm(forms.Form):
    code = forms.CharField(max_length=20, label=gettext_lazy("答卷编号"))
    points = forms.DecimalField(
        label=gettext_lazy("得分"), min_value=Decimal(0), max_digits=5, decimal_places=1
    )
    comment = forms.CharField(max_length=200, required=False, label=gettext_lazy("评语"))


def _sitting(request: ActorRequest, sitting_pk: int) -> Sitting:
    return get_object_or_404(
        Sitting.objects.for_actor(request.actor).select_related(*_RELATED), pk=sitting_pk
    )


def _grading_sitting(request: ActorRequest, sitting_pk: int) -> Sitting | None:
    """The sitting when the actor may grade it; None when it is in their scope but they
    may not (403); absent or out of scope is a 404."""
    actor = request.actor
    # gradable_sittings holds exactly the sittings can_grade allows; the services check
    # again on their own.
    found = grading.gradable_sittings(actor).select_related(*_RELATED).filter(pk=sitting_pk).first()
    if found is not None:
        return found
    if Sitting.objects.for_actor(actor).filter(pk=sitting_pk).exists():
        return None
    raise Http404


@login_required
@require_GET
def grading_home(request: ActorRequest) -> HttpResponse:
    """The sittings the actor grades or reads the scores of."""
    actor = request.actor
    grades = grading.grades_somewhere(actor)
    if not (grades or grading.can_read_scores(actor)):
        return forbidden(request)
    context = {
        "sittings": grading.sittings_overview(actor),
        "grades": grades,
        "reads_scores": grading.can_read_scores(actor),
    }
    return render(request, "exams/grading_home.html", context)


@login_required
@require_GET
def grading_queue(request: ActorRequest, sitting_pk: int) -> HttpResponse:
    """The blind queue: items with their reference answers, answers by opaque code."""
    sitting = _grading_sitting(request, sitting_pk)
    if sitting is None:
        return forbidden(request)
    context = {
        "sitting": sitting,
        "batch": sitting.session.batch,
        "queue": grading.grading_queue(actor=request.actor, sitting=sitting),
    }
    response = render(request, "exams/grading_queue.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def grading_grade(request: ActorRequest, sitting_pk: int) -> HttpResponse:
    sitting = _grading_sitting(request, sitting_pk)
    if sitting is None:
        return forbidden(request)
    form = GradeForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("grading-queue", sitting_pk=sitting.pk)
    data = form.cleaned_data
    run_action(
        request,
        lambda: grading.answer_grade(
            actor=request.actor,
            sitting=sitting,
            code=data["code"],
            points=data["points"],
            comment=data["comment"],
        ),
        success=_("已记录答卷 %(code)s 的评分。") % {"code": data["code"]},
    )
    return redirect("grading-queue", sitting_pk=sitting.pk)


@login_required
@require_GET
def sitting_scores(request: ActorRequest, sitting_pk: int) -> HttpResponse:
    sitting = _sitting(request, sitting_pk)
    if not grading.can_read_scores(request.actor):
        return forbidden(request)
    batch = sitting.session.batch
    context = {
        "sitting": sitting,
        "batch": batch,
        "rows": grading.sitting_scores(actor=request.actor, sitting=sitting),
        "can_grade": grading.can_grade(request.actor, batch),
        "can_compute": can_plan(request.actor, batch.institution),
    }
    response = render(request, "exams/scores_sitting.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def sitting_scores_export(request: ActorRequest, sitting_pk: int) -> HttpResponse:
    sitting = _sitting(request, sitting_pk)
    if not grading.can_read_scores(request.actor):
        return forbidden(request)
    data = grading.scores_export(actor=request.actor, sitting=sitting)
    filename = f"理论成绩_{sitting.session.batch.code}_{sitting.pk}.xlsx"
    return file_response(data, filename, XLSX_CONTENT_TYPE)


@login_required
@require_GET
def sitting_item_stats(request: ActorRequest, sitting_pk: int) -> HttpResponse:
    sitting = _sitting(request, sitting_pk)
    if not grading.can_read_scores(request.actor):
        return forbidden(request)
    batch = sitting.session.batch
    context = {
        "sitting": sitting,
        "batch": batch,
        "papers": stats.sitting_item_statistics(sitting),
        "can_compute": can_plan(request.actor, batch.institution),
        "minimum": stats.MIN_ATTEMPTS,
        "min_discrimination": stats.MIN_DISCRIMINATION,
        "hardest": stats.HARDEST,
        "easiest": stats.EASIEST,
    }
    return render(request, "exams/scores_item_stats.html", context)


@login_required
@require_POST
def sitting_item_stats_compute(request: ActorRequest, sitting_pk: int) -> HttpResponse:
    sitting = _sitting(request, sitting_pk)
    if not can_plan(request.actor, sitting.session.batch.institution):
        return forbidden(request)
    run_action(
        request,
        lambda: stats.item_statistics_compute(actor=request.actor, sitting=sitting),
        success=_("试题统计已更新。"),
    )
    return redirect("sitting-item-stats", sitting_pk=sitting.pk)
