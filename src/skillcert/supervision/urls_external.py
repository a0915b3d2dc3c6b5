"""Supervision URLs (external)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
