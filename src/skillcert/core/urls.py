from django.urls import path

from skillcert.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", views.SkillCertLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("membership/", views.membership_switch, name="membership-switch"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("audit/", views.audit_list, name="audit-list"),
    path("calendar/", views.holiday_list, name="holiday-list"),
    path("policy/", views.policy_detail, name="policy"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/result/", views.job_result, name="job-result"),
    path("profile/", views.profile, name="profile"),
    path("profile/reveal/<str:field>/", views.profile_reveal, name="profile-reveal"),
]
