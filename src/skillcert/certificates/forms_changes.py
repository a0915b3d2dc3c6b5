"""Forms of the correction, reissue and revocation pages: they parse, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.certificates.changes import CHANGE_KINDS
from skillcert.core.choices import IdType


class ChangeRequestForm(forms.Form):
    """修改/遗失补发: the corrected fields start as printed; blank ID number = unchanged."""

    kind = forms.ChoiceField(
        label=_("申请类型"),
        choices=[(str(k), k.label) for k in CHANGE_KINDS],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("申请理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    holder_name = forms.CharField(label=_("更正后的姓名"), max_length=64, required=False)
    id_type = forms.ChoiceField(label=_("更正后的证件类型"), choices=IdType.choices, required=False)
    new_id_number = forms.CharField(
        label=_("更正后的证件号码（不更正请留空）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    evidence = forms.FileField(label=_("证明材料（PDF、JPEG或PNG，不超过10 MB）"), required=False)

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"holder_name": data["holder_name"], "id_type": data["id_type"]}


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("1", _("批准")), ("0", _("驳回"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("审核意见（驳回时必填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因（事实和依据）"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
