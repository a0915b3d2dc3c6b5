"""Archive pages: the records registry, a batch's archive, legal holds and disposal lists.

HR officials and institution staff read (each within their scope; out of scope is 404);
education officials, examiners and persons are refused. Writes are POSTs to one URL per
action that call one service and redirect back.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.archives import disposal as disposals
from skillcert.archives import holds, records
from skillcert.archives.choices import DisposalStatus, RecordStatus, RecordType
from skillcert.archives.forms_records import (
    DecideForm,
    DisposalFilterForm,
    DisposalNewForm,
    HoldForm,
    RecordFilterForm,
    ReleaseForm,
    VideoForm,
)
from skillcert.archives.models import DisposalList, LegalHold
from skillcert.archives.permissions import (
    can_archive,
    can_decide_disposal,
    can_hold,
    can_propose_disposal,
    is_official,
    reads_archives,
)
from skillcert.archives.registry import SPECS
from skillcert.archives.selectors_records import (
    awaiting_archive,
    batch_holds,
    batch_records,
    disposal_list,
    hold_list,
    own_institution,
    record_list,
)
from skillcert.batches.models import Batch
from skillcert.core.actors import ActorRequest
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action

PAGE_SIZE = 50


def _refused(request: ActorRequest) -> HttpResponse:
    return forbidden(request, _("档案管理仅向人社部门和评价机构开放。"))


# --- registry ----------------------------------------------------------------------------


@login_required
@require_GET
def records_registry(request: ActorRequest) -> HttpResponse:
    """档案登记: the scope's records with their class and keep-until date, filtered."""
    if not reads_archives(request.actor):
        return _refused(request)
    form = RecordFilterForm(request.GET or None)
    rows = record_list(actor=request.actor, filters=form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "awaiting": list(awaiting_archive(actor=request.actor)[:PAGE_SIZE]),
        "specs": SPECS,
        "today": timezone.localdate(),
    }
    return render(request, "archives/records_registry.html", context)


def _batch(request: ActorRequest, batch_pk: int) -> Batch:
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related("institution__organisation"),
        pk=batch_pk,
    )


