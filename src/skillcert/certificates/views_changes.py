"""Pages of corrections, reissues (修改/遗失补发) and revocations (撤销).

The holder applies on a certificate; the issuing institution's staff record paper
applications, decide them, revoke and carry out the revocations that voided results
left pending; the HR authority over the institution revokes and reads the lists.
Views parse input and call the services in ``changes`` and ``revocation``; every read
goes through ``for_actor`` (out of scope: 404), and a refusal comes back as a message.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.certificates import changes, revocation
from skillcert.certificates.choices import ChangeStatus, VersionReason
from skillcert.certificates.forms_changes import ChangeRequestForm, DecisionForm, RevokeForm
from skillcert.certificates.models import Certificate, ChangeRequest
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.choices import IdType, ScopeLevel
from skillcert.core.errors import DomainError
from skillcert.core.web import forbidden, form_errors_to_messages, run_action
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES, is_authority_over
from skillcert.results.models import CertificateRevocation

NO_STORE = "private, no-store"
PAGE_SIZE = 50


def _certificate(request: ActorRequest, pk: int) -> Certificate:
    """The certificate if the actor's scope holds it (else 404)."""
    return get_object_or_404(
        Certificate.objects.for_actor(request.actor).select_related(
            "institution__organisation", "batch__institution", "person"
        ),
        pk=pk,
    )


def _change_request(request: ActorRequest, pk: int) -> ChangeRequest:
    return get_object_or_404(
        ChangeRequest.objects.for_actor(request.actor).select_related(
            "certificate__institution__organisation", "certificate__batch__institution",
            "certificate__person",
        ),
        pk=pk,
    )  # fmt: skip


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _reads_lists(actor: Actor, *, persons: bool) -> bool:
    """Staff and HR officials read their scope's lists; persons read their own."""
    if actor.is_platform_admin or actor.role in STAFF_ROLES | AUTHORITY_ROLES:
        return True
    return persons and actor.level == ScopeLevel.PERSON


# --- applying ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def change_new(request: ActorRequest, pk: int) -> HttpResponse:
    """申请修改/补发 on one certificate: its holder, or the issuing institution's staff
    recording a paper application."""
    actor = request.actor
    certificate = _certificate(request, pk)
    if not changes.can_request_change(actor, certificate):
        return forbidden(request, _("只有证书持有人或发证机构的工作人员可以申请证书修改或补发。"))
    if request.method == "POST":
        form = ChangeRequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            made = run_action(
                request,
                lambda: changes.change_request_submit(
                    actor=actor,
                    certificate=certificate,
                    kind=data["kind"],
                    reason=data["reason"],
                    changes=form.changes(),
                    new_id_number=data["new_id_number"],
                    evidence=data["evidence"],
                ),
                success=_("申请已提交，发证机构审核后在此显示结果。"),
            )
            if made is not None:
                return redirect("certificates-change-list")
        else:
            form_errors_to_messages(request, form)
    else:
        form = ChangeRequestForm(
            initial={
                "kind": VersionReason.CORRECTION,
                "holder_name": certificate.holder_name,
                "id_type": certificate.id_type,
            }
        )
    context = {"certificate": certificate, "form": form}
    return _private(render(request, "certificates/changes/request_form.html", context))


# --- the lists -------------------------------------------------------------------------------


@login_required
@require_GET
def change_list(request: ActorRequest) -> HttpResponse:
    """证书修改/补发申请: the holder's own; the institution's (with decisions); the HR
    authority's region, read-only."""
    actor = request.actor
    if not _reads_lists(actor, persons=True):
        return forbidden(request)
    page = Paginator(changes.change_requests_for(actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "request": r,
            "id_type_label": IdType(r.changes["id_type"]).label if "id_type" in r.changes else "",
            "can_decide": r.status == ChangeStatus.SUBMITTED
            and changes.can_decide_change(actor, r.certificate),
        }
        for r in page
    ]
    context = {"page": page, "rows": rows, "decision_form": DecisionForm(auto_id=False)}
    return _private(render(request, "certificates/changes/request_list.html", context))


@login_required
@require_GET
def change_evidence(request: ActorRequest, pk: int) -> HttpResponseBase:
    """The evidence file: the applicant holder, the issuing institution, its authority."""
    actor = request.actor
    change = _change_request(request, pk)
    certificate = change.certificate
    if not (
        changes.is_holder(actor, certificate)
        or changes.can_decide_change(actor, certificate)
        or is_authority_over(actor, certificate.institution)
    ):
        return forbidden(request)
    if not change.evidence:
        raise Http404
    extension = PurePath(change.evidence.name).suffix
    response = FileResponse(
        change.evidence.open("rb"),
        as_attachment=True,
        filename=f"证明材料_{certificate.number}{extension}",
        content_type=mimetypes.types_map.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_POST
def change_decide(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    change = _change_request(request, pk)
    if not changes.can_decide_change(actor, change.certificate):
        return forbidden(request, _("只有发证机构的管理员或考务人员可以审核证书修改或补发申请。"))
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("certificates-change-list")
    approve, note = form.cleaned_data["approve"], form.cleaned_data["note"]
    run_action(
        request,
        lambda: changes.change_request_decide(
            actor=actor, request=change, approve=approve, note=note
        ),
        success=_("已批准，新版证书已生成。") if approve else _("已驳回申请。"),
    )
    return redirect("certificates-change-list")


# --- revocation -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def certificate_revoke(request: ActorRequest, pk: int) -> HttpResponse:
    """撤销证书 with a reason: the issuing institution's staff or its HR authority."""
    actor = request.actor
    certificate = _certificate(request, pk)
    if not revocation.can_revoke(actor, certificate):
        return forbidden(request, _("只有发证机构的管理员、考务人员或属地人社部门可以撤销证书。"))
    form = RevokeForm(request.POST) if request.method == "POST" else RevokeForm()
    if request.method == "POST":
        if form.is_valid():
            done = run_action(
                request,
                lambda: revocation.certificate_revoke(
                    actor=actor, certificate=certificate, reason=form.cleaned_data["reason"]
                ),
                success=_("证书 %(number)s 已撤销。") % {"number": certificate.number},
            )
            if done is not None:
                return redirect("certificates-revoke", pk=certificate.pk)
        else:
            form_errors_to_messages(request, form)
    context = {"certificate": certificate, "form": form}
    return _private(render(request, "certificates/changes/revoke_form.html", context))


@login_required
@require_GET
def revocation_list(request: ActorRequest) -> HttpResponse:
    """待撤销证书: results voided after the certificate was issued (云人社函〔2023〕1号
    一(四)), each with a 执行撤销 button."""
    actor = request.actor
    if not _reads_lists(actor, persons=False):
        return forbidden(request)
    page = Paginator(revocation.revocations_pending(actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "may_act": revocation.may_revoke_listed(actor)}
    return _private(render(request, "certificates/changes/revocation_list.html", context))


@login_required
@require_POST
def revocation_carry_out(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    row = get_object_or_404(
        CertificateRevocation.objects.for_actor(actor).select_related(
            "application__batch__institution__organisation"
        ),
        pk=pk,
    )
    if not revocation.can_revoke_for(actor, row.application.batch.institution):
        return forbidden(request, _("只有发证机构的管理员、考务人员或属地人社部门可以撤销证书。"))
    try:
        revoked = revocation.revocation_carry_out(actor=actor, revocation=row)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if revoked is None:
            messages.success(request, _("该考生没有已发证书，无需撤销，事项已办结。"))
        else:
            messages.success(request, _("证书 %(number)s 已撤销。") % {"number": revoked.number})
    return redirect("certificates-revocations")
