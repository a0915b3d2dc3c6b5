"""Reads for batches, every one scoped through ``for_actor``."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from skillcert.batches.choices import BATCH_EDITABLE, BatchStatus
from skillcert.batches.models import Batch, Room, Session, StaffAssignment
from skillcert.catalog.models import StandardLevel, WorkType
from skillcert.core.actors import Actor
from skillcert.institutions.models import Institution, ScopeEntry, StaffMember

_LIST_RELATED = (
    "institution__organisation",
    "standard_level__standard",
    "occupation",
    "work_type",
)


def is_filing_overdue(batch: Batch, today: date | None = None) -> bool:
    """A plan not filed by its due date (川人社办发〔2020〕20号 附件4 (一)): a draft or
    returned plan past it, or a plan that was filed after it (accepted, but flagged)."""
    if batch.filing_due is None:
        return False
    if batch.status in BATCH_EDITABLE or batch.filed_at is None:
        return (today or timezone.localdate()) > batch.filing_due
    return timezone.localdate(batch.filed_at) > batch.filing_due


def _overdue(day: date) -> Case:
    """:func:`is_filing_overdue` in SQL."""
    return Case(
        When(Q(status__in=BATCH_EDITABLE) & Q(filing_due__lt=day), then=Value(True)),
        When(
            ~Q(status__in=BATCH_EDITABLE) & Q(filed_on__gt=F("filing_due")),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def batch_list(
    *, actor: Actor, status: str | None = None, today: date | None = None
) -> QuerySet[Batch]:
    """Batches in scope, newest first, annotated ``overdue`` and ``session_count``."""
    day = today or timezone.localdate()
    rows = (
        Batch.objects.for_actor(actor)
        .select_related(*_LIST_RELATED)
        .annotate(filed_on=TruncDate("filed_at"))
        .annotate(overdue=_overdue(day), session_count=Count("sessions"))
        .order_by("-created_at", "-pk")
    )
    if status:
        rows = rows.filter(status=status)
    return rows


def batch_queue(*, actor: Actor, today: date | None = None) -> QuerySet[Batch]:
    """The centre's queue: filed plans waiting for a decision, late filings first, then by
    due date and filing time."""
    day = today or timezone.localdate()
    return (
        Batch.objects.for_actor(actor)
        .filter(status=BatchStatus.FILED)
        .select_related(*_LIST_RELATED)
        .annotate(filed_on=TruncDate("filed_at"))
        .annotate(overdue=_overdue(day))
        .order_by("-overdue", "filing_due", "filed_at", "pk")
    )


def batch_sessions(batch: Batch) -> QuerySet[Session]:
    return batch.sessions.select_related("room__site").order_by("starts_at", "pk")


def batch_assignments(batch: Batch) -> QuerySet[StaffAssignment]:
    return batch.assignments.select_related("staff", "session").order_by(
        "role", "session__starts_at", "pk"
    )


def institution_rooms(*, actor: Actor, institution: Institution) -> QuerySet[Room]:
    """The institution's active rooms at its active sites."""
    return (
        Room.objects.for_actor(actor)
        .filter(site__institution=institution, is_active=True, site__is_active=True)
        .select_related("site")
        .order_by("site__name", "name")
    )


def plannable_levels(institution: Institution) -> QuerySet[StandardLevel]:
    """Standard levels the institution's active scope covers: what it may plan (the plan
    check still decides on dates, validity and the level cap)."""
    entries = ScopeEntry.objects.filter(filing__institution=institution, is_active=True)
    covered = Q(pk__in=[])
    for standard_id, lowest, highest in entries.values_list(
        "standard_id", "lowest_level", "highest_level"
    ):
        covered |= Q(standard_id=standard_id, level__lte=lowest, level__gte=highest)
    return (
        StandardLevel.objects.filter(covered, standard__is_active=True)
        .select_related("standard__occupation")
        .order_by("standard__occupation__code", "standard_id", "-level")
    )


def plannable_work_types(institution: Institution) -> QuerySet[WorkType]:
    occupations = ScopeEntry.objects.filter(filing__institution=institution, is_active=True).values(
        "occupation_id"
    )
    return WorkType.objects.filter(occupation_id__in=occupations, is_active=True).select_related(
        "occupation"
    )


def assignable_staff(*, actor: Actor, institution: Institution) -> QuerySet[StaffMember]:
    """The institution's registry members in service."""
    return (
        StaffMember.objects.for_actor(actor)
        .filter(institution=institution, is_active=True)
        .order_by("kind", "full_name", "pk")
    )