@login_required
@require_GET
def records_batch(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """One batch's archive: its records, the holds on it, archiving and the video note."""
    if not reads_archives(request.actor):
        return _refused(request)
    batch = _batch(request, batch_pk)
    rows = list(batch_records(batch))
    video = next((r for r in rows if r.record_type == RecordType.VIDEO), None)
    may_archive = can_archive(request.actor, batch)
    context = {
        "batch": batch,
        "records": rows,
        "holds": list(batch_holds(batch)),
        "may_archive": may_archive and not rows and records.archivable(batch),
        "may_register_video": may_archive
        and video is not None
        and video.status == RecordStatus.KEPT,
        "video_form": VideoForm(initial={"note": video.note if video else ""}),
    }
    return render(request, "archives/records_batch.html", context)


@login_required
@require_POST
def records_batch_archive(request: ActorRequest, batch_pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    batch = _batch(request, batch_pk)
    run_action(
        request,
        lambda: records.batch_archive(actor=request.actor, batch=batch),
        success=_("已归档，各类档案的保管期限已计算。"),
    )
    return redirect("archives-batch-records", batch_pk=batch.pk)


@login_required
@require_POST
def records_batch_video(request: ActorRequest, batch_pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    batch = _batch(request, batch_pk)
    form = VideoForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        run_action(
            request,
            lambda: records.video_register(actor=request.actor, batch=batch, note=note),
            success=_("已登记视频资料的存放位置。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("archives-batch-records", batch_pk=batch.pk)


# --- legal holds ---------------------------------------------------------------------------


@login_required
@require_GET
def hold_list_page(request: ActorRequest) -> HttpResponse:
    """档案保全: the holds placed in the official's scope, standing ones first."""
    if not is_official(request.actor):
        return forbidden(request, _("档案保全由人社部门办理。"))
    rows = hold_list(actor=request.actor)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "archives/hold_list.html", {"page": page, "release_form": ReleaseForm()})


@login_required
@require_http_methods(["GET", "POST"])
def hold_new(request: ActorRequest) -> HttpResponse:
    if not is_official(request.actor):
        return forbidden(request, _("档案保全由人社部门办理。"))
    form = HoldForm(request.POST or None, actor=request.actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hold = run_action(
            request,
            lambda: holds.hold_place(
                actor=request.actor,
                institution=data["institution"],
                batch=data["batch"],
                reason=data["reason"],
            ),
            success=_("已采取档案保全措施。"),
        )
        if hold is not None:
            return redirect("archives-holds")
    status = 400 if request.method == "POST" else 200
    return render(request, "archives/hold_new.html", {"form": form}, status=status)


@login_required
@require_POST
def hold_release(request: ActorRequest, pk: int) -> HttpResponse:
    if not is_official(request.actor):
        return forbidden(request, _("档案保全由人社部门办理。"))
    hold = get_object_or_404(
        LegalHold.objects.for_actor(request.actor).select_related("institution__organisation"),
        pk=pk,
    )
    if not can_hold(request.actor, hold.institution):
        return forbidden(request, _("只有该机构的属地人社部门可以解除档案保全。"))
    form = ReleaseForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        run_action(
            request,
            lambda: holds.hold_release(actor=request.actor, hold=hold, note=note),
            success=_("已解除档案保全。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("archives-holds")


# --- disposal lists -------------------------------------------------------------------------


@login_required
@require_GET
def disposal_list_page(request: ActorRequest) -> HttpResponse:
    """档案销毁清册: the scope's lists and their state."""
    if not reads_archives(request.actor):
        return _refused(request)
    form = DisposalFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    rows = disposal_list(actor=request.actor, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    institution = own_institution(request.actor)
    context = {
        "form": form,
        "page": page,
        "may_create": institution is not None and can_propose_disposal(request.actor, institution),
    }
    return render(request, "archives/disposal_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def disposal_new(request: ActorRequest) -> HttpResponse:
    """编制销毁清册: the institution's expired records that no hold stops."""
    institution = own_institution(request.actor)
    if institution is None or not can_propose_disposal(request.actor, institution):
        return forbidden(request, _("只有评价机构的管理员可以编制档案销毁清册。"))
    candidates = disposals.disposable_records(institution)
    form = DisposalNewForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        ids = [r.pk for r in form.cleaned_data["records"]]
        created = run_action(
            request,
            lambda: disposals.disposal_create(
                actor=request.actor, institution=institution, record_ids=ids
            ),
            success=_("已编制销毁清册，请核对后提交审批。"),
        )
        if created is not None:
            return redirect("archives-disposal-detail", pk=created.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "candidates": candidates, "institution": institution}
    return render(request, "archives/disposal_new.html", context, status=status)


def _disposal(request: ActorRequest, pk: int) -> DisposalList:
    return get_object_or_404(
        DisposalList.objects.for_actor(request.actor).select_related("institution__organisation"),
        pk=pk,
    )


@login_required
@require_GET
def disposal_detail(request: ActorRequest, pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    disposal = _disposal(request, pk)
    actor = request.actor
    proposer = can_propose_disposal(actor, disposal.institution)
    context = {
        "disposal": disposal,
        "items": list(disposal.items.select_related("record").order_by("pk")),
        "may_submit": proposer and disposal.status == DisposalStatus.DRAFT,
        "may_withdraw": proposer and disposal.status in disposals.WITHDRAWABLE,
        "may_execute": proposer and disposal.status == DisposalStatus.APPROVED,
        "may_decide": disposal.status == DisposalStatus.SUBMITTED
        and can_decide_disposal(actor, disposal.institution),
        "decide_form": DecideForm(),
    }
    return render(request, "archives/disposal_detail.html", context)


@login_required
@require_POST
def disposal_submit(request: ActorRequest, pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    disposal = _disposal(request, pk)
    run_action(
        request,
        lambda: disposals.disposal_submit(actor=request.actor, disposal=disposal),
        success=_("已提交属地人社部门审批。"),
    )
    return redirect("archives-disposal-detail", pk=disposal.pk)


@login_required
@require_POST
def disposal_withdraw(request: ActorRequest, pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    disposal = _disposal(request, pk)
    run_action(
        request,
        lambda: disposals.disposal_withdraw(actor=request.actor, disposal=disposal),
        success=_("已撤回销毁清册，档案恢复保管。"),
    )
    return redirect("archives-disposal-detail", pk=disposal.pk)


@login_required
@require_POST
def disposal_decide(request: ActorRequest, pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    disposal = _disposal(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        note = form.cleaned_data["note"]
        run_action(
            request,
            lambda: disposals.disposal_decide(
                actor=request.actor, disposal=disposal, approve=approve, note=note
            ),
            success=_("已批准销毁。") if approve else _("已退回，档案恢复保管。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("archives-disposal-detail", pk=disposal.pk)


@login_required
@require_POST
def disposal_execute(request: ActorRequest, pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    disposal = _disposal(request, pk)
    run_action(
        request,
        lambda: disposals.disposal_execute(actor=request.actor, disposal=disposal),
        success=_("已按销毁清册执行销毁。"),
    )
    return redirect("archives-disposal-detail", pk=disposal.pk)


@login_required
@require_GET
def disposal_export(request: ActorRequest, pk: int) -> HttpResponse:
    if not reads_archives(request.actor):
        return _refused(request)
    disposal = _disposal(request, pk)
    data = disposals.disposal_workbook(disposal)
    return file_response(data, f"档案销毁清册_{disposal.number}.xlsx", disposals.XLSX_CONTENT_TYPE)
