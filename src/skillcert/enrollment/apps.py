from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentConfig(AppConfig):
    name = "skillcert.enrollment"
    label = "enrollment"
    verbose_name = _("报名与资格审核")
