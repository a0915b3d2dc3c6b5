"""Pages of complaints and reports (投诉举报).

Public: the form (anyone, no login; the page then shows the tracking number once) and the
status page, where the tracking number is POSTed (it never goes into a URL or a log) and
a wrong number gets the one neutral answer. Officials: the list in their scope (overdue
first), its Excel export, and one complaint with assignment, transfer, reply, decline and
its evidence files. Every official read goes through ``for_actor`` (out of scope: 404).
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.certificates import ratelimit
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE, workbook_bytes
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.supervision import complaints
from skillcert.supervision.forms_complaints import (
    AssignForm,
    ComplaintForm,
    DeclineForm,
    FilterForm,
    ReplyForm,
    StatusForm,
    TransferForm,
)
from skillcert.supervision.models import Complaint, ComplaintFile
from skillcert.supervision.permissions import AUTHORITY_ROLES
from skillcert.supervision.selectors_complaints import (
    OverdueDays,
    complaint_by_tracking_number,
    complaint_list,
    overdue_working_days,
    remaining_working_days,
)

NO_STORE = "private, no-store"
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def not_found_message() -> str:
    return _("未查询到该编号的投诉举报，请核对查询编号。")


# --- public ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_complaint_new(request: HttpRequest) -> HttpResponse:
    """投诉举报: the form; after submitting, the tracking number to keep."""
    error, status = "", 200
    if request.method == "POST":
        form = ComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = complaints.complaint_submit(
                    province=data["province"],
                    kind=data["kind"],
                    subject_text=data["subject_text"],
                    content=data["content"],
                    institution=data["institution"],
                    complainant_name=data["complainant_name"],
                    phone=data["phone"],
                    files=data["evidence"],
                    client=ratelimit.client_address(request),
                )
            except DomainError as exc:
                error = str(exc.message)
                status = 429 if exc.code == "rate_limited" else 400
            else:
                receipt = {"complaint": complaint}
                return _private(
                    render(request, "supervision/complaints/public_submitted.html", receipt)
                )
        else:
            status = 400
    else:
        form = ComplaintForm()
    context: dict[str, Any] = {"form": form, "error": error}
    response = render(request, "supervision/complaints/public_new.html", context, status=status)
    return _private(response) if request.method == "POST" else response


@require_http_methods(["GET", "POST"])
def public_complaint_status(request: HttpRequest) -> HttpResponse:
    """办理进度查询: the tracking number by POST, limited per client like verification."""
    context: dict[str, Any] = {"form": StatusForm(), "complaint": None, "error": ""}
    if request.method == "GET":
        return render(request, "supervision/complaints/public_status.html", context)
    verdict = ratelimit.hit(request, scope="complaint-status")
    if not verdict.allowed:
        context["error"] = ratelimit.refusal_message(verdict)
        response = render(request, "supervision/complaints/public_status.html", context, status=429)
        response["Retry-After"] = str(verdict.retry_after)
        return _private(response)
    form = StatusForm(request.POST)
    status = 200
    if not form.is_valid():
        context["form"], status = form, 400
    else:
        complaint = complaint_by_tracking_number(form.cleaned_data["tracking_number"])
        if complaint is None:
            context["error"], status = not_found_message(), 404
        else:
            context["complaint"] = complaint
            context["closed"] = complaint.status in complaints.CLOSED_STATUSES
    # The number is not echoed back into the form.
    response = render(request, "supervision/complaints/public_status.html", context, status=status)
    return _private(response)


# --- officials --------------------------------------------------------------------------


def _reads_complaints(actor: Actor) -> bool:
    """HR officials; education officials, institutions and persons are refused."""
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


def _filtered(request: ActorRequest) -> tuple[FilterForm, Any]:
    form = FilterForm(request.GET or None)
    status, overdue = "", False
    if form.is_bound and form.is_valid():
        status, overdue = form.cleaned_data["status"], form.cleaned_data["overdue"]
    return form, complaint_list(actor=request.actor, status=status, overdue=overdue)


@login_required
@require_GET
def complaint_list_page(request: ActorRequest) -> HttpResponse:
    """投诉举报办理: the scope's complaints, overdue first, with the working days left."""
    if not _reads_complaints(request.actor):
        return forbidden(request)
    form, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    late = OverdueDays()
    items = [{"complaint": c, "overdue_days": late(c)} for c in page]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "items": items, "query": query.urlencode()}
    return _private(render(request, "supervision/complaints/list.html", context))


