from django.urls import path

from skillcert.itembank import views

urlpatterns = [
    path("itembank/template/", views.bank_template, name="itembank-template"),
    path("itembank/levels/<int:level_pk>/", views.bank_detail, name="itembank-bank"),
    path("itembank/levels/<int:level_pk>/export/", views.bank_export, name="itembank-export"),
    path("itembank/levels/<int:level_pk>/import/", views.bank_import, name="itembank-import"),
    path(
        "itembank/levels/<int:level_pk>/import-qti/", views.qti_import, name="itembank-qti-import"
    ),
    path("itembank/items/<int:pk>/qti/", views.item_qti, name="itembank-item-qti"),
    path(
        "itembank/items/<int:pk>/<str:action>/",
        views.item_transition,
        name="itembank-item-transition",
    ),
]
