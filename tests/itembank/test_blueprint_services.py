"""The blueprint service (a level's type plan and duration) and the paper export."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.itembank.assembly import assemble
from skillcert.itembank.blueprint import blueprint_for
from skillcert.itembank.blueprint_services import (
    EXPORT_HEADERS,
    blueprint_current,
    blueprint_rows,
    blueprint_set,
    blueprint_types,
    can_keep_paper,
    can_set_blueprint,
    paper_export,
)
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import Blueprint, Paper
from tests.conftest import Cast
from tests.itembank.test_assembly_support import fill_bank, make_level, small_plan

SINGLE, TF, MULTIPLE = ItemType.SINGLE.value, ItemType.TRUE_FALSE.value, ItemType.MULTIPLE.value

pytestmark = pytest.mark.django_db


def _plan(*rows: tuple[str, int, str]) -> list[dict[str, Any]]:
    return [{"type": t, "count": n, "points": p} for t, n, p in rows]


def test_set_writes_the_plan_and_the_page_blueprint_follows(cast: Cast) -> None:
    level = make_level()
    assert blueprint_current(level).configured is False
    assert blueprint_for(level).total_items == 200  # the classic paper
    plan = _plan((SINGLE, 60, "1.00"), (MULTIPLE, 10, "2"), (TF, 20, "1"))
    row = blueprint_set(
        actor=cast.actor("institution_a"),
        standard_level=level,
        type_plan=plan,
        duration_minutes=100,
    )
    assert row.type_plan == _plan((SINGLE, 60, "1"), (MULTIPLE, 10, "2"), (TF, 20, "1"))
    assert row.duration_minutes == 100
    spec = blueprint_for(level)
    assert (spec.total_items, spec.total_points, spec.duration_minutes) == (90, 100, 100)
    current = blueprint_current(level)
    assert current.configured is True
    assert current.rows == row.type_plan
    event = AuditEvent.objects.get(action="itembank.blueprint_set")
    assert event.changes["before"] is None
    assert event.changes["after"]["duration_minutes"] == 100
    assert event.organisation_id == cast.orgs["institution_a"].pk


def test_set_replaces_an_existing_plan_and_audits_before_and_after(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    blueprint_set(
        actor=cast.actor("province"),
        standard_level=level,
        type_plan=_plan((SINGLE, 100, "0.5"), (TF, 50, "1")),
        duration_minutes=120,
    )
    assert Blueprint.objects.filter(standard_level=level).count() == 1
    assert blueprint_for(level).total_items == 150
    event = AuditEvent.objects.get(action="itembank.blueprint_set")
    assert event.changes["before"] == {"type_plan": small_plan(), "duration_minutes": 90}
    assert event.changes["after"]["type_plan"][0] == {"type": SINGLE, "count": 100, "points": "0.5"}


@pytest.mark.parametrize(
    ("plan", "minutes", "message"),
    [
        (_plan((SINGLE, 80, "1"), (TF, 20, "0.5")), 90, "组卷蓝图总分为90分，应为100分。"),
        (_plan((SINGLE, 300, "0.333"), (TF, 1, "0.1")), 90, "每题分值最多保留两位小数。"),
        (_plan((SINGLE, 160, "0.5"), (TF, 40, "0.5")), 60, "理论知识考试时间不少于 90 分钟。"),
        (_plan((SINGLE, 160, "0.5"), (TF, 40, "0.5")), 600, "考试时长不能超过480分钟。"),
        (_plan((SINGLE, 2000, "0.05")), 90, "每套试卷最多1000道题，现为2000道。"),
        (_plan((SINGLE, 100, "0.5"), (SINGLE, 100, "0.5")), 90, "组卷蓝图中题型重复。"),
        (_plan((SINGLE, 0, "1"), (TF, 100, "1")), 90, "题量和分值都必须大于0"),
        (_plan((SINGLE, 100, "-1")), 90, "题量和分值都必须大于0"),
        (_plan(("essay", 10, "10")), 90, "题型配置有误"),
        (_plan((SINGLE, 100, "abc")), 90, "题型配置有误"),
        ([], 90, "组卷蓝图没有配置题型。"),
    ],
)
def test_set_refuses_a_bad_plan_and_changes_nothing(
    cast: Cast, plan: list[dict[str, Any]], minutes: int, message: str
) -> None:
    level = make_level(type_plan=small_plan())
    with pytest.raises(DomainError) as caught:
        blueprint_set(
            actor=cast.actor("institution_a"),
            standard_level=level,
            type_plan=plan,
            duration_minutes=minutes,
        )
    assert message in str(caught.value.message)
    assert Blueprint.objects.get(standard_level=level).type_plan == small_plan()
    assert not AuditEvent.objects.filter(action="itembank.blueprint_set").exists()


def test_every_problem_is_named_at_once(cast: Cast) -> None:
    level = make_level()
    with pytest.raises(DomainError) as caught:
        blueprint_set(
            actor=cast.actor("institution_a"),
            standard_level=level,
            type_plan=_plan((SINGLE, 10, "1.005")),
            duration_minutes=30,
        )
    message = str(caught.value.message)
    assert "两位小数" in message
    assert "总分为10.05分" in message
    assert "不少于 90 分钟" in message


@pytest.mark.parametrize("role", ["city_a", "education", "examiner", "candidate", "anonymous"])
def test_only_bank_keepers_set_a_blueprint(cast: Cast, role: str) -> None:
    level = make_level()
    actor = cast.actor(role)
    assert not can_set_blueprint(actor)
    with pytest.raises(PermissionDenied):
        blueprint_set(
            actor=actor, standard_level=level, type_plan=small_plan(), duration_minutes=90
        )
    assert not Blueprint.objects.filter(standard_level=level).exists()


def test_bank_keepers_and_system_may_set_a_blueprint(cast: Cast) -> None:
    for actor in (
        cast.actor("institution_a"),
        cast.actor("institution_b"),
        cast.actor("province"),
        Actor.system("test"),
    ):
        assert can_set_blueprint(actor)


def test_blueprint_rows_add_up_to_the_blueprint() -> None:
    level = make_level(type_plan=small_plan())
    spec = blueprint_for(level)
    types = blueprint_types(spec)
    assert [(t.label, t.count, t.subtotal) for t in types] == [
        ("单项选择题", 16, Decimal(80)),
        ("判断题", 4, Decimal(20)),
    ]
    rows = blueprint_rows(spec)
    assert [row.name for row in rows] == ["基本要求·职业道德", "安全知识", "设备操作"]
    assert [[cell.count for cell in row.cells] for row in rows] == [[2, 1], [5, 1], [9, 2]]
    assert [row.points for row in rows] == [Decimal(15), Decimal(30), Decimal(55)]
    assert sum(row.items for row in rows) == spec.total_items
    assert sum((row.points for row in rows), Decimal(0)) == 100
    machine = rows[2].difficulty
    assert machine == [("单项选择题", [1, 2, 3, 2, 1]), ("判断题", [0, 1, 1, 0, 0])]
    for row in rows:
        for (_label, split), cell in zip(row.difficulty, row.cells, strict=True):
            assert sum(split) == cell.count


def _paper(cast: Cast) -> Paper:
    level = make_level(type_plan=small_plan())
    owner = cast.orgs["institution_a"]
    fill_bank(level, owner, blueprint_for(level))
    [paper] = assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=1,
        owner=owner,
        title="导出试卷",
        seed=3,
    )
    return paper


def test_paper_export_has_every_item_with_its_key_and_is_audited(cast: Cast) -> None:
    paper = _paper(cast)
    data = paper_export(actor=cast.actor("institution_a"), paper=paper)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == EXPORT_HEADERS
    assert [row[0] for row in rows[1:]] == list(range(1, 21))
    first = rows[1]
    assert first[1] == "单项选择题"
    assert first[6] == "A. 甲\nB. 乙"
    assert first[7] == "A"
    assert rows[-1][1] == "判断题"
    assert rows[-1][7] == "T"
    assert sum(Decimal(str(row[8])) for row in rows[1:]) == 100
    event = AuditEvent.objects.get(action="paper.export")
    assert event.object_id == str(paper.pk)
    assert event.changes == {"items": 20, "sealed": False}


@pytest.mark.parametrize("role", ["city_a", "province", "institution_b", "examiner"])
def test_only_the_owner_keeps_and_exports_its_papers(cast: Cast, role: str) -> None:
    paper = _paper(cast)
    assert can_keep_paper(cast.actor("institution_a"), paper)
    assert not can_keep_paper(cast.actor(role), paper)
    with pytest.raises(PermissionDenied):
        paper_export(actor=cast.actor(role), paper=paper)
    assert not AuditEvent.objects.filter(action="paper.export").exists()
