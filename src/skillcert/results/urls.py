from django.urls import include, path

from skillcert.results import views, views_centre, views_public

urlpatterns = [
    path("results/", include("skillcert.results.urls_scoring")),
    # The institution's batch results, its actions and the archive exports.
    path("results/batches/<int:batch_pk>/", views.batch_results, name="results-batch"),
    path(
        "results/batches/<int:batch_pk>/theory/",
        views.theory_collect,
        name="results-theory-collect",
    ),
    path("results/batches/<int:batch_pk>/enter/", views.score_enter, name="results-score-enter"),
    path("results/batches/<int:batch_pk>/absent/", views.score_absent, name="results-absent"),
    path("results/batches/<int:batch_pk>/compute/", views.results_compute, name="results-compute"),
    path("results/batches/<int:batch_pk>/publish/", views.results_publish, name="results-publish"),
    path("results/batches/<int:batch_pk>/retake/", views.retake_open, name="results-retake"),
    path("results/batches/<int:batch_pk>/void/", views.result_void, name="results-void"),
    path("results/batches/<int:batch_pk>/file/", views.results_file, name="results-file"),
    path(
        "results/batches/<int:batch_pk>/objections/",
        views.objection_record,
        name="results-objection-record",
    ),
    path(
        "results/objections/<int:objection_pk>/handle/",
        views.objection_handle,
        name="results-objection-handle",
    ),
    path(
        "results/batches/<int:batch_pk>/results.xlsx",
        views.export_results,
        name="results-export-xlsx",
    ),
    path(
        "results/batches/<int:batch_pk>/score-sheets.pdf",
        views.export_score_sheets,
        name="results-export-pdf",
    ),
    # The centre: filed results, approval or return.
    path("results/filings/", views_centre.filing_list, name="results-filings"),
    path("results/filings/<int:batch_pk>/", views_centre.filing_detail, name="results-filing"),
    path(
        "results/filings/<int:batch_pk>/approve/",
        views_centre.filing_approve,
        name="results-approve",
    ),
    path(
        "results/filings/<int:batch_pk>/return/", views_centre.filing_return, name="results-return"
    ),
    path("results/revocations/", views_centre.revocation_list, name="results-revocations"),
    # The candidate.
    path("results/mine/", views_public.my_results, name="results-mine"),
    path(
        "results/mine/<int:application_pk>/objections/",
        views_public.objection_submit,
        name="results-objection-submit",
    ),
    # The public announcement (公示).
    path("public/results/", views_public.public_list, name="public-results"),
    path("public/results/<int:pk>/", views_public.public_detail, name="public-results-detail"),
]
