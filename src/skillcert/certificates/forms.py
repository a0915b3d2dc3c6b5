"""Forms of the certificate pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CertificateSearchForm(forms.Form):
    """Search by certificate number (whole or its leading part) or the holder's name."""

    q = forms.CharField(
        label=_("证书编号或姓名"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("证书编号或姓名")}),
    )
