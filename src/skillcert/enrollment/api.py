"""Enrollment JSON API: applications in scope, one with its eligibility, and review."""

from __future__ import annotations

import datetime
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from skillcert.core.actors import ActorRequest
from skillcert.enrollment import selectors
from skillcert.enrollment.choices import ApplicationStatus, ReviewDecision
from skillcert.enrollment.eligibility import RouteResult
from skillcert.enrollment.models import Application
from skillcert.enrollment.services import review

router = Router(tags=["enrollment"])
MAX_PAGE = 1000


class ApplicationOut(Schema):
    id: int
    batch_id: int
    batch_code: str
    institution: str
    full_name: str
    id_type: str
    id_number_masked: str
    status: ApplicationStatus
    eligible: bool
    diploma_pending: bool
    declared_route: int | None
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    review_note: str
    admission_number: str | None


class RouteResultOut(Schema):
    index: int
    label: str
    holds: bool
    reasons: list[str]
    pending_diploma: bool


class ApplicationDetailOut(ApplicationOut):
    employer: str
    current_job: str
    work_years: int
    eligibility_checked_on: datetime.date | None
    eligibility: list[RouteResultOut]
    evidence_kinds: list[str]
    pledge_signed_at: datetime.datetime | None


class ReviewIn(Schema):
    decision: ReviewDecision
    note: str = ""


def _out(application: Application) -> ApplicationOut:
    return ApplicationOut(**_fields(application))


def _fields(a: Application) -> dict[str, Any]:
    return {
        "id": a.pk,
        "batch_id": a.batch_id,
        "batch_code": a.batch.code,
        "institution": a.batch.institution.organisation.name,
        "full_name": a.person.full_name,
        "id_type": a.person.id_type,
        "id_number_masked": str(a.person.id_number),
        "status": a.status,
        "eligible": a.eligible,
        "diploma_pending": a.diploma_pending,
        "declared_route": a.declared_route,
        "submitted_at": a.submitted_at,
        "reviewed_at": a.reviewed_at,
        "review_note": a.review_note,
        "admission_number": a.admission_number,
    }


def _detail(a: Application) -> ApplicationDetailOut:
    routes = [RouteResult.from_json(r) for r in a.eligibility]
    return ApplicationDetailOut(
        **_fields(a),
        employer=a.employer,
        current_job=a.current_job,
        work_years=a.work_years,
        eligibility_checked_on=a.eligibility_checked_on,
        eligibility=[RouteResultOut(**r.as_json()) for r in routes],
        evidence_kinds=sorted({e.kind for e in a.evidence.all()}),
        pledge_signed_at=a.pledge_signed_at,
    )


@router.get(
    "/applications",
    response=list[ApplicationOut],
    summary="Applications in scope, optionally of one batch and filtered",
)
def application_list(
    request: ActorRequest,
    batch: int | None = None,
    status: ApplicationStatus | None = None,
    eligible: bool | None = None,
    diploma_pending: bool | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[ApplicationOut]:
    rows = selectors.application_list(
        actor=request.actor,
        status=status or "",
        eligible=eligible,
        diploma_pending=diploma_pending,
    )
    if batch is not None:
        rows = rows.filter(batch_id=batch)
    offset, limit = max(offset, 0), min(max(limit, 1), MAX_PAGE)
    return [_out(a) for a in rows[offset : offset + limit]]


@router.get(
    "/applications/{application_id}",
    response=ApplicationDetailOut,
    summary="One application with the eligibility engine's result for every route",
)
def application_detail(request: ActorRequest, application_id: int) -> ApplicationDetailOut:
    application = get_object_or_404(
        selectors.application_detail(actor=request.actor), pk=application_id
    )
    return _detail(application)


@router.post(
    "/applications/{application_id}/review",
    response=ApplicationDetailOut,
    summary="Approve, reject (note = reason) or ask for more (note required)",
)
def application_review(
    request: ActorRequest, application_id: int, payload: ReviewIn
) -> ApplicationDetailOut:
    application = get_object_or_404(
        selectors.application_detail(actor=request.actor), pk=application_id
    )
    review.review_one(
        actor=request.actor, application=application, decision=payload.decision, note=payload.note
    )
    return _detail(
        get_object_or_404(selectors.application_detail(actor=request.actor), pk=application_id)
    )
