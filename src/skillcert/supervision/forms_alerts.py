"""Forms of the early-warning pages: they parse, the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import User
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import AlertClosure, AlertRule, AlertStatus


class InstitutionChoiceField(forms.ModelChoiceField[Institution]):
    def label_from_instance(self, obj: Institution) -> str:
        return obj.name


class OfficialChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


FIRING_CHOICES = [("", _("全部")), ("yes", _("仍在触发")), ("no", _("已不再触发"))]


class AlertFilterForm(forms.Form):
    rule = forms.ChoiceField(
        label=_("预警规则"), choices=[("", _("全部")), *AlertRule.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *AlertStatus.choices], required=False
    )
    institution = InstitutionChoiceField(
        label=_("评价机构"), queryset=Institution.objects.none(), required=False
    )
    firing = forms.ChoiceField(label=_("触发情况"), choices=FIRING_CHOICES, required=False)

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(InstitutionChoiceField, self.fields["institution"]).queryset = institutions

    def filters(self) -> dict[str, Any]:
        """The selector's keyword filters (empty when the form is not valid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        institution = data.get("institution")
        firing = {"yes": True, "no": False}.get(data.get("firing") or "")
        return {
            "rule": data.get("rule") or "",
            "status": data.get("status") or "",
            "institution": institution.pk if institution is not None else None,
            "firing": firing,
        }


class AssignForm(forms.Form):
    assignee = OfficialChoiceField(label=_("核查人"), queryset=User.objects.none())

    def __init__(self, *args: Any, officials: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = User.objects.filter(pk__in=[u.pk for u in officials]).order_by("username")
        cast(OfficialChoiceField, self.fields["assignee"]).queryset = chosen


class CloseForm(forms.Form):
    closure = forms.ChoiceField(
        label=_("办结方式"), choices=AlertClosure.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("办结说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
