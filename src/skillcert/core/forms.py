from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import ProvincePolicy

MAX_SCHEDULE_BYTES = 256 * 1024


class HolidayUploadForm(forms.Form):
    source = forms.CharField(label=_("依据文件"), max_length=200)
    file = forms.FileField(label=_("节假日安排（CSV：date,kind,name）"))

    def clean_file(self) -> str:
        """The file's text: small, UTF-8, so the parser can name bad rows."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCHEDULE_BYTES:
            raise forms.ValidationError(_("文件过大（上限 256 KB）。"))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("文件必须是 UTF-8 编码的 CSV。")) from exc


class PolicyForm(forms.ModelForm):  # type: ignore[type-arg]  # ModelForm is generic in stubs only
    """Every number of the province policy; the service validates and audits the change."""

    class Meta:
        model = ProvincePolicy
        fields = (
            "filing_decision_working_days",
            "filing_validity_years",
            "filing_renewal_window_days",
            "batch_plan_filing_working_days",
            "candidates_per_proctor",
            "min_proctors_per_room",
            "min_examiners",
            "candidates_per_examiner",
            "min_review_panel",
            "min_examiners_per_occupation",
            "theory_min_minutes",
            "review_min_minutes",
            "pass_mark",
            "publicity_working_days",
            "objection_working_days",
            "results_filing_working_days",
            "secondary_vocational_level_cap",
            "higher_vocational_level_cap",
            "examiner_max_consecutive_batches",
            "retention_data_years",
            "retention_process_years",
        )
