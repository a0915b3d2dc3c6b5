"""Legal holds: placed and released by the HR authority over the institution; while one
stands, its records are not listed for disposal."""

from __future__ import annotations

import pytest

from skillcert.archives import disposal, holds
from skillcert.archives.models import LegalHold
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from tests.archives.builders_records import DISPOSAL_DAY, ArchiveKit, archived
from tests.conftest import Cast, Refused


@pytest.fixture
def kit(cast: Cast) -> ArchiveKit:
    return archived(cast)


def test_the_city_places_a_hold_on_a_batch(kit: ArchiveKit) -> None:
    institution = kit.batch.institution
    hold = holds.hold_place(
        actor=kit.city, institution=institution, batch=kit.batch, reason="投诉举报核查中"
    )
    assert hold.released_at is None
    assert hold.province_id == "530000"
    assert hold.placed_by_organisation == kit.cast.orgs["city_a"]
    assert AuditEvent.objects.filter(action="archives.hold_place").count() == 1
    record = kit.records()["signin_sheets"]
    assert holds.is_held(record)
    assert list(holds.holds_on(record)) == [hold]


@pytest.mark.parametrize("role", ["city_b", "institution_a", "institution_b", "education"])
def test_others_cannot_place_holds(kit: ArchiveKit, refused: Refused, role: str) -> None:
    actor = kit.cast.actor(role)
    institution = kit.batch.institution
    refused(
        PermissionDenied,
        lambda: holds.hold_place(actor=actor, institution=institution, reason="核查"),
    )
    assert not LegalHold.objects.exists()


def test_a_hold_needs_a_reason_and_a_batch_of_the_institution(
    cast: Cast, kit: ArchiveKit, refused: Refused
) -> None:
    from skillcert.institutions.models import Institution

    institution = kit.batch.institution
    refused(
        DomainError,
        lambda: holds.hold_place(actor=kit.city, institution=institution, reason=" "),
        code="reason_required",
    )
    other = Institution.objects.exclude(pk=institution.pk).first()
    if other is not None:
        province = cast.actor("province")
        refused(
            DomainError,
            lambda: holds.hold_place(
                actor=province, institution=other, batch=kit.batch, reason="核查"
            ),
            code="batch_mismatch",
        )
    assert not LegalHold.objects.exists()


def test_a_whole_institution_hold_stops_listing_and_release_allows_it(
    kit: ArchiveKit, refused: Refused
) -> None:
    institution = kit.batch.institution
    hold = holds.hold_place(
        actor=kit.cast.actor("province"), institution=institution, reason="司法机关调取档案"
    )
    assert disposal.disposable_records(institution, DISPOSAL_DAY) == []
    refused(DomainError, kit.listed, code="nothing_expired")
    refused(
        PermissionDenied,
        lambda: holds.hold_release(actor=kit.cast.actor("city_b"), hold=hold, note="结案"),
    )
    refused(
        DomainError,
        lambda: holds.hold_release(actor=kit.city, hold=hold, note=""),
        code="note_required",
    )
    released = holds.hold_release(actor=kit.city, hold=hold, note="调取完毕，解除保全")
    assert released.released_at is not None
    assert released.release_note == "调取完毕，解除保全"
    refused(
        InvalidTransition,
        lambda: holds.hold_release(actor=kit.city, hold=released, note="再次"),
        code="already_released",
    )
    assert disposal.disposable_records(institution, DISPOSAL_DAY)
