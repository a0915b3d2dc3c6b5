"""Institutions JSON API: the public directory, institutions in scope, scope checks, filings."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.actors import ActorRequest
from skillcert.institutions import selectors
from skillcert.institutions.choices import FilingStatus
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


class DirectoryQuery(Schema):
    occupation: str | None = None
    # Levels count down: 5 (五级/初级工) … 1 (一级/高级技师).
    level: int | None = Field(default=None, ge=1, le=5)


class ScopeCheckQuery(Schema):
    occupation: str
    level: int = Field(ge=1, le=5)
    work_type: str | None = None
    on_date: datetime.date | None = None


class FilingQuery(Schema):
    status: FilingStatus | None = None
    overdue: bool | None = None


@router.get(
    "/public/directory",
    response=list[DirectoryEntryOut],
    auth=None,
    summary="The public directory of filed institutions and their scope",
)
def public_directory(
    request: ActorRequest, filters: Query[DirectoryQuery]
) -> list[DirectoryEntryOut]:
    found = selectors.public_directory(occupation=filters.occupation, level=filters.level)
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
        for inst in found
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
    request: ActorRequest, institution_id: int, query: Query[ScopeCheckQuery]
) -> ScopeDecisionOut:
    inst = get_object_or_404(
        Institution.objects.for_actor(request.actor).select_related("organisation"),
        pk=institution_id,
    )
    occ = get_object_or_404(Occupation, code=query.occupation)
    wt = (
        get_object_or_404(WorkType, occupation=occ, name=query.work_type)
        if query.work_type
        else None
    )
    on_date = query.on_date or timezone.localdate()
    decision = scope_allows(inst, occ, wt, query.level, on_date)
    return ScopeDecisionOut(allowed=decision.allowed, code=decision.code, reason=decision.reason)


@router.get(
    "/filings",
    response=list[FilingOut],
    summary="Filing applications in scope, in every state, newest first",
)
def filings(request: ActorRequest, filters: Query[FilingQuery]) -> list[FilingOut]:
    # Every state: an institution's drafts and returned applications too, not only the
    # authority's open queue (filter with ?status=submitted&overdue=true for that).
    found = selectors.filing_application_list(actor=request.actor)
    if filters.status is not None:
        found = found.filter(status=filters.status)
    today = timezone.localdate()
    rows = [(a, selectors.is_overdue(a, today)) for a in found]
    return [_filing_out(a, late) for a, late in rows if filters.overdue in (None, late)]


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
