from django.urls import URLPattern, path

from skillcert.exams import views_checkin

urlpatterns: list[URLPattern] = [
    path("checkin/", views_checkin.checkin_home, name="checkin-home"),
    path(
        "sessions/<int:session_pk>/checkin/",
        views_checkin.checkin_session,
        name="checkin-session",
    ),
    path(
        "sessions/<int:session_pk>/checkin/desk/",
        views_checkin.checkin_desk,
        name="checkin-desk",
    ),
    path("sessions/<int:session_pk>/checkins/", views_checkin.checkin_list, name="checkin-list"),
    path(
        "sessions/<int:session_pk>/checkins.xlsx",
        views_checkin.checkin_export,
        name="checkin-export",
    ),
]
