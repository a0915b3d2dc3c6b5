"""Roster pages: the template, the upload (run as a background job) and the export."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.batches.models import Batch
from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.models import Job
from skillcert.enrollment.roster.export import roster_export
from skillcert.enrollment.roster.importer import (
    JOB_KIND,
    can_export_roster,
    can_import_roster,
    roster_job_create,
)
from skillcert.enrollment.roster.parse import MAX_BYTES
from skillcert.enrollment.roster.template import roster_template

RECENT_JOBS = 10


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(mb)s MB，请分成几个文件导入。"), params={"mb": MAX_BYTES // 2**20}
            )
        return upload


def _batch(request: ActorRequest, batch_pk: int) -> Batch:
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(
            "institution__organisation", "standard_level", "occupation", "work_type"
        ),
        pk=batch_pk,
    )


def _forbidden(request: ActorRequest) -> HttpResponse:
    return render(request, "core/forbidden.html", status=403)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    # Names and masked IDs: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def roster_upload(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """The upload form; a posted file becomes a job, and the job page shows its progress."""
    batch = _batch(request, batch_pk)
    if not can_import_roster(request.actor, batch):
        return _forbidden(request)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = roster_job_create(
                actor=request.actor, batch=batch, file_name=upload.name, data=upload.read()
            )
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        else:
            return redirect("job-detail", pk=job.pk)
    jobs = Job.objects.for_actor(request.actor).filter(kind=JOB_KIND, params__batch=batch.pk)
    context = {"batch": batch, "form": form, "jobs": jobs[:RECENT_JOBS]}
    return render(request, "enrollment/roster_upload.html", context)


@login_required
@require_GET
def roster_template_download(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_import_roster(request.actor, batch):
        return _forbidden(request)
    return _xlsx(roster_template(batch), f"报名名册模板_{batch.code}.xlsx")


@login_required
@require_GET
def roster_export_download(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_export_roster(request.actor, batch):
        return _forbidden(request)
    return _xlsx(roster_export(actor=request.actor, batch=batch), f"报名名册_{batch.code}.xlsx")
