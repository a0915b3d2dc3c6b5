"""Supervision URLs (violation cases, integrity records, appeals)."""

from django.urls import URLPattern, path

from skillcert.supervision import views_cases

urlpatterns: list[URLPattern] = [
    path("supervision/cases/", views_cases.case_list, name="supervision-case-list"),
    path("supervision/cases/new/", views_cases.case_open, name="supervision-case-open"),
    path("supervision/cases/<int:pk>/", views_cases.case_detail, name="supervision-case-detail"),
    path(
        "supervision/cases/<int:pk>/decide/",
        views_cases.case_decide,
        name="supervision-case-decide",
    ),
    path(
        "supervision/cases/<int:pk>/close/", views_cases.case_close, name="supervision-case-close"
    ),
    path(
        "supervision/cases/<int:pk>/rectified/",
        views_cases.case_rectified,
        name="supervision-case-rectified",
    ),
    path(
        "supervision/cases/<int:pk>/appeal/",
        views_cases.appeal_file,
        name="supervision-case-appeal",
    ),
    path(
        "supervision/appeals/<int:pk>/decide/",
        views_cases.appeal_decide,
        name="supervision-case-appeal-decide",
    ),
    path(
        "supervision/integrity/institutions/<int:pk>/",
        views_cases.integrity_institution,
        name="supervision-integrity-institution",
    ),
    path(
        "supervision/integrity/persons/<int:pk>/",
        views_cases.integrity_person,
        name="supervision-integrity-person",
    ),
    path("supervision/my-cases/", views_cases.my_cases, name="supervision-my-cases"),
]
