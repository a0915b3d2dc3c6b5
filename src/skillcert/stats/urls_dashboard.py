"""Statistics dashboard URLs (mounted under /stats/)."""

from django.urls import URLPattern, path

from skillcert.stats import views_dashboard

urlpatterns: list[URLPattern] = [
    path("", views_dashboard.dashboard, name="stats-dashboard"),
    path("export.xlsx", views_dashboard.dashboard_export, name="stats-dashboard-export"),
]
