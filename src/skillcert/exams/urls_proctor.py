from django.urls import URLPattern, path

from skillcert.exams import views_proctor as views

urlpatterns: list[URLPattern] = [
    path("sessions/<int:session_pk>/console/", views.console_page, name="proctor-console"),
    path(
        "sessions/<int:session_pk>/console/seats/<int:seat_pk>/",
        views.console_seat,
        name="proctor-seat",
    ),
    path(
        "sessions/<int:session_pk>/console/seats/<int:seat_pk>/<str:action>/",
        views.seat_action,
        name="proctor-seat-action",
    ),
    path("sessions/<int:session_pk>/console/notes/", views.console_note, name="proctor-note"),
    path("sessions/<int:session_pk>/console/papers/", views.sitting_papers, name="proctor-papers"),
    path(
        "sessions/<int:session_pk>/console/sitting/<str:action>/",
        views.sitting_action,
        name="proctor-sitting",
    ),
    path("sessions/<int:session_pk>/record/", views.record_page, name="proctor-record"),
    path("sessions/<int:session_pk>/record.pdf", views.record_pdf, name="proctor-record-pdf"),
]
