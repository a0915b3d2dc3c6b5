from django.urls import path

from skillcert.batches import views

urlpatterns = [
    path("batches/", views.batch_list, name="batch-list"),
    path("batches/new/", views.batch_create, name="batch-create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch-detail"),
    path("batches/<int:pk>/edit/", views.batch_update, name="batch-update"),
    path("batches/<int:pk>/rooms/", views.room_add, name="batch-room-add"),
    path("batches/<int:pk>/sessions/", views.session_add, name="batch-session-add"),
    path(
        "batches/<int:pk>/sessions/<int:session_pk>/remove/",
        views.session_remove,
        name="batch-session-remove",
    ),
    path(
        "batches/<int:pk>/sessions/<int:session_pk>/<str:action>/",
        views.session_transition,
        name="batch-session-transition",
    ),
    path("batches/<int:pk>/staff/", views.staff_assign, name="batch-staff-assign"),
    path(
        "batches/<int:pk>/staff/<int:assignment_pk>/remove/",
        views.staff_unassign,
        name="batch-staff-unassign",
    ),
    path("batches/<int:pk>/<str:action>/", views.batch_transition, name="batch-transition"),
]
