"""Search by code, name, pinyin initials (and work types); standards for an occupation."""

from __future__ import annotations

import pytest

from skillcert.catalog.models import Occupation, Standard, WorkType
from skillcert.catalog.selectors import (
    code_prefix,
    occupation_matches,
    occupation_search,
    standards_for,
)
from tests.catalog.conftest import CatalogueImport, occupation


def _codes(query: str, **kwargs: object) -> list[str]:
    return [o.code for o in occupation_search(query, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query", ["6-18-01-01", "6180101", "6-18-01", "车工", "cg", "CG", " 车工 "]
)
def test_search_finds_the_lathe_operator(catalogue: CatalogueImport, query: str) -> None:
    assert "6-18-01-01" in _codes(query, limit=500)


def test_search_by_code_prefix(catalogue: CatalogueImport) -> None:
    codes = _codes("6-18-01", limit=500)
    assert codes[0] == "6-18-01-01"
    assert all(c.startswith("6-18-01-") for c in codes)


def test_search_by_initials_is_a_prefix_match(catalogue: CatalogueImport) -> None:
    assert "4-03-02-01" in _codes("zspts")  # 中式烹调师
    assert "4-03-02-01" not in _codes("pts")


def test_search_by_name_substring(catalogue: CatalogueImport) -> None:
    codes = _codes("烹调")
    assert {"4-03-02-01", "4-03-02-03"} <= set(codes)  # 中式、西式烹调师


def test_search_tiers_and_limit(catalogue: CatalogueImport) -> None:
    assert _codes("机械冷加工", tier=3) == ["6-18-01-00"]
    assert _codes("机械冷加工", tier=4) == []
    assert len(_codes("", limit=10)) == 10
    assert occupation_matches("").count() == 1631
    assert occupation_matches("", tier=None).count() == 2051


def test_search_by_work_type(lathe: Occupation) -> None:
    WorkType.objects.create(occupation=lathe, name="数控车工", initials="skcg")
    assert _codes("数控车工") == ["6-18-01-01"]
    assert "6-18-01-01" in _codes("skcg")


def test_inactive_occupations_are_not_found(lathe: Occupation) -> None:
    Occupation.objects.filter(pk=lathe.pk).update(is_active=False)
    assert "6-18-01-01" not in _codes("车工")


def test_code_prefix() -> None:
    assert code_prefix("61801") == "6-18-01"
    assert code_prefix("6") == "6"
    assert code_prefix("6-18-") == "6-18-"
    assert code_prefix("车工") is None
    assert code_prefix("12345678") is None


def test_search_query_count(catalogue: CatalogueImport, django_assert_num_queries: object) -> None:
    with django_assert_num_queries(1):  # type: ignore[operator]
        occupation_search("cg")


def test_standards_for(lathe: Occupation, lathe_standard: Standard) -> None:
    cnc = WorkType.objects.create(occupation=lathe, name="数控车工")
    plain = WorkType.objects.create(occupation=lathe, name="普通车工")
    cnc_only = Standard.objects.create(
        kind="specification",
        title="车工（数控车工）评价规范",
        document_number="x",
        year=2024,
        occupation=lathe,
    )
    cnc_only.work_types.set([cnc])
    Standard.objects.create(
        kind="national",
        title="旧标准",
        document_number="y",
        year=2009,
        occupation=lathe,
        is_active=False,
    )
    assert set(standards_for(lathe)) == {lathe_standard, cnc_only}
    assert set(standards_for(lathe, cnc)) == {lathe_standard, cnc_only}
    assert list(standards_for(lathe, plain)) == [lathe_standard]
    assert list(standards_for(occupation("6-18-02-04"))) == []
