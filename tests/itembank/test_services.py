"""Items: validation per type, versioning, state transitions and who may change them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.itembank.choices import ItemStatus
from skillcert.itembank.models import Item, Paper, PaperItem
from skillcert.itembank.services import (
    ItemContent,
    assessment_point_add,
    item_activate,
    item_create,
    item_retire,
    item_review,
    item_update,
)
from tests.itembank.conftest import Bank, single

pytestmark = pytest.mark.django_db

TWO = [{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}]
THREE = [*TWO, {"key": "C", "text": "丙"}]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (single(options=[{"key": "A", "text": "甲"}]), "至少需要2个选项"),
        (single(answer=["A", "B"]), "有且只有1个"),
        (single(answer=["C"]), "已有的选项"),
        (single(answer=[]), "有且只有1个"),
        (single(stem=" "), "题干不能为空"),
        (single(difficulty=6), "难度"),
        (single(options=[{"key": "A", "text": "甲"}, {"key": "A", "text": "乙"}]), "不能重复"),
        (ItemContent(type="multiple", stem="题", options=THREE, answer=["A"]), "至少需要2个正确"),
        (ItemContent(type="true_false", stem="题", answer=["X"]), "对"),
        (ItemContent(type="true_false", stem="题", options=TWO, answer=["T"]), "没有选项"),
        (ItemContent(type="short_answer", stem="题"), "参考答案"),
        (
            ItemContent(type="short_answer", stem="题", answer=["A"], reference_answer="答"),
            "简答题",
        ),
        (ItemContent(type="essay", stem="题"), "题型无效"),
    ],
)
def test_invalid_items_are_refused(bank: Bank, content: ItemContent, fragment: str) -> None:
    with pytest.raises(DomainError, match=fragment):
        item_create(actor=bank.admin, owner=bank.owner, point=bank.points[0], content=content)
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        single(),
        ItemContent(type="multiple", stem="题", options=THREE, answer=["C", "A"]),
        ItemContent(type="true_false", stem="题", answer=["F"]),
        ItemContent(type="short_answer", stem="简述车刀的组成。", reference_answer="刀头和刀杆。"),
    ],
)
def test_valid_items_are_created_as_audited_drafts(bank: Bank, content: ItemContent) -> None:
    item = item_create(actor=bank.admin, owner=bank.owner, point=bank.points[0], content=content)
    assert (item.status, item.version, item.is_current) == (ItemStatus.DRAFT, 1, True)
    assert item.standard_level == bank.level
    assert item.answer == sorted(content.answer)
    event = AuditEvent.objects.get(action="itembank.item_create")
    assert event.object_id == str(item.pk)


def _use_in_paper(bank: Bank, item: Item) -> None:
    paper = Paper.objects.create(
        owner=bank.owner, standard_level=bank.level, title="试卷", form_label="A"
    )
    PaperItem.objects.create(paper=paper, item=item, position=1, points=Decimal(1))


def test_update_in_place_when_no_paper_used_the_item(bank: Bank) -> None:
    item = item_activate(actor=bank.admin, item=item_review(actor=bank.admin, item=bank.item()))
    updated = item_update(actor=bank.admin, item=item, content=single(stem="新题干"))
    assert updated.pk == item.pk
    updated.refresh_from_db()
    assert (updated.stem, updated.version, updated.status) == ("新题干", 1, ItemStatus.DRAFT)
    assert Item.objects.count() == 1


def test_update_makes_a_new_version_when_a_paper_used_the_item(bank: Bank) -> None:
    item = bank.item()
    _use_in_paper(bank, item)
    new = item_update(actor=bank.admin, item=item, content=single(stem="新题干", answer=["B"]))
    item.refresh_from_db()
    assert new.pk != item.pk
    assert (new.family, new.version, new.is_current) == (item.family, 2, True)
    assert (item.stem, item.answer, item.is_current) == (
        "车床主轴转速的单位是（ ）。",
        ["A"],
        False,
    )
    assert new.answer == ["B"]
    assert AuditEvent.objects.filter(action="itembank.item_new_version").count() == 1
    # The old version is history: it can be neither edited nor moved on.
    with pytest.raises(InvalidTransition):
        item_update(actor=bank.admin, item=item, content=single())
    with pytest.raises(InvalidTransition):
        item_review(actor=bank.admin, item=item)


def test_status_moves_draft_reviewed_active_retired(bank: Bank) -> None:
    item = bank.item()
    item = item_review(actor=bank.admin, item=item)
    item = item_activate(actor=bank.admin, item=item)
    item = item_retire(actor=bank.admin, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.RETIRED
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == [
        "itembank.item_review",
        "itembank.item_activate",
        "itembank.item_retire",
    ]
    with pytest.raises(InvalidTransition):
        item_update(actor=bank.admin, item=item, content=single())


@pytest.mark.parametrize("service", [item_activate, item_retire])
def test_transitions_out_of_order_are_refused(bank: Bank, service: object) -> None:
    item = bank.item()
    with pytest.raises(InvalidTransition, match="草稿"):
        service(actor=bank.admin, item=item)  # type: ignore[operator]  # a service
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT


@pytest.mark.parametrize("role", ["institution_b", "city_a", "province", "examiner", "education"])
def test_others_may_not_touch_an_institutions_bank(bank: Bank, role: str) -> None:
    item = bank.item()
    actor = bank.cast.actor(role)
    with pytest.raises(PermissionDenied):
        item_review(actor=actor, item=item)
    with pytest.raises(PermissionDenied):
        item_update(actor=actor, item=item, content=single(stem="改"))
    with pytest.raises(PermissionDenied):
        item_create(actor=actor, owner=bank.owner, point=bank.points[0], content=single())
    item.refresh_from_db()
    assert (item.status, item.stem) == (ItemStatus.DRAFT, "车床主轴转速的单位是（ ）。")


def test_provincial_officials_keep_the_provinces_bank(bank: Bank) -> None:
    province = bank.cast.actor("province")
    own = bank.cast.orgs["province_hr"]
    item = item_create(actor=province, owner=own, point=bank.points[0], content=single())
    assert item_review(actor=province, item=item).status == ItemStatus.REVIEWED
    with pytest.raises(PermissionDenied):
        item_create(
            actor=bank.cast.actor("city_a"), owner=own, point=bank.points[0], content=single()
        )
    with pytest.raises(PermissionDenied):
        item_review(actor=bank.admin, item=item)


def test_assessment_points_belong_to_a_theory_area_of_the_level(bank: Bank) -> None:
    with pytest.raises(DomainError, match="已存在"):
        assessment_point_add(
            actor=bank.admin, standard_level=bank.level, area=bank.areas[0], code="1.1.1", name="重"
        )
    with pytest.raises(PermissionDenied):
        assessment_point_add(
            actor=bank.cast.actor("city_a"), standard_level=bank.level, area=bank.areas[0],
            code="1.1.2", name="新",
        )  # fmt: skip
    point = assessment_point_add(
        actor=bank.admin, standard_level=bank.level, area=bank.areas[0], code="1.1.2", name="新"
    )
    assert point.area == bank.areas[0]
