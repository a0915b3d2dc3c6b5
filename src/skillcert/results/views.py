"""Results pages: the institution's batch results, the centre's filings, the candidate's
own results with objections, the public announcement, pending certificate revocations
and the archive exports (DESIGN.md lifecycle step 6).

Views parse input and call the services; every read goes through ``for_actor`` and
every refusal of a service comes back as a message on the page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.results import (
    composite,
    exports,
    filing,
    invalidation,
    objections,
    publication,
    selectors,
)
from skillcert.results.choices import (
    PANEL_COMPONENTS,
    ObjectionKind,
    ObjectionStatus,
    ResultsStatus,
    ViolationGrade,
)
from skillcert.results.models import BatchResults, CertificateRevocation, Objection
from skillcert.results.permissions import can_decide, can_manage, can_read

_BATCH_RELATED = ("institution__organisation", "occupation", "work_type", "standard_level")

# The scoring pages (sheets, panels, progress) live beside these; linked when present.
SCORING_PAGES = (
    ("results-sheets", gettext_lazy("评分表")),
    ("results-panels", gettext_lazy("考评小组")),
    ("results-scoring-progress", gettext_lazy("评分进度")),
)


# --- forms ------------------------------------------------------------------------------


class _ApplicationField(forms.ModelChoiceField[Application]):
    def label_from_instance(self, obj: Application) -> str:
        return f"{obj.admission_number} {obj.person.full_name}"


class _CandidateForm(forms.Form):
    """A form about one approved candidate of the batch."""

    application = _ApplicationField(queryset=None, label=gettext_lazy("考生"))  # set per batch
    # The empty choice of an optional component field.
    component_blank: Any = gettext_lazy("（不限科目）")

    def __init__(
        self, *args: Any, candidates: QuerySet[Application], components: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(_ApplicationField, self.fields["application"]).queryset = candidates
        if "component" in self.fields:
            component = cast(forms.ChoiceField, self.fields["component"])
            choices: list[tuple[str, Any]] = (
                [] if component.required else [("", self.component_blank)]
            )
            choices += [(c, Component(c).label) for c in self.allowed_components(components)]
            component.choices = choices

    def allowed_components(self, components: list[str]) -> list[str]:
        return components


class ScoreEnterForm(_CandidateForm):
    """A theory (paper-based) or course score entered by staff (沪人社职〔2022〕102号 附件
    二(二)); panel components are scored on sheets, not here."""

    component = forms.ChoiceField(choices=Component.choices, label=gettext_lazy("考核科目"))
    score = forms.DecimalField(
        label=gettext_lazy("成绩"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    sitting_no = forms.IntegerField(
        label=gettext_lazy("考核次数"), min_value=1, max_value=9, required=False
    )
    note = forms.CharField(label=gettext_lazy("备注"), max_length=200, required=False)

    def allowed_components(self, components: list[str]) -> list[str]:
        return [c for c in components if c not in PANEL_COMPONENTS]


class AbsentForm(_CandidateForm):
    component = forms.ChoiceField(choices=Component.choices, label=gettext_lazy("考核科目"))
    sitting_no = forms.IntegerField(
        label=gettext_lazy("考核次数"), min_value=1, max_value=9, initial=1
    )


class RetakeForm(_CandidateForm):
    component = forms.ChoiceField(choices=Component.choices, label=gettext_lazy("补考科目"))


class VoidForm(_CandidateForm):
    grade = forms.ChoiceField(choices=ViolationGrade.choices, label=gettext_lazy("违纪违规等级"))
    component_blank = gettext_lazy("（全部科目）")
    component = forms.ChoiceField(
        choices=Component.choices,
        label=gettext_lazy("涉及科目"),
        required=False,
        help_text=gettext_lazy(
            "违纪、作弊须选择科目；严重及特别严重违纪违规当次全部科目成绩无效。"
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("认定事实与依据"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PaperObjectionForm(_CandidateForm):
    """An objection or review request the institution received on paper."""

    kind = forms.ChoiceField(choices=ObjectionKind.choices, label=gettext_lazy("类型"))
    component = forms.ChoiceField(
        choices=Component.choices, label=gettext_lazy("考核科目"), required=False
    )
    text = forms.CharField(label=gettext_lazy("事由"), widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionForm(forms.Form):
    """The candidate's own objection (during publicity) or review request."""

    kind = forms.ChoiceField(choices=ObjectionKind.choices, label=gettext_lazy("类型"))
    component = forms.ChoiceField(
        choices=[("", gettext_lazy("（不限科目）")), *Component.choices],
        label=gettext_lazy("考核科目"),
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class HandleForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("处理结果"),
        choices=[("0", gettext_lazy("维持原成绩")), ("1", gettext_lazy("异议成立，更正成绩"))],
        coerce=lambda value: value == "1",
    )
    omission_found = forms.BooleanField(label=gettext_lazy("存在漏评"), required=False)
    sum_error_found = forms.BooleanField(label=gettext_lazy("存在合分、登分错误"), required=False)
    corrected_score = forms.DecimalField(
        label=gettext_lazy("更正后成绩"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    response = forms.CharField(
        label=gettext_lazy("处理意见"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"), widget=forms.Textarea(attrs={"rows": 2})
    )


# --- look-ups ---------------------------------------------------------------------------


def _batch(request: ActorRequest, batch_pk: int) -> Batch:
    """The batch if the actor's scope holds it (else 404)."""
    return get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(*_BATCH_RELATED), pk=batch_pk
    )


def _batch_results(actor: Actor, batch: Batch) -> BatchResults | None:
    return BatchResults.objects.for_actor(actor).filter(batch_id=batch.pk).first()


def _candidates(actor: Actor, batch: Batch) -> QuerySet[Application]:
    return (
        Application.objects.for_actor(actor)
        .filter(batch_id=batch.pk, status=ApplicationStatus.APPROVED)
        .select_related("person")
        .order_by("admission_number", "pk")
    )


def _scoring_links(batch: Batch) -> list[tuple[str, str]]:
    links = []
    for name, label in SCORING_PAGES:
        try:
            links.append((str(label), reverse(name, kwargs={"batch_pk": batch.pk})))
        except NoReverseMatch:
            continue
    return links


def _deadlines(batch: Batch, published: BatchResults | None) -> dict[str, Any]:
    """The filing deadline (stored at publication, else computed), provisional flag and
    the overdue warning (沪人社职〔2022〕102号 附件四)."""
    today = timezone.localdate()
    if published is not None and published.filing_due is not None:
        due, provisional = published.filing_due, published.deadlines_provisional
        overdue = filing.is_overdue(published, today)
    else:
        due, provisional = filing.filing_due(batch)
        overdue = today > due
    return {"due": due, "provisional": provisional, "overdue": overdue, "today": today}


def _form_kwargs(actor: Actor, batch: Batch) -> dict[str, Any]:
    return {"candidates": _candidates(actor, batch), "components": batch.components}


# --- the institution's batch results page -----------------------------------------------


@login_required
@require_GET
def batch_results(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """Component table, actions, objections and deadlines of one batch's results."""
    actor = request.actor
    batch = _batch(request, batch_pk)
    if not can_read(actor, batch):
        return forbidden(request, _("只有本机构人员和属地人社部门可以查看成绩。"))
    published = _batch_results(actor, batch)
    kwargs = _form_kwargs(actor, batch)
    batch_objections = (
        Objection.objects.for_actor(actor)
        .filter(application__batch_id=batch.pk)
        .select_related("application__person")
        .order_by("status", "-submitted_at")
    )
    context = {
        "batch": batch,
        "published": published,
        "components": [(c, Component(c).label) for c in batch.components],
        "rows": selectors.batch_table(batch),
        "deadlines": _deadlines(batch, published),
        "can_manage": can_manage(actor, batch),
        "can_decide": can_decide(actor, batch),
        "scoring_links": _scoring_links(batch),
        # One handling form per objection, each with its own element ids.
        "objections": [(o, HandleForm(auto_id=f"handle{o.pk}_%s")) for o in batch_objections],
        "revocations": CertificateRevocation.objects.for_actor(actor)
        .filter(application__batch_id=batch.pk)
        .select_related("application__person"),
        # Several forms share field names on this page: each gets its own id prefix.
        "enter_form": ScoreEnterForm(auto_id="enter_%s", **kwargs),
        "absent_form": AbsentForm(auto_id="absent_%s", **kwargs),
        "retake_form": RetakeForm(auto_id="retake_%s", **kwargs),
        "void_form": VoidForm(auto_id="void_%s", **kwargs),
        "paper_form": PaperObjectionForm(auto_id="paper_%s", **kwargs),
        "submitted": ObjectionStatus.SUBMITTED,
    }
    response = render(request, "results/batch_results.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _managed(request: ActorRequest, batch_pk: int) -> Batch | HttpResponse:
    """The batch for a staff action, or the forbidden page."""
    batch = _batch(request, batch_pk)
    if not can_manage(request.actor, batch):
        return forbidden(request, _("只有本机构的管理员或考务人员可以办理成绩事项。"))
    return batch


def _back(batch: Batch) -> HttpResponse:
    return redirect("results-batch", batch_pk=batch.pk)


@login_required
@require_POST
def theory_collect(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    written = run_action(
        request,
        lambda: composite.theory_collect(actor=request.actor, batch=batch),
        success=_("已收集理论成绩。"),
    )
    if written is not None:
        messages.info(request, _("本次写入 %(n)d 条理论成绩。") % {"n": written})
    return _back(batch)


@login_required
@require_POST
def score_enter(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = ScoreEnterForm(request.POST, **_form_kwargs(request.actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: composite.component_enter(
            actor=request.actor,
            application=data["application"],
            component=data["component"],
            score=data["score"],
            note=data["note"],
            sitting_no=data["sitting_no"],
        ),
        success=_("已录入 %(name)s 的成绩。") % {"name": data["application"].person.full_name},
    )
    return _back(batch)


@login_required
@require_POST
def score_absent(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = AbsentForm(request.POST, **_form_kwargs(request.actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: composite.component_absent(
            actor=request.actor,
            application=data["application"],
            component=data["component"],
            sitting_no=data["sitting_no"],
        ),
        success=_("已登记 %(name)s 缺考。") % {"name": data["application"].person.full_name},
    )
    return _back(batch)


@login_required
@require_POST
def results_compute(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(
        request,
        lambda: composite.results_compute(actor=request.actor, batch=batch),
        success=_("统分完成。"),
    )
    return _back(batch)


@login_required
@require_POST
def results_publish(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(
        request,
        lambda: publication.results_publish(actor=request.actor, batch=batch),
        success=_("成绩已发布公示。"),
    )
    return _back(batch)


@login_required
@require_POST
def retake_open(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = RetakeForm(request.POST, **_form_kwargs(request.actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: composite.retake_open(
            actor=request.actor, application=data["application"], component=data["component"]
        ),
        success=_("已为 %(name)s 安排补考。") % {"name": data["application"].person.full_name},
    )
    return _back(batch)


@login_required
@require_POST
def result_void(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """Void a component or all results for a confirmed violation (云人社函〔2023〕1号 一(四)):
    the institution's staff or its HR authority."""
    actor = request.actor
    batch = _batch(request, batch_pk)
    if not (can_manage(actor, batch) or can_decide(actor, batch)):
        return forbidden(request)
    form = VoidForm(request.POST, **_form_kwargs(actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: invalidation.result_void(
            actor=actor,
            application=data["application"],
            grade=ViolationGrade(data["grade"]),
            reason=data["reason"],
            component=data["component"],
        ),
        success=_("已认定 %(name)s 的成绩无效。") % {"name": data["application"].person.full_name},
    )
    return _back(batch)


@login_required
@require_POST
def results_file(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(
        request,
        lambda: filing.results_file(actor=request.actor, batch=batch),
        success=_("成绩已报备，等待属地人社部门审核。"),
    )
    return _back(batch)


@login_required
@require_POST
def objection_record(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """Staff record an objection or review request received on paper."""
    batch = _managed(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = PaperObjectionForm(request.POST, **_form_kwargs(request.actor, batch))
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: objections.objection_submit(
            actor=request.actor,
            application=data["application"],
            kind=data["kind"],
            text=data["text"],
            component=data["component"],
        ),
        success=_("已登记。"),
    )
    return _back(batch)


@login_required
@require_POST
def objection_handle(request: ActorRequest, objection_pk: int) -> HttpResponse:
    actor = request.actor
    objection = get_object_or_404(
        Objection.objects.for_actor(actor).select_related(
            "application__batch__institution__organisation"
        ),
        pk=objection_pk,
    )
    batch = objection.application.batch
    if not can_manage(actor, batch):
        return forbidden(request, _("只有本机构的管理员或考务人员可以处理异议和复核申请。"))
    form = HandleForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return _back(batch)
    data = form.cleaned_data
    run_action(
        request,
        lambda: objections.objection_handle(
            actor=actor,
            objection=objection,
            upheld=data["upheld"],
            response=data["response"],
            omission_found=data["omission_found"],
            sum_error_found=data["sum_error_found"],
            corrected_score=data["corrected_score"],
        ),
        success=_("处理结果已记录。"),
    )
    return _back(batch)


# --- exports ------------------------------------------------------------------------------


@login_required
@require_GET
def export_results(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """The results sheet (成绩汇总表) as Excel: the staff and the HR authorities."""
    batch = _batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    data = exports.results_workbook(batch)
    return file_response(data, f"成绩汇总表_{batch.code}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_GET
def export_score_sheets(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """The score sheets (评分记录表) as PDF: the staff and the HR authorities."""
    batch = _batch(request, batch_pk)
    if not can_read(request.actor, batch):
        return forbidden(request)
    data = exports.score_sheets_pdf(batch)
    return file_response(data, f"评分记录表_{batch.code}.pdf", "application/pdf")


# --- the centre -------------------------------------------------------------------------


def _is_authority(actor: Actor) -> bool:
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


@login_required
@require_GET
def filing_list(request: ActorRequest) -> HttpResponse:
    """Results filed with (or due at) the HR authority, overdue ones first."""
    actor = request.actor
    if not _is_authority(actor):
        return forbidden(request, _("成绩备案由属地人社部门审核。"))
    today = timezone.localdate()
    page = Paginator(filing.filings_for(actor, today), 50).get_page(request.GET.get("page"))
    context = {"page": page, "today": today, "filed": ResultsStatus.FILED}
    return render(request, "results/filing_list.html", context)


@login_required
@require_GET
def filing_detail(request: ActorRequest, batch_pk: int) -> HttpResponse:
    """One batch's filed results for the centre's decision."""
    actor = request.actor
    batch = _batch(request, batch_pk)
    if not can_read(actor, batch):
        return forbidden(request)
    published = _batch_results(actor, batch)
    if published is None:
        return redirect("results-batch", batch_pk=batch.pk)
    rows = selectors.batch_table(batch)
    open_count = (
        Objection.objects.for_actor(actor)
        .filter(application__batch_id=batch.pk, status=ObjectionStatus.SUBMITTED)
        .count()
    )
    outcomes: dict[str, int] = {}
    for row in rows:
        outcomes[row.outcome_label] = outcomes.get(row.outcome_label, 0) + 1
    context = {
        "batch": batch,
        "published": published,
        "rows": rows,
        "components": [(c, Component(c).label) for c in batch.components],
        "outcomes": sorted(outcomes.items()),
        "open_objections": open_count,
        "deadlines": _deadlines(batch, published),
        "can_decide": can_decide(actor, batch),
        "return_form": ReturnForm(),
    }
    response = render(request, "results/filing_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _decided(request: ActorRequest, batch_pk: int) -> Batch | HttpResponse:
    batch = _batch(request, batch_pk)
    if not can_decide(request.actor, batch):
        return forbidden(request, _("只有该机构的属地人社部门可以审核成绩备案。"))
    return batch


@login_required
@require_POST
def filing_approve(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _decided(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    run_action(
        request,
        lambda: filing.results_approve(actor=request.actor, batch=batch),
        success=_("成绩备案已审核通过。"),
    )
    return redirect("results-filing", batch_pk=batch.pk)


@login_required
@require_POST
def filing_return(request: ActorRequest, batch_pk: int) -> HttpResponse:
    batch = _decided(request, batch_pk)
    if isinstance(batch, HttpResponse):
        return batch
    form = ReturnForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("results-filing", batch_pk=batch.pk)
    run_action(
        request,
        lambda: filing.results_return(
            actor=request.actor, batch=batch, reason=form.cleaned_data["reason"]
        ),
        success=_("成绩备案已退回机构更正。"),
    )
    return redirect("results-filing", batch_pk=batch.pk)


# --- pending certificate revocations -----------------------------------------------------


@login_required
@require_GET
def revocation_list(request: ActorRequest) -> HttpResponse:
    """Certificates to revoke because their results were voided: the step the
    certificates service will carry out (云人社函〔2023〕1号 一(四))."""
    actor = request.actor
    if not (_is_authority(actor) or actor.role in STAFF_ROLES):
        return forbidden(request)
    rows = invalidation.pending_revocations(actor).select_related(
        "application__person", "application__batch__institution__organisation"
    )
    return render(request, "results/revocation_list.html", {"revocations": rows})


# --- the candidate ------------------------------------------------------------------------


@login_required
@require_GET
def my_results(request: ActorRequest) -> HttpResponse:
    """The candidate's published results, with objections and review requests."""
    # The form repeats per result: its fields sit inside their labels, without ids.
    context = {"results": selectors.my_results(request.actor), "form": ObjectionForm(auto_id=False)}
    response = render(request, "results/my_results.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def objection_submit(request: ActorRequest, application_pk: int) -> HttpResponse:
    """The candidate's objection (during publicity) or review request (within the review
    window): the service checks the windows."""
    application = get_object_or_404(
        Application.objects.for_actor(request.actor).select_related("batch"), pk=application_pk
    )
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("results-mine")
    data = form.cleaned_data
    run_action(
        request,
        lambda: objections.objection_submit(
            actor=request.actor,
            application=application,
            kind=data["kind"],
            text=data["text"],
            component=data["component"],
        ),
        success=_("已提交，评价机构处理后会在此显示处理意见。"),
    )
    return redirect("results-mine")


# --- the public announcement --------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Published results announcements (masked names and ID numbers only)."""
    announcements = publication.public_announcements().select_related(
        "batch__institution__organisation", "batch__occupation", "batch__work_type"
    )
    page = Paginator(announcements, 30).get_page(request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate()}
    return render(request, "results/public_list.html", context)


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement as it was frozen at publication (and corrected after objections)."""
    announcement = get_object_or_404(
        publication.public_announcements().select_related(
            "batch__institution__organisation", "batch__occupation", "batch__work_type"
        ),
        pk=pk,
    )
    batch = announcement.batch
    # Only the masked columns of the frozen rows reach the page.
    rows = [
        {
            "admission_number": row.get("admission_number", ""),
            "name": row.get("name", ""),
            "id": row.get("id", ""),
            "outcome_label": row.get("outcome_label", ""),
            "score_list": [row.get("scores", {}).get(c, "") for c in batch.components],
        }
        for row in publication.announcement_rows(announcement)
    ]
    context = {
        "announcement": announcement,
        "batch": batch,
        "components": [(c, Component(c).label) for c in batch.components],
        "rows": rows,
        "today": timezone.localdate(),
    }
    return render(request, "results/public_detail.html", context)
