from django.urls import path

from skillcert.enrollment.views import applications, officials, persons

urlpatterns = [
    path("enrollment/", applications.enrollment_home, name="enrollment-home"),
    # Candidates apply; everyone in scope reads one application.
    path(
        "enrollment/batches/<int:pk>/apply/",
        applications.application_apply,
        name="application-apply",
    ),
    path(
        "enrollment/applications/<int:pk>/",
        applications.application_detail,
        name="application-detail",
    ),
    path(
        "enrollment/applications/<int:pk>/edit/",
        applications.application_edit,
        name="application-edit",
    ),
    path(
        "enrollment/applications/<int:pk>/evidence/",
        applications.evidence_upload,
        name="application-evidence-upload",
    ),
    path(
        "enrollment/applications/<int:pk>/evidence/<int:evidence_pk>/",
        applications.evidence_download,
        name="application-evidence-download",
    ),
    path(
        "enrollment/applications/<int:pk>/evidence/<int:evidence_pk>/remove/",
        applications.evidence_remove,
        name="application-evidence-remove",
    ),
    path(
        "enrollment/applications/<int:pk>/pledge/",
        applications.application_pledge,
        name="application-pledge",
    ),
    path(
        "enrollment/applications/<int:pk>/submit/",
        applications.application_submit,
        name="application-submit",
    ),
    path(
        "enrollment/applications/<int:pk>/withdraw/",
        applications.application_withdraw,
        name="application-withdraw",
    ),
    path(
        "enrollment/applications/<int:pk>/review/",
        applications.application_review,
        name="application-review",
    ),
    # A batch's applications: filters, bulk review, applying on a candidate's behalf.
    path(
        "enrollment/batches/<int:pk>/applications/",
        applications.batch_applications,
        name="batch-applications",
    ),
    path(
        "enrollment/batches/<int:pk>/applications/new/",
        applications.batch_application_create,
        name="batch-application-create",
    ),
    path(
        "enrollment/batches/<int:pk>/review/",
        applications.batch_review_bulk,
        name="batch-review-bulk",
    ),
    # Persons and their records.
    path("enrollment/me/", persons.my_records, name="my-records"),
    path("enrollment/me/start/", persons.my_person_create, name="my-person-create"),
    path("enrollment/persons/<int:pk>/", persons.person_records, name="person-records"),
    path(
        "enrollment/persons/<int:pk>/records/<str:kind>/",
        persons.person_record_add,
        name="person-record-add",
    ),
    path(
        "enrollment/persons/<int:pk>/records/<str:kind>/<int:record_pk>/remove/",
        persons.person_record_remove,
        name="person-record-remove",
    ),
    path(
        "enrollment/persons/<int:pk>/education/<int:record_pk>/verify/",
        persons.person_diploma_verify,
        name="person-diploma-verify",
    ),
    # Officials: spot checks, the registry and the cross-check against it.
    path(
        "enrollment/batches/<int:pk>/spot-checks/",
        officials.batch_spot_checks,
        name="batch-spot-checks",
    ),
    path(
        "enrollment/batches/<int:pk>/spot-checks/draw/",
        officials.batch_spot_check_draw,
        name="batch-spot-check-draw",
    ),
    path(
        "enrollment/spot-checks/<int:pk>/record/",
        officials.spot_check_record,
        name="spot-check-record",
    ),
    path(
        "enrollment/batches/<int:pk>/cross-check/",
        officials.batch_cross_check,
        name="batch-cross-check",
    ),
    path(
        "enrollment/batches/<int:pk>/cross-check.xlsx",
        officials.batch_cross_check_export,
        name="batch-cross-check-export",
    ),
    path("enrollment/registry/", officials.registry_imports, name="registry-imports"),
    path("enrollment/registry/import/", officials.registry_import, name="registry-import"),
    path(
        "enrollment/registry/template.xlsx", officials.registry_template, name="registry-template"
    ),
]
