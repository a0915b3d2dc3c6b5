from django.urls import include, path

urlpatterns = [
    path("exams/", include("skillcert.exams.urls_proctor")),
    path("exams/", include("skillcert.exams.urls_checkin")),
    path("exams/", include("skillcert.exams.urls_grading")),
    path("exams/", include("skillcert.exams.urls_tickets")),
]
