"""The lifelong skill record (技能银行账户) and training records, mounted at the root."""

from django.urls import path

from skillcert.stats import views_lifelong, views_training_import

urlpatterns = [
    path("me/skill-record/", views_lifelong.my_record, name="stats-my-record"),
    path("me/skill-record/bundle/", views_lifelong.my_record_bundle, name="stats-my-record-bundle"),
    # Name and ID number are POSTed, never part of a URL.
    path("skill-record/lookup/", views_lifelong.record_lookup, name="stats-record-lookup"),
    path("skill-record/<int:pk>/", views_lifelong.person_record, name="stats-person-record"),
    path("training/", views_lifelong.training_list, name="stats-training"),
    path("training/new/", views_lifelong.training_new, name="stats-training-new"),
    path(
        "training/import/",
        views_training_import.training_import_page,
        name="stats-training-import",
    ),
    path(
        "training/import/template.xlsx",
        views_training_import.training_import_template,
        name="stats-training-template",
    ),
    path(
        "training/<int:pk>/outcome/",
        views_lifelong.training_outcome,
        name="stats-training-outcome",
    ),
]
