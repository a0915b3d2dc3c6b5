"""URLconf of ``bench/verify_load.py``: the project's URLs plus ``/bench/constant``, a
constant answer through the same middleware stack, the yardstick the public
verification API is measured against."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

CONSTANT_BODY = b'{"status": "ok"}'


def constant(request: HttpRequest) -> HttpResponse:
    return HttpResponse(CONSTANT_BODY, content_type="application/json")


urlpatterns = [
    path("bench/constant", constant),
    path("", include("skillcert.config.urls")),
]
