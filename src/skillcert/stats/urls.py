"""Statistics pages and the lifelong skill record."""

from django.urls import include, path

urlpatterns = [
    path("stats/", include("skillcert.stats.urls_dashboard")),
    path("", include("skillcert.stats.urls_lifelong")),
]
