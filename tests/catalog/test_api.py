"""Public catalogue API: search, occupation, standard with levels, routes and weights."""

from __future__ import annotations

from typing import Any

from django.test import Client

from skillcert.catalog.demo import seed_catalog_demo
from skillcert.catalog.models import Standard
from tests.catalog.conftest import CatalogueImport


def test_occupation_search(catalogue: CatalogueImport) -> None:
    response = Client().get("/api/v1/catalog/occupations", {"q": "cg"})
    assert response.status_code == 200
    lathe = next(o for o in response.json() if o["code"] == "6-18-01-01")
    assert lathe == {
        "code": "6-18-01-01",
        "name": "车工",
        "tier": 4,
        "tier_label": "职业",
        "is_digital": False,
        "is_green": False,
        "source": "csco2022",
        "initials": "cg",
    }


def test_occupation_search_filters(catalogue: CatalogueImport) -> None:
    client = Client()
    assert len(client.get("/api/v1/catalog/occupations", {"limit": 5}).json()) == 5
    minors = client.get("/api/v1/catalog/occupations", {"q": "6-18-01", "tier": 3}).json()
    assert [o["code"] for o in minors] == ["6-18-01-00"]
    assert client.get("/api/v1/catalog/occupations", {"limit": 1000}).status_code == 422


def test_occupation_search_query_count(
    catalogue: CatalogueImport, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        Client().get("/api/v1/catalog/occupations", {"q": "工", "limit": 200})


def test_occupation_detail(catalogue: CatalogueImport) -> None:
    seed_catalog_demo()
    body = Client().get("/api/v1/catalog/occupations/6-18-01-01").json()
    assert [a["code"] for a in body["ancestors"]] == ["6-00-00-00", "6-18-00-00", "6-18-01-00"]
    assert body["definition"].startswith("操作车床")
    assert [w["name"] for w in body["work_types"]] == ["数控车工"]
    assert body["standards"][0]["levels"] == [5, 4, 3, 2, 1]
    assert body["standards"][0]["is_demo"] is True
    assert Client().get("/api/v1/catalog/occupations/9-99-99-99").status_code == 404


def test_standard_detail(catalogue: CatalogueImport) -> None:
    seed_catalog_demo()
    standard = Standard.objects.get(occupation__code="6-18-01-01")
    body = Client().get(f"/api/v1/catalog/standards/{standard.pk}").json()
    assert body["occupation"]["code"] == "6-18-01-01"
    assert [lv["level"] for lv in body["levels"]] == [5, 4, 3, 2, 1]
    four = body["levels"][1]
    assert four["level_label"] == "四级/中级工"
    assert four["routes"][0]["prior_level"] == 5
    assert four["routes"][0]["description"].startswith("取得本职业或相关职业五级/初级工证书后")
    assert four["theory_weights"][0] == {
        "code": "1.1",
        "name": "基本要求·职业道德",
        "percent": "5.00",
    }
    assert sum(float(w["percent"]) for w in four["skill_weights"]) == 100
    assert body["levels"][3]["review_minutes"] == 30
    assert Client().get("/api/v1/catalog/standards/999999").status_code == 404


def test_openapi_lists_the_catalogue() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/catalog/occupations",
        "/api/v1/catalog/occupations/{code}",
        "/api/v1/catalog/standards/{standard_id}",
    } <= set(paths)
