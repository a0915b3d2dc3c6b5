"""Reads for persons, applications, spot checks and the registry, scoped by ``for_actor``.

The one exception is :func:`enrolling_batches`: batches open for enrollment are public
notices (认定公告) every signed-in candidate may apply to.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import (
    Application,
    Evidence,
    Person,
    RegistryImport,
    SpotCheck,
    SpotCheckDraw,
)

_APPLICATION_RELATED = (
    "person",
    "batch__institution__organisation",
    "batch__occupation",
    "batch__work_type",
)


def enrolling_batches() -> QuerySet[Batch]:
    """Batches candidates may apply to now (public)."""
    return (
        Batch.objects.filter(status=BatchStatus.ENROLLING)
        .select_related("institution__organisation", "occupation", "work_type")
        .order_by("enrollment_closes", "code")
    )


def own_person(*, actor: Actor) -> Person | None:
    """The acting user's own person, if they have one."""
    if actor.user_id is None:
        return None
    return Person.objects.for_actor(actor).filter(user_id=actor.user_id).first()


def person_detail(*, actor: Actor) -> QuerySet[Person]:
    """Persons in scope with their records prefetched (for the records page)."""
    return Person.objects.for_actor(actor).prefetch_related(
        "education",
        "student_statuses",
        "work_history__occupation",
        "certificates_held__occupation",
        "certificates_held__work_type",
    )


def my_applications(*, actor: Actor) -> QuerySet[Application]:
    """The candidate's own applications, newest first."""
    if actor.user_id is None:
        return Application.objects.none()
    return (
        Application.objects.for_actor(actor)
        .filter(person__user_id=actor.user_id)
        .select_related(*_APPLICATION_RELATED)
        .order_by("-created_at")
    )


def application_list(
    *,
    actor: Actor,
    batch: Batch | None = None,
    status: str = "",
    eligible: bool | None = None,
    diploma_pending: bool | None = None,
) -> QuerySet[Application]:
    """Applications in scope, optionally of one batch and filtered."""
    qs = Application.objects.for_actor(actor).select_related(*_APPLICATION_RELATED)
    if batch is not None:
        qs = qs.filter(batch=batch)
    if status:
        qs = qs.filter(status=status)
    if eligible is not None:
        qs = qs.filter(eligible=eligible)
    if diploma_pending is not None:
        qs = qs.filter(diploma_pending=diploma_pending)
    return qs.order_by("batch_id", "pk")


def application_detail(*, actor: Actor) -> QuerySet[Application]:
    """Applications in scope with what the detail page and endpoint show."""
    return (
        Application.objects.for_actor(actor)
        .select_related(*_APPLICATION_RELATED, "batch__standard_level__standard")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("kind", "pk")),
            "spot_checks",
        )
    )


def batch_overview(*, actor: Actor) -> QuerySet[Batch]:
    """Batches in scope past planning, with application counts per state."""
    return (
        Batch.objects.for_actor(actor)
        .exclude(status__in=[BatchStatus.DRAFT, BatchStatus.FILED, BatchStatus.RETURNED])
        .select_related("institution__organisation", "occupation", "work_type")
        .annotate(
            n_total=Count("applications", filter=~Q(applications__status="draft")),
            n_submitted=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.SUBMITTED)
            ),
            n_approved=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.APPROVED)
            ),
            n_pending_diploma=Count("applications", filter=Q(applications__diploma_pending=True)),
        )
        .order_by("-created_at")
    )


def batch_in_scope(*, actor: Actor) -> QuerySet[Batch]:
    return Batch.objects.for_actor(actor).select_related(
        "institution__organisation", "occupation", "work_type", "standard_level__standard"
    )


def spot_check_draws(*, actor: Actor, batch: Batch) -> QuerySet[SpotCheckDraw]:
    checks = SpotCheck.objects.select_related("application__person").order_by("application_id")
    return (
        SpotCheckDraw.objects.for_actor(actor)
        .filter(batch=batch)
        .prefetch_related(Prefetch("checks", queryset=checks))
        .order_by("-created_at")
    )


def spot_check_in_scope(*, actor: Actor) -> QuerySet[SpotCheck]:
    return SpotCheck.objects.for_actor(actor).select_related(
        "draw__batch__institution__organisation", "application__person"
    )


def registry_imports(*, actor: Actor) -> QuerySet[RegistryImport]:
    return RegistryImport.objects.for_actor(actor).select_related("organisation")


def evidence_in_scope(*, actor: Actor) -> QuerySet[Evidence]:
    return Evidence.objects.for_actor(actor).select_related(
        "application__person", "application__batch__institution__organisation"
    )
