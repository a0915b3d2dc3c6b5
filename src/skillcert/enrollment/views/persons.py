"""A person's records: education, student status, work history, certificates held."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.enrollment import selectors
from skillcert.enrollment.forms import RECORD_FORMS
from skillcert.enrollment.models import Person
from skillcert.enrollment.permissions import can_edit_records, can_verify_diploma, is_self
from skillcert.enrollment.services import persons

RECORD_ADDERS: dict[str, Callable[..., object]] = {
    "education": persons.education_add,
    "student": persons.student_status_add,
    "work": persons.work_record_add,
    "certificate": persons.held_certificate_add,
}


def _person(request: ActorRequest, pk: int) -> Person:
    return get_object_or_404(selectors.person_detail(actor=request.actor), pk=pk)


def _back(person: Person) -> HttpResponse:
    return redirect("person-records", pk=person.pk)


@login_required
def my_records(request: ActorRequest) -> HttpResponse:
    """The signed-in person's own records, or the offer to open them."""
    person = selectors.own_person(actor=request.actor)
    if person is not None:
        return _back(person)
    user = request.actor.user
    return render(
        request,
        "enrollment/my_records_start.html",
        {"has_identity": bool(user is not None and user.id_number)},
    )


@login_required
@require_POST
def my_person_create(request: ActorRequest) -> HttpResponse:
    person = run_action(
        request,
        lambda: persons.person_for_user(actor=request.actor),
        success=_("已建立个人档案。"),
    )
    return _back(person) if person is not None else redirect("my-records")


@login_required
def person_records(request: ActorRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    actor = request.actor
    editable = can_edit_records(actor, person)
    return render(
        request,
        "enrollment/person_records.html",
        {
            "person": person,
            "is_self": is_self(actor, person),
            "editable": editable,
            "can_verify": can_verify_diploma(actor, person),
            "applications": selectors.application_list(actor=actor).filter(person=person),
            "forms": {k: form(auto_id=f"{k}_%s") for k, form in RECORD_FORMS.items()}
            if editable
            else {},
        },
    )


def _record(actor: Actor, person: Person, kind: str, record_pk: int) -> Any:
    related = {
        "education": person.education,
        "student": person.student_statuses,
        "work": person.work_history,
        "certificate": person.certificates_held,
    }
    if kind not in related:
        raise Http404
    return get_object_or_404(related[kind].all(), pk=record_pk)


@login_required
@require_POST
def person_record_add(request: ActorRequest, pk: int, kind: str) -> HttpResponse:
    person = _person(request, pk)
    if kind not in RECORD_FORMS:
        raise Http404
    form = RECORD_FORMS[kind](request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(person)
    adder = RECORD_ADDERS[kind]
    run_action(
        request,
        lambda: adder(actor=request.actor, person=person, **form.cleaned_data),
        success=_("已添加记录。"),
    )
    return _back(person)


@login_required
@require_POST
def person_record_remove(request: ActorRequest, pk: int, kind: str, record_pk: int) -> HttpResponse:
    person = _person(request, pk)
    record = _record(request.actor, person, kind, record_pk)
    run_action(
        request,
        lambda: persons.record_remove(actor=request.actor, record=record),
        success=_("已删除记录。"),
    )
    return _back(person)


@login_required
@require_POST
def person_diploma_verify(request: ActorRequest, pk: int, record_pk: int) -> HttpResponse:
    person = _person(request, pk)
    record = _record(request.actor, person, "education", record_pk)
    run_action(
        request,
        lambda: persons.diploma_verify(actor=request.actor, person=person, education_record=record),
        success=_("已核验毕业证书，相关申请的证书发放不再等待学历。"),
    )
    return _back(person)
