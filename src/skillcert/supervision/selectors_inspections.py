"""Reading plans, draws and inspections: who sees what, and the public results (一公开).

HR officials read the plans and inspections their scope holds; the drawn people read the
inspections they were sent to, whatever their role; an institution's staff read their
own institution's inspections once the plan is published; the public reads published
plans' results without people's names or evidence files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from skillcert.core.actors import Actor
from skillcert.institutions.models import Institution
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES
from skillcert.supervision.choices import Compliance, PlanKind, PlanStatus
from skillcert.supervision.inspections import EXCLUSION_LABELS, is_authority
from skillcert.supervision.models import (
    DrawRecord,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionPlan,
    PoolMember,
)


def reads_plans(actor: Actor) -> bool:
    return is_authority(actor)


def plans_for(actor: Actor) -> QuerySet[InspectionPlan]:
    """The plans in an HR official's scope, newest first, with their inspections counted."""
    if not reads_plans(actor):
        return InspectionPlan.objects.none()
    return (
        InspectionPlan.objects.for_actor(actor)
        .select_related("organisation")
        .annotate(n_inspections=Count("inspections"))
        .order_by("-created_at", "-pk")
    )


def is_pool_person(actor: Actor) -> bool:
    return actor.user_id is not None and PoolMember.objects.filter(user_id=actor.user_id).exists()


def reads_inspections(actor: Actor) -> bool:
    """Officials, institution staff, and anyone who is in a pool (inspectors, supervisors)."""
    return is_authority(actor) or actor.role in STAFF_ROLES or is_pool_person(actor)


def inspections_for(actor: Actor) -> QuerySet[Inspection]:
    """The inspections the actor may read (see the module docstring)."""
    if actor.is_platform_admin:
        return Inspection.objects.all()
    assigned = Q(pk__in=[])
    if actor.user_id is not None:
        assigned = Q(
            pk__in=InspectionAssignment.objects.filter(member__user_id=actor.user_id).values(
                "inspection_id"
            )
        )
    scoped = Inspection.objects.for_actor(actor)
    if actor.role in AUTHORITY_ROLES:
        visible = Q(pk__in=scoped.values("pk"))
    elif actor.role in STAFF_ROLES:
        visible = Q(pk__in=scoped.filter(plan__status=PlanStatus.PUBLISHED).values("pk"))
    else:
        visible = Q(pk__in=[])
    return Inspection.objects.filter(visible | assigned)


def inspection_list(actor: Actor) -> QuerySet[Inspection]:
    return (
        inspections_for(actor)
        .select_related("plan", "institution__organisation", "batch", "session")
        .order_by("-plan__created_at", "pk")
    )


def plan_inspections(plan: InspectionPlan) -> list[Inspection]:
    """The plan's inspections with their people (lead first) and findings."""
    people = InspectionAssignment.objects.select_related("member").order_by("-is_lead", "pk")
    return list(
        plan.inspections.select_related("institution__organisation", "batch", "session")
        .prefetch_related(Prefetch("assignments", queryset=people))
        .annotate(n_findings=Count("findings"))
        .order_by("pk")
    )


@dataclass(frozen=True)
class DrawView:
    """A draw record with its ids resolved into names for the plan page."""

    record: DrawRecord
    excluded: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    members: list[PoolMember]


def _target_labels(plan: InspectionPlan, ids: set[int]) -> dict[int, str]:
    from skillcert.batches.models import Batch, Session

    if plan.target_kind == "batch":
        return {b.pk: str(b) for b in Batch.objects.filter(pk__in=ids)}
    if plan.target_kind == "session":
        sessions = Session.objects.filter(pk__in=ids).select_related("batch", "room")
        return {s.pk: f"{s.batch.code} {s}" for s in sessions}
    return {
        i.pk: i.organisation.name
        for i in Institution.objects.filter(pk__in=ids).select_related("organisation")
    }


def draw_view(plan: InspectionPlan) -> DrawView | None:
    record = DrawRecord.objects.filter(plan=plan).first()
    if record is None:
        return None
    ids = {int(k) for k in record.excluded_targets} | {int(k) for k in record.conflicts}
    labels = _target_labels(plan, ids)
    members = {m.pk: m for m in PoolMember.objects.filter(pk__in=record.members)}
    excluded = [
        {
            "target": int(k),
            "label": labels.get(int(k), k),
            "reason": EXCLUSION_LABELS.get(v, v),
        }
        for k, v in sorted(record.excluded_targets.items(), key=lambda kv: int(kv[0]))
    ]
    conflicts = [
        {
            "target": int(k),
            "label": labels.get(int(k), k),
            "members": [members[m].full_name if m in members else str(m) for m in v],
        }
        for k, v in sorted(record.conflicts.items(), key=lambda kv: int(kv[0]))
    ]
    return DrawView(
        record, excluded, conflicts, [members[m] for m in record.members if m in members]
    )


def published_plans() -> QuerySet[InspectionPlan]:
    """Published inspection plans, newest first (public)."""
    return (
        InspectionPlan.objects.filter(status=PlanStatus.PUBLISHED, kind=PlanKind.INSPECTION)
        .select_related("province", "organisation")
        .annotate(n_inspections=Count("inspections"))
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True)
class PublicResult:
    institution: str
    target: str
    conclusion: str
    summary: str
    rectification_due: Any
    rectified: bool
    failures: list[Finding]


def public_results(plan: InspectionPlan) -> list[PublicResult]:
    """Each inspection's institution, conclusion, summary and the items it did not meet:
    no people's names, no evidence files."""
    failing = Finding.objects.filter(outcome=Compliance.FAILS).select_related("item")
    inspections = (
        plan.inspections.select_related("institution__organisation", "batch")
        .prefetch_related(Prefetch("findings", queryset=failing, to_attr="failures"))
        .order_by("institution__organisation__name", "pk")
    )
    return [
        PublicResult(
            institution=i.institution.organisation.name,
            target=str(i.batch.code) if i.batch else "",
            conclusion=i.get_conclusion_display(),
            summary=i.summary,
            rectification_due=i.rectification_due,
            rectified=i.rectified_at is not None,
            failures=list(getattr(i, "failures", [])),
        )
        for i in inspections
    ]
