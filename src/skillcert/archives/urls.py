"""Archive pages: the records registry, legal holds and disposal lists; batch dossiers."""

from django.urls import include, path

urlpatterns = [
    path("archives/", include("skillcert.archives.urls_records")),
    path("archives/", include("skillcert.archives.urls_dossiers")),
]
