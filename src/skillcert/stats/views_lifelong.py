"""Pages of the lifelong skill record (技能银行账户, 粤人社函〔2021〕76号 五(二)) and of
training records.

The person: 我的技能档案 and its 下载全部证书 (POST, audited). HR officials and institution
staff: 技能档案查询 (name and ID number POSTed, never in a URL; audited) leading to the
person's record page, which re-checks the reader's reach on every request (outside it:
404). Institutions: their training records, a form to record a course and one to record
its outcome. Views parse input and call ``stats.lifelong`` / ``stats.training``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import ScopeLevel
from skillcert.core.errors import DomainError
from skillcert.core.web import file_response, forbidden
from skillcert.institutions.permissions import STAFF_ROLES
from skillcert.stats import credentials_bundle, lifelong, training
from skillcert.stats.forms_lifelong import LookupForm, TrainingForm, TrainingOutcomeForm
from skillcert.stats.models import TrainingRecord

NO_STORE = "private, no-store"
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _acts_for_self(actor: Actor) -> bool:
    return actor.level == ScopeLevel.PERSON and actor.user_id is not None


def _self_only(request: ActorRequest) -> HttpResponse:
    return forbidden(request, _("请以个人身份登录后查看本人的技能档案。"))


# --- the person ----------------------------------------------------------------------------


@login_required
@require_GET
def my_record(request: ActorRequest) -> HttpResponse:
    """我的技能档案: every certificate, result and training course of one's own."""
    actor = request.actor
    if not _acts_for_self(actor):
        return _self_only(request)
    person = lifelong.own_person(actor)
    record = lifelong.skill_record(actor=actor, person=person) if person is not None else None
    context = {"record": record, "mine": True}
    return _private(render(request, "stats/lifelong_mine.html", context))


@login_required
@require_POST
def my_record_bundle(request: ActorRequest) -> HttpResponse:
    """下载全部证书: the zip of one's own certificates, credentials and record."""
    actor = request.actor
    if not _acts_for_self(actor):
        return _self_only(request)
    try:
        bundle = credentials_bundle.skill_record_bundle(actor=actor)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("stats-my-record")
    return file_response(bundle.data, bundle.filename, credentials_bundle.ZIP_CONTENT_TYPE)


# --- officials and institutions ------------------------------------------------------------


def _looks_up(request: ActorRequest) -> HttpResponse | None:
    if lifelong.may_look_up(request.actor):
        return None
    return forbidden(request, _("只有人社部门和评价机构人员可以查询人员技能档案。"))


@login_required
@require_http_methods(["GET", "POST"])
def record_lookup(request: ActorRequest) -> HttpResponse:
    """技能档案查询: name and ID number; a wrong pair gets one neutral answer."""
    refused = _looks_up(request)
    if refused is not None:
        return refused
    context: dict[str, Any] = {"form": LookupForm(), "error": ""}
    if request.method == "GET":
        return render(request, "stats/lifelong_lookup.html", context)
    form = LookupForm(request.POST)
    status = 200
    if not form.is_valid():
        context["form"], status = form, 400
    else:
        data = form.cleaned_data
        try:
            person = lifelong.skill_record_lookup(
                actor=request.actor,
                full_name=data["full_name"],
                id_type=data["id_type"],
                id_number=data["id_number"],
            )
        except DomainError as exc:
            context["error"], status = str(exc.message), 400
        else:
            if person is not None:
                return redirect("stats-person-record", pk=person.pk)
            context["error"], status = lifelong.not_found_message(), 404
    # The number is not echoed back into the form.
    response = render(request, "stats/lifelong_lookup.html", context, status=status)
    return _private(response)


@login_required
@require_GET
def person_record(request: ActorRequest, pk: int) -> HttpResponse:
    """A person's record as the reader may see it (only the items of their scope)."""
    refused = _looks_up(request)
    if refused is not None:
        return refused
    person = get_object_or_404(lifelong.persons_for(request.actor), pk=pk)
    record = lifelong.skill_record(actor=request.actor, person=person)
    context = {"record": record, "mine": False}
    return _private(render(request, "stats/lifelong_person.html", context))


# --- training records ----------------------------------------------------------------------


@login_required
@require_GET
def training_list(request: ActorRequest) -> HttpResponse:
    """培训记录: the institution's (or the region's) training records, newest first."""
    refused = _looks_up(request)
    if refused is not None:
        return refused
    rows = lifelong.training_for(request.actor)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "can_add": training.institution_of(request.actor) is not None,
    }
    return _private(render(request, "stats/training_list.html", context))


def _records_training(request: ActorRequest) -> HttpResponse | None:
    if request.actor.role in STAFF_ROLES or request.actor.is_platform_admin:
        return None
    return forbidden(request, _("只有评价机构的管理员或考务人员可以登记培训记录。"))


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request: ActorRequest) -> HttpResponse:
    """登记培训记录 at the actor's own institution."""
    refused = _records_training(request)
    if refused is not None:
        return refused
    institution = training.institution_of(request.actor)
    if institution is None:
        return forbidden(request, _("只有评价机构的管理员或考务人员可以登记培训记录。"))
    form = TrainingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                record = training.training_record_add(actor=request.actor, **form.service_kwargs())
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("已登记 %(name)s 的培训记录。") % {"name": record.person.full_name},
                )
                return redirect("stats-training")
    context = {"form": form, "institution": institution}
    return _private(render(request, "stats/training_form.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def training_outcome(request: ActorRequest, pk: int) -> HttpResponse:
    """Record a course's outcome, end date and certificate number."""
    refused = _records_training(request)
    if refused is not None:
        return refused
    record = get_object_or_404(
        TrainingRecord.objects.for_actor(request.actor).select_related(
            "person", "institution__organisation"
        ),
        pk=pk,
    )
    if not training.can_record(request.actor, record.institution):
        return forbidden(request, _("只有登记该培训的机构可以修改培训结果。"))
    initial = {
        "outcome": record.outcome,
        "ended_on": record.ended_on,
        "certificate_number": record.certificate_number,
    }
    form = TrainingOutcomeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                training.training_record_update(
                    actor=request.actor,
                    record=record,
                    outcome=data["outcome"],
                    ended_on=data["ended_on"],
                    certificate_number=data["certificate_number"],
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("培训结果已更新。"))
                return redirect("stats-training")
    context = {"form": form, "record": record}
    return _private(render(request, "stats/training_outcome.html", context, status=status))
