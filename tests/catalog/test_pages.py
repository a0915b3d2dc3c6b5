"""Catalogue pages: public reading, officials' forms, Chinese errors, nothing half-saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.catalog.demo import seed_catalog_demo
from skillcert.catalog.eligibility import national_template
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WeightRow, WorkType
from skillcert.catalog.services import standard_level_set
from skillcert.core.actors import Actor
from tests.catalog.conftest import CatalogueImport
from tests.conftest import Cast


def _text(response: Any) -> str:
    return str(response.content.decode())


def test_search_page_is_public(catalogue: CatalogueImport) -> None:
    response = Client().get(reverse("catalog-search"), {"q": "cg"})
    assert response.status_code == 200
    page = _text(response)
    assert "6-18-01-01" in page
    assert "车工" in page
    assert "添加新职业" not in page


def test_search_page_paging_and_tags(catalogue: CatalogueImport) -> None:
    client = Client()
    first = _text(client.get(reverse("catalog-search")))
    assert "共 1631 条" in first
    assert "第 1 / 33 页" in first
    assert "?q=&amp;tier=4&amp;page=2" in first
    second = _text(client.get(reverse("catalog-search"), {"page": 2}))
    assert "第 2 / 33 页" in second
    digital = _text(client.get(reverse("catalog-search"), {"q": "4-04-05-01"}))
    assert "S 数字" in digital
    minors = _text(client.get(reverse("catalog-search"), {"q": "机械冷加工", "tier": "3"}))
    assert "6-18-01-00" in minors


def test_search_page_htmx_fragment(catalogue: CatalogueImport) -> None:
    response = Client().get(reverse("catalog-search"), {"q": "车工"}, HTTP_HX_REQUEST="true")
    page = _text(response)
    assert page.strip().startswith('<section id="results">')
    assert "<html" not in page


def test_search_page_query_count(
    catalogue: CatalogueImport, django_assert_num_queries: Any
) -> None:
    client = Client()
    with django_assert_num_queries(2):  # count + page
        client.get(reverse("catalog-search"), {"q": "工"})


def test_officials_see_the_add_link(catalogue: CatalogueImport, cast: Cast) -> None:
    assert "添加新职业" in _text(cast.client("province").get(reverse("catalog-search")))
    assert "添加新职业" not in _text(cast.client("city_a").get(reverse("catalog-search")))


def test_occupation_page(lathe: Occupation) -> None:
    seed_catalog_demo()
    page = _text(Client().get(reverse("catalog-occupation", args=["6-18-01-01"])))
    assert "操作车床" in page  # definition
    assert "数控车工" in page
    assert "国家职业技能标准 车工（2018年版）" in page
    assert "演示数据" in page
    assert "6-18-01-00" in page  # breadcrumb to the 小类
    assert Client().get(reverse("catalog-occupation", args=["9-99-99-99"])).status_code == 404


def test_minor_class_page_lists_children(catalogue: CatalogueImport) -> None:
    page = _text(Client().get(reverse("catalog-occupation", args=["6-18-01-00"])))
    assert "下级分类" in page
    assert "车工" in page
    assert "铣工" in page


def test_standard_page(catalogue: CatalogueImport) -> None:
    seed_catalog_demo()
    standard = Standard.objects.get(occupation__code="6-18-01-01")
    page = _text(Client().get(reverse("catalog-standard", args=[standard.pk])))
    assert (
        "取得本职业或相关职业五级/初级工证书后，累计从事本职业或相关职业工作4年（含）以上" in page
    )
    assert "不少于 90 分钟" in page
    assert "监考人员与考生配比 1:15" in page
    assert "综合评审委员不少于 3 人" in page
    assert "基本要求·职业道德" in page
    assert "精度检验与误差分析" in page
    assert "编辑理论知识权重表" not in page
    assert Client().get(reverse("catalog-standard", args=[999999])).status_code == 404


# --- officials' forms ----------------------------------------------------------------------


OCCUPATION_POST = {
    "code": "4-04-05-13",
    "name": "生成式人工智能系统应用员",
    "is_digital": "on",
    "definition": "",
    "published_by": "人社厅发〔2024〕13号",
}


def test_province_official_adds_an_occupation(catalogue: CatalogueImport, cast: Cast) -> None:
    client = cast.client("province")
    assert client.get(reverse("catalog-occupation-add")).status_code == 200
    response = client.post(reverse("catalog-occupation-add"), OCCUPATION_POST)
    assert response.status_code == 302
    added = Occupation.objects.get(code="4-04-05-13")
    assert response["Location"] == reverse("catalog-occupation", args=[added.code])
    assert (added.is_digital, added.parent.code) == (True, "4-04-05-00")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "4-04-05-01"}, "职业编码 4-04-05-01 已存在（计算机程序设计员）"),
        ({"code": "4-04"}, "职业编码格式应为 D-DD-DD-DD"),
        ({"code": "9-09-09-01"}, "找不到上级分类 9-09-09-00"),
        ({"published_by": ""}, "这个字段是必填项"),
    ],
)
def test_occupation_form_errors(
    catalogue: CatalogueImport, cast: Cast, changes: dict[str, str], message: str
) -> None:
    response = cast.client("province").post(
        reverse("catalog-occupation-add"), {**OCCUPATION_POST, **changes}
    )
    assert response.status_code == 200
    assert message in _text(response)
    assert not Occupation.objects.filter(source="published").exists()


def test_city_official_cannot_post_an_occupation(catalogue: CatalogueImport, cast: Cast) -> None:
    response = cast.client("city_a").post(reverse("catalog-occupation-add"), OCCUPATION_POST)
    assert response.status_code == 403
    assert not Occupation.objects.filter(code="4-04-05-13").exists()


def test_work_type_and_standard_forms(lathe: Occupation, cast: Cast) -> None:
    client = cast.client("province")
    url = reverse("catalog-work-type-add", args=[lathe.code])
    assert client.post(url, {"name": "数控车工", "code": "", "published_by": ""}).status_code == 302
    again = client.post(url, {"name": "数控车工", "code": "", "published_by": ""})
    assert "下已有工种“数控车工”" in _text(again)
    cnc = WorkType.objects.get(occupation=lathe)
    response = client.post(
        reverse("catalog-standard-add", args=[lathe.code]),
        {
            "kind": "specification",
            "title": "车工（数控车工）专项评价规范",
            "document_number": "滇人社〔2025〕1号",
            "year": "2025",
            "work_types": [str(cnc.pk)],
        },
    )
    assert response.status_code == 302
    standard = Standard.objects.get()
    assert list(standard.work_types.all()) == [cnc]
    assert response["Location"] == reverse("catalog-standard", args=[standard.pk])


def _level_post(level: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "theory_minutes": 90,
        "practical_minutes": 120,
        "review_minutes": 30 if level <= 2 else "",
        "candidates_per_proctor": 15,
        "min_proctors_per_room": 2,
        "candidates_per_examiner": 5,
        "min_examiners": 3,
        "min_review_panel": 3,
        "eligibility_routes": json.dumps(national_template(level), ensure_ascii=False),
    }
    data.update(changes)
    return data


def test_level_form(lathe_standard: Standard, cast: Cast) -> None:
    client = cast.client("province")
    url = reverse("catalog-standard-level", args=[lathe_standard.pk, 4])
    form = _text(client.get(url))
    assert "取得技工学校本专业或相关专业毕业证书" in form  # the template prefilled
    assert client.post(url, _level_post(4)).status_code == 302
    row = StandardLevel.objects.get(standard=lathe_standard, level=4)
    assert row.eligibility_routes == national_template(4)
    assert (
        client.get(reverse("catalog-standard-level", args=[lathe_standard.pk, 7])).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"eligibility_routes": "[{"}, "不是有效的 JSON"),
        ({"eligibility_routes": '[{"prior_level": 3}]'}, "第 1 条途径：已取得证书的等级"),
        ({"theory_minutes": 60}, "理论知识考试时间不少于 90 分钟"),
        ({"min_examiners": 4}, "考评人员应为 3 人（含）以上单数"),
    ],
)
def test_level_form_errors(
    lathe_standard: Standard, cast: Cast, changes: dict[str, Any], message: str
) -> None:
    url = reverse("catalog-standard-level", args=[lathe_standard.pk, 4])
    response = cast.client("province").post(url, _level_post(4, **changes))
    assert response.status_code == 200
    assert message in _text(response)
    assert not StandardLevel.objects.exists()


@pytest.fixture
def level_four(lathe_standard: Standard) -> StandardLevel:
    return standard_level_set(
        actor=Actor.system("tests"),
        standard=lathe_standard,
        level=4,
        eligibility_routes=national_template(4),
        theory_minutes=90,
        practical_minutes=120,
        review_minutes=None,
    )


def test_weight_form(level_four: StandardLevel, cast: Cast) -> None:
    client = cast.client("province")
    url = reverse("catalog-weight-table", args=[level_four.standard_id, 4, "theory"])
    lines = "1.1,职业道德,5\n1.2，基础知识，20%\n2.1,工件加工,75\n"
    assert client.post(url, {"lines": lines}).status_code == 302
    assert [w.name for w in WeightRow.objects.order_by("position")] == [
        "职业道德",
        "基础知识",
        "工件加工",
    ]
    form = _text(client.get(url))
    assert "2.1,工件加工,75.00" in form
    bad = client.post(url, {"lines": "1,职业道德,5\n2,工件加工,85\n"})
    assert "权重合计为 90%，应为 100%。" in _text(bad)
    broken = client.post(url, {"lines": "1,职业道德\n2,工件加工,八十"})
    assert "第 1 行应有三列" in _text(broken)
    assert "第 2 行的比重不是数字" in _text(broken)
    assert WeightRow.objects.count() == 3
    page = _text(client.get(reverse("catalog-standard", args=[level_four.standard_id])))
    assert "编辑理论知识权重表" in page
    assert "工件加工" in page
    assert (
        client.get(
            reverse("catalog-weight-table", args=[level_four.standard_id, 4, "x"])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("catalog-weight-table", args=[level_four.standard_id, 3, "skill"])
        ).status_code
        == 404
    )


def test_denied_form_posts_change_nothing(level_four: StandardLevel, cast: Cast) -> None:
    for role in ("city_a", "institution_a", "candidate"):
        client = cast.client(role)
        url = reverse("catalog-weight-table", args=[level_four.standard_id, 4, "skill"])
        assert client.post(url, {"lines": "1,a,100"}).status_code == 403
        level_url = reverse("catalog-standard-level", args=[level_four.standard_id, 3])
        assert client.post(level_url, _level_post(3)).status_code == 403
    assert not WeightRow.objects.exists()
    assert StandardLevel.objects.count() == 1
    anonymous = Client().post(reverse("catalog-occupation-add"), OCCUPATION_POST)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
