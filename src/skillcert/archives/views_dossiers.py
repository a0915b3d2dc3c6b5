"""Batch dossier pages: a batch's builds with the 生成档案包 button and the progress of a
running build (polled), one dossier with its manifest as a table, and the download.

Every read goes through ``for_actor`` (out of scope: 404); in scope but not for this role
(an education official, the batch's candidate): 403. Downloads are audited by
``dossiers.dossier_open``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from skillcert.archives import dossiers
from skillcert.archives.choices import DossierStatus, RecordType, RetentionClass
from skillcert.archives.models import Dossier
from skillcert.batches.models import Batch
from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.web import forbidden, run_action

_BATCH_RELATED = ("institution__organisation", "occupation", "work_type")
NO_STORE = "private, no-store"
REFUSED = "只有本机构的管理员、考务人员或属地人社部门可以查看批次档案包。"


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = NO_STORE
    return response


def _batch(request: ActorRequest, batch_pk: int) -> Batch:
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(*_BATCH_RELATED), pk=batch_pk
    )


def _dossier(request: ActorRequest, pk: int) -> Dossier:
    return get_object_or_404(
        Dossier.objects.for_actor(request.actor).select_related(
            *(f"batch__{name}" for name in _BATCH_RELATED), "job"
        ),
        pk=pk,
    )


@login_required
@require_GET
def dossier_list(request: ActorRequest, batch_pk: int) -> HttpResponseBase:
    """The batch's dossiers, newest first; while one builds, its progress refreshes itself
    and the page reloads when it ends."""
    batch = _batch(request, batch_pk)
    if not dossiers.can_build(request.actor, batch):
        return forbidden(request, _(REFUSED))
    rows = list(
        Dossier.objects.for_actor(request.actor)
        .filter(batch_id=batch.pk)
        .select_related("job")
        .order_by("-created_at", "-pk")
    )
    building = next((d for d in rows if d.status == DossierStatus.BUILDING), None)
    progress: dict[str, Any] = {"batch": batch, "building": building}
    if request.htmx:
        response = render(request, "archives/dossier_list.html#progress", progress)
        if building is None:
            response["HX-Refresh"] = "true"
        return _private(response)
    context = {
        **progress,
        "dossiers": rows,
        "can_request": batch.status in dossiers.DOSSIER_BATCH_STATUSES and building is None,
    }
    return _private(render(request, "archives/dossier_list.html", context))


@login_required
@require_POST
def dossier_build(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _batch(request, batch_pk)
    if not dossiers.can_build(request.actor, batch):
        return forbidden(request, _(REFUSED))
    run_action(
        request,
        lambda: dossiers.dossier_request(actor=request.actor, batch=batch),
        success=_("已开始生成档案包，进度见下方。"),
    )
    return redirect("archives-dossiers", batch_pk=batch.pk)


def _entry_rows(manifest: dict[str, Any] | None) -> list[dict[str, Any]]:
    if manifest is None:
        return []
    types, classes = dict(RecordType.choices), dict(RetentionClass.choices)
    return [
        {
            **entry,
            "record_type_label": types.get(entry.get("record_type"), entry.get("record_type")),
            "retention_label": classes.get(
                entry.get("retention_class"), entry.get("retention_class")
            ),
        }
        for entry in manifest.get("entries", [])
    ]


@login_required
@require_GET
def dossier_detail(request: ActorRequest, pk: int) -> HttpResponseBase:
    """One dossier: its facts, hashes and the manifest's files with their record types."""
    dossier = _dossier(request, pk)
    if not dossiers.can_open(request.actor, dossier):
        return forbidden(request, _(REFUSED))
    manifest = dossiers.dossier_manifest(dossier)
    context = {
        "dossier": dossier,
        "batch": dossier.batch,
        "manifest": manifest,
        "entries": _entry_rows(manifest),
    }
    return _private(render(request, "archives/dossier_detail.html", context))


@login_required
@require_GET
def dossier_download(request: ActorRequest, pk: int) -> HttpResponseBase:
    """The dossier zip (full personal data): permitted readers only, every download audited."""
    dossier = _dossier(request, pk)
    try:
        name = dossiers.dossier_open(actor=request.actor, dossier=dossier)
    except DomainError as exc:
        if exc.status == 403:
            return forbidden(request, str(exc.message))
        return render(request, "archives/dossier_missing.html", {"dossier": dossier}, status=404)
    response = FileResponse(dossier.file.open("rb"), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return _private(response)
