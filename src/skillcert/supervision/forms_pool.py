"""Forms of the pool and spot-check list pages: they parse, the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import Organisation
from skillcert.supervision.choices import PoolKind, TargetKind


class MemberAddForm(forms.Form):
    pool = forms.ChoiceField(label=_("人员库"), choices=PoolKind.choices)
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    affiliation = forms.ModelChoiceField(
        label=_("所在单位（抽取时回避本单位）"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    employer = forms.CharField(
        label=_("工作单位（不选所在单位时填写）"), max_length=128, required=False
    )
    username = forms.CharField(
        label=_("关联登录账号（用户名，可留空）"), max_length=150, required=False
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField[Organisation], self.fields["affiliation"]
        ).queryset = organisations


class MemberLinkForm(forms.Form):
    username = forms.CharField(label=_("登录账号（用户名）"), max_length=150)


class MemberDeactivateForm(forms.Form):
    reason = forms.CharField(label=_("出库原因"), max_length=200, required=False)


class CheckItemForm(forms.Form):
    code = forms.CharField(label=_("事项编号"), max_length=16)
    title = forms.CharField(label=_("抽查事项"), max_length=200)
    basis = forms.CharField(label=_("依据"), max_length=200)
    method = forms.CharField(label=_("检查方式"), max_length=200, required=False)
    applies_to = forms.ChoiceField(
        label=_("抽查对象"),
        choices=[
            (TargetKind.INSTITUTION.value, TargetKind.INSTITUTION.label),
            (TargetKind.BATCH.value, TargetKind.BATCH.label),
        ],
    )
