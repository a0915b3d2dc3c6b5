"""Batch dossier pages, mounted under /archives/ (see ``archives.urls``)."""

from django.urls import path

from skillcert.archives import views_dossiers

urlpatterns = [
    path(
        "batches/<int:batch_pk>/dossiers/",
        views_dossiers.dossier_list,
        name="archives-dossiers",
    ),
    path(
        "batches/<int:batch_pk>/dossiers/build/",
        views_dossiers.dossier_build,
        name="archives-dossier-build",
    ),
    path("dossiers/<int:pk>/", views_dossiers.dossier_detail, name="archives-dossier"),
    path(
        "dossiers/<int:pk>/download/",
        views_dossiers.dossier_download,
        name="archives-dossier-download",
    ),
]
