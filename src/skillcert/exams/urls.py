from django.urls import include, path

from skillcert.exams import views_exam

urlpatterns = [
    path("exam/", views_exam.exam_page, name="exam-page"),
    path("exams/", include("skillcert.exams.urls_proctor")),
    path("exams/", include("skillcert.exams.urls_checkin")),
    path("exams/", include("skillcert.exams.urls_grading")),
    path("exams/", include("skillcert.exams.urls_tickets")),
]
