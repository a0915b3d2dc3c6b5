"""URLs of the certificates app (filled by its own module)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
