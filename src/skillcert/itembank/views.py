"""Item bank pages: the bank of one standard level, its exchange files and item states."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.models import Organisation
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.itembank import selectors, services
from skillcert.itembank.exchange import excel, qti
from skillcert.itembank.forms import ExcelImportForm, QtiImportForm
from skillcert.itembank.models import Item

MAX_UPLOAD = 10 * 1024 * 1024


def _level(pk: int) -> StandardLevel:
    return get_object_or_404(StandardLevel.objects.select_related("standard"), pk=pk)


@login_required
def bank_detail(request: ActorRequest, level_pk: int) -> HttpResponse:
    actor = request.actor
    if not services.can_read_bank(actor):
        return forbidden(request)
    level = _level(level_pk)
    context = {
        "level": level,
        "items": selectors.bank_items(actor=actor, standard_level=level),
        "counts": selectors.bank_counts(actor=actor, standard_level=level),
        "coverage": selectors.point_coverage(actor=actor, standard_level=level),
        "difficulties": selectors.DIFFICULTIES,
        "minimum": selectors.MIN_ITEMS_PER_POINT,
        "own_bank": services.bank_kept_by(actor),
        "excel_form": ExcelImportForm(),
        "qti_form": QtiImportForm(),
    }
    return render(request, "itembank/bank_detail.html", context)


@login_required
def bank_export(request: ActorRequest, level_pk: int) -> HttpResponse:
    actor = request.actor
    if not services.can_read_bank(actor):
        return forbidden(request)
    level = _level(level_pk)
    data = excel.export_bytes(selectors.bank_items(actor=actor, standard_level=level))
    return file_response(data, f"items-{level.pk}.xlsx", XLSX_CONTENT_TYPE)


@login_required
def bank_template(request: ActorRequest) -> HttpResponse:
    if not services.can_read_bank(request.actor):
        return forbidden(request)
    return file_response(excel.template_bytes(), "item-template.xlsx", XLSX_CONTENT_TYPE)


def _import(
    request: ActorRequest,
    level_pk: int,
    form_class: type[ExcelImportForm] | type[QtiImportForm],
    run: Callable[[Organisation, StandardLevel, bytes], object],
) -> HttpResponse:
    level = _level(level_pk)
    owner = services.bank_kept_by(request.actor)
    if owner is None:
        return forbidden(request)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        form_errors_to_messages(request, form)
    elif form.cleaned_data["file"].size > MAX_UPLOAD:
        messages.error(request, _("文件不能超过10 MB。"))
    else:
        data = form.cleaned_data["file"].read()
        run_action(request, lambda: run(owner, level, data), success=_("试题已导入为草稿。"))
    return redirect("itembank-bank", level_pk=level.pk)


@login_required
@require_POST
def bank_import(request: ActorRequest, level_pk: int) -> HttpResponse:
    def run(owner: Organisation, level: StandardLevel, data: bytes) -> object:
        return excel.items_import_excel(
            actor=request.actor, owner=owner, standard_level=level, data=data
        )

    return _import(request, level_pk, ExcelImportForm, run)


@login_required
@require_POST
def qti_import(request: ActorRequest, level_pk: int) -> HttpResponse:
    def run(owner: Organisation, level: StandardLevel, data: bytes) -> object:
        return qti.item_import_qti(
            actor=request.actor, owner=owner, standard_level=level, data=data
        )

    return _import(request, level_pk, QtiImportForm, run)


def _item(request: ActorRequest, pk: int) -> Item:
    return get_object_or_404(
        Item.objects.for_actor(request.actor).select_related("point", "owner"), pk=pk
    )


@login_required
def item_qti(request: ActorRequest, pk: int) -> HttpResponse:
    if not services.can_read_bank(request.actor):
        return forbidden(request)
    item = _item(request, pk)
    data = qti.item_to_qti(item)
    return file_response(data, f"item-{item.family}-v{item.version}.xml", "application/xml")


TRANSITIONS = {
    "review": (services.item_review, gettext_lazy("试题已审核。")),
    "activate": (services.item_activate, gettext_lazy("试题已启用。")),
    "retire": (services.item_retire, gettext_lazy("试题已停用。")),
}


@login_required
@require_POST
def item_transition(request: ActorRequest, pk: int, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    item = _item(request, pk)
    service, success = TRANSITIONS[action]
    run_action(request, lambda: service(actor=request.actor, item=item), success=success)
    return redirect("itembank-bank", level_pk=item.standard_level_id)
