"""Resolve ``request.actor`` once per request: the user and the membership they act in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from skillcert.core.actors import ANONYMOUS, Actor
from skillcert.core.models import Membership

ACTIVE_MEMBERSHIP_KEY = "skillcert.membership"


def resolve_actor(request: HttpRequest) -> Actor:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    memberships = Membership.objects.filter(user_id=user.pk, is_active=True).select_related(
        "organisation", "organisation__province", "organisation__city"
    )
    chosen = request.session.get(ACTIVE_MEMBERSHIP_KEY)
    membership = None
    for candidate in memberships:
        if membership is None or candidate.pk == chosen:
            membership = candidate
    return Actor(user=user, membership=membership)


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = resolve_actor(request)  # type: ignore[attr-defined]  # see ActorRequest
        return self.get_response(request)
