"""Catalogue pages: public search and details; forms for provincial officials.

The catalogue is public reference data, so reading needs no login; every write goes
through catalog.services, which checks the actor again.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from skillcert.catalog import selectors, services
from skillcert.catalog.choices import OccupationTier, WeightTable
from skillcert.catalog.eligibility import describe_route, national_template
from skillcert.catalog.forms import (
    OccupationAddForm,
    StandardForm,
    StandardLevelForm,
    WeightTableForm,
    WorkTypeAddForm,
)
from skillcert.catalog.models import Occupation, Standard, StandardLevel
from skillcert.core.actors import ActorRequest
from skillcert.core.choices import SkillLevel
from skillcert.core.errors import DomainError

PAGE_SIZE = 50


def _forbidden(request: ActorRequest) -> HttpResponse:
    return render(request, "core/forbidden.html", status=403)


def _occupation_or_404(code: str) -> Occupation:
    occupation = selectors.occupation_by_code(code)
    if occupation is None:
        raise Http404
    return occupation


def _standard_or_404(pk: int) -> Standard:
    standard = selectors.standard_detail(pk)
    if standard is None:
        raise Http404
    return standard


def _tier(raw: str | None) -> int | None:
    """``?tier=`` : 1–4, or ``all``; the default is 职业 (tier 4)."""
    if raw == "all":
        return None
    return int(raw) if raw in {"1", "2", "3", "4"} else OccupationTier.OCCUPATION


@require_GET
def search(request: ActorRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    tier_param = request.GET.get("tier") or "4"
    matches = selectors.occupation_matches(query, _tier(tier_param))
    page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "tier": tier_param,
        "tiers": OccupationTier.choices,
        "can_edit": services.can_edit_catalog(request.actor),
    }
    template = "catalog/search.html#results" if request.htmx else "catalog/search.html"
    return render(request, template, context)


@require_GET
def occupation_detail(request: ActorRequest, code: str) -> HttpResponse:
    occupation = _occupation_or_404(code)
    context = {
        "occupation": occupation,
        "ancestors": selectors.occupation_ancestors(occupation),
        "children": selectors.occupation_children(occupation),
        "work_types": selectors.work_types_of(occupation),
        "standards": selectors.standards_for(occupation),
        "can_edit": services.can_edit_catalog(request.actor),
    }
    return render(request, "catalog/occupation_detail.html", context)


@require_GET
def standard_detail(request: ActorRequest, pk: int) -> HttpResponse:
    standard = _standard_or_404(pk)
    levels = [_level_view(level) for level in standard.levels.all()]
    present = {level.level for level in standard.levels.all()}
    context = {
        "standard": standard,
        "levels": levels,
        "missing_levels": [(v, label) for v, label in SkillLevel.choices if v not in present],
        "can_edit": services.can_edit_catalog(request.actor),
    }
    return render(request, "catalog/standard_detail.html", context)


def _level_view(level: StandardLevel) -> dict[str, Any]:
    weights = list(level.weights.all())
    theory = [w for w in weights if w.table == WeightTable.THEORY]
    skill = [w for w in weights if w.table == WeightTable.SKILL]
    return {
        "row": level,
        "routes": [
            {"label": route.get("label", ""), "text": describe_route(route)}
            for route in level.eligibility_routes
        ],
        "theory": theory,
        "theory_total": sum((w.percent for w in theory), Decimal(0)),
        "skill": skill,
        "skill_total": sum((w.percent for w in skill), Decimal(0)),
    }


# --- officials' forms ----------------------------------------------------------------------


@login_required
def occupation_add(request: ActorRequest) -> HttpResponse:
    if not services.can_edit_catalog(request.actor):
        return _forbidden(request)
    form = OccupationAddForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            parent_code, _tier_of_parent = services.expected_parent(data["code"].strip())
            parent = selectors.occupation_by_code(parent_code)
            if parent is None:
                raise DomainError(_("找不到上级分类 %(code)s。") % {"code": parent_code})
            occupation = services.occupation_add(actor=request.actor, parent=parent, **data)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已添加职业 %(name)s。") % {"name": occupation.name})
            return redirect("catalog-occupation", code=occupation.code)
    return render(
        request,
        "catalog/form.html",
        {"form": form, "title": _("添加职业"), "back": reverse("catalog-search")},
    )


@login_required
def work_type_add(request: ActorRequest, code: str) -> HttpResponse:
    if not services.can_edit_catalog(request.actor):
        return _forbidden(request)
    occupation = _occupation_or_404(code)
    form = WorkTypeAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            work_type = services.work_type_add(
                actor=request.actor, occupation=occupation, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已添加工种 %(name)s。") % {"name": work_type.name})
            return redirect("catalog-occupation", code=occupation.code)
    title = _("为 %(occ)s 添加工种") % {"occ": occupation}
    back = reverse("catalog-occupation", args=[occupation.code])
    return render(request, "catalog/form.html", {"form": form, "title": title, "back": back})


@login_required
def standard_add(request: ActorRequest, code: str) -> HttpResponse:
    if not services.can_edit_catalog(request.actor):
        return _forbidden(request)
    occupation = _occupation_or_404(code)
    form = StandardForm(
        request.POST or None, occupation_work_types=selectors.work_types_of(occupation)
    )
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(
                actor=request.actor,
                occupation=occupation,
                work_types=list(form.cleaned_data.pop("work_types")),
                **form.cleaned_data,
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已创建标准，请逐级填写要求。"))
            return redirect("catalog-standard", pk=standard.pk)
    title = _("为 %(occ)s 创建标准") % {"occ": occupation}
    back = reverse("catalog-occupation", args=[occupation.code])
    return render(request, "catalog/form.html", {"form": form, "title": title, "back": back})


def _level_initial(level: StandardLevel | None, number: int) -> dict[str, Any]:
    if level is None:
        return {
            "theory_minutes": 90,
            "practical_minutes": 120,
            "review_minutes": 30 if number <= SkillLevel.TWO else None,
            "candidates_per_proctor": 15,
            "min_proctors_per_room": 2,
            "candidates_per_examiner": 5,
            "min_examiners": 3,
            "min_review_panel": 3,
            "eligibility_routes": json.dumps(
                national_template(number), ensure_ascii=False, indent=2
            ),
        }
    initial = {name: getattr(level, name) for name in services.LEVEL_FIELDS}
    initial["eligibility_routes"] = json.dumps(
        level.eligibility_routes, ensure_ascii=False, indent=2
    )
    return initial


@login_required
def standard_level_edit(request: ActorRequest, pk: int, level: int) -> HttpResponse:
    if not services.can_edit_catalog(request.actor):
        return _forbidden(request)
    standard = _standard_or_404(pk)
    if level not in SkillLevel.values:
        raise Http404
    current = next((row for row in standard.levels.all() if row.level == level), None)
    form = StandardLevelForm(
        request.POST or None, level=level, initial=_level_initial(current, level)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_level_set(
                actor=request.actor, standard=standard, level=level, **form.cleaned_data
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("已保存%(level)s的要求。") % {"level": SkillLevel(level).label}
            )
            return redirect("catalog-standard", pk=standard.pk)
    context = {
        "form": form,
        "standard": standard,
        "level_label": SkillLevel(level).label,
        "template_json": json.dumps(national_template(level), ensure_ascii=False, indent=2),
    }
    return render(request, "catalog/level_form.html", context)


@login_required
def weight_table_edit(request: ActorRequest, pk: int, level: int, table: str) -> HttpResponse:
    if not services.can_edit_catalog(request.actor):
        return _forbidden(request)
    standard = _standard_or_404(pk)
    row = next((r for r in standard.levels.all() if r.level == level), None)
    if row is None or table not in WeightTable.values:
        raise Http404
    lines = "\n".join(
        f"{w.code},{w.name},{w.percent}" for w in row.weights.all() if w.table == table
    )
    form = WeightTableForm(request.POST or None, initial={"lines": lines})
    if request.method == "POST" and form.is_valid():
        try:
            services.weight_table_set(
                actor=request.actor,
                standard_level=row,
                table=table,
                rows=form.cleaned_data["lines"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("权重表已保存。"))
            return redirect("catalog-standard", pk=standard.pk)
    title = f"{standard.title} · {row.get_level_display()} · {WeightTable(table).label}"
    back = reverse("catalog-standard", args=[standard.pk])
    return render(request, "catalog/form.html", {"form": form, "title": title, "back": back})
