"""Forms of the random-inspection pages: they parse, the services decide."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import BatchStatus
from skillcert.core.choices import RegionLevel
from skillcert.core.models import Region
from skillcert.institutions.choices import InstitutionType
from skillcert.supervision.choices import Compliance, Conclusion, PlanKind, TargetKind
from skillcert.supervision.models import CheckItem, InspectionPlan


class PlanForm(forms.Form):
    """抽查任务: what may be drawn (filters), how many, by whom, against which items."""

    title = forms.CharField(label=_("任务名称"), max_length=128)
    kind = forms.ChoiceField(label=_("任务类型"), choices=PlanKind.choices)
    target_kind = forms.ChoiceField(label=_("抽查对象"), choices=TargetKind.choices)
    target_count = forms.IntegerField(label=_("抽取对象数"), min_value=1, max_value=500)
    members_per_target = forms.IntegerField(
        label=_("每个对象选派人数"), min_value=1, max_value=10, initial=2
    )
    cities = forms.MultipleChoiceField(
        label=_("地市（不选为全部）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    institution_types = forms.MultipleChoiceField(
        label=_("机构类型（不选为全部）"),
        choices=InstitutionType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    batch_statuses = forms.MultipleChoiceField(
        label=_("批次状态（不选为已同意及以后）"),
        choices=BatchStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    occupation_codes = forms.CharField(
        label=_("职业编码（多个用空格或逗号分隔）"), max_length=500, required=False
    )
    date_from = forms.DateField(
        label=_("考核日期自"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_until = forms.DateField(
        label=_("考核日期至"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    items = forms.MultipleChoiceField(
        label=_("抽查事项（随机抽查事项清单）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, province: str, city: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(parent_id=province, level=RegionLevel.CITY)
        if city:
            regions = regions.filter(code=city)
        cities_field = cast(forms.MultipleChoiceField, self.fields["cities"])
        cities_field.choices = [(r.code, str(r)) for r in regions.order_by("code")]
        items_field = cast(forms.MultipleChoiceField, self.fields["items"])
        items_field.choices = [
            (str(i.pk), f"{i.code} {i.title}（{i.get_applies_to_display()}）")
            for i in CheckItem.objects.filter(province_id=province, is_active=True).order_by("code")
        ]

    @staticmethod
    def initial_for(plan: InspectionPlan) -> dict[str, Any]:
        filters = plan.target_filters
        return {
            "title": plan.title,
            "kind": plan.kind,
            "target_kind": plan.target_kind,
            "target_count": plan.target_count,
            "members_per_target": plan.members_per_target,
            "cities": filters.get("cities", []),
            "institution_types": filters.get("institution_types", []),
            "batch_statuses": filters.get("batch_statuses", []),
            "occupation_codes": " ".join(filters.get("occupation_codes", [])),
            "date_from": filters.get("from"),
            "date_until": filters.get("until"),
            "items": [str(pk) for pk in plan.items.values_list("pk", flat=True)],
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        filters: dict[str, Any] = {
            "cities": data["cities"],
            "institution_types": data["institution_types"],
            "batch_statuses": data["batch_statuses"],
            "occupation_codes": [c for c in re.split(r"[\s,，、]+", data["occupation_codes"]) if c],
            "from": data["date_from"],
            "until": data["date_until"],
        }
        return {
            "title": data["title"],
            "kind": data["kind"],
            "target_kind": data["target_kind"],
            "target_filters": filters,
            "target_count": data["target_count"],
            "members_per_target": data["members_per_target"],
            "item_ids": data["items"],
        }


class FindingForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("检查结果"), choices=Compliance.choices)
    note = forms.CharField(
        label=_("情况说明（不符合时必填）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据材料（PDF、JPEG或PNG，不超过10 MB）"))
    item = forms.TypedChoiceField(
        label=_("对应事项（可不选）"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, items: list[CheckItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item_field = cast(forms.TypedChoiceField, self.fields["item"])
        item_field.choices = [("", "—"), *((str(i.pk), f"{i.code} {i.title}") for i in items)]


class FinishForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("检查结论"), choices=Conclusion.choices)
    summary = forms.CharField(
        label=_("检查情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
