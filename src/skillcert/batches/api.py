"""Batches JSON API: batch plans in scope, with sessions, staffing and the plan check."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from skillcert.batches import selectors
from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.batches.validation import PlanCheck, PlanIssue, batch_validate
from skillcert.core.actors import ActorRequest

router = Router(tags=["batches"])


class BatchOut(Schema):
    id: int
    code: str
    title: str
    institution_id: int
    institution_name: str
    occupation_code: str
    occupation_name: str
    work_type: str | None
    level: int
    mode: str
    status: str
    planned_candidates: int
    enrollment_opens: datetime.date
    enrollment_closes: datetime.date
    filing_due: datetime.date | None
    filing_due_provisional: bool
    filed_at: datetime.datetime | None
    overdue: bool
    frozen: bool


class SessionOut(Schema):
    id: int
    component: str
    starts_at: datetime.datetime
    duration_minutes: int
    status: str
    site: str
    room: str
    capacity: int


class MemberOut(Schema):
    staff_id: int
    name: str
    kind: str
    session_id: int | None


class StaffingOut(Schema):
    role: str
    count: int
    members: list[MemberOut]


class IssueOut(Schema):
    check: str
    code: str
    message: str


class PlanCheckOut(Schema):
    ok: bool
    errors: list[IssueOut]
    warnings: list[IssueOut]


class BatchDetailOut(BatchOut):
    standard: str
    components: list[str]
    theory_weight: Decimal
    practical_weight: Decimal
    review_weight: Decimal
    pass_mark: int
    # Components whose pass mark differs from ``pass_mark``.
    component_pass_marks: dict[str, int]
    returned_reason: str
    sessions: list[SessionOut]
    staffing: list[StaffingOut]
    plan_check: PlanCheckOut


def _fields(batch: Batch, today: datetime.date) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "code": batch.code,
        "title": batch.title,
        "institution_id": batch.institution_id,
        "institution_name": batch.institution.organisation.name,
        "occupation_code": batch.occupation.code,
        "occupation_name": batch.occupation.name,
        "work_type": batch.work_type.name if batch.work_type else None,
        "level": batch.level,
        "mode": batch.mode,
        "status": batch.status,
        "planned_candidates": batch.planned_candidates,
        "enrollment_opens": batch.enrollment_opens,
        "enrollment_closes": batch.enrollment_closes,
        "filing_due": batch.filing_due,
        "filing_due_provisional": batch.filing_due_provisional,
        "filed_at": batch.filed_at,
        "overdue": selectors.is_filing_overdue(batch, today),
        "frozen": batch.is_frozen,
    }


@router.get("/batches", response=list[BatchOut], summary="Batch plans in scope")
def batches(request: ActorRequest, status: str | None = None) -> list[BatchOut]:
    today = timezone.localdate()
    rows = selectors.batch_list(actor=request.actor, status=status)
    return [BatchOut(**_fields(b, today)) for b in rows]


def _session_out(session: Session) -> SessionOut:
    return SessionOut(
        id=session.pk,
        component=session.component,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        status=session.status,
        site=session.room.site.name,
        room=session.room.name,
        capacity=session.room.capacity,
    )


def _staffing(assignments: list[StaffAssignment]) -> list[StaffingOut]:
    out = []
    for role in StaffRole.values:
        members = [
            MemberOut(
                staff_id=a.staff_id,
                name=a.staff.full_name,
                kind=a.staff.kind,
                session_id=a.session_id,
            )
            for a in assignments
            if a.role == role
        ]
        out.append(
            StaffingOut(role=role, count=len({m.staff_id for m in members}), members=members)
        )
    return out


def _issues(issues: tuple[PlanIssue, ...]) -> list[IssueOut]:
    return [IssueOut(check=i.check, code=i.code, message=i.message) for i in issues]


def _check_out(check: PlanCheck) -> PlanCheckOut:
    return PlanCheckOut(ok=check.ok, errors=_issues(check.errors), warnings=_issues(check.warnings))


@router.get(
    "/batches/{batch_id}",
    response=BatchDetailOut,
    summary="A batch plan with its sessions, staffing and plan check",
)
def batch(request: ActorRequest, batch_id: int) -> BatchDetailOut:
    found = get_object_or_404(
        Batch.objects.for_actor(request.actor).select_related(
            "institution__organisation", "standard_level__standard", "occupation", "work_type"
        ),
        pk=batch_id,
    )
    return BatchDetailOut(
        **_fields(found, timezone.localdate()),
        standard=found.standard_level.standard.title,
        components=found.components,
        theory_weight=found.theory_weight,
        practical_weight=found.practical_weight,
        review_weight=found.review_weight,
        pass_mark=found.pass_mark,
        component_pass_marks=found.component_pass_marks,
        returned_reason=found.returned_reason,
        sessions=[_session_out(s) for s in selectors.batch_sessions(found)],
        staffing=_staffing(list(selectors.batch_assignments(found))),
        plan_check=_check_out(batch_validate(found)),
    )