@login_required
@require_GET
def complaint_export(request: ActorRequest) -> HttpResponse:
    """The same list as Excel (no names or phone numbers of the submitters)."""
    if not _reads_complaints(request.actor):
        return forbidden(request)
    _form, rows = _filtered(request)
    today = timezone.localdate()
    late = OverdueDays(today)
    headers = [
        _("查询编号"), _("类型"), _("被投诉举报对象"), _("涉及机构"), _("承办单位"),
        _("承办人"), _("受理时间"), _("答复期限"), _("状态"), _("逾期（工作日）"),
        _("实名"), _("投诉举报属实"), _("答复时间"),
    ]  # fmt: skip
    lines = [
        [
            c.tracking_number,
            c.get_kind_display(),
            c.subject_text,
            c.institution.name if c.institution else "",
            c.handler.name,
            c.assignee.display_name if c.assignee else "",
            timezone.localtime(c.received_at),
            c.due_on,
            c.get_status_display(),
            late(c),
            bool(c.complainant_name or c.complainant_phone),
            "" if c.upheld is None else c.upheld,
            timezone.localtime(c.replied_at) if c.replied_at else None,
        ]
        for c in rows
    ]
    data = workbook_bytes(title=_("投诉举报"), headers=headers, rows=lines)
    return file_response(data, f"投诉举报_{today:%Y%m%d}.xlsx", XLSX_CONTENT_TYPE)


def _complaint(request: ActorRequest, pk: int) -> Complaint:
    return get_object_or_404(
        Complaint.objects.for_actor(request.actor).select_related(
            "handler", "institution__organisation", "assignee", "province"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """One complaint: its facts and files; assign, transfer, reply or decline it."""
    actor = request.actor
    if not _reads_complaints(actor):
        return forbidden(request)
    complaint = _complaint(request, pk)
    revealed = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "reveal":
            revealed = _reveal(request, complaint)
        else:
            _act(request, complaint, action)
            return redirect("supervision-complaint-detail", pk=complaint.pk)
    may_handle = complaints.can_handle(actor, complaint)
    is_open = complaint.status not in complaints.CLOSED_STATUSES
    today = timezone.localdate()
    context = {
        "complaint": complaint,
        "files": list(complaint.files.all()),
        "revealed_phone": revealed,
        "may_handle": may_handle and is_open,
        "may_reveal": may_handle and bool(complaint.complainant_phone),
        "may_transfer": is_open and complaints.can_transfer(actor, complaint),
        "overdue_days": overdue_working_days(complaint, today),
        "remaining_days": remaining_working_days(complaint, today) if is_open else None,
        "assign_form": AssignForm(complaint=complaint, prefix="assign"),
        "transfer_form": TransferForm(complaint=complaint, prefix="transfer"),
        "reply_form": ReplyForm(prefix="reply"),
        "decline_form": DeclineForm(prefix="decline"),
    }
    return _private(render(request, "supervision/complaints/detail.html", context))


def _reveal(request: ActorRequest, complaint: Complaint) -> str:
    try:
        return complaints.complaint_phone_reveal(actor=request.actor, complaint=complaint)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return ""


def _act(request: ActorRequest, complaint: Complaint, action: str) -> None:
    """Parse the posted form of ``action`` and call its service; refusals become messages."""
    actor = request.actor
    if action == "assign":
        assign = AssignForm(request.POST, complaint=complaint, prefix="assign")
        if assign.is_valid():
            assignee = assign.cleaned_data["assignee"]
            run_action(
                request,
                lambda: complaints.complaint_assign(
                    actor=actor, complaint=complaint, assignee=assignee
                ),
                success=_("已指定承办人。"),
            )
        else:
            form_errors_to_messages(request, assign)
    elif action == "transfer":
        transfer = TransferForm(request.POST, complaint=complaint, prefix="transfer")
        if transfer.is_valid():
            handler = transfer.cleaned_data["handler"]
            run_action(
                request,
                lambda: complaints.complaint_transfer(
                    actor=actor, complaint=complaint, handler=handler
                ),
                success=_("已转办至%(name)s。") % {"name": handler.name},
            )
        else:
            form_errors_to_messages(request, transfer)
    elif action == "reply":
        reply = ReplyForm(request.POST, prefix="reply")
        if reply.is_valid():
            data = reply.cleaned_data
            run_action(
                request,
                lambda: complaints.complaint_reply(
                    actor=actor, complaint=complaint, reply=data["reply"], upheld=data["upheld"]
                ),
                success=_("已答复，投诉举报人可凭查询编号查看。"),
            )
        else:
            form_errors_to_messages(request, reply)
    elif action == "decline":
        decline = DeclineForm(request.POST, prefix="decline")
        if decline.is_valid():
            reason = decline.cleaned_data["reason"]
            run_action(
                request,
                lambda: complaints.complaint_decline(
                    actor=actor, complaint=complaint, reason=reason
                ),
                success=_("已决定不予受理。"),
            )
        else:
            form_errors_to_messages(request, decline)
    else:
        messages.error(request, _("未知的操作。"))


@login_required
@require_GET
def complaint_file(request: ActorRequest, pk: int, file_pk: int) -> HttpResponseBase:
    """An evidence file of a complaint in the official's scope."""
    if not _reads_complaints(request.actor):
        return forbidden(request)
    complaint = _complaint(request, pk)
    row: ComplaintFile = get_object_or_404(complaint.files.all(), pk=file_pk)
    extension = PurePath(row.file.name or "").suffix
    response = FileResponse(
        row.file.open("rb"),
        as_attachment=True,
        filename=f"证据材料_{complaint.pk}_{row.pk}{extension}",
        content_type=row.content_type
        or mimetypes.types_map.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = NO_STORE
    return response
