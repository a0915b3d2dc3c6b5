"""Forms of the archive pages: they parse, the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.archives import holds, records
from skillcert.archives.choices import DisposalStatus, RecordStatus, RecordType, RetentionClass
from skillcert.archives.models import ArchiveRecord
from skillcert.archives.selectors_records import RecordFilter, institutions_in_scope
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.institutions.models import Institution


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("全部")), *choices]


class RecordFilterForm(forms.Form):
    retention_class = forms.ChoiceField(
        label=_("保管期限"), choices=_blank(RetentionClass.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=_blank(RecordStatus.choices), required=False
    )
    record_type = forms.ChoiceField(
        label=_("档案类型"), choices=_blank(RecordType.choices), required=False
    )
    due_before = forms.DateField(
        label=_("保管至早于"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    held = forms.BooleanField(label=_("仅看保全中"), required=False)

    def filters(self) -> RecordFilter:
        if not self.is_bound or not self.is_valid():
            return RecordFilter()
        data = self.cleaned_data
        return RecordFilter(
            retention_class=data["retention_class"],
            status=data["status"],
            record_type=data["record_type"],
            due_before=data["due_before"],
            held=bool(data["held"]),
        )


class VideoForm(forms.Form):
    note = forms.CharField(
        label=_("视频资料存放位置及说明"),
        max_length=records.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BatchChoiceField(forms.ModelChoiceField[Batch]):
    def label_from_instance(self, obj: Batch) -> str:
        return f"{obj.code} {obj.title}"


class RecordChoiceField(forms.ModelMultipleChoiceField[ArchiveRecord]):
    def label_from_instance(self, obj: ArchiveRecord) -> str:
        return f"{obj.batch.code} · {obj.get_record_type_display()} · {obj.keep_until:%Y-%m-%d}"


class HoldForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("评价机构"), queryset=Institution.objects.none())
    batch = BatchChoiceField(
        label=_("批次（不选则保全该机构全部档案）"), queryset=Batch.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("保全原因"), max_length=holds.REASON_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institution = cast(forms.ModelChoiceField[Institution], self.fields["institution"])
        institution.queryset = institutions_in_scope(actor)
        batch = cast(BatchChoiceField, self.fields["batch"])
        batch.queryset = Batch.objects.for_actor(actor).order_by("-pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        institution, batch = data.get("institution"), data.get("batch")
        if institution is not None and batch is not None and batch.institution_id != institution.pk:
            self.add_error("batch", _("所选批次不属于该机构。"))
        return data


class ReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("解除说明"), max_length=holds.REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class DisposalNewForm(forms.Form):
    records = RecordChoiceField(
        label=_("到期档案"),
        queryset=ArchiveRecord.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: list[ArchiveRecord], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(RecordChoiceField, self.fields["records"])
        field.queryset = ArchiveRecord.objects.filter(
            pk__in=[r.pk for r in candidates]
        ).select_related("batch")


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结论"),
        choices=[("approve", _("批准销毁")), ("reject", _("不予批准"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisposalFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=_blank(DisposalStatus.choices), required=False
    )
