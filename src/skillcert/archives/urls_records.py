"""Archive URLs (records): the registry, a batch's archive, legal holds, disposal lists."""

from django.urls import path

from skillcert.archives import views_records

urlpatterns = [
    path("", views_records.records_registry, name="archives-records"),
    path(
        "records/batches/<int:batch_pk>/",
        views_records.records_batch,
        name="archives-batch-records",
    ),
    path(
        "records/batches/<int:batch_pk>/archive/",
        views_records.records_batch_archive,
        name="archives-batch-archive",
    ),
    path(
        "records/batches/<int:batch_pk>/video/",
        views_records.records_batch_video,
        name="archives-batch-video",
    ),
    path("holds/", views_records.hold_list_page, name="archives-holds"),
    path("holds/new/", views_records.hold_new, name="archives-hold-new"),
    path("holds/<int:pk>/release/", views_records.hold_release, name="archives-hold-release"),
    path("disposals/", views_records.disposal_list_page, name="archives-disposals"),
    path("disposals/new/", views_records.disposal_new, name="archives-disposal-new"),
    path("disposals/<int:pk>/", views_records.disposal_detail, name="archives-disposal-detail"),
    path(
        "disposals/<int:pk>/submit/",
        views_records.disposal_submit,
        name="archives-disposal-submit",
    ),
    path(
        "disposals/<int:pk>/withdraw/",
        views_records.disposal_withdraw,
        name="archives-disposal-withdraw",
    ),
    path(
        "disposals/<int:pk>/decide/",
        views_records.disposal_decide,
        name="archives-disposal-decide",
    ),
    path(
        "disposals/<int:pk>/execute/",
        views_records.disposal_execute,
        name="archives-disposal-execute",
    ),
    path(
        "disposals/<int:pk>/export/",
        views_records.disposal_export,
        name="archives-disposal-export",
    ),
]
