from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "skillcert.archives"
    label = "archives"
    verbose_name = _("档案管理")

    def ready(self) -> None:
        # Rows of archived batches leave only through an approved disposal list.
        from skillcert.archives import guard

        guard.connect()
