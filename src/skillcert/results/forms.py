"""Forms of the results and scoring pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.enrollment.models import Application
from skillcert.results.choices import (
    PANEL_COMPONENTS,
    ObjectionKind,
    PanelComponent,
    ViolationGrade,
)

NO_STORE = "private, no-store"

# --- forms ------------------------------------------------------------------------------


class _ApplicationField(forms.ModelChoiceField[Application]):
    def label_from_instance(self, obj: Application) -> str:
        return f"{obj.admission_number} {obj.person.full_name}"


class CandidateForm(forms.Form):
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


class ScoreEnterForm(CandidateForm):
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


class AbsentForm(CandidateForm):
    component = forms.ChoiceField(choices=Component.choices, label=gettext_lazy("考核科目"))
    sitting_no = forms.IntegerField(
        label=gettext_lazy("考核次数"), min_value=1, max_value=9, initial=1
    )


class RetakeForm(CandidateForm):
    component = forms.ChoiceField(choices=Component.choices, label=gettext_lazy("补考科目"))


class VoidForm(CandidateForm):
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


class PaperObjectionForm(CandidateForm):
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


# --- forms ------------------------------------------------------------------------------


def component_choices(batch: Batch) -> list[tuple[str, str]]:
    return [(c.value, str(c.label)) for c in PanelComponent if c.value in batch.components]


class SheetForm(forms.Form):
    component = forms.ChoiceField(label=gettext_lazy("考核科目"))
    title = forms.CharField(max_length=128, label=gettext_lazy("考核项目（评分表名称）"))

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["component"]
        if isinstance(field, forms.ChoiceField):
            field.choices = component_choices(batch)


class ItemForm(forms.Form):
    title = forms.CharField(max_length=128, label=gettext_lazy("评分项"))
    max_points = forms.DecimalField(
        label=gettext_lazy("配分"),
        min_value=Decimal("0.5"),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=1,
    )
    criteria = forms.CharField(
        required=False, label=gettext_lazy("评分标准"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PanelForm(forms.Form):
    component = forms.ChoiceField(label=gettext_lazy("考核科目"))
    name = forms.CharField(max_length=64, label=gettext_lazy("小组名称"))

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["component"]
        if isinstance(field, forms.ChoiceField):
            field.choices = component_choices(batch)


class ReasonForm(forms.Form):
    text = forms.CharField(max_length=200, label=gettext_lazy("理由"))
