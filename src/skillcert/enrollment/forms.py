"""Forms of the enrollment pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Batch
from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.catalog.eligibility import describe_route
from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.choices import IdType, SkillLevel
from skillcert.enrollment.choices import (
    ApplicationStatus,
    EvidenceKind,
    ReviewDecision,
    SpotCheckResult,
    StudentState,
)

_DATE = forms.DateInput(attrs={"type": "date"})
_BLANK: list[tuple[str, str]] = [("", "——")]


def route_choices(batch: Batch) -> list[tuple[str, str]]:
    routes = batch.standard_level.eligibility_routes or []
    return [
        *_BLANK,
        *((str(i), f"{i + 1}. {describe_route(r)}") for i, r in enumerate(routes)),
    ]


class ApplicationForm(forms.Form):
    """The 申报表's own fields; the person's data and records are kept on the person."""

    employer = forms.CharField(label=_("工作单位（学校）"), max_length=128, required=False)
    current_job = forms.CharField(label=_("现从事职业（工种）"), max_length=128, required=False)
    work_years = forms.IntegerField(
        label=_("从事本职业或相关职业年限"), min_value=0, max_value=60, initial=0
    )
    declared_route = forms.TypedChoiceField(
        label=_("申报条件"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["declared_route"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = route_choices(batch)


class StaffApplicationForm(ApplicationForm):
    """Institution staff apply on a candidate's behalf (团体申报)."""

    full_name = forms.CharField(label=_("姓名"), max_length=64)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=32)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    field_order = ["full_name", "id_type", "id_number", "phone"]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices)
    file = forms.FileField(label=_("文件（PDF、JPEG或PNG，不超过10 MB）"))


class PledgeForm(forms.Form):
    agree = forms.BooleanField(label=_("我已阅读并承诺以上内容真实"), required=True)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("审核决定"), choices=ReviewDecision.choices)
    note = forms.CharField(
        label=_("审核意见（不通过或要求补充时必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BulkReviewForm(ReviewForm):
    ids = forms.TypedMultipleChoiceField(label=_("申请"), coerce=int)

    def __init__(self, *args: Any, ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["ids"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [(i, str(i)) for i in ids]


_TRI = [("", _("全部")), ("yes", _("是")), ("no", _("否"))]


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *ApplicationStatus.choices], required=False
    )
    eligible = forms.ChoiceField(label=_("符合申报条件"), choices=_TRI, required=False)
    diploma_pending = forms.ChoiceField(label=_("待核验毕业证书"), choices=_TRI, required=False)

    def flag(self, name: str) -> bool | None:
        value = self.cleaned_data.get(name) if self.is_valid() else ""
        return {"yes": True, "no": False}.get(value or "")


class EducationForm(forms.Form):
    school = forms.CharField(label=_("毕业院校"), max_length=128)
    school_type = forms.ChoiceField(
        label=_("院校类型"), choices=[*_BLANK, *SchoolType.choices], required=False
    )
    education_level = forms.TypedChoiceField(
        label=_("学历"), choices=EducationLevel.choices, coerce=int
    )
    major = forms.CharField(label=_("专业"), max_length=128)
    major_code = forms.CharField(label=_("专业代码"), max_length=16, required=False)
    related_major = forms.BooleanField(label=_("属于申报职业的本专业或相关专业"), required=False)
    graduated_on = forms.DateField(label=_("毕业时间"), required=False, widget=_DATE)
    diploma_number = forms.CharField(label=_("毕业证书编号"), max_length=64, required=False)


class StudentStatusForm(forms.Form):
    school = forms.CharField(label=_("学校"), max_length=128)
    school_type = forms.ChoiceField(label=_("院校类型"), choices=SchoolType.choices)
    major = forms.CharField(label=_("专业"), max_length=128)
    major_code = forms.CharField(label=_("专业代码"), max_length=16, required=False)
    related_major = forms.BooleanField(label=_("属于申报职业的本专业或相关专业"), required=False)
    enrollment_year = forms.IntegerField(label=_("入学年份"), min_value=1950, max_value=2100)
    graduation_year = forms.IntegerField(label=_("毕业年份"), min_value=1950, max_value=2100)
    student_number = forms.CharField(label=_("学号"), max_length=32, required=False)
    state = forms.ChoiceField(
        label=_("学籍状态"), choices=StudentState.choices, initial=StudentState.ENROLLED
    )


class WorkRecordForm(forms.Form):
    employer = forms.CharField(label=_("工作单位"), max_length=128)
    job_title = forms.CharField(label=_("岗位（工种）"), max_length=128)
    started_on = forms.DateField(label=_("起始时间"), widget=_DATE)
    ended_on = forms.DateField(label=_("结束时间（在职可不填）"), required=False, widget=_DATE)
    related = forms.BooleanField(label=_("从事本职业或相关职业"), required=False, initial=True)


class OccupationCodeField(forms.CharField):
    """An occupation of the 大典 by its code (6-18-01-01)."""

    def clean(self, value: Any) -> Occupation:
        code = str(super().clean(value)).strip()
        occupation = Occupation.objects.filter(code=code, tier=4).first()
        if occupation is None:
            raise forms.ValidationError(_("未找到该职业编码。"))
        return occupation


class CertificateForm(forms.Form):
    occupation = OccupationCodeField(
        label=_("职业编码"), max_length=16, help_text=_("如 6-18-01-01（车工）")
    )
    work_type = forms.CharField(label=_("工种（可不填）"), max_length=128, required=False)
    level = forms.TypedChoiceField(label=_("等级"), choices=SkillLevel.choices, coerce=int)
    number = forms.CharField(label=_("证书编号"), max_length=32)
    issued_on = forms.DateField(label=_("发证日期"), widget=_DATE)
    issuer = forms.CharField(label=_("发证机构"), max_length=128)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        occupation, name = data.get("occupation"), (data.get("work_type") or "").strip()
        data["work_type"] = None
        if occupation is not None and name:
            work_type = WorkType.objects.filter(occupation=occupation, name=name).first()
            if work_type is None:
                self.add_error("work_type", _("该职业下没有这个工种。"))
            data["work_type"] = work_type
        return data


RECORD_FORMS: dict[str, type[forms.Form]] = {
    "education": EducationForm,
    "student": StudentStatusForm,
    "work": WorkRecordForm,
    "certificate": CertificateForm,
}


class SpotCheckDrawForm(forms.Form):
    share_percent = forms.DecimalField(
        label=_("抽查比例%（不填按省级政策参数）"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
    )


class SpotCheckRecordForm(forms.Form):
    result = forms.ChoiceField(
        label=_("核查结果"),
        choices=[
            (SpotCheckResult.CONFIRMED, SpotCheckResult.CONFIRMED.label),
            (SpotCheckResult.PROBLEM, SpotCheckResult.PROBLEM.label),
        ],
    )
    note = forms.CharField(label=_("核查说明"), required=False, max_length=2000)


class RegistryImportForm(forms.Form):
    file = forms.FileField(label=_("学籍数据文件（.xlsx）"))
