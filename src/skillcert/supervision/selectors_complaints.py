"""Reading complaints: the officials' list (overdue first) and the public status look-up."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.choices import OrganisationKind
from skillcert.core.models import Organisation, Region
from skillcert.core.workdays import working_days_between
from skillcert.institutions.models import Institution
from skillcert.institutions.selectors import public_directory
from skillcert.supervision.complaints import (
    OPEN_STATUSES,
    TRACKING_LENGTH,
    normalise_tracking_number,
)
from skillcert.supervision.models import Complaint

FILTER_OVERDUE = "overdue"


def _overdue_condition(today: date) -> Q:
    return Q(status__in=sorted(OPEN_STATUSES), due_on__lt=today)


def complaint_list(
    *,
    actor: Actor,
    status: str = "",
    overdue: bool = False,
    today: date | None = None,
) -> QuerySet[Complaint]:
    """The complaints in the actor's scope: open ones past their due date first, then by
    due date. ``status`` keeps one status; ``overdue`` only the overdue ones."""
    today = today or timezone.localdate()
    rows = (
        Complaint.objects.for_actor(actor)
        .select_related("handler", "institution__organisation", "assignee")
        .annotate(
            overdue=Case(
                When(_overdue_condition(today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-overdue", "due_on", "pk")
    )
    if status:
        rows = rows.filter(status=status)
    if overdue:
        rows = rows.filter(_overdue_condition(today))
    return rows


def overdue_working_days(complaint: Complaint, today: date | None = None) -> int:
    """Working days past the due date of an open complaint (0 when not overdue)."""
    if complaint.status not in OPEN_STATUSES:
        return 0
    return max(0, working_days_between(complaint.due_on, today or timezone.localdate()))


class OverdueDays:
    """Working days overdue for the rows of one page: only the overdue rows (``overdue``
    annotation of :func:`complaint_list`) are counted, once per due date."""

    def __init__(self, today: date | None = None) -> None:
        self.today = today or timezone.localdate()
        self._by_due: dict[date, int] = {}

    def __call__(self, complaint: Complaint) -> int:
        if not getattr(complaint, "overdue", True) or complaint.status not in OPEN_STATUSES:
            return 0
        if complaint.due_on not in self._by_due:
            self._by_due[complaint.due_on] = overdue_working_days(complaint, self.today)
        return self._by_due[complaint.due_on]


def remaining_working_days(complaint: Complaint, today: date | None = None) -> int:
    """Working days left before the due date (negative once overdue)."""
    return working_days_between(today or timezone.localdate(), complaint.due_on)


def complaint_by_tracking_number(text: str) -> Complaint | None:
    """The public status look-up: deliberately unscoped (the number is the key the
    submitter holds). Anything malformed is simply not found."""
    number = normalise_tracking_number(text)
    if len(number) != TRACKING_LENGTH:
        return None
    return Complaint.objects.filter(tracking_number=number).first()


def complaint_provinces() -> QuerySet[Region]:
    """Provinces whose HR department receives complaints on this platform."""
    codes = Organisation.objects.filter(kind=OrganisationKind.PROVINCE_HR, is_active=True).values(
        "province_id"
    )
    return Region.objects.filter(code__in=codes).order_by("code")


def complaint_institutions() -> QuerySet[Institution]:
    """The institutions a complaint may name: those of the public directory."""
    return public_directory()
