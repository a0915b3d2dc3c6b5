from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ExcelImportForm(forms.Form):
    file = forms.FileField(label=_("试题文件（.xlsx，按导入模板填写）"))


class QtiImportForm(forms.Form):
    file = forms.FileField(label=_("QTI 3.0 试题文件（.xml）"))
