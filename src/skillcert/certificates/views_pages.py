"""Certificate pages (DESIGN.md lifecycle step 7): the institution's batch page with its
issuance run, a certificate's record with its versions and downloads, the candidate's
我的证书 and the authorities' search.

Views parse input and call the services; every read goes through ``for_actor``, so a
certificate outside the actor's scope is a 404 and one inside it that the role may not
read is a 403.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.models import Batch
from skillcert.certificates import changes, exports, issuance, revocation, selectors, tokens
from skillcert.certificates.choices import RUN_ACTIVE, CertificateStatus, RunStatus
from skillcert.certificates.forms import CertificateSearchForm
from skillcert.certificates.models import Certificate, CertificateVersion, IssuanceRun
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.web import file_response, forbidden, run_action
from skillcert.enrollment.models import Application
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.results.permissions import can_manage, can_read

_BATCH_RELATED = ("institution__organisation", "occupation", "work_type")
PAGE_SIZE = 30
CREDENTIAL_CONTENT_TYPE = "application/ld+json"

# Corrections, reissues and revocations (their own pages), each with who may start it.
CERTIFICATE_ACTIONS: tuple[tuple[str, Promise, Callable[[Actor, Certificate], bool]], ...] = (
    ("certificates-change-new", gettext_lazy("申请修改或补发"), changes.can_request_change),
    ("certificates-revoke", gettext_lazy("撤销证书"), revocation.can_revoke),
)


# --- look-ups and rules -------------------------------------------------------------------


def _batch(request: ActorRequest, batch_pk: int) -> Batch:
    """The batch if the actor's scope holds it (else 404)."""
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(*_BATCH_RELATED), pk=batch_pk
    )


def _certificate(request: ActorRequest, pk: int) -> Certificate:
    return get_object_or_404(
        Certificate.objects.for_actor(request.actor).select_related(
            "batch__institution__organisation", "person"
        ),
        pk=pk,
    )


def can_read_certificate(actor: Actor, certificate: Certificate) -> bool:
    """The holder, the issuing institution's staff and the HR authorities over it."""
    return changes.is_holder(actor, certificate) or can_read(actor, certificate.batch)


def _readable(request: ActorRequest, pk: int) -> Certificate | HttpResponse:
    certificate = _certificate(request, pk)
    if not can_read_certificate(request.actor, certificate):
        return forbidden(request, _("只有持证人、发证机构和属地人社部门可以查看证书。"))
    return certificate


def _action_links(actor: Actor, certificate: Certificate) -> list[tuple[str, str, str]]:
    """(label, url, element id) of the actions the actor may start on the certificate;
    a revoked certificate is neither changed nor revoked again."""
    if certificate.status == CertificateStatus.REVOKED:
        return []
    return [
        (str(label), reverse(name, kwargs={"pk": certificate.pk}), name)
        for name, label, allowed in CERTIFICATE_ACTIONS
        if allowed(actor, certificate)
    ]


def _private(response: HttpResponseBase) -> HttpResponseBase:
    response["Cache-Control"] = "private, no-store"
    return response


# --- the institution's batch page ---------------------------------------------------------


@login_required
@require_GET
def batch_certificates(request: ActorRequest, batch_pk: int) -> HttpResponseBase:
    """A batch's issuance: the latest run with its progress (polled while it runs), held
    and released graduating students, and the certificates issued."""
    actor = request.actor
    batch = _batch(request, batch_pk)
    if not can_read(actor, batch):
        return forbidden(request, _("只有本机构人员和属地人社部门可以查看证书发放情况。"))
    run = selectors.runs_for(actor, batch).first()
    progress = _run_context(run)
    if request.htmx:
        response = render(request, "certificates/pages/batch.html#progress", progress)
        if not progress["active"]:
            # The run has finished: reload the page for its certificates and lists.
            response["HX-Refresh"] = "true"
        return _private(response)
    context = {
        "batch": batch,
        **progress,
        "can_manage": can_manage(actor, batch),
        "held": list(selectors.held_applications(batch)),
        "released": _released(batch, run),
        "certificates": list(selectors.batch_certificates(actor, batch)),
    }
    return _private(render(request, "certificates/pages/batch.html", context))


def _released(batch: Batch, run: IssuanceRun | None) -> list[Application]:
    """Verified students still without a certificate once the batch's run has finished
    (a run still going, or resumed, issues them itself)."""
    if run is None or run.status != RunStatus.DONE:
        return []
    return list(selectors.released_applications(batch))


def _resumable(run: IssuanceRun | None) -> bool:
    """A run that broke off: ended in error, or running without progress for
    ``issuance.STALE_AFTER`` (the worker died)."""
    if run is None:
        return False
    return run.status == RunStatus.ERROR or issuance.is_stale(run)


