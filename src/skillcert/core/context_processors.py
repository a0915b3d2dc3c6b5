from __future__ import annotations

from django.http import HttpRequest

from skillcert.core.actors import ANONYMOUS


def actor(request: HttpRequest) -> dict[str, object]:
    return {"actor": getattr(request, "actor", ANONYMOUS)}
