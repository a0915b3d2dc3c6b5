"""Reads for the pool, spot-check list, supervision-task and 考场记录表 pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from skillcert.batches.models import Session
from skillcert.batches.permissions import is_own_staff
from skillcert.core.actors import Actor
from skillcert.core.choices import OFFICIAL_ROLES
from skillcert.core.models import Organisation, User
from skillcert.supervision.choices import PlanKind
from skillcert.supervision.models import CheckItem, Inspection, PoolMember
from skillcert.supervision.permissions import is_official


def reads_pool(actor: Actor) -> bool:
    """HR officials: the province's keep the pools, the cities' read their city's."""
    return is_official(actor)


def reads_checklist(actor: Actor) -> bool:
    """Any official (HR or education) reads the list with its switched-off lines."""
    return actor.is_platform_admin or actor.role in OFFICIAL_ROLES


def pool_members(actor: Actor, pool: str = "") -> QuerySet[PoolMember]:
    rows = PoolMember.objects.for_actor(actor).select_related("affiliation", "user")
    if pool:
        rows = rows.filter(pool=pool)
    return rows.order_by("pool", "-is_active", "full_name", "pk")


def affiliations(province_code: str) -> QuerySet[Organisation]:
    """The organisations of the province a member may belong to."""
    return Organisation.objects.filter(province_id=province_code, is_active=True).order_by(
        "city_id", "kind", "name"
    )


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), is_active=True).first()


def checklist(province_code: str, *, active_only: bool = False) -> QuerySet[CheckItem]:
    rows = CheckItem.objects.filter(province_id=province_code)
    if active_only:
        rows = rows.filter(is_active=True)
    return rows.order_by("applies_to", "code")


def public_checklist(province_code: str = "") -> QuerySet[CheckItem]:
    """The published list (一公开): active lines, every province or one."""
    rows = CheckItem.objects.filter(is_active=True).select_related("province")
    if province_code:
        rows = rows.filter(province_id=province_code)
    return rows.order_by("province_id", "applies_to", "code")


def tasks_for(actor: Actor) -> QuerySet[Inspection]:
    """我的督导任务: every inspection the actor's login is assigned to, through an active
    pool membership, wherever the target is (inspectors are sent outside their own area)."""
    if actor.user_id is None:
        return Inspection.objects.none()
    mine = Inspection.objects.filter(
        assignments__member__user_id=actor.user_id, assignments__member__is_active=True
    ).values("pk")
    return (
        Inspection.objects.filter(pk__in=mine)
        .select_related("plan", "institution__organisation", "batch", "session__room")
        .order_by("status", "-plan__created_at", "pk")
    )


def task_sessions(inspection: Inspection) -> QuerySet[Session]:
    """The sessions a line of the task may name: its own, or its batch's."""
    mine = Q(pk=inspection.session_id) if inspection.session_id is not None else Q(pk__in=[])
    if inspection.batch_id is not None:
        mine |= Q(batch_id=inspection.batch_id)
    return Session.objects.filter(mine).select_related("room").order_by("starts_at", "pk")


@dataclass(frozen=True)
class SessionAccess:
    session: Session
    may_read: bool


def session_notes_access(actor: Actor, pk: int) -> SessionAccess | None:
    """Who reads a session's 考场记录表: the HR officials over its institution and the
    institution's own staff (within their scope; others in scope are refused), and the
    supervisors sent to it. ``None`` when the session is not the actor's to see."""
    related = ("batch__institution__organisation", "room")
    scoped = Session.objects.for_actor(actor).select_related(*related).filter(pk=pk).first()
    if scoped is not None:
        institution = scoped.batch.institution
        allowed = is_official(actor) or is_own_staff(actor, institution)
        return SessionAccess(scoped, allowed or _sent_to(actor, scoped))
    found = Session.objects.select_related(*related).filter(pk=pk).first()
    if found is not None and _sent_to(actor, found):
        return SessionAccess(found, True)
    return None


def _sent_to(actor: Actor, session: Session) -> bool:
    """An external supervision of the session (or its batch) is among the actor's tasks."""
    return (
        tasks_for(actor)
        .filter(plan__kind=PlanKind.EXTERNAL_SUPERVISION)
        .filter(Q(session_id=session.pk) | Q(batch_id=session.batch_id))
        .exists()
    )
