from django.urls import URLPattern, path

from skillcert.exams import views_grading as views

urlpatterns: list[URLPattern] = [
    path("grading/", views.grading_home, name="grading-home"),
    path("grading/sittings/<int:sitting_pk>/", views.grading_queue, name="grading-queue"),
    path("grading/sittings/<int:sitting_pk>/grade/", views.grading_grade, name="grading-grade"),
    path("sittings/<int:sitting_pk>/scores/", views.sitting_scores, name="sitting-scores"),
    path(
        "sittings/<int:sitting_pk>/scores.xlsx",
        views.sitting_scores_export,
        name="sitting-scores-export",
    ),
    path(
        "sittings/<int:sitting_pk>/item-stats/",
        views.sitting_item_stats,
        name="sitting-item-stats",
    ),
    path(
        "sittings/<int:sitting_pk>/item-stats/compute/",
        views.sitting_item_stats_compute,
        name="sitting-item-stats-compute",
    ),
]
