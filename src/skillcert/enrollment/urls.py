"""Enrollment URLs, kept in modules per area so each can grow on its own."""

from skillcert.enrollment.urls_applications import urlpatterns as application_urls
from skillcert.enrollment.urls_documents import urlpatterns as document_urls
from skillcert.enrollment.urls_roster import urlpatterns as roster_urls

urlpatterns = [*application_urls, *roster_urls, *document_urls]
