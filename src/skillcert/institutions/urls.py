from django.urls import path

from skillcert.institutions.views import filing, public, registry

urlpatterns = [
    # Public directory (no login).
    path("directory/", public.directory, name="directory"),
    path("directory/export.xlsx", public.directory_export, name="directory-export"),
    path("directory/notices/", public.notices, name="directory-notices"),
    path("directory/<int:pk>/", public.directory_detail, name="directory-detail"),
    # Institutions and their registry.
    path("institutions/", registry.institution_list, name="institution-list"),
    path("institutions/register/", registry.institution_register, name="institution-register"),
    path("institutions/<int:pk>/", registry.institution_detail, name="institution-detail"),
    path("institutions/<int:pk>/sites/", registry.site_add, name="institution-site-add"),
    path("institutions/<int:pk>/staff/", registry.staff_add, name="institution-staff-add"),
    path(
        "institutions/<int:pk>/staff/<int:staff_pk>/deactivate/",
        registry.staff_deactivate,
        name="institution-staff-deactivate",
    ),
    path(
        "institutions/<int:pk>/staff/<int:staff_pk>/qualifications/",
        registry.qualification_add,
        name="institution-qualification-add",
    ),
    path(
        "institutions/<int:pk>/suspend/", registry.institution_suspend, name="institution-suspend"
    ),
    path(
        "institutions/<int:pk>/reinstate/",
        registry.institution_reinstate,
        name="institution-reinstate",
    ),
    path("institutions/<int:pk>/revoke/", registry.institution_revoke, name="institution-revoke"),
    # Filing applications.
    path("filings/", filing.filing_list, name="filing-list"),
    path("filings/new/", filing.filing_create, name="filing-create"),
    path("filings/<int:pk>/", filing.filing_detail, name="filing-detail"),
    path("filings/<int:pk>/lines/", filing.scope_line_add, name="filing-line-add"),
    path(
        "filings/<int:pk>/lines/<int:line_pk>/remove/",
        filing.scope_line_remove,
        name="filing-line-remove",
    ),
    path("filings/<int:pk>/materials/", filing.material_upload, name="filing-material-upload"),
    path("filings/<int:pk>/opinions/", filing.opinion_add, name="filing-opinion-add"),
    path("filings/<int:pk>/onsite/", filing.onsite_add, name="filing-onsite-add"),
    path("filings/<int:pk>/<str:action>/", filing.filing_transition, name="filing-transition"),
]
