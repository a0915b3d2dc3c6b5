"""Forms parse input only; the services check the rules. Choices come from the view, which
passes what the actor may pick (the institution's scope, rooms, staff and sessions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import AssessmentMode, Component, RoomKind, StaffRole
from skillcert.batches.models import Batch, Room, Session
from skillcert.catalog.models import StandardLevel, WorkType
from skillcert.institutions.models import Site, StaffMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _weight(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast(forms.ModelChoiceField[Any], form.fields[name]).queryset = queryset


class StandardLevelChoiceField(forms.ModelChoiceField[StandardLevel]):
    def label_from_instance(self, obj: StandardLevel) -> str:
        standard = obj.standard
        return f"{standard.occupation.code} {standard.title} · {obj.get_level_display()}"


class BatchUpdateForm(forms.Form):
    title = forms.CharField(label=_("批次名称"), max_length=128)
    mode = forms.ChoiceField(label=_("评价方式"), choices=AssessmentMode.choices)
    planned_candidates = forms.IntegerField(label=_("计划人数"), min_value=1, max_value=10_000)
    enrollment_opens = forms.DateField(label=_("报名开始"), widget=DATE)
    enrollment_closes = forms.DateField(label=_("报名截止"), widget=DATE)
    theory_weight = _weight(_("理论（或课程）权重%"))
    practical_weight = _weight(_("操作技能权重%"))
    review_weight = _weight(_("综合评审权重%（二级、一级）"))
    pass_mark = forms.IntegerField(
        label=_("各科合格分"), min_value=0, max_value=100, required=False
    )
    practical_pass_mark = forms.IntegerField(
        label=_("操作技能合格分"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("留空则同各科合格分。"),
    )
    review_pass_mark = forms.IntegerField(
        label=_("综合评审合格分"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("留空则同各科合格分。"),
    )

    # Form fields kept in Batch.component_pass_marks, by component.
    COMPONENT_MARKS: ClassVar[dict[str, str]] = {
        "practical_pass_mark": Component.PRACTICAL,
        "review_pass_mark": Component.REVIEW,
    }

    @classmethod
    def initial_for(cls, batch: Batch) -> dict[str, Any]:
        initial = {
            name: getattr(batch, name)
            for name in cls.base_fields
            if name not in cls.COMPONENT_MARKS
        }
        for name, component in cls.COMPONENT_MARKS.items():
            initial[name] = batch.component_pass_marks.get(component)
        return initial

    def plan_values(self) -> dict[str, Any]:
        """The cleaned data as the plan services take it."""
        data = dict(self.cleaned_data)
        marks = {}
        for name, component in self.COMPONENT_MARKS.items():
            value = data.pop(name, None)
            if value is not None:
                marks[str(component)] = value
        data["component_pass_marks"] = marks
        return data


class BatchCreateForm(BatchUpdateForm):
    standard_level = StandardLevelChoiceField(
        label=_("评价依据与等级"), queryset=StandardLevel.objects.none()
    )
    work_type = forms.ModelChoiceField(
        label=_("工种（可空）"), queryset=WorkType.objects.none(), required=False
    )

    field_order = ["standard_level", "work_type", "title", "mode", "planned_candidates"]

    def __init__(
        self,
        data: Any = None,
        *,
        levels: QuerySet[StandardLevel],
        work_types: QuerySet[WorkType],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        _set_queryset(self, "standard_level", levels)
        _set_queryset(self, "work_type", work_types)


class RoomForm(forms.Form):
    site = forms.ModelChoiceField(label=_("评价场地"), queryset=Site.objects.none())
    name = forms.CharField(label=_("考场名称"), max_length=64)
    kind = forms.ChoiceField(label=_("类型"), choices=RoomKind.choices)
    capacity = forms.IntegerField(label=_("座位数"), min_value=1, max_value=1000)

    def __init__(self, data: Any = None, *, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        _set_queryset(self, "site", sites)


class SessionForm(forms.Form):
    component = forms.ChoiceField(label=_("考核科目"), choices=Component.choices)
    room = forms.ModelChoiceField(label=_("考场"), queryset=Room.objects.none())
    starts_at = forms.DateTimeField(
        label=_("开始时间"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    duration_minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=1440)

    def __init__(
        self,
        data: Any = None,
        *,
        components: list[str],
        rooms: QuerySet[Room],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        choices = [(c, Component(c).label) for c in components]
        cast(forms.ChoiceField, self.fields["component"]).choices = choices
        _set_queryset(self, "room", rooms)


class SessionChoiceField(forms.ModelChoiceField[Session]):
    def label_from_instance(self, obj: Session) -> str:
        start = timezone.localtime(obj.starts_at)
        return f"{obj.get_component_display()} {start:%m-%d %H:%M} {obj.room.name}"


class StaffAssignForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("人员"), queryset=StaffMember.objects.none())
    role = forms.ChoiceField(label=_("职责"), choices=StaffRole.choices)
    session = SessionChoiceField(
        label=_("场次（整批次可空；监考须选场次）"),
        queryset=Session.objects.none(),
        required=False,
    )

    def __init__(
        self,
        data: Any = None,
        *,
        staff: QuerySet[StaffMember],
        sessions: QuerySet[Session],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        _set_queryset(self, "staff", staff)
        _set_queryset(self, "session", sessions)


class ReasonForm(forms.Form):
    # Optional here: the return service refuses a blank reason with its own message.
    reason = forms.CharField(
        label=_("退回原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
