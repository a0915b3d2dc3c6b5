from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "skillcert.results"
    label = "results"
    verbose_name = _("成绩管理")
