from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchesConfig(AppConfig):
    name = "skillcert.batches"
    label = "batches"
    verbose_name = _("认定批次")
