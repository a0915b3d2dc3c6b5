"""Forms of the catalogue pages: they parse input; the services validate and write."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from skillcert.catalog.choices import StandardKind
from skillcert.catalog.eligibility import Route, validate_routes
from skillcert.catalog.models import WorkType

MAX_ROUTES_JSON = 20_000
MAX_WEIGHT_LINES = 60


class OccupationAddForm(forms.Form):
    code = forms.CharField(label=_lazy("职业编码"), max_length=16, help_text="D-DD-DD-DD")
    name = forms.CharField(label=_lazy("职业名称"), max_length=128)
    is_digital = forms.BooleanField(label=_lazy("数字职业（S）"), required=False)
    is_green = forms.BooleanField(label=_lazy("绿色职业（L）"), required=False)
    definition = forms.CharField(label=_lazy("职业定义"), widget=forms.Textarea, required=False)
    published_by = forms.CharField(
        label=_lazy("发布文件"), max_length=128, help_text=_lazy("如 人社厅发〔2024〕13号")
    )


class WorkTypeAddForm(forms.Form):
    name = forms.CharField(label=_lazy("工种名称"), max_length=128)
    code = forms.CharField(
        label=_lazy("工种编码"), max_length=20, required=False, help_text=_lazy("可不填")
    )
    published_by = forms.CharField(label=_lazy("发布文件"), max_length=128, required=False)


class StandardForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("类型"), choices=StandardKind.choices)
    title = forms.CharField(label=_lazy("标准名称"), max_length=200)
    document_number = forms.CharField(label=_lazy("文号"), max_length=64)
    year = forms.IntegerField(label=_lazy("发布年份"), min_value=1990)
    work_types = forms.ModelMultipleChoiceField(
        label=_lazy("工种（不选则适用于整个职业）"),
        queryset=WorkType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, occupation_work_types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_types"].queryset = occupation_work_types  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


class StandardLevelForm(forms.Form):
    """Durations, staffing and the routes (JSON) of one level; see catalog.eligibility."""

    theory_minutes = forms.IntegerField(label=_lazy("理论知识考试时间（分钟）"), min_value=0)
    practical_minutes = forms.IntegerField(label=_lazy("操作技能考核时间（分钟）"), min_value=0)
    review_minutes = forms.IntegerField(
        label=_lazy("综合评审时间（分钟，仅二级、一级）"), min_value=0, required=False
    )
    candidates_per_proctor = forms.IntegerField(
        label=_lazy("每名监考人员对应考生数（不超过15）"), min_value=0
    )
    min_proctors_per_room = forms.IntegerField(label=_lazy("每考场最少监考人员"), min_value=0)
    candidates_per_examiner = forms.IntegerField(label=_lazy("每名考评人员对应考生数"), min_value=0)
    min_examiners = forms.IntegerField(label=_lazy("最少考评人员（3人以上单数）"), min_value=0)
    min_review_panel = forms.IntegerField(
        label=_lazy("综合评审最少委员（3人以上单数）"), min_value=0
    )
    eligibility_routes = forms.CharField(
        label=_lazy("申报条件（JSON，途径列表）"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        max_length=MAX_ROUTES_JSON,
    )

    def __init__(self, *args: Any, level: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level = level

    def clean_eligibility_routes(self) -> list[Route]:
        text = self.cleaned_data["eligibility_routes"]
        try:
            routes = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("不是有效的 JSON（第 %(line)s 行第 %(col)s 列）。")
                % {"line": exc.lineno, "col": exc.colno}
            ) from exc
        problems = validate_routes(self.level, routes)
        if problems:
            raise forms.ValidationError(problems)
        return list(routes)


WEIGHT_LINE_RE = re.compile(r"\s*[,，]\s*")


def parse_weight_lines(text: str) -> tuple[list[tuple[str, str, Decimal]], list[str]]:
    """``code,name,percent`` lines (Chinese commas and a trailing % accepted) → rows, errors."""
    rows: list[tuple[str, str, Decimal]] = []
    errors: list[str] = []
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_WEIGHT_LINES:
        return [], [_("最多 %(n)s 行。") % {"n": MAX_WEIGHT_LINES}]
    for number, line in enumerate(lines, start=1):
        cells = WEIGHT_LINE_RE.split(line.strip())
        if len(cells) != 3:
            errors.append(
                _("第 %(n)s 行应有三列（编号,项目,比重）：%(line)s") % {"n": number, "line": line}
            )
            continue
        code, name, raw = cells
        try:
            percent = Decimal(raw.removesuffix("%").strip())
        except InvalidOperation:
            errors.append(_("第 %(n)s 行的比重不是数字：%(v)s") % {"n": number, "v": raw})
            continue
        rows.append((code, name, percent))
    return rows, errors


class WeightTableForm(forms.Form):
    lines = forms.CharField(
        label=_lazy("权重（每行：编号,项目,比重%）"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=8000,
    )

    def clean_lines(self) -> list[tuple[str, str, Decimal]]:
        rows, errors = parse_weight_lines(self.cleaned_data["lines"])
        if errors:
            raise forms.ValidationError(errors)
        if not rows:
            raise forms.ValidationError(_("请至少填写一行。"))
        return rows
