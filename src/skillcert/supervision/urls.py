"""Supervision pages: one URL module per area, mounted under /supervision/ (officials,
inspectors, supervisors) and /public/ (the published pages)."""

from django.urls import include, path

urlpatterns = [
    path("supervision/", include("skillcert.supervision.urls_home")),
    path("", include("skillcert.supervision.urls_inspections")),
    path("", include("skillcert.supervision.urls_external")),
    path("", include("skillcert.supervision.urls_cases")),
    path("", include("skillcert.supervision.urls_credit")),
    path("", include("skillcert.supervision.urls_complaints")),
    path("", include("skillcert.supervision.urls_alerts")),
]
