"""Forms of the credit pages: the province's credit rules and its other supervision
parameters. The services validate again; the forms only parse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.supervision.credit import INDICATORS, PENALTY, POLICY_FIELDS, WEIGHT_LIMIT
from skillcert.supervision.models import SupervisionPolicy

GRADES = ("A", "B", "C")


class CreditPolicyForm(forms.Form):
    """One whole-number field per indicator, then the floors of grades A, B and C."""

    def __init__(self, *args: Any, policy: SupervisionPolicy, **kwargs: Any) -> None:
        initial = {f"w_{c}": v for c, v in policy.credit_weights.items()}
        initial.update({f"floor_{g}": policy.credit_grade_floors.get(g) for g in GRADES})
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for code, indicator in INDICATORS.items():
            self.fields[f"w_{code}"] = forms.IntegerField(
                label=indicator.label,
                help_text=indicator.explanation,
                min_value=-WEIGHT_LIMIT if indicator.kind == PENALTY else 0,
                max_value=0 if indicator.kind == PENALTY else WEIGHT_LIMIT,
            )
        for grade in GRADES:
            self.fields[f"floor_{grade}"] = forms.IntegerField(
                label=_("%(g)s级最低分") % {"g": grade}, min_value=0, max_value=100
            )

    def weights(self) -> dict[str, int]:
        return {code: self.cleaned_data[f"w_{code}"] for code in INDICATORS}

    def floors(self) -> dict[str, int]:
        return {g: self.cleaned_data[f"floor_{g}"] for g in GRADES}


class SupervisionPolicyForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm is generic in stubs only
    """The other parameters: inspection interval, time limits, warning thresholds."""

    class Meta:
        model = SupervisionPolicy
        fields = POLICY_FIELDS
