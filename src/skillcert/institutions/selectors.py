"""Reads for institutions and filings. Every read is scoped through ``for_actor`` except
:func:`public_directory` and :func:`public_notices`, which serve the public."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from skillcert.catalog.models import Occupation
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.core.models import Membership, Region
from skillcert.institutions.choices import FILING_OPEN, DirectoryStatus, FilingStatus
from skillcert.institutions.models import (
    DirectoryNotice,
    FilingApplication,
    Institution,
    ScopeEntry,
)

PUBLIC_STATUSES = (DirectoryStatus.ACTIVE, DirectoryStatus.SUSPENDED)


def institution_list(*, actor: Actor) -> QuerySet[Institution]:
    return (
        Institution.objects.for_actor(actor)
        .select_related("organisation", "organisation__city", "supervisor", "filing")
        .order_by("organisation__city_id", "organisation__name")
    )


def is_overdue(application: FilingApplication, today: date | None = None) -> bool:
    """Whether the acceptance decision (受理) is past its due date."""
    day = today or timezone.localdate()
    return (
        application.status == FilingStatus.SUBMITTED
        and application.decision_due is not None
        and application.decision_due < day
    )


def _overdue(day: date) -> Case:
    return Case(
        When(status=FilingStatus.SUBMITTED, decision_due__lt=day, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def filing_application_list(
    *, actor: Actor, today: date | None = None
) -> QuerySet[FilingApplication]:
    """Every application in scope in any state (an institution's own history), newest
    first, annotated ``overdue`` like :func:`filing_queue`."""
    day = today or timezone.localdate()
    return (
        FilingApplication.objects.for_actor(actor)
        .select_related("institution__organisation", "institution__organisation__city", "filing")
        .annotate(overdue=_overdue(day))
        .order_by("-created_at", "-pk")
    )


def filing_queue(*, actor: Actor, today: date | None = None) -> QuerySet[FilingApplication]:
    """Applications waiting for the authority (submitted, accepted, under assessment),
    annotated ``overdue``; overdue ones first, then by due date and submission."""
    day = today or timezone.localdate()
    return (
        FilingApplication.objects.for_actor(actor)
        .filter(status__in=FILING_OPEN)
        .select_related("institution__organisation", "institution__organisation__city")
        .annotate(overdue=_overdue(day))
        .order_by("-overdue", "decision_due", "submitted_at", "pk")
    )


def applications_for_expert(*, actor: Actor) -> QuerySet[FilingApplication]:
    """Applications under assessment an expert may give an opinion on: those of the
    expert's province, except where the expert holds any membership (conflict of interest).
    Other roles get nothing here."""
    if actor.role != Role.EXPERT or actor.user_id is None or not actor.province_code:
        return FilingApplication.objects.none()
    own_orgs = Membership.objects.filter(user_id=actor.user_id, is_active=True).values(
        "organisation_id"
    )
    return (
        FilingApplication.objects.filter(
            status=FilingStatus.UNDER_ASSESSMENT,
            institution__organisation__province_id=actor.province_code,
        )
        .exclude(institution__organisation_id__in=own_orgs)
        .select_related("institution__organisation", "institution__organisation__city")
        .order_by("submitted_at", "pk")
    )


def public_directory(
    *,
    region: Region | str | None = None,
    occupation: Occupation | str | None = None,
    level: int | None = None,
    q: str | None = None,
) -> QuerySet[Institution]:
    """The public directory of institutions (目录管理): listed (ACTIVE) and suspended ones
    within their filing's validity, each with ``filing.public_entries`` (its active scope
    entries). Never unfiled, revoked or expired institutions.

    Deliberately unscoped: the directory is public (川人社办发〔2020〕20号 附件3 第5项),
    and this is the one read of institutions that does not go through ``for_actor``.
    ``region`` is a province or city (or its code); ``occupation`` an occupation, or text
    matching its code or name; ``level`` keeps institutions with an active entry covering
    it (for that occupation when both are given); ``q`` matches the name, the unified
    social credit code or the filing number.
    """
    entries = ScopeEntry.objects.filter(is_active=True).select_related(
        "occupation", "work_type", "standard"
    )
    rows = (
        Institution.objects.filter(
            status__in=PUBLIC_STATUSES, filing__valid_until__gte=timezone.localdate()
        )
        .select_related("organisation", "organisation__city", "filing")
        .prefetch_related(Prefetch("filing__entries", queryset=entries, to_attr="public_entries"))
        .order_by("organisation__city_id", "organisation__name")
    )
    if region:
        code = region.code if isinstance(region, Region) else region
        rows = rows.filter(Q(organisation__province_id=code) | Q(organisation__city_id=code))
    covering = _covering(occupation, level)
    if covering is not None:
        rows = rows.filter(pk__in=Institution.objects.filter(covering).values("pk"))
    if q and q.strip():
        text = q.strip()
        rows = rows.filter(
            Q(organisation__name__icontains=text)
            | Q(uscc__iexact=text)
            | Q(filing__filing_number__iexact=text)
        )
    return rows


def _covering(occupation: Occupation | str | None, level: int | None) -> Q | None:
    """One condition on one entry, so occupation and level are met by the same line."""
    if occupation is None and level is None:
        return None
    covering = Q(filing__entries__is_active=True)
    if isinstance(occupation, Occupation):
        covering &= Q(filing__entries__occupation=occupation)
    elif occupation and occupation.strip():
        text = occupation.strip()
        covering &= Q(filing__entries__occupation__code=text) | Q(
            filing__entries__occupation__name__icontains=text
        )
    if level is not None:
        covering &= Q(filing__entries__highest_level__lte=level) & Q(
            filing__entries__lowest_level__gte=level
        )
    return covering


def public_notices(limit: int = 20) -> list[DirectoryNotice]:
    """The latest directory notices, public like the directory (listing, suspension,
    revocation, expiry …)."""
    return list(
        DirectoryNotice.objects.select_related("institution__organisation").order_by(
            "-published_at", "-pk"
        )[:limit]
    )
