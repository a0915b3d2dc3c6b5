"""The officials' supervision desk: what waits for them, in their scope, on one page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from skillcert.core.actors import ActorRequest
from skillcert.core.web import forbidden
from skillcert.supervision.choices import (
    AlertRule,
    AlertStatus,
    AppealStatus,
    CaseStatus,
    ComplaintStatus,
    InspectionStatus,
    PlanStatus,
)
from skillcert.supervision.models import (
    Alert,
    Appeal,
    Complaint,
    CreditScore,
    Inspection,
    InspectionPlan,
    ViolationCase,
)
from skillcert.supervision.permissions import is_official


@login_required
@require_GET
def desk(request: ActorRequest) -> HttpResponse:
    """监管工作台: open warnings by rule, open cases and appeals, inspections under way,
    complaints due, and the credit grades of the institutions in scope."""
    actor = request.actor
    if not is_official(actor):
        return forbidden(request)
    today = timezone.localdate()
    alerts = Alert.objects.for_actor(actor).exclude(status=AlertStatus.CLOSED)
    cases = ViolationCase.objects.for_actor(actor)
    complaints = Complaint.objects.for_actor(actor).filter(
        status__in=[ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED]
    )
    context = {
        "alerts_open": alerts.count(),
        "alerts_by_rule": [
            {"rule": row["rule"], "label": AlertRule(row["rule"]).label, "n": row["n"]}
            for row in alerts.values("rule").annotate(n=Count("pk")).order_by("-n", "rule")
        ],
        "cases_open": cases.filter(status=CaseStatus.OPEN).count(),
        "appeals_open": Appeal.objects.filter(
            case__in=cases.values("pk"), status=AppealStatus.FILED
        ).count(),
        "plans_drawn": InspectionPlan.objects.for_actor(actor)
        .filter(status__in=[PlanStatus.DRAWN, PlanStatus.COMPLETED])
        .count(),
        "inspections_open": Inspection.objects.for_actor(actor)
        .exclude(status=InspectionStatus.FINISHED)
        .count(),
        "complaints_open": complaints.count(),
        "complaints_overdue": complaints.filter(due_on__lt=today).count(),
        "grades": CreditScore.objects.for_actor(actor)
        .filter(is_current=True)
        .values("grade")
        .annotate(n=Count("pk"))
        .order_by("grade"),
    }
    return render(request, "supervision/home/desk.html", context)
