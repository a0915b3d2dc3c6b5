"""Supervision URLs (credit): the ranking for officials, an institution's credit, the
province's supervision parameters, and the public ranking."""

from django.urls import URLPattern, path

from skillcert.supervision import views_credit

urlpatterns: list[URLPattern] = [
    path("supervision/credit/", views_credit.credit_list, name="supervision-credit"),
    path(
        "supervision/credit/export.xlsx",
        views_credit.credit_export,
        name="supervision-credit-export",
    ),
    path(
        "supervision/credit/recompute/",
        views_credit.credit_recompute,
        name="supervision-credit-recompute",
    ),
    path(
        "supervision/credit/<int:pk>/",
        views_credit.credit_detail,
        name="supervision-credit-detail",
    ),
    path("supervision/policy/", views_credit.policy, name="supervision-policy"),
    path("public/credit/", views_credit.public_credit, name="public-credit"),
]