def _run_context(run: IssuanceRun | None) -> dict[str, object]:
    percent = 0
    if run is not None and run.total:
        percent = min(100, (run.done + run.held) * 100 // run.total)
    resumable = _resumable(run)
    return {
        "run": run,
        "active": run is not None and run.status in RUN_ACTIVE and not resumable,
        "resumable": resumable,
        "percent": percent,
    }


def _managed(request: ActorRequest, batch_pk: int) -> Batch | HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_manage(request.actor, batch):
        return forbidden(request, _("只有本机构的管理员或考务人员可以发放证书。"))
    return batch


@login_required
@require_POST
def issue(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(
        request,
        lambda: issuance.issue_batch(actor=request.actor, batch=batch),
        success=_("已开始发证，进度见下方。"),
    )
    return redirect("certificates-batch", batch_pk=batch.pk)


@login_required
@require_POST
def resume(request: ActorRequest, batch_pk: int, run_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run = get_object_or_404(IssuanceRun.objects.for_actor(request.actor), pk=run_pk, batch=batch)
    run_action(
        request,
        lambda: issuance.issuance_resume(actor=request.actor, run=run),
        success=_("已继续发证，已发的证书不会重复发放。"),
    )
    return redirect("certificates-batch", batch_pk=batch.pk)


@login_required
@require_POST
def issue_held(request: ActorRequest, batch_pk: int, application_pk: int) -> HttpResponse:
    """Issue a graduating student's certificate once the diploma is verified."""
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    application = get_object_or_404(
        Application.objects.for_actor(request.actor).select_related("batch", "person"),
        pk=application_pk,
        batch=batch,
    )
    run_action(
        request,
        lambda: issuance.issue_held(actor=request.actor, application=application),
        success=_("已为 %(name)s 发证。") % {"name": application.person.full_name},
    )
    return redirect("certificates-batch", batch_pk=batch.pk)


@login_required
@require_GET
def summary_xlsx(request: ActorRequest, batch_pk: int) -> HttpResponseBase:
    """证书数据汇总表 of the batch: its staff and the HR authorities over it."""
    batch = _batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    data = exports.certificate_summary_xlsx(request.actor, batch)
    return file_response(data, exports.summary_filename(batch), XLSX_CONTENT_TYPE)


# --- one certificate ----------------------------------------------------------------------


@login_required
@require_GET
def certificate_detail(request: ActorRequest, pk: int) -> HttpResponseBase:
    """The record, its versions (each with its PDF and credential) and its status."""
    certificate = _readable(request, pk)
    if isinstance(certificate, HttpResponse):
        return certificate
    actor = request.actor
    context = {
        "certificate": certificate,
        "versions": list(selectors.versions_of(certificate)),
        "verification_url": tokens.verification_url(certificate.number, certificate.version),
        "can_manage": can_manage(actor, certificate.batch),
        "can_read_batch": can_read(actor, certificate.batch),
        "actions": _action_links(actor, certificate),
    }
    return _private(render(request, "certificates/pages/detail.html", context))


def _version(request: ActorRequest, pk: int, version: int) -> CertificateVersion | HttpResponse:
    certificate = _readable(request, pk)
    if isinstance(certificate, HttpResponse):
        return certificate
    return get_object_or_404(
        CertificateVersion.objects.for_actor(request.actor).select_related("certificate"),
        certificate=certificate,
        version=version,
    )


def _not_ready(request: ActorRequest, version: CertificateVersion) -> HttpResponse:
    context = {"version": version, "certificate": version.certificate}
    return render(request, "certificates/pages/not_ready.html", context, status=404)


@login_required
@require_GET
def version_pdf(request: ActorRequest, pk: int, version: int) -> HttpResponseBase:
    """The signed PDF of one version, named by its number."""
    found = _version(request, pk, version)
    if isinstance(found, HttpResponse):
        return found
    if not found.pdf:
        return _not_ready(request, found)
    name = f"{found.certificate.number}_v{found.version}.pdf"
    response = FileResponse(found.pdf.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return _private(response)


@login_required
@require_GET
def version_credential(request: ActorRequest, pk: int, version: int) -> HttpResponseBase:
    """The signed Verifiable Credential of one version (JSON-LD)."""
    found = _version(request, pk, version)
    if isinstance(found, HttpResponse):
        return found
    if not found.credential:
        return _not_ready(request, found)
    data = json.dumps(found.credential, ensure_ascii=False, indent=2).encode()
    name = f"{found.certificate.number}_v{found.version}.jsonld"
    return file_response(data, name, CREDENTIAL_CONTENT_TYPE)


# --- the candidate and the authorities ----------------------------------------------------


@login_required
@require_GET
def my_certificates(request: ActorRequest) -> HttpResponseBase:
    """The candidate's certificates of every batch, with downloads and verification links."""
    rows = [
        {
            "certificate": c,
            "current": next((v for v in c.versions.all() if v.version == c.version), None),
            "verification_url": tokens.verification_url(c.number, c.version),
        }
        for c in selectors.my_certificates(request.actor)
    ]
    return _private(render(request, "certificates/pages/mine.html", {"rows": rows}))


def _may_search(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES | STAFF_ROLES


@login_required
@require_GET
def certificate_list(request: ActorRequest) -> HttpResponseBase:
    """Search the certificates in the actor's scope by number or holder's name."""
    actor = request.actor
    if not _may_search(actor):
        return forbidden(request, _("只有人社部门和评价机构人员可以查询证书。"))
    form = CertificateSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found: QuerySet[Certificate] = selectors.certificate_search(actor, query)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query}
    return _private(render(request, "certificates/pages/list.html", context))
