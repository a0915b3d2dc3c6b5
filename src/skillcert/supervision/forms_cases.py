"""Forms of the violation-case pages: they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import Component
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import CaseGrade, CaseSource, CaseStatus, SubjectKind


class CaseOpenForm(forms.Form):
    """立案: the subject is picked by admission number (candidate), ID number (staff) or
    the institution itself."""

    subject_kind = forms.ChoiceField(label=_("处理对象"), choices=SubjectKind.choices)
    institution = forms.ModelChoiceField(label=_("评价机构"), queryset=Institution.objects.none())
    admission_number = forms.CharField(
        label=_("准考证号（参评人员）"), max_length=32, required=False
    )
    staff_id_number = forms.CharField(
        label=_("证件号码（工作人员）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    grade = forms.ChoiceField(label=_("违纪违规等级"), choices=CaseGrade.choices)
    component = forms.ChoiceField(
        label=_("所涉科目（违纪、作弊时必选）"),
        choices=[("", "—"), *Component.choices],
        required=False,
    )
    source = forms.ChoiceField(label=_("线索来源"), choices=CaseSource.choices)
    facts = forms.CharField(
        label=_("违纪违规事实"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    basis = forms.CharField(label=_("处理依据"), max_length=200, required=False)

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = institutions


class DecideForm(forms.Form):
    decision = forms.CharField(
        label=_("处理决定"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("申请复核的理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealDecideForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("0", _("复核不成立，维持处理")), ("1", _("复核成立，撤销处理"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("复核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("案件编号、姓名或机构"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *CaseStatus.choices], required=False
    )
    subject_kind = forms.ChoiceField(
        label=_("处理对象"), choices=[("", _("全部")), *SubjectKind.choices], required=False
    )
