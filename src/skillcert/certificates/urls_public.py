"""Public verification (DESIGN.md "Contracts"): the page and the QR code's target."""

from django.urls import path

from skillcert.certificates import views_public

urlpatterns = [
    path("verify/", views_public.verify, name="certificates-verify"),
    # {SITE_URL}/v/{number}/{token}: printed on every certificate (tokens.verification_url).
    path("v/<str:number>/<str:token>", views_public.qr, name="certificates-qr"),
]
