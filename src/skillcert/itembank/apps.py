from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItembankConfig(AppConfig):
    name = "skillcert.itembank"
    label = "itembank"
    verbose_name = _("题库与组卷")
