"""Institutions JSON API: the public directory, institutions in scope, scope checks, filings."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.actors import ActorRequest
from skillcert.institutions import selectors
from skillcert.institutions.models import FilingApplication, Institution, ScopeEntry
from skillcert.institutions.scope import scope_allows

router = Router(tags=["institutions"])


class ScopeEntryOut(Schema):
    occupation_code: str
    occupation_name: str
    work_type: str | None
    lowest_level: int
    highest_level: int
    standard: str


class DirectoryEntryOut(Schema):
    id: int
    name: str
    type: str
    category: str
    city_code: str | None
    status: str
    filing_number: str
    valid_from: datetime.date
    valid_until: datetime.date
    scope: list[ScopeEntryOut]


class InstitutionOut(Schema):
    id: int
    name: str
    type: str
    category: str
    uscc: str
    city_code: str | None
    status: str
    filing_number: str | None
    valid_until: datetime.date | None
    certificate_prefix: str


class ScopeDecisionOut(Schema):
    allowed: bool
    code: str
    reason: str


class FilingOut(Schema):
    id: int
    institution_id: int
    institution_name: str
    kind: str
    status: str
    submitted_at: datetime.datetime | None
    decision_due: datetime.date | None
    decision_due_provisional: bool
    overdue: bool


def _entry_out(entry: ScopeEntry) -> ScopeEntryOut:
    return ScopeEntryOut(
        occupation_code=entry.occupation.code,
        occupation_name=entry.occupation.name,
        work_type=entry.work_type.name if entry.work_type else None,
        lowest_level=entry.lowest_level,
        highest_level=entry.highest_level,
        standard=entry.standard.title,
    )


@router.get(
    "/public/directory",
    response=list[DirectoryEntryOut],
    auth=None,
    summary="The public directory of filed institutions and their scope",
)
def public_directory(
    request: ActorRequest, occupation: str | None = None, level: int | None = None
) -> list[DirectoryEntryOut]:
    return [
        DirectoryEntryOut(
            id=inst.pk,
            name=inst.organisation.name,
            type=inst.type,
            category=inst.category,
            city_code=inst.organisation.city_id,
            status=inst.status,
            filing_number=inst.filing.filing_number,
            valid_from=inst.filing.valid_from,
            valid_until=inst.filing.valid_until,
            scope=[_entry_out(e) for e in inst.filing.public_entries],
        )
        for inst in selectors.public_directory(occupation=occupation, level=level)
    ]


def _institution_out(inst: Institution) -> InstitutionOut:
    filing = getattr(inst, "filing", None)
    return InstitutionOut(
        id=inst.pk,
        name=inst.organisation.name,
        type=inst.type,
        category=inst.category,
        uscc=inst.uscc,
        city_code=inst.organisation.city_id,
        status=inst.status,
        filing_number=filing.filing_number if filing else None,
        valid_until=filing.valid_until if filing else None,
        certificate_prefix="".join(inst.certificate_prefix_parts),
    )


@router.get("/institutions", response=list[InstitutionOut], summary="Institutions in scope")
def institutions(request: ActorRequest) -> list[InstitutionOut]:
    return [_institution_out(i) for i in selectors.institution_list(actor=request.actor)]


@router.get("/institutions/{institution_id}", response=InstitutionOut)
def institution(request: ActorRequest, institution_id: int) -> InstitutionOut:
    inst = get_object_or_404(
        Institution.objects.for_actor(request.actor).select_related("organisation", "filing"),
        pk=institution_id,
    )
    return _institution_out(inst)


@router.get(
    "/institutions/{institution_id}/scope-check",
    response=ScopeDecisionOut,
    summary="May this institution evaluate an occupation (work type) at a level on a date?",
)
def scope_check(
    request: ActorRequest,
    institution_id: int,
    occupation: str,
    level: int,
    work_type: str | None = None,
    on_date: datetime.date | None = None,
) -> ScopeDecisionOut:
    inst = get_object_or_404(Institution.objects.for_actor(request.actor), pk=institution_id)
    occ = get_object_or_404(Occupation, code=occupation)
    wt = get_object_or_404(WorkType, occupation=occ, name=work_type) if work_type else None
    decision = scope_allows(inst, occ, wt, level, on_date or timezone.localdate())
    return ScopeDecisionOut(allowed=decision.allowed, code=decision.code, reason=decision.reason)


@router.get("/filings", response=list[FilingOut], summary="Filing applications in scope")
def filings(request: ActorRequest) -> list[FilingOut]:
    today = timezone.localdate()
    return [
        _filing_out(a, selectors.is_overdue(a, today))
        for a in selectors.filing_queue(actor=request.actor)
    ]


def _filing_out(app: FilingApplication, overdue: bool) -> FilingOut:
    return FilingOut(
        id=app.pk,
        institution_id=app.institution_id,
        institution_name=app.institution.organisation.name,
        kind=app.kind,
        status=app.status,
        submitted_at=app.submitted_at,
        decision_due=app.decision_due,
        decision_due_provisional=app.decision_due_provisional,
        overdue=overdue,
    )
