"""Reading early warnings: the officials' list (open first, filters, counts per rule),
and each evidence line turned into a link to the record's page where one exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse

from skillcert.core.actors import Actor
from skillcert.exams.models import Attempt, CheckIn
from skillcert.institutions.models import Institution
from skillcert.results.models import BatchResults
from skillcert.supervision.choices import AlertRule, AlertStatus
from skillcert.supervision.models import Alert
from skillcert.supervision.permissions import is_official

_STATUS_ORDER = Case(
    When(status=AlertStatus.OPEN, then=Value(0)),
    When(status=AlertStatus.ASSIGNED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def can_read_alerts(actor: Actor) -> bool:
    """Early warnings are the HR authorities' work: institutions, education officials and
    candidates do not read them."""
    return is_official(actor)


def alerts_for(
    actor: Actor,
    *,
    rule: str = "",
    status: str = "",
    institution: int | None = None,
    firing: bool | None = None,
) -> QuerySet[Alert]:
    """The actor's alerts: open first, then being checked, then closed; newest first."""
    rows = Alert.objects.for_actor(actor).select_related(
        "institution__organisation", "batch", "assignee"
    )
    if rule:
        rows = rows.filter(rule=rule)
    if status:
        rows = rows.filter(status=status)
    if institution is not None:
        rows = rows.filter(institution_id=institution)
    if firing is not None:
        rows = rows.filter(still_firing=firing)
    return rows.annotate(status_order=_STATUS_ORDER).order_by("status_order", "-last_seen_at", "pk")


@dataclass(frozen=True)
class RuleCount:
    rule: str
    label: str
    open: int
    total: int


def counts_by_rule(actor: Actor) -> list[RuleCount]:
    """Per rule, the alerts not closed and all of them, in the rules' order."""
    rows = {
        r["rule"]: r
        for r in Alert.objects.for_actor(actor)
        .values("rule")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=~Q(status=AlertStatus.CLOSED)),
        )
        .order_by()
    }
    return [
        RuleCount(
            rule=rule.value,
            label=str(rule.label),
            open=int(rows[rule.value]["open"]) if rule.value in rows else 0,
            total=int(rows[rule.value]["total"]) if rule.value in rows else 0,
        )
        for rule in AlertRule
    ]


def institutions_with_alerts(actor: Actor) -> QuerySet[Institution]:
    return (
        Institution.objects.for_actor(actor)
        .filter(alerts__isnull=False)
        .select_related("organisation")
        .distinct()
    )


# ---------------------------------------------------------------- evidence links


def _by_pk(name: str) -> Callable[[int], str]:
    return lambda pk: reverse(name, args=[pk])


def _results_page(pk: int) -> str:
    batch_id = BatchResults.objects.filter(pk=pk).values_list("batch_id", flat=True).first()
    return reverse("results-batch", args=[batch_id]) if batch_id else ""


def _attempt_page(pk: int) -> str:
    sitting_id = Attempt.objects.filter(pk=pk).values_list("sitting_id", flat=True).first()
    return reverse("sitting-scores", args=[sitting_id]) if sitting_id else ""


def _checkin_page(pk: int) -> str:
    session_id = CheckIn.objects.filter(pk=pk).values_list("session_id", flat=True).first()
    return reverse("checkin-list", args=[session_id]) if session_id else ""


# The page of each kind of record an evidence line may name. The target page checks its
# own access: a link is only a way there.
EVIDENCE_PAGES: dict[str, Callable[[int], str]] = {
    "batches.batch": _by_pk("batch-detail"),
    "batches.session": _by_pk("proctor-record"),
    "enrollment.application": _by_pk("application-detail"),
    "certificates.certificate": _by_pk("certificates-detail"),
    "exams.sitting": _by_pk("sitting-scores"),
    "exams.attempt": _attempt_page,
    "exams.checkin": _checkin_page,
    "institutions.institution": _by_pk("institution-detail"),
    "results.batchresults": _results_page,
}


def evidence_url(object_type: str, object_id: object) -> str:
    """The page of the record an evidence line names, or "" when there is none."""
    page = EVIDENCE_PAGES.get(object_type)
    if page is None or object_id in ("", None):
        return ""
    try:
        return page(int(str(object_id)))
    except (ValueError, NoReverseMatch):
        return ""


@dataclass(frozen=True)
class EvidenceLine:
    label: str
    value: str
    url: str


def evidence_lines(alert: Alert) -> list[EvidenceLine]:
    lines = alert.evidence if isinstance(alert.evidence, list) else []
    return [
        EvidenceLine(
            label=str(line.get("label", "")),
            value=str(line.get("value", "")),
            url=evidence_url(str(line.get("type", "")), line.get("id", "")),
        )
        for line in lines
        if isinstance(line, dict)
    ]
