"""Forms parse input only; the services validate the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from skillcert.catalog.choices import OccupationTier
from skillcert.catalog.models import Occupation, Standard, WorkType
from skillcert.core.choices import IdType, OrganisationKind, RegionLevel, Role, SkillLevel
from skillcert.core.models import Organisation, Region, User
from skillcert.institutions.choices import (
    FilingKind,
    InstitutionType,
    ItemBankSource,
    MaterialKind,
    StaffKind,
)

LEVEL_CHOICES = SkillLevel.choices


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("机构名称"), required=False, max_length=64)
    city = forms.ModelChoiceField(
        label=_("地市"),
        # The label of a 市辖区 names its province: select it in the same query.
        queryset=Region.objects.filter(level=RegionLevel.CITY).select_related("parent"),
        required=False,
        empty_label=_("全部地市"),
    )
    occupation = forms.CharField(label=_("职业编码或名称"), required=False, max_length=64)
    level = forms.TypedChoiceField(
        label=_("等级"),
        choices=[("", _("全部等级")), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )


class InstitutionRegisterForm(forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=128)
    type = forms.ChoiceField(label=_("机构类型"), choices=InstitutionType.choices)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    city = forms.ModelChoiceField(label=_("所在地市"), queryset=Region.objects.none())
    supervisor = forms.ModelChoiceField(
        label=_("属地主管部门"), queryset=Organisation.objects.none()
    )
    address = forms.CharField(label=_("地址"), max_length=200)
    contact_name = forms.CharField(label=_("联系人"), max_length=64)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20)

    def __init__(
        self,
        data: Any = None,
        *,
        cities: QuerySet[Region],
        centres: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        # The view passes the cities and centres in the official's own area.
        cast(forms.ModelChoiceField[Region], self.fields["city"]).queryset = cities
        cast(forms.ModelChoiceField[Organisation], self.fields["supervisor"]).queryset = centres


CENTRE_KINDS = (OrganisationKind.CITY_CENTRE, OrganisationKind.PROVINCE_CENTRE)


class SiteForm(forms.Form):
    name = forms.CharField(label=_("场地名称"), max_length=128)
    address = forms.CharField(label=_("地址"), max_length=200)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6)
    radius_m = forms.IntegerField(label=_("定位打卡半径（米）"), min_value=50, initial=300)
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=0, initial=0)
    has_video_monitoring = forms.BooleanField(label=_("视频监控"), required=False)

    def coordinates(self) -> tuple[Decimal, Decimal]:
        return self.cleaned_data["latitude"], self.cleaned_data["longitude"]


class StaffForm(forms.Form):
    kind = forms.ChoiceField(label=_("人员类别"), choices=StaffKind.choices)
    full_name = forms.CharField(label=_("姓名"), max_length=64)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    title = forms.CharField(label=_("职务/职称"), max_length=64, required=False)
    skill_level = forms.TypedChoiceField(
        label=_("技能等级"),
        choices=[("", "—"), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    education = forms.CharField(label=_("学历"), max_length=32, required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=128, required=False)


class QualificationForm(forms.Form):
    occupation = forms.CharField(label=_("职业编码"), max_length=16)
    work_type = forms.CharField(label=_("工种（可空）"), max_length=128, required=False)
    highest_level = forms.TypedChoiceField(
        label=_("可考评的最高等级"), choices=LEVEL_CHOICES, coerce=int
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        occupation = Occupation.objects.filter(
            code=data.get("occupation", ""), tier=OccupationTier.OCCUPATION
        ).first()
        if occupation is None:
            raise forms.ValidationError(_("找不到该职业编码。"))
        data["occupation"] = occupation
        name = data.get("work_type") or ""
        data["work_type"] = None
        if name:
            data["work_type"] = WorkType.objects.filter(occupation=occupation, name=name).first()
            if data["work_type"] is None:
                raise forms.ValidationError(_("该职业下没有这个工种。"))
        return data


class FilingCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请类型"), choices=FilingKind.choices)


class ScopeLineForm(forms.Form):
    standard = forms.ModelChoiceField(
        label=_("评价依据（职业技能标准）"),
        queryset=Standard.objects.filter(is_active=True).select_related("occupation"),
    )
    work_type = forms.CharField(label=_("工种（可空）"), max_length=128, required=False)
    lowest_level = forms.TypedChoiceField(label=_("起始等级"), choices=LEVEL_CHOICES, coerce=int)
    highest_level = forms.TypedChoiceField(label=_("最高等级"), choices=LEVEL_CHOICES, coerce=int)
    item_bank_source = forms.ChoiceField(label=_("命题资源"), choices=ItemBankSource.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, standard = data.get("work_type") or "", data.get("standard")
        data["work_type"] = None
        if name and standard is not None:
            # An unknown name must not silently become a line for the whole occupation.
            data["work_type"] = WorkType.objects.filter(
                occupation_id=standard.occupation_id, name=name
            ).first()
            if data["work_type"] is None:
                raise forms.ValidationError(_("该职业下没有这个工种。"))
        return data


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=MaterialKind.choices)
    file = forms.FileField(label=_("文件（PDF、JPG、PNG）"))


class ReasonForm(forms.Form):
    # Optional here: each service refuses a blank reason with its own message
    # (请填写退回原因 …), and approval takes an optional note in the same field.
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class SuspendForm(ReasonForm):
    rectification_due = forms.DateField(
        label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"})
    )


def province_experts(province_code: str | None) -> QuerySet[User]:
    """Users holding an active expert role in the province: whom an official may record
    an opinion for (the service checks the role and conflicts of interest again)."""
    return (
        User.objects.filter(
            memberships__role=Role.EXPERT,
            memberships__is_active=True,
            memberships__organisation__province_id=province_code,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


class ExpertChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class OpinionForm(forms.Form):
    """An expert's own opinion; with ``experts``, an official recording one for an expert."""

    expert = ExpertChoiceField(label=_("专家"), queryset=User.objects.none(), required=False)
    score = forms.IntegerField(label=_("评分（0–100）"), min_value=0, max_value=100)
    recommends_approval = forms.BooleanField(label=_("同意备案"), required=False)
    opinion = forms.CharField(label=_("评估意见"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, data: Any = None, *, experts: QuerySet[User] | None = None, **kwargs: Any):
        super().__init__(data, **kwargs)
        if experts is None:
            del self.fields["expert"]
        else:
            cast(ExpertChoiceField, self.fields["expert"]).queryset = experts


class OnsiteForm(forms.Form):
    checked_on = forms.DateField(
        label=_("考察日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    inspectors = forms.CharField(label=_("考察人员"), max_length=200)
    findings = forms.CharField(label=_("考察情况"), widget=forms.Textarea(attrs={"rows": 3}))
    passed = forms.BooleanField(label=_("考察通过"), required=False)
