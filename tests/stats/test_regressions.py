"""Defects found in review of the skill record pages; these tests failed before the fixes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import Cast
from tests.stats.builders_lifelong import LifelongWorld, build_lifelong

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def lw(cast: Cast) -> LifelongWorld:
    return build_lifelong(cast)


@pytest.mark.parametrize(
    "change",
    [{"full_name": ""}, {"id_type": "no-such-type"}],
    ids=["name-missing", "unknown-id-type"],
)
def test_an_invalid_lookup_does_not_echo_the_full_id_number(
    lw: LifelongWorld, change: dict[str, str]
) -> None:
    """views_lifelong.record_lookup promises the number is not echoed back; an invalid
    form is rendered bound, so the full ID number comes back in the page."""
    number = lw.id_number(lw.person)
    data = {
        "full_name": lw.person.full_name,
        "id_type": lw.person.id_type,
        "id_number": number,
        **change,
    }
    response = lw.cast.client("institution_a").post(reverse("stats-record-lookup"), data)
    assert response.status_code == 400
    assert number not in response.content.decode()
