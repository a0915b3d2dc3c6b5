"""Officials' pages: spot-check draws and their records, the registry cross-check, and
the education department's registry import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skillcert.batches.models import Batch
from skillcert.core.actors import ActorRequest
from skillcert.core.choices import OFFICIAL_ROLES
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.web import form_errors_to_messages, run_action
from skillcert.enrollment import selectors
from skillcert.enrollment.forms import RegistryImportForm, SpotCheckDrawForm, SpotCheckRecordForm
from skillcert.enrollment.permissions import can_cross_check, can_import_registry, can_spot_check
from skillcert.enrollment.services import registry, spotchecks


def _batch(request: ActorRequest, pk: int) -> Batch:
    return get_object_or_404(selectors.batch_in_scope(actor=request.actor), pk=pk)


def _forbidden(request: ActorRequest) -> HttpResponse:
    return render(request, "core/forbidden.html", status=403)


# ---------------------------------------------------------------- spot checks


@login_required
def batch_spot_checks(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not can_spot_check(request.actor, batch):
        return _forbidden(request)
    draws = [
        (draw, spotchecks.spot_check_replay(draw) == draw.selected)
        for draw in selectors.spot_check_draws(actor=request.actor, batch=batch)
    ]
    return render(
        request,
        "enrollment/spot_checks.html",
        {
            "batch": batch,
            "draws": draws,
            "default_share": spotchecks.default_share(batch),
            "draw_form": SpotCheckDrawForm(),
            "record_form": SpotCheckRecordForm(auto_id=False),
        },
    )


@login_required
@require_POST
def batch_spot_check_draw(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = SpotCheckDrawForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("batch-spot-checks", pk=batch.pk)
    run_action(
        request,
        lambda: spotchecks.spot_check_draw(
            actor=request.actor, batch=batch, share_percent=form.cleaned_data["share_percent"]
        ),
        success=_("已完成随机抽取。"),
    )
    return redirect("batch-spot-checks", pk=batch.pk)


@login_required
@require_POST
def spot_check_record(request: ActorRequest, pk: int) -> HttpResponse:
    check = get_object_or_404(selectors.spot_check_in_scope(actor=request.actor), pk=pk)
    form = SpotCheckRecordForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
    else:
        run_action(
            request,
            lambda: spotchecks.spot_check_record(
                actor=request.actor,
                check=check,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
            ),
            success=_("已登记核查结果。"),
        )
    return redirect("batch-spot-checks", pk=check.draw.batch_id)


# ---------------------------------------------------------------- cross-check


@login_required
def batch_cross_check(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not can_cross_check(request.actor, batch):
        return _forbidden(request)
    rows = registry.registry_cross_check(actor=request.actor, batch=batch)
    return render(
        request,
        "enrollment/cross_check.html",
        {"batch": batch, "rows": rows, "problems": sum(1 for r in rows if not r.ok)},
    )


@login_required
def batch_cross_check_export(request: ActorRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not can_cross_check(request.actor, batch):
        return _forbidden(request)
    rows = registry.registry_cross_check(actor=request.actor, batch=batch)
    response = HttpResponse(
        registry.cross_check_workbook(batch, rows), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="cross-check-{batch.pk}.xlsx"'
    return response


# ---------------------------------------------------------------- registry


def _registry_page(
    request: ActorRequest, form: RegistryImportForm, errors: list[registry.CellError]
) -> HttpResponse:
    return render(
        request,
        "enrollment/registry.html",
        {
            "imports": selectors.registry_imports(actor=request.actor)[:100],
            "form": form,
            "errors": errors,
            "can_import": can_import_registry(request.actor),
            "columns": registry.COLUMNS,
        },
    )


def _sees_registry(request: ActorRequest) -> bool:
    return request.actor.is_platform_admin or request.actor.role in OFFICIAL_ROLES


@login_required
def registry_imports(request: ActorRequest) -> HttpResponse:
    if not _sees_registry(request):
        return _forbidden(request)
    return _registry_page(request, RegistryImportForm(), [])


@login_required
@require_POST
def registry_import(request: ActorRequest) -> HttpResponse:
    if not _sees_registry(request):
        return _forbidden(request)
    form = RegistryImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _registry_page(request, form, [])
    try:
        source = registry.registry_import(actor=request.actor, file=form.cleaned_data["file"])
    except registry.RegistryFileInvalid as invalid:
        messages.error(request, str(invalid.message))
        return _registry_page(request, form, invalid.errors)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _registry_page(request, form, [])
    messages.success(request, _("已导入 %(n)d 条学籍数据。") % {"n": source.rows})
    return redirect("registry-imports")


@login_required
def registry_template(request: ActorRequest) -> HttpResponse:
    response = HttpResponse(registry.registry_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="student-registry-template.xlsx"'
    return response
