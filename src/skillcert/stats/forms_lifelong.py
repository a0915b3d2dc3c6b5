"""Forms of the skill record and training pages: they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.catalog.models import Occupation
from skillcert.core.choices import IdType, SkillLevel
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.training import CERTIFICATE_NUMBER_MAX, COURSE_MAX, HOURS_MAX

_DATE = forms.DateInput(attrs={"type": "date"})


class UnechoedTextInput(forms.TextInput):
    """A text box that never writes a submitted value back into the page."""

    def format_value(self, value: Any) -> str | None:
        return None


class LookupForm(forms.Form):
    """技能档案查询: the ID number is POSTed, never part of a URL, and never echoed back."""

    full_name = forms.CharField(label=_("姓名"), max_length=64)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("证件号码"), max_length=32, widget=UnechoedTextInput(attrs={"autocomplete": "off"})
    )


class TrainingForm(forms.Form):
    """登记培训记录 at the actor's institution."""

    name = forms.CharField(label=_("姓名"), max_length=64)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("证件号码"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    course = forms.CharField(label=_("培训项目"), max_length=COURSE_MAX)
    occupation_code = forms.CharField(
        label=_("职业编码（选填）"),
        max_length=16,
        required=False,
        help_text=_("如 6-18-01-01；对应《职业分类大典》中的职业。"),
    )
    level = forms.TypedChoiceField(
        label=_("等级（选填）"),
        choices=[("", "—"), *SkillLevel.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    hours = forms.IntegerField(label=_("学时"), min_value=1, max_value=HOURS_MAX)
    started_on = forms.DateField(label=_("开始日期"), widget=_DATE)
    ended_on = forms.DateField(label=_("结束日期"), widget=_DATE, required=False)
    outcome = forms.ChoiceField(
        label=_("培训结果"), choices=TrainingOutcome.choices, initial=TrainingOutcome.IN_PROGRESS
    )
    certificate_number = forms.CharField(
        label=_("培训合格证书编号（选填）"), max_length=CERTIFICATE_NUMBER_MAX, required=False
    )

    def clean_occupation_code(self) -> Occupation | None:
        code = "".join(str(self.cleaned_data.get("occupation_code") or "").split())
        if not code:
            return None
        found = Occupation.objects.filter(code=code, is_active=True).first()
        if found is None:
            raise forms.ValidationError(_("未找到该职业编码。"))
        return found

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "id_type": data["id_type"],
            "id_number": data["id_number"],
            "course": data["course"],
            "occupation": data["occupation_code"],
            "level": data["level"],
            "hours": data["hours"],
            "started_on": data["started_on"],
            "ended_on": data["ended_on"],
            "outcome": data["outcome"],
            "certificate_number": data["certificate_number"],
        }


class TrainingOutcomeForm(forms.Form):
    """The outcome of a course, its end date and the certificate number."""

    outcome = forms.ChoiceField(label=_("培训结果"), choices=TrainingOutcome.choices)
    ended_on = forms.DateField(label=_("结束日期"), widget=_DATE, required=False)
    certificate_number = forms.CharField(
        label=_("培训合格证书编号（选填）"), max_length=CERTIFICATE_NUMBER_MAX, required=False
    )


class TrainingImportForm(forms.Form):
    file = forms.FileField(label=_("培训记录文件（.xlsx）"))
