from django.urls import include, path

urlpatterns = [
    # Public verification: /verify/, /v/<number>/<token> (DESIGN.md "Contracts").
    path("", include("skillcert.certificates.urls_public")),
    # Published status lists of the issuers' credentials.
    path("", include("skillcert.certificates.urls_credentials")),
    # The institution's, authorities' and candidates' certificate pages.
    path("certificates/", include("skillcert.certificates.urls_pages")),
    # Corrections, reissues and revocations.
    path("certificates/", include("skillcert.certificates.urls_changes")),
]
