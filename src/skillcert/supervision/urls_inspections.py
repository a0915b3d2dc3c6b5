"""Supervision URLs (random inspections, 双随机一公开): the officials' plans, the
inspectors' records under /supervision/, and the published results under /public/."""

from django.urls import URLPattern, path

from skillcert.supervision import views_inspections as views

urlpatterns: list[URLPattern] = [
    path("supervision/plans/", views.plan_list, name="supervision-plan-list"),
    path("supervision/plans/new/", views.plan_create, name="supervision-plan-create"),
    path("supervision/plans/<int:pk>/", views.plan_detail, name="supervision-plan-detail"),
    path("supervision/plans/<int:pk>/edit/", views.plan_edit, name="supervision-plan-edit"),
    path("supervision/plans/<int:pk>/draw/", views.plan_draw, name="supervision-plan-draw"),
    path(
        "supervision/plans/<int:pk>/publish/",
        views.plan_publish,
        name="supervision-plan-publish",
    ),
    path("supervision/inspections/", views.inspection_list, name="supervision-inspection-list"),
    path(
        "supervision/inspections/<int:pk>/",
        views.inspection_detail,
        name="supervision-inspection-detail",
    ),
    path(
        "supervision/inspections/<int:pk>/findings/",
        views.inspection_finding,
        name="supervision-inspection-finding",
    ),
    path(
        "supervision/inspections/<int:pk>/evidence/",
        views.inspection_evidence_upload,
        name="supervision-inspection-evidence-upload",
    ),
    path(
        "supervision/inspections/<int:pk>/evidence/<int:evidence_pk>/",
        views.inspection_evidence,
        name="supervision-inspection-evidence",
    ),
    path(
        "supervision/inspections/<int:pk>/finish/",
        views.inspection_finish,
        name="supervision-inspection-finish",
    ),
    path(
        "supervision/inspections/<int:pk>/rectified/",
        views.inspection_rectified,
        name="supervision-inspection-rectified",
    ),
    path("public/inspections/", views.public_list, name="public-inspections"),
    path("public/inspections/<int:pk>/", views.public_detail, name="public-inspection-detail"),
]
