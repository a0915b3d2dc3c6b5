from django.contrib import admin
from django.urls import include, path

from skillcert.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("catalog/", include("skillcert.catalog.urls")),
    path("", include("skillcert.institutions.urls")),
    path("", include("skillcert.batches.urls")),
    path("", include("skillcert.enrollment.urls")),
    path("", include("skillcert.itembank.urls")),
    path("", include("skillcert.exams.urls")),
    path("", include("skillcert.results.urls")),
    path("", include("skillcert.certificates.urls")),
    path("", include("skillcert.supervision.urls")),
    path("", include("skillcert.archives.urls")),
    path("", include("skillcert.stats.urls")),
    path("", include("skillcert.core.urls")),
]
