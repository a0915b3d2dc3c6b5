"""Corrections, reissues (修改/遗失补发) and revocations, mounted under /certificates/."""

from django.urls import URLPattern, path

from skillcert.certificates import views_changes

urlpatterns: list[URLPattern] = [
    path("<int:pk>/change/", views_changes.change_new, name="certificates-change-new"),
    path("changes/", views_changes.change_list, name="certificates-change-list"),
    path(
        "changes/<int:pk>/evidence/",
        views_changes.change_evidence,
        name="certificates-change-evidence",
    ),
    path(
        "changes/<int:pk>/decide/", views_changes.change_decide, name="certificates-change-decide"
    ),
    path("<int:pk>/revoke/", views_changes.certificate_revoke, name="certificates-revoke"),
    path("revocations/", views_changes.revocation_list, name="certificates-revocations"),
    path(
        "revocations/<int:pk>/carry-out/",
        views_changes.revocation_carry_out,
        name="certificates-revocations-carry-out",
    ),
]
