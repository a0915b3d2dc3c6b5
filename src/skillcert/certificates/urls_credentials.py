"""URLs of the issuers' published status lists (public, no login)."""

from django.urls import URLPattern, path

from skillcert.certificates import views_credentials

urlpatterns: list[URLPattern] = [
    path(
        "credentials/status/<int:institution_pk>",
        views_credentials.status_list,
        name="certificates-status-list",
    ),
]
