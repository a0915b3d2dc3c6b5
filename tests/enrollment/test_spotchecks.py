"""The authority's random spot checks: a recorded seed, a replayable draw."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, ProvincePolicy, Region
from skillcert.enrollment.choices import SpotCheckResult
from skillcert.enrollment.models import Application, SpotCheck, SpotCheckDraw
from skillcert.enrollment.services import review, spotchecks
from skillcert.enrollment.services.spotchecks import sample_size
from tests.enrollment.conftest import Enrol, new_candidate


def _population(enrol: Enrol, n: int) -> list[Application]:
    apps = [enrol.submitted(new_candidate()) for _ in range(n)]
    review.application_approve(actor=enrol.staff, application=apps[0])
    enrol.draft(new_candidate())  # drafts are not drawn
    return apps


@pytest.mark.parametrize(
    ("share", "n", "k"),
    [("10", 12, 2), ("10", 10, 1), ("10", 3, 1), ("100", 5, 5), ("33.3", 3, 1), ("10", 0, 0)],
)
def test_sample_size_rounds_up_with_at_least_one(share: str, n: int, k: int) -> None:
    assert sample_size(Decimal(share), n) == k


def test_the_draw_uses_the_policy_share_and_replays(enrol: Enrol) -> None:
    apps = _population(enrol, 12)
    province = Region.objects.get(code="530000")
    ProvincePolicy.objects.update_or_create(province=province, defaults={"spot_check_percent": 20})
    draw = spotchecks.spot_check_draw(actor=enrol.cast.actor("city_a"), batch=enrol.batch)
    assert draw.share_percent == Decimal(20)
    assert draw.population == sorted(a.pk for a in apps)
    assert len(draw.selected) == 3  # ⌈20% × 12⌉
    assert len(draw.seed) == 32
    assert draw.selected == random.Random(draw.seed).sample(draw.population, 3)
    assert spotchecks.spot_check_replay(draw) == draw.selected
    stored = SpotCheckDraw.objects.get(pk=draw.pk)
    assert spotchecks.spot_check_replay(stored) == stored.selected
    checks = SpotCheck.objects.filter(draw=draw)
    assert sorted(checks.values_list("application_id", flat=True)) == sorted(draw.selected)
    assert set(checks.values_list("result", flat=True)) == {SpotCheckResult.PENDING}
    event = AuditEvent.objects.get(action="spot_check.draw")
    assert event.changes["seed"] == draw.seed
    assert event.changes["selected"] == draw.selected


def test_without_a_policy_the_share_is_ten_percent(enrol: Enrol) -> None:
    _population(enrol, 3)
    ProvincePolicy.objects.all().delete()
    draw = spotchecks.spot_check_draw(actor=enrol.cast.actor("province"), batch=enrol.batch)
    assert (draw.share_percent, len(draw.selected)) == (Decimal(10), 1)


def test_an_explicit_share_and_the_replay_follows_the_seed(enrol: Enrol) -> None:
    _population(enrol, 6)
    draw = spotchecks.spot_check_draw(
        actor=enrol.cast.actor("city_a"), batch=enrol.batch, share_percent="50"
    )
    assert len(draw.selected) == 3
    # The replay follows the recorded seed, whatever it is.
    draw.seed = "0" * 32
    assert spotchecks.spot_check_replay(draw) == random.Random("0" * 32).sample(draw.population, 3)


@pytest.mark.parametrize("role", ["city_b", "institution_a", "education", "candidate"])
def test_only_the_authority_draws(enrol: Enrol, refused: Any, role: str) -> None:
    _population(enrol, 2)
    refused(
        PermissionDenied,
        lambda: spotchecks.spot_check_draw(actor=enrol.cast.actor(role), batch=enrol.batch),
    )


def test_bad_shares_and_empty_batches_are_refused(enrol: Enrol, refused: Any) -> None:
    city = enrol.cast.actor("city_a")
    refused(
        DomainError,
        lambda: spotchecks.spot_check_draw(actor=city, batch=enrol.batch),
        "empty_population",
    )
    _population(enrol, 1)
    for share in ("0", "101", "abc"):
        refused(
            DomainError,
            lambda s=share: spotchecks.spot_check_draw(
                actor=city, batch=enrol.batch, share_percent=s
            ),
            "invalid_share",
        )


def test_recording_results(enrol: Enrol, refused: Any) -> None:
    _population(enrol, 2)
    city = enrol.cast.actor("city_a")
    draw = spotchecks.spot_check_draw(actor=city, batch=enrol.batch, share_percent=100)
    first, second = SpotCheck.objects.filter(draw=draw).order_by("pk")
    refused(
        DomainError,
        lambda: spotchecks.spot_check_record(
            actor=city, check=first, result=SpotCheckResult.PROBLEM, note=""
        ),
        "note_required",
    )
    refused(
        PermissionDenied,
        lambda: spotchecks.spot_check_record(
            actor=enrol.cast.actor("city_b"), check=first, result="confirmed", note=""
        ),
    )
    done = spotchecks.spot_check_record(
        actor=city, check=first, result=SpotCheckResult.PROBLEM, note="学历证书与学信网不符"
    )
    assert (done.result, done.checked_by_label) == (SpotCheckResult.PROBLEM, city.label)
    spotchecks.spot_check_record(
        actor=city, check=second, result=SpotCheckResult.CONFIRMED, note=""
    )
    refused(
        InvalidTransition,
        lambda: spotchecks.spot_check_record(actor=city, check=first, result="confirmed", note=""),
        "already_recorded",
    )
