from django.urls import URLPattern, path

from skillcert.enrollment.views import roster

# Not "batches/<pk>/roster/": batches.urls routes "batches/<pk>/<action>/" to its
# transitions, which would take it.
urlpatterns: list[URLPattern] = [
    path("batches/<int:batch_pk>/roster/import/", roster.roster_upload, name="roster-upload"),
    path(
        "batches/<int:batch_pk>/roster/template.xlsx",
        roster.roster_template_download,
        name="roster-template",
    ),
    path(
        "batches/<int:batch_pk>/roster/export.xlsx",
        roster.roster_export_download,
        name="roster-export",
    ),
]
