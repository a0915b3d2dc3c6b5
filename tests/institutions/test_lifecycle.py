"""Suspension, reinstatement, revocation and the daily expiry."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.institutions.choices import (
    DirectoryNoticeKind,
    DirectoryStatus,
    FilingKind,
    FilingStatus,
)
from skillcert.institutions.models import DirectoryNotice, Filing, Institution, ScopeEntry
from skillcert.institutions.services import lifecycle
from skillcert.institutions.tasks import expire_filings_task
from tests.institutions.conftest import World, approved, draft

pytestmark = pytest.mark.django_db
Refused = Callable[..., Any]


@pytest.fixture
def active(world: World) -> Institution:
    approved(world, world.inst_a)
    return world.inst_a


def _due(days: int = 30) -> Any:
    return timezone.localdate() + timedelta(days=days)


def _status(institution: Institution) -> str:
    return Institution.objects.get(pk=institution.pk).status


def _notices(institution: Institution, kind: str) -> int:
    return DirectoryNotice.objects.filter(institution=institution, kind=kind).count()


def test_suspend_and_reinstate(world: World, active: Institution) -> None:
    city_a = world.authority(active)
    suspended = lifecycle.institution_suspend(
        actor=city_a, institution=active, reason="未按规定督导", rectification_due=_due()
    )
    assert suspended.status == DirectoryStatus.SUSPENDED
    assert suspended.rectification_due == _due()
    assert _notices(active, DirectoryNoticeKind.SUSPENDED) == 1
    notice = DirectoryNotice.objects.get(kind=DirectoryNoticeKind.SUSPENDED)
    assert "未按规定督导" in notice.text
    assert _due().isoformat() in notice.text
    reinstated = lifecycle.institution_reinstate(actor=city_a, institution=active, note="已整改")
    assert reinstated.status == DirectoryStatus.ACTIVE
    assert reinstated.rectification_due is None
    assert _notices(active, DirectoryNoticeKind.REINSTATED) == 1
    actions = AuditEvent.objects.filter(object_type="institutions.institution").values_list(
        "action", flat=True
    )
    assert list(actions.order_by("-seq")[:2]) == ["institution.reinstate", "institution.suspend"]


def test_suspend_refusals(world: World, active: Institution, refused: Refused) -> None:
    city_a = world.authority(active)

    def suspend(actor: Actor, due: Any = None, reason: str = "整改") -> Callable[[], object]:
        return lambda: lifecycle.institution_suspend(
            actor=actor, institution=active, reason=reason, rectification_due=due or _due()
        )

    for role in ("city_b", "institution_a", "institution_b", "education", "examiner", "candidate"):
        refused(PermissionDenied, suspend(world.cast.actor(role)))
    refused(DomainError, suspend(city_a, due=timezone.localdate()))
    refused(DomainError, suspend(city_a, reason=" "))
    lifecycle.institution_suspend(
        actor=world.cast.actor("province"), institution=active, reason="x", rectification_due=_due()
    )
    refused(InvalidTransition, suspend(city_a))  # already suspended
    assert _notices(active, DirectoryNoticeKind.SUSPENDED) == 1


def test_unfiled_institutions_cannot_be_suspended_or_revoked(
    world: World, refused: Refused
) -> None:
    b = world.inst_b
    city_b = world.authority(b)
    refused(
        InvalidTransition,
        lambda: lifecycle.institution_suspend(
            actor=city_b, institution=b, reason="x", rectification_due=_due()
        ),
    )
    refused(
        InvalidTransition,
        lambda: lifecycle.institution_revoke(actor=city_b, institution=b, reason="x"),
    )
    refused(
        InvalidTransition,
        lambda: lifecycle.institution_reinstate(actor=city_b, institution=b, note="x"),
    )
    assert _status(b) == DirectoryStatus.UNFILED


def test_reinstate_refused_once_the_filing_ran_out(
    world: World, active: Institution, refused: Refused
) -> None:
    city_a = world.authority(active)
    lifecycle.institution_suspend(
        actor=city_a, institution=active, reason="x", rectification_due=_due()
    )
    Filing.objects.update(valid_until=timezone.localdate() - timedelta(days=1))
    refused(
        DomainError,
        lambda: lifecycle.institution_reinstate(actor=city_a, institution=active, note="x"),
        code="expired",
    )
    assert _status(active) == DirectoryStatus.SUSPENDED


@pytest.mark.parametrize("suspend_first", [False, True])
def test_revoke(world: World, active: Institution, suspend_first: bool) -> None:
    city_a = world.authority(active)
    addition = draft(world, active, kind=FilingKind.ADDITION, materials=False)
    if suspend_first:
        lifecycle.institution_suspend(
            actor=city_a, institution=active, reason="x", rectification_due=_due()
        )
    revoked = lifecycle.institution_revoke(actor=city_a, institution=active, reason="成绩造假")
    assert revoked.status == DirectoryStatus.REVOKED
    assert not ScopeEntry.objects.filter(filing__institution=active, is_active=True).exists()
    addition.refresh_from_db()
    assert addition.status == FilingStatus.REFUSED
    notice = DirectoryNotice.objects.get(institution=active, kind=DirectoryNoticeKind.REVOKED)
    assert "成绩造假" in notice.text
    assert "移出评价机构目录" in notice.text
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.action == "institution.revoke"
    assert event.changes["applications_closed"] == 1


def test_revoke_refusals(world: World, active: Institution, refused: Refused) -> None:
    refused(
        PermissionDenied,
        lambda: lifecycle.institution_revoke(
            actor=world.cast.actor("city_b"), institution=active, reason="x"
        ),
    )
    city_a = world.authority(active)
    refused(
        DomainError,
        lambda: lifecycle.institution_revoke(actor=city_a, institution=active, reason=""),
    )
    lifecycle.institution_revoke(actor=city_a, institution=active, reason="x")
    refused(
        InvalidTransition,
        lambda: lifecycle.institution_revoke(actor=city_a, institution=active, reason="x"),
    )
    assert ScopeEntry.objects.filter(filing__institution=active).count() == 1


def test_filings_expire_is_idempotent(world: World, active: Institution) -> None:
    system = Actor.system("expire_filings")
    until = Filing.objects.get(institution=active).valid_until
    assert lifecycle.filings_expire(actor=system, today=until) == 0
    assert _status(active) == DirectoryStatus.ACTIVE
    day_after = until + timedelta(days=1)
    before = AuditEvent.objects.count()
    assert lifecycle.filings_expire(actor=system, today=day_after) == 1
    assert _status(active) == DirectoryStatus.EXPIRED
    assert _notices(active, DirectoryNoticeKind.EXPIRED) == 1
    assert AuditEvent.objects.count() == before + 1
    assert lifecycle.filings_expire(actor=system, today=day_after) == 0
    assert _notices(active, DirectoryNoticeKind.EXPIRED) == 1
    assert AuditEvent.objects.count() == before + 1


def test_suspended_filings_expire_too_and_others_are_left_alone(
    world: World, active: Institution
) -> None:
    lifecycle.institution_suspend(
        actor=world.authority(active), institution=active, reason="x", rectification_due=_due()
    )
    Filing.objects.update(valid_until=timezone.localdate() - timedelta(days=1))
    assert lifecycle.filings_expire(actor=Actor.system("t")) == 1
    assert _status(active) == DirectoryStatus.EXPIRED
    assert _status(world.inst_b) == DirectoryStatus.UNFILED


def test_only_the_system_expires_filings(world: World, refused: Refused) -> None:
    refused(PermissionDenied, lambda: lifecycle.filings_expire(actor=world.cast.actor("province")))


def test_the_task_and_the_command(world: World, active: Institution) -> None:
    Filing.objects.update(valid_until=timezone.localdate() - timedelta(days=1))
    result = expire_filings_task.enqueue()
    assert result.return_value == 1
    assert _status(active) == DirectoryStatus.EXPIRED
    out = io.StringIO()
    call_command("expire_filings", stdout=out)
    assert out.getvalue().startswith("0 filing(s) expired")
    event = AuditEvent.objects.filter(action="institution.expire").get()
    assert event.actor_label == "expire_filings"


def test_the_command_catches_up_a_given_day(world: World, active: Institution) -> None:
    until = Filing.objects.get(institution=active).valid_until
    out = io.StringIO()
    call_command("expire_filings", "--date", (until + timedelta(days=1)).isoformat(), stdout=out)
    assert out.getvalue().startswith("1 filing(s) expired")
