"""Forms of the blueprint and paper pages; the rules are checked by the services."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.itembank.assembly import MAX_FORMS
from skillcert.itembank.blueprint_services import (
    MAX_DURATION_MINUTES,
    MAX_PAPER_ITEMS,
    CurrentPlan,
)
from skillcert.itembank.choices import ItemType


class BlueprintForm(forms.Form):
    """Per item type a count and the points per item (both blank: the type is not used)."""

    duration_minutes = forms.IntegerField(
        label=_("考试时长（分钟）"), min_value=1, max_value=MAX_DURATION_MINUTES
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in ItemType.choices:
            self.fields[f"{value}_count"] = forms.IntegerField(
                label=_("%(type)s题量") % {"type": label},
                required=False,
                min_value=0,
                max_value=MAX_PAPER_ITEMS,
            )
            self.fields[f"{value}_points"] = forms.DecimalField(
                label=_("%(type)s每题分值") % {"type": label},
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
            )

    @staticmethod
    def initial_for(current: CurrentPlan) -> dict[str, Any]:
        initial: dict[str, Any] = {"duration_minutes": current.duration_minutes}
        for row in current.rows:
            initial[f"{row['type']}_count"] = row["count"]
            initial[f"{row['type']}_points"] = row["points"]
        return initial

    def type_rows(self) -> Iterator[tuple[str, forms.BoundField, forms.BoundField]]:
        """(type label, count field, points field) per item type, for the template."""
        for value, label in ItemType.choices:
            yield str(label), self[f"{value}_count"], self[f"{value}_points"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        plan: list[dict[str, Any]] = []
        for value, label in ItemType.choices:
            if f"{value}_count" in self.errors or f"{value}_points" in self.errors:
                continue  # already reported
            count = cleaned.get(f"{value}_count")
            points = cleaned.get(f"{value}_points")
            if not count and not points:
                continue
            if not count or not points:
                raise forms.ValidationError(
                    _("「%(type)s」须同时填写题量和每题分值（不用的题型两项都留空）。"),
                    params={"type": label},
                )
            plan.append({"type": value, "count": count, "points": str(points)})
        if not plan and not self.errors:
            raise forms.ValidationError(_("请至少配置一种题型。"))
        cleaned["type_plan"] = plan
        return cleaned


class AssemblyForm(forms.Form):
    title = forms.CharField(label=_("试卷名称"), max_length=128)
    form_count = forms.IntegerField(
        label=_("卷数（平行卷A、B…）"), min_value=1, max_value=MAX_FORMS, initial=2
    )
