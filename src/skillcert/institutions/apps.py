from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "skillcert.institutions"
    label = "institutions"
    verbose_name = _("评价机构与备案")
