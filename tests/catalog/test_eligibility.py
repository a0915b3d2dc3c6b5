"""The eligibility route schema: the national template, validation, the Chinese wording."""

from __future__ import annotations

from typing import Any

import pytest

from skillcert.catalog.eligibility import (
    ROUTE_KEYS,
    Route,
    describe_route,
    national_template,
    validate_routes,
)


def _conditions(level: int) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k != "label"} for r in national_template(level)]


def test_template_level_5() -> None:
    assert _conditions(5) == [{"work_years": 1}, {"apprenticeship": True}]


def test_template_level_4() -> None:
    assert _conditions(4) == [
        {"prior_level": 5, "years_after_prior": 4},
        {"work_years": 6},
        {"school_types": ["technical_school"], "related_major": True, "graduating_students": True},
        {
            "school_types": [
                "secondary_vocational",
                "higher_vocational",
                "vocational_undergraduate",
            ],
            "related_major": True,
            "graduating_students": True,
        },
    ]


def test_template_level_3() -> None:
    assert _conditions(3) == [
        {"prior_level": 4, "years_after_prior": 5},
        {
            "prior_level": 4,
            "school_types": ["senior_technical_school", "technician_college"],
            "graduating_students": True,
        },
        {
            "prior_level": 4,
            "school_types": ["higher_vocational", "vocational_undergraduate"],
            "related_major": True,
            "graduating_students": True,
        },
        {"education_min": 2, "related_major": True, "prior_level": 4, "years_after_prior": 2},
    ]


def test_template_level_2() -> None:
    assert _conditions(2) == [
        {"prior_level": 3, "years_after_prior": 4},
        {
            "prior_level": 3,
            "school_types": ["senior_technical_school", "technician_college"],
            "work_years": 3,
        },
        {"preparatory_technician": True, "school_types": ["technician_college"], "work_years": 2},
    ]


def test_template_level_1() -> None:
    assert _conditions(1) == [{"prior_level": 2, "years_after_prior": 4}]


@pytest.mark.parametrize("level", [5, 4, 3, 2, 1])
def test_template_routes_are_valid_and_labelled(level: int) -> None:
    routes = national_template(level)
    assert validate_routes(level, routes) == []
    assert all(r["label"].endswith("。") for r in routes)


def test_template_returns_fresh_copies() -> None:
    first = national_template(4)
    first[0]["work_years"] = 99
    first[2]["school_types"].append("undergraduate")
    assert national_template(4)[0] == {
        "label": national_template(4)[0]["label"],
        "prior_level": 5,
        "years_after_prior": 4,
    }
    assert national_template(4)[2]["school_types"] == ["technical_school"]
    with pytest.raises(ValueError, match="no skill level"):
        national_template(6)


def test_route_schema_keys() -> None:
    assert ROUTE_KEYS == {
        "label",
        "prior_level",
        "years_after_prior",
        "work_years",
        "school_types",
        "related_major",
        "graduating_students",
        "education_min",
        "apprenticeship",
        "preparatory_technician",
    }


@pytest.mark.parametrize(
    ("route", "text"),
    [
        (
            {"prior_level": 5, "years_after_prior": 4},
            "取得本职业或相关职业五级/初级工证书后，累计从事本职业或相关职业工作4年（含）以上",
        ),
        ({"work_years": 6}, "累计从事本职业或相关职业工作6年（含）以上"),
        ({"apprenticeship": True}, "本职业或相关职业学徒期满"),
        (
            {
                "school_types": ["technical_school"],
                "related_major": True,
                "graduating_students": True,
            },
            "取得技工学校本专业或相关专业毕业证书（含尚未取得毕业证书的在校应届毕业生）",
        ),
        (
            {"prior_level": 4, "school_types": ["senior_technical_school", "technician_college"]},
            "取得本职业或相关职业四级/中级工证书，并取得高级技工学校或技师学院毕业证书",
        ),
        (
            {"education_min": 2, "related_major": True, "prior_level": 4, "years_after_prior": 2},
            "具有大专及以上本专业或相关专业毕业证书，"
            "取得本职业或相关职业四级/中级工证书后，累计从事本职业或相关职业工作2年（含）以上",
        ),
        (
            {
                "preparatory_technician": True,
                "school_types": ["technician_college"],
                "work_years": 2,
            },
            "取得预备技师证书，并取得技师学院毕业证书，累计从事本职业或相关职业工作2年（含）以上",
        ),
        (
            {
                "school_types": [
                    "secondary_vocational",
                    "higher_vocational",
                    "vocational_undergraduate",
                ]
            },
            "取得中等职业学校、高等职业学校或职业本科学校毕业证书",
        ),
    ],
)
def test_describe_route(route: Route, text: str) -> None:
    assert describe_route(route) == text


def test_describe_route_stays_chinese_in_english() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert describe_route({"prior_level": 2, "years_after_prior": 4}).startswith(
            "取得本职业或相关职业二级/技师证书后"
        )


@pytest.mark.parametrize(
    ("level", "routes", "message"),
    [
        (4, [{"prior_level": 4, "years_after_prior": 1}], "第 1 条途径：已取得证书的等级"),
        (4, [{"prior_level": 3}], "必须低于申报等级"),
        (5, [{"prior_level": 5}], "必须低于申报等级"),
        (1, [{"prior_level": 6}], "必须低于申报等级"),
        (4, [{"work_years": 2, "salary": 1}], "不认识的条件：salary"),
        (4, [{}], "没有任何条件"),
        (4, [{"label": "只有文字"}], "没有任何条件"),
        (4, [{"apprenticeship": False}], "没有任何条件"),
        (4, [{"work_years": True}], "work_years 必须是整数"),
        (4, [{"work_years": "6"}], "work_years 必须是整数"),
        (4, [{"work_years": 0}], "work_years 必须在 1 至 50 年之间"),
        (4, [{"related_major": "yes", "work_years": 1}], "related_major 必须是 true 或 false"),
        (4, [{"years_after_prior": 4}], "years_after_prior 需要同时给出 prior_level"),
        (4, [{"related_major": True}], "related_major 需要同时给出 school_types 或 education_min"),
        (4, [{"graduating_students": True, "work_years": 1}], "graduating_students 需要同时给出"),
        (4, [{"school_types": ["university"]}], "未知的学校类型：university"),
        (4, [{"school_types": []}], "school_types 不能为空列表"),
        (4, [{"school_types": "technical_school"}], "school_types 必须是学校类型代码的列表"),
        (4, [{"education_min": 9}], "未知的学历层次：9"),
        (4, [{"preparatory_technician": True}], "预备技师证书途径只适用于二级、一级"),
        (
            4,
            [{"work_years": 6}, {"work_years": 6, "label": "另一种说法"}],
            "第 2 条途径：与第 1 条相同",
        ),
        (4, ["work_years"], "每条途径必须是一个对象"),
        (4, {"work_years": 6}, "申报条件必须是途径的列表"),
        (6, [{"work_years": 6}], "等级必须是 1 至 5"),
    ],
)
def test_validate_routes_refuses(level: int, routes: Any, message: str) -> None:
    errors = validate_routes(level, routes)
    assert any(message in e for e in errors), errors


def test_an_empty_list_of_routes_is_allowed() -> None:
    # A level whose conditions are not entered yet; the engine then admits nobody.
    assert validate_routes(3, []) == []
