"""The dashboard's filter form (GET): year, city (province level only), occupation,
level and institution type; the choices come from the rows the reader can see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.core.choices import SkillLevel
from skillcert.institutions.choices import InstitutionType
from skillcert.stats.selectors_dashboard import Filters, Options

ALL = [("", _("全部"))]


class DashboardFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年份"), required=False, coerce=int, empty_value=None)
    city = forms.ChoiceField(label=_("地市"), required=False)
    occupation = forms.ChoiceField(label=_("职业"), required=False)
    level = forms.TypedChoiceField(
        label=_("等级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[*ALL, *SkillLevel.choices],
    )
    institution_type = forms.ChoiceField(
        label=_("机构类型"), required=False, choices=[*ALL, *InstitutionType.choices]
    )

    def __init__(self, *args: Any, options: Options, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("year", [*ALL, *((y, str(y)) for y in options.years)])
        if options.city_filter:
            self._choices("city", [*ALL, *options.cities])
        else:
            del self.fields["city"]
        self._choices("occupation", [*ALL, *options.occupations])

    def _choices(self, name: str, choices: list[tuple[Any, Any]]) -> None:
        field = self.fields[name]
        if isinstance(field, forms.ChoiceField):
            field.choices = choices

    def filters(self) -> Filters:
        """The chosen filters; an invalid choice is ignored (the field shows its error)."""
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return Filters(
            year=data.get("year"),
            city=data.get("city") or "",
            occupation=data.get("occupation") or "",
            level=data.get("level"),
            institution_type=data.get("institution_type") or "",
        )
