"""Supervision URLs (inspections)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
