"""Forms of an external supervisor's task page: the 考场记录表 line, the mode, the end."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Session
from skillcert.supervision.choices import Conclusion, NoteKind, SupervisionMode


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("记录类型"), choices=NoteKind.choices)
    text = forms.CharField(
        label=_("记录内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    session = forms.ModelChoiceField(
        label=_("场次"), queryset=Session.objects.none(), required=False
    )
    at = forms.DateTimeField(
        label=_("时间（留空为当前时间）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, sessions: QuerySet[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Session], self.fields["session"]).queryset = sessions


class ModeForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("督导方式"), choices=SupervisionMode.choices, widget=forms.RadioSelect
    )


class FinishForm(forms.Form):
    conclusion = forms.ChoiceField(label=_("督导结论"), choices=Conclusion.choices)
    summary = forms.CharField(
        label=_("督导情况"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
