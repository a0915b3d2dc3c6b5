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
        # Every rule of the policy; the province key and timestamps are not editable here.
        fields = tuple(
            f.name
            for f in ProvincePolicy._meta.get_fields()
            if getattr(f, "editable", False) and f.name not in {"province", "updated_at"}
        )
