from django.urls import URLPattern, path

from skillcert.enrollment.views import documents

urlpatterns: list[URLPattern] = [
    path("sessions/<int:session_pk>/seats/", documents.session_seats, name="session-seats"),
    path(
        "sessions/<int:session_pk>/signin-sheet.pdf",
        documents.signin_sheet,
        name="session-signin-sheet",
    ),
]
