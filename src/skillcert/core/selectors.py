"""Scoped reads for core pages and the API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from skillcert.core.actors import Actor
from skillcert.core.models import AuditEvent, Membership, Organisation


def organisation_list(*, actor: Actor) -> QuerySet[Organisation]:
    return (
        Organisation.objects.for_actor(actor)
        .select_related("province", "city", "city__parent", "parent")
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("city_id", "kind", "name")
    )


def organisation_members(*, actor: Actor, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.for_actor(actor)
        .filter(organisation=organisation, is_active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


def audit_events(*, actor: Actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.for_actor(actor).order_by("-seq")


def own_memberships(*, user_id: int | None) -> QuerySet[Membership]:
    """A user's own active memberships, whichever one they act in now."""
    if user_id is None:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user_id=user_id, is_active=True)
        .select_related("organisation")
        .order_by("id")
    )
