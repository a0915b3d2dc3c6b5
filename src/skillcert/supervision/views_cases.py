"""Pages of violation cases (违纪违规案件), integrity records (诚信档案) and appeals (复核).

HR officials open, decide and close cases of the institutions in their region and
decide appeals; an institution's admin and exam staff read its cases and report its
candidates and staff; the person a case is about reads its decision and appeals on
"我的违纪违规处理". Every read goes through ``for_actor`` (out of scope: 404); a role not
allowed at all gets the forbidden page; a refusal comes back as a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.core.actors import ActorRequest
from skillcert.core.web import forbidden, form_errors_to_messages, run_action
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import Institution, StaffMember
from skillcert.supervision import cases
from skillcert.supervision import selectors_cases as sel
from skillcert.supervision.choices import SubjectKind
from skillcert.supervision.forms_cases import (
    AppealDecideForm,
    AppealForm,
    CaseFilterForm,
    CaseOpenForm,
    DecideForm,
)
from skillcert.supervision.models import Appeal, ViolationCase

NO_STORE = "private, no-store"
PAGE_SIZE = 50


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    return response


def _case(request: ActorRequest, pk: int) -> ViolationCase:
    return get_object_or_404(
        ViolationCase.objects.for_actor(request.actor).select_related(
            "institution__organisation", "person", "staff", "application__batch", "batch",
            "province",
        ),
        pk=pk,
    )  # fmt: skip


# --- the list and opening ----------------------------------------------------------------


@login_required
@require_GET
def case_list(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    if not sel.is_case_reader(actor):
        return forbidden(request, _("违纪违规案件由人社部门和评价机构办理。"))
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = sel.cases_for(
        actor,
        status=filters.get("status", ""),
        subject_kind=filters.get("subject_kind", ""),
        q=filters.get("q", ""),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "may_open": True}
    return _private(render(request, "supervision/cases/list.html", context))


def _initial(request: ActorRequest) -> dict[str, object]:
    """Prefill from ?application=, ?staff= or ?institution= (links on other pages)."""
    actor = request.actor
    initial: dict[str, object] = {}
    raw = {k: request.GET.get(k, "") for k in ("application", "staff", "institution")}
    if raw["application"].isdigit():
        app = (
            Application.objects.for_actor(actor)
            .select_related("batch")
            .filter(pk=int(raw["application"]))
            .first()
        )
        if app is not None:
            initial.update(
                subject_kind=SubjectKind.CANDIDATE,
                institution=app.batch.institution_id,
                admission_number=app.admission_number or "",
            )
    elif raw["staff"].isdigit():
        member = StaffMember.objects.for_actor(actor).filter(pk=int(raw["staff"])).first()
        if member is not None:
            initial.update(subject_kind=SubjectKind.STAFF, institution=member.institution_id)
    elif raw["institution"].isdigit():
        initial.update(subject_kind=SubjectKind.INSTITUTION, institution=int(raw["institution"]))
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: ActorRequest) -> HttpResponse:
    """立案: officials for any subject; an institution's staff for its candidates and staff."""
    actor = request.actor
    if not sel.is_case_reader(actor):
        return forbidden(request, _("违纪违规案件由人社部门和评价机构办理。"))
    institutions = Institution.objects.for_actor(actor).select_related("organisation")
    if request.method != "POST":
        form = CaseOpenForm(initial=_initial(request), institutions=institutions)
        return _private(render(request, "supervision/cases/open.html", {"form": form}))
    form = CaseOpenForm(request.POST, institutions=institutions)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _private(render(request, "supervision/cases/open.html", {"form": form}))
    data = form.cleaned_data
    institution: Institution = data["institution"]
    kind = data["subject_kind"]
    application = staff = None
    if kind == SubjectKind.CANDIDATE:
        application = sel.find_application(actor, data["admission_number"])
        if application is None:
            messages.error(request, _("未找到该准考证号的考生。"))
            return _private(render(request, "supervision/cases/open.html", {"form": form}))
    elif kind == SubjectKind.STAFF:
        staff = sel.find_staff(actor, institution, data["staff_id_number"])
        if staff is None:
            messages.error(request, _("所选机构的人员名单中没有该证件号码。"))
            return _private(render(request, "supervision/cases/open.html", {"form": form}))
    made = run_action(
        request,
        lambda: cases.case_open(
            actor=actor,
            subject_kind=kind,
            institution=institution,
            grade=data["grade"],
            facts=data["facts"],
            source=data["source"],
            application=application,
            staff=staff,
            component=data["component"],
            basis=data["basis"],
        ),
        success=_("已立案。"),
    )
    if made is None:
        return _private(render(request, "supervision/cases/open.html", {"form": form}))
    return redirect("supervision-case-detail", pk=made.pk)


# --- one case ----------------------------------------------------------------------------


