"""Supervision URLs (the officials' desk)."""

from django.urls import path

from skillcert.supervision import views_home

urlpatterns = [
    path("", views_home.desk, name="supervision-desk"),
]
