"""Importing training records from Excel: the page with its template, the upload, and
every problem listed by row and column (``stats.training_import`` decides)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.sheet_import import CellError, SheetInvalid
from skillcert.core.web import file_response, forbidden
from skillcert.stats import training, training_import
from skillcert.stats.forms_lifelong import TrainingImportForm


def _refused(request: ActorRequest) -> HttpResponse | None:
    if training.institution_of(request.actor) is None:
        return forbidden(request, _("只有评价机构的管理员或考务人员可以登记培训记录。"))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def training_import_page(request: ActorRequest) -> HttpResponse:
    """导入培训记录 at the actor's own institution (all rows or none)."""
    refused = _refused(request)
    if refused is not None:
        return refused
    form = TrainingImportForm(request.POST or None, request.FILES or None)
    errors: list[CellError] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                made = training_import.training_import(
                    actor=request.actor, file=form.cleaned_data["file"]
                )
            except SheetInvalid as invalid:
                form.add_error(None, str(invalid.message))
                errors = invalid.errors
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("已导入 %(n)d 条培训记录。") % {"n": made})
                return redirect("stats-training")
    context = {"form": form, "errors": errors, "columns": training_import.COLUMNS}
    return render(request, "stats/training_import.html", context, status=status)


@login_required
@require_GET
def training_import_template(request: ActorRequest) -> HttpResponse:
    refused = _refused(request)
    if refused is not None:
        return refused
    data = training_import.training_template()
    return file_response(data, "培训记录导入模板.xlsx", XLSX_CONTENT_TYPE)
