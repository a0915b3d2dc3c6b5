from django.urls import path

from skillcert.itembank import views, views_papers

urlpatterns = [
    path("itembank/template/", views.bank_template, name="itembank-template"),
    path("itembank/levels/<int:level_pk>/", views.bank_detail, name="itembank-bank"),
    path("itembank/levels/<int:level_pk>/export/", views.bank_export, name="itembank-export"),
    path("itembank/levels/<int:level_pk>/import/", views.bank_import, name="itembank-import"),
    path(
        "itembank/levels/<int:level_pk>/import-qti/", views.qti_import, name="itembank-qti-import"
    ),
    path(
        "itembank/levels/<int:level_pk>/blueprint/",
        views_papers.blueprint_detail,
        name="itembank-blueprint",
    ),
    path("itembank/levels/<int:level_pk>/papers/", views_papers.paper_list, name="itembank-papers"),
    path(
        "itembank/levels/<int:level_pk>/assemble/",
        views_papers.paper_assemble,
        name="itembank-assemble",
    ),
    path("itembank/papers/<int:pk>/", views_papers.paper_detail, name="itembank-paper"),
    path(
        "itembank/papers/<int:pk>/seal/", views_papers.paper_seal_view, name="itembank-paper-seal"
    ),
    path(
        "itembank/papers/<int:pk>/export/",
        views_papers.paper_export_view,
        name="itembank-paper-export",
    ),
    path("itembank/items/<int:pk>/qti/", views.item_qti, name="itembank-item-qti"),
    path(
        "itembank/items/<int:pk>/<str:action>/",
        views.item_transition,
        name="itembank-item-transition",
    ),
]
