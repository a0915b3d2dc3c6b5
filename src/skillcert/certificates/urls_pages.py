"""The certificate pages, mounted under /certificates/ (see ``certificates.urls``)."""

from django.urls import path

from skillcert.certificates import views_pages

urlpatterns = [
    path("", views_pages.certificate_list, name="certificates-list"),
    path("mine/", views_pages.my_certificates, name="certificates-mine"),
    # The institution's batch: issuance run, held students, certificates, the summary.
    path("batches/<int:batch_pk>/", views_pages.batch_certificates, name="certificates-batch"),
    path("batches/<int:batch_pk>/issue/", views_pages.issue, name="certificates-issue"),
    path(
        "batches/<int:batch_pk>/runs/<int:run_pk>/resume/",
        views_pages.resume,
        name="certificates-resume",
    ),
    path(
        "batches/<int:batch_pk>/held/<int:application_pk>/issue/",
        views_pages.issue_held,
        name="certificates-issue-held",
    ),
    path(
        "batches/<int:batch_pk>/summary.xlsx",
        views_pages.summary_xlsx,
        name="certificates-summary-xlsx",
    ),
    # One certificate, its versions' files.
    path("<int:pk>/", views_pages.certificate_detail, name="certificates-detail"),
    path("<int:pk>/v<int:version>/pdf", views_pages.version_pdf, name="certificates-pdf"),
    path(
        "<int:pk>/v<int:version>/credential",
        views_pages.version_credential,
        name="certificates-credential",
    ),
]
