from __future__ import annotations

from django.http import HttpRequest

from skillcert.core.actors import ANONYMOUS
from skillcert.core.choices import OFFICIAL_ROLES


def actor(request: HttpRequest) -> dict[str, object]:
    current = getattr(request, "actor", ANONYMOUS)
    return {
        "actor": current,
        "is_official": current.is_platform_admin or current.role in OFFICIAL_ROLES,
    }