@login_required
@require_GET
def case_detail(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not sel.is_case_reader(actor):
        return forbidden(request, _("违纪违规案件由人社部门和评价机构办理。"))
    case = _case(request, pk)
    may_decide = cases.can_decide(actor, case)
    context = {
        "case": case,
        "effects": sel.effect_rows(case, integrity=sel.is_hr_official(actor)),
        "appeals": sel.appeals_of(case),
        "open_appeal": sel.open_appeal(case),
        "may_decide": may_decide,
        "may_appeal": sel.may_appeal(actor, case),
        "decide_form": DecideForm(),
        "appeal_form": AppealForm(),
        "appeal_decide_form": AppealDecideForm(),
    }
    return _private(render(request, "supervision/cases/detail.html", context))


@login_required
@require_POST
def case_decide(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    case = _case(request, pk)
    if not cases.can_decide(actor, case):
        return forbidden(request, _("只有该机构的属地人社部门可以作出处理决定。"))
    form = DecideForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: cases.case_decide(
                actor=actor, case=case, decision=form.cleaned_data["decision"]
            ),
            success=_("已作出处理决定，处理措施已执行。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("supervision-case-detail", pk=case.pk)


@login_required
@require_POST
def case_close(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    case = _case(request, pk)
    if not cases.can_decide(actor, case):
        return forbidden(request, _("只有该机构的属地人社部门可以结案。"))
    run_action(request, lambda: cases.case_close(actor=actor, case=case), success=_("已结案。"))
    return redirect("supervision-case-detail", pk=case.pk)


@login_required
@require_POST
def case_rectified(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    case = _case(request, pk)
    if not cases.can_decide(actor, case):
        return forbidden(request, _("只有该机构的属地人社部门可以确认整改完成。"))
    run_action(
        request,
        lambda: cases.case_rectification_confirm(actor=actor, case=case),
        success=_("已确认整改完成。"),
    )
    return redirect("supervision-case-detail", pk=case.pk)


# --- appeals -----------------------------------------------------------------------------


@login_required
@require_POST
def appeal_file(request: ActorRequest, pk: int) -> HttpResponse:
    """The subject's appeal: the candidate or staff member (from 我的违纪违规处理), or the
    institution's admin (from the case page)."""
    actor = request.actor
    case = sel.my_case(actor, pk)
    back = "supervision-my-cases"
    if case is None:
        case = _case(request, pk)
        back = "supervision-case-detail"
    if not cases.is_subject(actor, case):
        return forbidden(request, _("只有被处理人本人（或被处理机构的管理员）可以申请复核。"))
    form = AppealForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: cases.appeal_file(actor=actor, case=case, grounds=form.cleaned_data["grounds"]),
            success=_("复核申请已提交。"),
        )
    else:
        form_errors_to_messages(request, form)
    if back == "supervision-my-cases":
        return redirect(back)
    return redirect(back, pk=case.pk)


@login_required
@require_POST
def appeal_decide(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    appeal = get_object_or_404(Appeal.objects.select_related("case"), pk=pk)
    case = _case(request, appeal.case_id)
    if not cases.can_decide(actor, case):
        return forbidden(request, _("只有该机构的属地人社部门可以办理复核。"))
    form = AppealDecideForm(request.POST)
    if form.is_valid():
        upheld, note = form.cleaned_data["upheld"], form.cleaned_data["note"]
        run_action(
            request,
            lambda: cases.appeal_decide(actor=actor, appeal=appeal, upheld=upheld, note=note),
            success=_("复核成立，已撤销禁考等处理记录。")
            if upheld
            else _("复核不成立，维持处理。"),
        )
    else:
        form_errors_to_messages(request, form)
    return redirect("supervision-case-detail", pk=case.pk)


# --- integrity records and the person's own cases -----------------------------------------


@login_required
@require_GET
def integrity_institution(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not sel.is_hr_official(actor):
        return forbidden(request, _("诚信档案由人社部门查阅。"))
    institution = get_object_or_404(
        Institution.objects.for_actor(actor).select_related("organisation"), pk=pk
    )
    context = {
        "title": institution.name,
        "institution": institution,
        "records": sel.institution_records(actor, institution),
        "bar": None,
    }
    return _private(render(request, "supervision/cases/integrity.html", context))


@login_required
@require_GET
def integrity_person(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    if not sel.is_hr_official(actor):
        return forbidden(request, _("诚信档案由人社部门查阅。"))
    person = get_object_or_404(Person.objects.for_actor(actor), pk=pk)
    context = {
        "title": person.full_name,
        "person": person,
        "records": sel.person_records(actor, person),
        "bar": sel.person_bar(person),
    }
    return _private(render(request, "supervision/cases/integrity.html", context))


@login_required
@require_GET
def my_cases(request: ActorRequest) -> HttpResponse:
    """我的违纪违规处理: decided cases about the signed-in person, with the appeal form."""
    actor = request.actor
    rows = [
        {
            "case": case,
            "effects": sel.effect_rows(case, links=False),
            "appeals": sel.appeals_of(case),
            "may_appeal": sel.may_appeal(actor, case),
        }
        for case in sel.my_cases(actor)
    ]
    context = {"rows": rows, "appeal_form": AppealForm()}
    return _private(render(request, "supervision/cases/mine.html", context))
