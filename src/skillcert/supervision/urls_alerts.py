"""Supervision URLs (early warnings), under /supervision/alerts/."""

from django.urls import path

from skillcert.supervision import views_alerts

urlpatterns = [
    path("supervision/alerts/", views_alerts.alert_list, name="supervision-alerts"),
    path(
        "supervision/alerts/export.xlsx",
        views_alerts.alerts_export,
        name="supervision-alerts-export",
    ),
    path("supervision/alerts/scan/", views_alerts.alerts_scan, name="supervision-alerts-scan"),
    path(
        "supervision/alerts/<int:pk>/",
        views_alerts.alert_detail,
        name="supervision-alert-detail",
    ),
    path(
        "supervision/alerts/<int:pk>/assign/",
        views_alerts.alert_assign,
        name="supervision-alert-assign",
    ),
    path(
        "supervision/alerts/<int:pk>/close/",
        views_alerts.alert_close,
        name="supervision-alert-close",
    ),
]
