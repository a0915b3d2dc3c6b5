"""Supervision URLs (complaints): the public form and status page, the officials' pages."""

from django.urls import path

from skillcert.supervision import views_complaints

urlpatterns = [
    path(
        "public/complaints/new/",
        views_complaints.public_complaint_new,
        name="public-complaint-new",
    ),
    # The tracking number is POSTed, never part of a URL.
    path(
        "public/complaints/status/",
        views_complaints.public_complaint_status,
        name="public-complaint-status",
    ),
    path(
        "supervision/complaints/",
        views_complaints.complaint_list_page,
        name="supervision-complaints",
    ),
    path(
        "supervision/complaints/export/",
        views_complaints.complaint_export,
        name="supervision-complaints-export",
    ),
    path(
        "supervision/complaints/<int:pk>/",
        views_complaints.complaint_detail,
        name="supervision-complaint-detail",
    ),
    path(
        "supervision/complaints/<int:pk>/files/<int:file_pk>/",
        views_complaints.complaint_file,
        name="supervision-complaint-file",
    ),
]
