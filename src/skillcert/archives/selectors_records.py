"""Scoped reads of archive records, legal holds and disposal lists (every one through
``for_actor``: out of scope is absent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from skillcert.archives.holds import active_holds, held_q
from skillcert.archives.models import ArchiveRecord, DisposalList, LegalHold
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.institutions.models import Institution


@dataclass(frozen=True)
class RecordFilter:
    retention_class: str = ""
    status: str = ""
    record_type: str = ""
    due_before: date | None = None
    held: bool = False


def record_list(*, actor: Actor, filters: RecordFilter | None = None) -> QuerySet[ArchiveRecord]:
    """The actor's records, soonest due first (long-term last), with ``under_hold``."""
    f = filters or RecordFilter()
    rows = ArchiveRecord.objects.for_actor(actor).select_related(
        "batch", "institution__organisation"
    )
    if f.retention_class:
        rows = rows.filter(retention_class=f.retention_class)
    if f.status:
        rows = rows.filter(status=f.status)
    if f.record_type:
        rows = rows.filter(record_type=f.record_type)
    if f.due_before is not None:
        rows = rows.filter(keep_until__isnull=False, keep_until__lt=f.due_before)
    if f.held:
        rows = rows.filter(held_q())
    under_hold = ArchiveRecord.objects.filter(held_q(), pk=OuterRef("pk"))
    return rows.annotate(under_hold=Exists(under_hold)).order_by(
        "keep_until", "batch_id", "record_type"
    )


def batch_records(batch: Batch) -> QuerySet[ArchiveRecord]:
    under_hold = ArchiveRecord.objects.filter(held_q(), pk=OuterRef("pk"))
    return (
        ArchiveRecord.objects.filter(batch=batch)
        .annotate(under_hold=Exists(under_hold))
        .order_by("pk")
    )


def awaiting_archive(*, actor: Actor) -> QuerySet[Batch]:
    """Batches in scope whose certificates are issued and that are not archived yet."""
    return (
        Batch.objects.for_actor(actor)
        .filter(status=BatchStatus.CERTIFICATES_ISSUED)
        .select_related("institution__organisation")
        .order_by("pk")
    )


def hold_list(*, actor: Actor, active_only: bool = False) -> QuerySet[LegalHold]:
    rows = LegalHold.objects.for_actor(actor).select_related("institution__organisation", "batch")
    if active_only:
        rows = rows.filter(released_at__isnull=True)
    return rows.order_by("-placed_at", "-pk")


def batch_holds(batch: Batch) -> QuerySet[LegalHold]:
    """Active holds on the batch or on its institution as a whole."""
    whole = active_holds().filter(institution_id=batch.institution_id, batch__isnull=True)
    return (whole | active_holds().filter(batch=batch)).order_by("-placed_at")


def disposal_list(*, actor: Actor, status: str = "") -> QuerySet[DisposalList]:
    rows = DisposalList.objects.for_actor(actor).select_related("institution__organisation")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


def institutions_in_scope(actor: Actor) -> QuerySet[Institution]:
    return (
        Institution.objects.for_actor(actor)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def own_institution(actor: Actor) -> Institution | None:
    """The institution the actor works for (institution staff), else None."""
    if actor.organisation_id is None:
        return None
    return Institution.objects.filter(organisation_id=actor.organisation_id).first()
