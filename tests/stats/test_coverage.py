"""Students' coverage by school and major, rebuilt from the education registry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.enrollment.services import registry
from skillcert.stats.coverage import coverage_is_stale, coverage_rebuild, coverage_refresh_needed
from skillcert.stats.models import StudentCoverage
from tests.conftest import Cast
from tests.enrollment.test_registry import row, upload, xlsx
from tests.stats.builders_stats import StatsWorld, build_stats, expected_coverage, holder_index


@pytest.fixture
def sw(cast: Cast) -> StatsWorld:
    return build_stats(cast)


def rows() -> dict[tuple[int, str, str], tuple[int, int]]:
    return {
        (c.graduation_year, c.school, c.major): (c.graduating, c.certified)
        for c in StudentCoverage.objects.all()
    }


def test_coverage_equals_the_registry_counted_directly(sw: StatsWorld) -> None:
    assert coverage_rebuild() == 6
    assert rows() == expected_coverage()
    assert rows() == {
        (2024, "昆明技师学院", "数控技术"): (3, 1),  # one holder revoked, one not certified
        (2024, "昆明技师学院", "会计"): (1, 0),  # the suspended student is not counted
        (2025, "昆明技师学院", "数控技术"): (1, 1),
        (2025, "昆明技师学院", "机电一体化"): (2, 1),
        (2025, "曲靖工业技术学校", "车工"): (2, 1),  # the newest record of the student
        (2025, "曲靖工业技术学校", "焊接"): (1, 0),
    }


def test_rows_carry_the_importing_departments_region(sw: StatsWorld) -> None:
    coverage_rebuild("530000")
    cities = dict(StudentCoverage.objects.values_list("school", "city_code").distinct())
    assert cities == {"昆明技师学院": "", "曲靖工业技术学校": "530300"}
    assert set(StudentCoverage.objects.values_list("province_code", flat=True)) == {"530000"}


def test_a_revoked_certificate_no_longer_covers(sw: StatsWorld) -> None:
    coverage_rebuild()
    index = holder_index(sw.batches["a_lathe5"], 2)  # 2025 数控技术, certified
    Certificate.objects.filter(id_number_index=index).update(status=CertificateStatus.REVOKED)
    coverage_rebuild("530000")
    assert rows()[(2025, "昆明技师学院", "数控技术")] == (1, 0)
    assert rows() == expected_coverage()


def test_staleness_follows_registry_imports(sw: StatsWorld) -> None:
    assert coverage_is_stale("530000")
    coverage_rebuild("530000")
    assert not coverage_is_stale("530000")
    assert not coverage_is_stale("510000")  # no registry there
    # The coverage predates the latest import (as when an import follows a refresh).
    StudentCoverage.objects.update(refreshed_at=timezone.now() - timedelta(hours=1))
    assert coverage_is_stale("530000")
    assert coverage_refresh_needed(set()) == ["530000"]
    assert not coverage_is_stale("530000")
    assert coverage_refresh_needed(set()) == []
    # A certificate change anywhere rebuilds the provinces holding registry data.
    assert coverage_refresh_needed({"530000"}) == ["530000"]


def test_importing_the_registry_refreshes_coverage_after_commit(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        registry.registry_import(actor=cast.actor("education"), file=upload(xlsx([row()])))
    assert callbacks
    assert rows() == {(2025, "昆明技工学校", "数控车工"): (1, 0)}
