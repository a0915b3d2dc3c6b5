"""Pages of the people pools, the spot-check list, the supervision tasks and a session's
考场记录表.

Provincial officials keep the pools and the list; city officials read their city's
members; the list is published (一公开). Whoever is drawn sees their tasks under 我的
督导任务, and an external supervisor keeps the session's 考场记录表 there. Views parse
input and call the services in ``pool`` and ``external``; reads go through ``for_actor``
or the selectors (out of scope: 404), and refusals come back as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.batches.models import Session
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.models import Region
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.supervision import external, pool, selectors_pool
from skillcert.supervision.choices import InspectionStatus, PlanKind, PoolKind
from skillcert.supervision.documents import notes_pdf
from skillcert.supervision.forms_external import FinishForm, ModeForm, NoteForm
from skillcert.supervision.forms_pool import (
    CheckItemForm,
    MemberAddForm,
    MemberDeactivateForm,
    MemberLinkForm,
)
from skillcert.supervision.models import Inspection, PoolMember

NO_STORE = "private, no-store"
PAGE_SIZE = 50
# The inspections area's page where an inspector records findings item by item.
INSPECTION_RECORD_URL = "supervision-inspection-detail"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _own_province(actor: Actor) -> Region | None:
    """The province whose pools and list the actor keeps, if any."""
    code = actor.province_code
    if code is None or not pool.can_manage_pool(actor, code):
        return None
    return Region.objects.get(code=code)


# --- the pools ---------------------------------------------------------------------------


@login_required
@require_GET
def pool_list(request: ActorRequest) -> HttpResponse:
    """检查督导人员库: both pools of the province (a city official: their city's members)."""
    actor = request.actor
    if not selectors_pool.reads_pool(actor):
        return forbidden(request)
    kind = request.GET.get("pool", "")
    kind = kind if kind in PoolKind.values else ""
    page = Paginator(selectors_pool.pool_members(actor, kind), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "pool": kind,
        "pools": PoolKind.choices,
        "may_manage": _own_province(actor) is not None,
        "link_form": MemberLinkForm(auto_id=False),
        "deactivate_form": MemberDeactivateForm(auto_id=False),
    }
    return _private(render(request, "supervision/pool/list.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def pool_add(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    province = _own_province(actor)
    if province is None:
        return forbidden(request, _("只有省级人社部门可以管理检查督导人员库。"))
    organisations = selectors_pool.affiliations(province.code)
    form = MemberAddForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            user = None
            if data["username"]:
                user = selectors_pool.user_by_username(data["username"])
                if user is None:
                    form.add_error("username", _("未找到该账号。"))
            if not form.errors:
                made = run_action(
                    request,
                    lambda: pool.member_add(
                        actor=actor,
                        province=province,
                        pool=data["pool"],
                        full_name=data["full_name"],
                        user=user,
                        affiliation=data["affiliation"],
                        employer=data["employer"],
                    ),
                    success=_("已入库。"),
                )
                if made is not None:
                    return redirect(f"{reverse('supervision-pool')}?pool={made.pool}")
        if form.errors:
            form_errors_to_messages(request, form)
    return _private(render(request, "supervision/pool/add.html", {"form": form}))


def _member(request: ActorRequest, pk: int) -> PoolMember:
    return get_object_or_404(PoolMember.objects.for_actor(request.actor), pk=pk)


@login_required
@require_POST
def pool_deactivate(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    member = _member(request, pk)
    if not pool.can_manage_pool(actor, member.province_id):
        return forbidden(request, _("只有省级人社部门可以管理检查督导人员库。"))
    form = MemberDeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_action(
        request,
        lambda: pool.member_deactivate(actor=actor, member=member, reason=reason),
        success=_("%(name)s 已出库。") % {"name": member.full_name},
    )
    return redirect(f"{reverse('supervision-pool')}?pool={member.pool}")


@login_required
@require_POST
def pool_link(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    member = _member(request, pk)
    if not pool.can_manage_pool(actor, member.province_id):
        return forbidden(request, _("只有省级人社部门可以管理检查督导人员库。"))
    form = MemberLinkForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
    else:
        user = selectors_pool.user_by_username(form.cleaned_data["username"])
        if user is None:
            messages.error(request, _("未找到该账号。"))
        else:
            run_action(
                request,
                lambda: pool.member_link_user(actor=actor, member=member, user=user),
                success=_("已关联登录账号。"),
            )
    return redirect(f"{reverse('supervision-pool')}?pool={member.pool}")


# --- the spot-check list -----------------------------------------------------------------


@login_required
@require_GET
def checklist(request: ActorRequest) -> HttpResponse:
    """随机抽查事项清单 of the actor's province, with the lines switched off."""
    actor = request.actor
    if not selectors_pool.reads_checklist(actor):
        return forbidden(request)
    code = actor.province_code or request.GET.get("province", "")
    context = {
        "items": selectors_pool.checklist(code),
        "may_manage": _own_province(actor) is not None,
        "form": CheckItemForm(),
    }
    return _private(render(request, "supervision/pool/checklist.html", context))


@login_required
@require_POST
def checklist_add(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    province = _own_province(actor)
    if province is None:
        return forbidden(request, _("只有省级人社部门可以维护抽查事项清单。"))
    form = CheckItemForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("supervision-checklist")
    data = form.cleaned_data
    run_action(
        request,
        lambda: pool.check_item_add(
            actor=actor,
            province=province,
            code=data["code"],
            title=data["title"],
            basis=data["basis"],
            method=data["method"],
            applies_to=data["applies_to"],
        ),
        success=_("抽查事项已添加。"),
    )
    return redirect("supervision-checklist")


@login_required
@require_POST
def checklist_toggle(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    province = _own_province(actor)
    if province is None:
        return forbidden(request, _("只有省级人社部门可以维护抽查事项清单。"))
    item = get_object_or_404(selectors_pool.checklist(province.code), pk=pk)
    run_action(
        request,
        lambda: pool.check_item_toggle(actor=actor, item=item),
        success=_("已更新抽查事项状态。"),
    )
    return redirect("supervision-checklist")


@require_GET
def public_items(request: HttpRequest) -> HttpResponse:
    """随机抽查事项清单, published (一公开, 川人社办发〔2020〕20号 五(一))."""
    code = request.GET.get("province", "")
    items = list(selectors_pool.public_checklist(code if code.isdigit() else ""))
    groups: dict[str, list[object]] = {}
    for item in items:
        groups.setdefault(str(item.province), []).append(item)
    return render(request, "supervision/pool/public_checklist.html", {"groups": groups})


# --- my supervision tasks ----------------------------------------------------------------


@login_required
@require_GET
def tasks(request: ActorRequest) -> HttpResponse:
    """我的督导任务: every inspection or external supervision the user was drawn for."""
    rows = selectors_pool.tasks_for(request.actor)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return _private(render(request, "supervision/external/tasks.html", {"page": page}))


def _task(request: ActorRequest, pk: int) -> Inspection:
    return get_object_or_404(selectors_pool.tasks_for(request.actor), pk=pk)


def _inspection_record_url(task: Inspection) -> str:
    try:
        return reverse(INSPECTION_RECORD_URL, kwargs={"pk": task.pk})
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def task_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """One task: for an external supervision, its 考场记录表 with the forms to add a
    line, set the mode and finish; for an inspection, where findings are recorded."""
    task = _task(request, pk)
    is_external = task.plan.kind == PlanKind.EXTERNAL_SUPERVISION
    is_open = task.status != InspectionStatus.FINISHED
    sessions = selectors_pool.task_sessions(task)
    context = {
        "task": task,
        "is_external": is_external,
        "is_open": is_open,
        "notes": external.notes_for_inspection(task),
        "members": task.assignments.select_related("member").order_by("-is_lead", "pk"),
        "note_form": NoteForm(sessions=sessions, initial={"session": task.session_id}),
        "mode_form": ModeForm(initial={"mode": task.mode}),
        "finish_form": FinishForm(),
        "record_url": "" if is_external else _inspection_record_url(task),
    }
    return _private(render(request, "supervision/external/task_detail.html", context))


@login_required
@require_POST
def task_note_add(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    task = _task(request, pk)
    form = NoteForm(request.POST, sessions=selectors_pool.task_sessions(task))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("supervision-task-detail", pk=task.pk)
    data = form.cleaned_data
    run_action(
        request,
        lambda: external.note_add(
            actor=actor,
            inspection=task,
            kind=data["kind"],
            text=data["text"],
            at=data["at"],
            session=data["session"],
        ),
        success=_("已记入考场记录表。"),
    )
    return redirect("supervision-task-detail", pk=task.pk)


@login_required
@require_POST
def task_mode(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    task = _task(request, pk)
    form = ModeForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
    else:
        run_action(
            request,
            lambda: external.supervision_mode_set(
                actor=actor, inspection=task, mode=form.cleaned_data["mode"]
            ),
            success=_("督导方式已保存。"),
        )
    return redirect("supervision-task-detail", pk=task.pk)


@login_required
@require_POST
def task_finish(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    task = _task(request, pk)
    form = FinishForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
    else:
        data = form.cleaned_data
        run_action(
            request,
            lambda: external.supervision_finish(
                actor=actor,
                inspection=task,
                conclusion=data["conclusion"],
                summary=data["summary"],
            ),
            success=_("督导已完成。"),
        )
    return redirect("supervision-task-detail", pk=task.pk)


# --- a session's 考场记录表 -----------------------------------------------------------------


def _session(request: ActorRequest, pk: int) -> Session | HttpResponse:
    access = selectors_pool.session_notes_access(request.actor, pk)
    if access is None:
        raise Http404
    if not access.may_read:
        return forbidden(request)
    return access.session


@login_required
@require_GET
def session_notes(request: ActorRequest, pk: int) -> HttpResponse:
    """The session's 考场记录表 (川人社办发〔2020〕20号 附件4(三)), lines in time order."""
    found = _session(request, pk)
    if isinstance(found, HttpResponse):
        return found
    context = {"session": found, "notes": external.notes_for_session(found)}
    return _private(render(request, "supervision/external/session_notes.html", context))


@login_required
@require_GET
def session_notes_pdf(request: ActorRequest, pk: int) -> HttpResponse:
    """The 考场记录表 printed (kept ≥ 3 years, 云人社函〔2023〕1号 二(三))."""
    found = _session(request, pk)
    if isinstance(found, HttpResponse):
        return found
    data = notes_pdf(found, list(external.notes_for_session(found)))
    return file_response(data, f"考场记录表_{found.pk}.pdf", "application/pdf", inline=True)
