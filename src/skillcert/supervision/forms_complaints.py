"""Forms of the complaint pages: they parse, the services in ``complaints`` decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import Organisation, Region, User
from skillcert.institutions.models import Institution
from skillcert.supervision import complaints
from skillcert.supervision.choices import ComplaintKind, ComplaintStatus
from skillcert.supervision.models import Complaint
from skillcert.supervision.selectors_complaints import (
    complaint_institutions,
    complaint_provinces,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks their number, types and sizes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ComplaintForm(forms.Form):
    """The public form (投诉举报): name and phone may be left blank (anonymous)."""

    province = forms.ModelChoiceField(
        label=_("受理省份"), queryset=complaint_provinces(), empty_label=None
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=ComplaintKind.choices, widget=forms.RadioSelect
    )
    institution = forms.ModelChoiceField(
        label=_("涉及的评价机构"),
        queryset=complaint_institutions(),
        required=False,
        empty_label=_("（不涉及目录中的评价机构）"),
    )
    subject_text = forms.CharField(
        label=_("被投诉举报的单位或个人"), max_length=complaints.SUBJECT_MAX
    )
    content = forms.CharField(
        label=_("投诉举报内容（时间、地点、经过）"),
        max_length=complaints.CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    complainant_name = forms.CharField(
        label=_("您的姓名（可不填）"), max_length=complaints.NAME_MAX, required=False
    )
    phone = forms.CharField(
        label=_("联系电话（可不填）"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    evidence = MultipleFileField(
        label=_("证据材料（最多3个，PDF、JPEG或PNG，每个不超过10 MB）"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per form: the directory and the provinces change while the process runs.
        institutions = complaint_institutions()
        cast(
            forms.ModelChoiceField[Institution], self.fields["institution"]
        ).queryset = institutions
        provinces = complaint_provinces()
        cast(forms.ModelChoiceField[Region], self.fields["province"]).queryset = provinces
        if not self.is_bound:
            self.initial.setdefault("province", provinces.first())


class StatusForm(forms.Form):
    """The tracking number, POSTed: it never goes into a URL."""

    tracking_number = forms.CharField(
        label=_("查询编号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


FILTER_STATUSES = [("", _("全部状态")), *ComplaintStatus.choices]


class FilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=FILTER_STATUSES, required=False)
    overdue = forms.BooleanField(label=_("仅看已逾期"), required=False)


class OfficialChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class AssignForm(forms.Form):
    assignee = OfficialChoiceField(label=_("承办人"), queryset=User.objects.none())

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = {m.user_id for m in complaints.official_memberships(complaint)}
        cast(OfficialChoiceField, self.fields["assignee"]).queryset = User.objects.filter(
            pk__in=ids
        ).order_by("full_name", "pk")


class TransferForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("转办至"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, complaint: Complaint, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField[Organisation], self.fields["handler"])
        field.queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in complaints.transfer_targets(complaint)]
        ).order_by("city_id", "name")


class ReplyForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("核实结论"),
        choices=[("1", _("投诉举报属实")), ("0", _("投诉举报不属实"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("答复意见（投诉举报人可查看）"),
        max_length=complaints.REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("不予受理的理由（投诉举报人可查看）"),
        max_length=complaints.REPLY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
