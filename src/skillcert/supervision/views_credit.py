"""Credit pages (信用评价): the ranking of the institutions in an official's scope, its
Excel export and a recompute button, one institution's credit (history and indicator
breakdown; its own admin reads it too), the province's supervision parameters, and the
public ranking. Every read of a scoped row goes through ``for_actor`` (out of scope: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skillcert.core.actors import ActorRequest
from skillcert.core.excel import XLSX_CONTENT_TYPE, workbook_bytes
from skillcert.core.web import file_response, forbidden, run_action
from skillcert.institutions.models import Institution
from skillcert.institutions.permissions import STAFF_ROLES
from skillcert.supervision import credit, selectors_credit
from skillcert.supervision.forms_credit import CreditPolicyForm, SupervisionPolicyForm
from skillcert.supervision.models import CreditScore
from skillcert.supervision.permissions import is_official
from skillcert.supervision.policies import policy_for

PAGE_SIZE = 50
NO_STORE = "private, no-store"


def _own_institution(request: ActorRequest) -> Institution | None:
    """The institution of a staff member's organisation, if any."""
    if request.actor.role not in STAFF_ROLES:
        return None
    return Institution.objects.for_actor(request.actor).first()


@login_required
@require_GET
def credit_list(request: ActorRequest) -> HttpResponse:
    """信用评价: the current ranking in the official's scope; institution staff are taken
    to their own institution's credit."""
    actor = request.actor
    if not is_official(actor):
        own = _own_institution(request)
        if own is not None:
            return redirect("supervision-credit-detail", pk=own.pk)
        return forbidden(request)
    page = Paginator(selectors_credit.ranking_for(actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    province = actor.organisation.province if actor.organisation else None
    context = {
        "page": page,
        "can_recompute": province is not None and credit.can_recompute(actor, province),
    }
    response = render(request, "supervision/credit/list.html", context)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_GET
def credit_export(request: ActorRequest) -> HttpResponse:
    """The current ranking in the official's scope as .xlsx."""
    actor = request.actor
    if not is_official(actor):
        return forbidden(request)
    rows = [
        [
            s.rank,
            s.institution.organisation.name,
            str(s.institution.organisation.city or ""),
            s.score,
            s.get_grade_display(),
            s.computed_on,
            s.period_start,
            s.period_end,
            *[(s.indicators.get(code) or {}).get("points") for code in credit.INDICATORS],
        ]
        for s in selectors_credit.ranking_for(actor)
    ]
    headers = [
        _("全省排名"),
        _("评价机构"),
        _("地市"),
        _("信用分"),
        _("信用等级"),
        _("评价日期"),
        _("统计期起"),
        _("统计期止"),
        *[str(i.label) for i in credit.INDICATORS.values()],
    ]
    data = workbook_bytes(title=_("信用评价"), headers=headers, rows=rows)
    name = _("信用评价排名-%(day)s.xlsx") % {"day": timezone.localdate().isoformat()}
    return file_response(data, name, XLSX_CONTENT_TYPE)


@login_required
@require_POST
def credit_recompute(request: ActorRequest) -> HttpResponse:
    """Recompute the province's scores now (the scheduled task does it daily)."""
    actor = request.actor
    province = actor.organisation.province if actor.organisation else None
    if province is None or not credit.can_recompute(actor, province):
        return forbidden(request, _("只有省级人社部门可以计算信用评价。"))
    run_action(
        request,
        lambda: credit.credit_recompute(actor=actor, province=province),
        success=_("信用评价已重新计算。"),
    )
    return redirect("supervision-credit")


@login_required
@require_GET
def credit_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """One institution's credit: current grade, indicator breakdown and history."""
    actor = request.actor
    institution = get_object_or_404(
        Institution.objects.for_actor(actor).select_related("organisation__city"), pk=pk
    )
    if not (is_official(actor) or actor.role in STAFF_ROLES):
        return forbidden(request)
    scores = list(
        CreditScore.objects.for_actor(actor)
        .filter(institution=institution)
        .order_by("-computed_on", "-pk")
    )
    current = next((s for s in scores if s.is_current), None)
    policy = policy_for(institution.organisation.province_id)
    context = {
        "institution": institution,
        "current": current,
        "rows": selectors_credit.breakdown(current, policy) if current else [],
        "scores": scores,
        "chart": selectors_credit.chart_points(scores),
        "period_days": credit.PERIOD_DAYS,
    }
    response = render(request, "supervision/credit/detail.html", context)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_http_methods(["GET", "POST"])
def policy(request: ActorRequest) -> HttpResponse:
    """监督管理参数: HR officials read their province's parameters; its provincial
    officials change the credit rules and the other parameters."""
    actor = request.actor
    if not is_official(actor) or actor.organisation is None:
        return forbidden(request)
    current = policy_for(actor.organisation.province_id)
    can_edit = credit.can_edit_policy(actor, current)
    part = request.POST.get("part", "")
    credit_form = CreditPolicyForm(
        request.POST if part == "credit" else None, policy=current, prefix="credit"
    )
    general_form = SupervisionPolicyForm(
        request.POST if part == "general" else None, instance=current, prefix="general"
    )
    if request.method == "POST":
        if not can_edit:
            return forbidden(request, _("只有本省省级人社部门可以修改监督管理参数。"))
        if part == "credit" and credit_form.is_valid():
            done = run_action(
                request,
                lambda: credit.credit_policy_update(
                    actor=actor,
                    policy=current,
                    weights=credit_form.weights(),
                    floors=credit_form.floors(),
                ),
                success=_("信用评价规则已保存，下次计算时生效。"),
            )
            if done is not None:
                return redirect("supervision-policy")
        elif part == "general" and general_form.is_valid():
            changed = {n: general_form.cleaned_data[n] for n in general_form.changed_data}
            done = run_action(
                request,
                lambda: credit.supervision_policy_update(
                    actor=actor, policy=current, values=changed
                ),
                success=_("监督管理参数已保存。"),
            )
            if done is not None:
                return redirect("supervision-policy")
        elif part in {"credit", "general"}:
            # The bound form is shown again with its errors beside the fields.
            messages.error(request, _("请更正标出的错误后再保存。"))
        else:
            return HttpResponse(status=400)
    context = {
        "policy": current,
        "can_edit": can_edit,
        "credit_form": credit_form,
        "general_form": general_form,
        "period_days": credit.PERIOD_DAYS,
    }
    return render(request, "supervision/credit/policy.html", context)


@require_GET
def public_credit(request: HttpRequest) -> HttpResponse:
    """The public ranking: institution, city, score, grade and rank; nothing else."""
    provinces = list(selectors_credit.ranked_provinces())
    chosen = request.GET.get("province") or ""
    if chosen and chosen not in {p.code for p in provinces}:
        chosen = ""
    page = Paginator(selectors_credit.public_ranking(chosen or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "provinces": provinces, "chosen": chosen}
    return render(request, "supervision/credit/public.html", context)
