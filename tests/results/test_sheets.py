"""Scoring sheets: 100 points per component, derived from the skill weight table, locked
once scoring starts; only the institution's staff edit them, while scoring may happen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.results import scoring, sheets
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults, ScoringSheet, SheetItem
from tests.conftest import Refused
from tests.results.conftest import ResultsKit, build_results
from tests.results.scoring_support import ITEMS, ready_panel, ready_sheet, skill_weights


def test_a_sheet_with_items_adds_up(rk: ResultsKit) -> None:
    sheet = ready_sheet(rk)
    assert [(i.position, i.title, i.max_points) for i in sheet.items.all()] == [
        (n, title, points) for n, (title, points, _c) in enumerate(ITEMS, 1)
    ]
    assert sheets.sheets_total(rk.batch, "practical") == Decimal(100)
    assert sheets.sheets_ready(rk.batch, "practical") == []
    event = AuditEvent.objects.get(action="results.sheet.create")
    assert event.changes["items"][0] == ["工件尺寸精度", "40.00"]


def test_sheets_ready_names_what_is_missing(rk: ResultsKit) -> None:
    assert sheets.sheets_ready(rk.batch, "practical") == ["尚未建立评分表。"]
    sheets.sheet_create(actor=rk.admin, batch=rk.batch, component="practical", title="任务一")
    sheets.sheet_create(
        actor=rk.admin,
        batch=rk.batch,
        component="practical",
        title="任务二",
        items=[("装配", Decimal("62.5"), "")],
    )
    assert sheets.sheets_ready(rk.batch, "practical") == [
        "评分表“任务一”还没有评分项。",
        "评分表配分合计须为100分，现为62.5分。",
    ]


def test_a_sheet_from_the_skill_weight_table(rk: ResultsKit) -> None:
    skill_weights(
        rk,
        [
            ("1", "工艺准备", Decimal(15)),
            ("2", "轴类零件加工", Decimal(60)),
            ("3", "精度检验", Decimal(25)),
        ],
    )
    sheet = sheets.sheet_from_weights(actor=rk.admin, batch=rk.batch)
    assert sheet.title == "操作技能考核评分表"
    assert [(i.title, i.max_points, i.weight_code) for i in sheet.items.all()] == [
        ("工艺准备", Decimal(15), "1"),
        ("轴类零件加工", Decimal(60), "2"),
        ("精度检验", Decimal(25), "3"),
    ]
    assert sheets.sheets_ready(rk.batch, "practical") == []


def test_no_weight_table_no_sheet(rk: ResultsKit, refused: Refused) -> None:
    refused(
        DomainError,
        lambda: sheets.sheet_from_weights(actor=rk.admin, batch=rk.batch),
        code="no_weights",
    )


def test_a_component_never_exceeds_100_points(rk: ResultsKit, refused: Refused) -> None:
    sheet = ready_sheet(rk)
    refused(
        DomainError,
        lambda: sheets.sheet_create(
            actor=rk.admin,
            batch=rk.batch,
            component="practical",
            title="附加",
            items=[("附加", Decimal(5), "")],
        ),
        code="over_hundred",
    )
    refused(
        DomainError,
        lambda: sheets.item_add(actor=rk.admin, sheet=sheet, title="附加", max_points=Decimal(1)),
        code="over_hundred",
    )
    first = sheet.items.order_by("position").first()
    assert first is not None
    refused(
        DomainError,
        lambda: sheets.item_update(
            actor=rk.admin, item=first, title=first.title, max_points=Decimal("40.5")
        ),
        code="over_hundred",
    )
    assert ScoringSheet.objects.count() == 1
    assert sheets.sheets_total(rk.batch, "practical") == Decimal(100)


def test_maximum_points_are_half_points_between_half_and_100(
    rk: ResultsKit, refused: Refused
) -> None:
    sheet = sheets.sheet_create(actor=rk.admin, batch=rk.batch, component="practical", title="任务")
    for value in (Decimal(0), Decimal("0.3"), Decimal(101), Decimal("NaN")):
        refused(
            DomainError,
            lambda value=value: sheets.item_add(
                actor=rk.admin, sheet=sheet, title="项", max_points=value
            ),
            code="max_points",
        )
    refused(
        DomainError,
        lambda: sheets.item_add(actor=rk.admin, sheet=sheet, title="  ", max_points=Decimal(5)),
        code="title",
    )


def test_items_are_edited_and_removed(rk: ResultsKit) -> None:
    sheet = ready_sheet(rk)
    first, _second, third = sheet.items.order_by("position")
    updated = sheets.item_update(
        actor=rk.admin, item=first, title="尺寸", max_points=Decimal(20), criteria="按图纸"
    )
    assert (updated.title, updated.max_points, updated.criteria) == ("尺寸", Decimal(20), "按图纸")
    sheets.item_remove(actor=rk.admin, item=third)
    added = sheets.item_add(actor=rk.admin, sheet=sheet, title="工时", max_points=Decimal(50))
    assert added.position == 3
    assert sheets.sheets_total(rk.batch, "practical") == Decimal(100)
    sheets.sheet_remove(actor=rk.admin, sheet=sheet)
    assert not SheetItem.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "results.sheet_item.update",
        "results.sheet_item.remove",
        "results.sheet_item.add",
        "results.sheet.remove",
    } <= actions


def test_sheets_lock_once_an_examiner_has_a_sheet(rk: ResultsKit, refused: Refused) -> None:
    sheet = ready_sheet(rk)
    panel = ready_panel(rk)
    assert not sheets.is_locked(rk.batch, "practical")
    scoring.examiner_sheet(
        actor=rk.examiner(0), panel=panel, application=rk.candidates[0], sheet=sheet
    )
    assert sheets.is_locked(rk.batch, "practical")
    item = sheet.items.first()
    assert item is not None
    for call in (
        lambda: sheets.item_update(actor=rk.admin, item=item, title="x", max_points=Decimal(40)),
        lambda: sheets.item_remove(actor=rk.admin, item=item),
        lambda: sheets.item_add(actor=rk.admin, sheet=sheet, title="x", max_points=Decimal(1)),
        lambda: sheets.sheet_remove(actor=rk.admin, sheet=sheet),
        lambda: sheets.sheet_create(
            actor=rk.admin, batch=rk.batch, component="practical", title="又一张"
        ),
    ):
        refused(InvalidTransition, call, code="locked")


def test_only_the_institutions_staff_edit_sheets(rk: ResultsKit, refused: Refused) -> None:
    sheet = ready_sheet(rk)
    item = sheet.items.first()
    assert item is not None
    for name in ("institution_b", "city_a", "province", "examiner", "candidate"):
        actor = rk.cast.actor(name)
        refused(
            PermissionDenied,
            lambda actor=actor: sheets.sheet_create(
                actor=actor, batch=rk.batch, component="practical", title="x"
            ),
        )
        refused(
            PermissionDenied,
            lambda actor=actor: sheets.item_remove(actor=actor, item=item),
        )
    refused(PermissionDenied, lambda: sheets.sheet_remove(actor=rk.examiner(0), sheet=sheet))


def test_review_sheets_only_for_levels_two_and_one(rk: ResultsKit, refused: Refused) -> None:
    refused(
        DomainError,
        lambda: sheets.sheet_create(
            actor=rk.admin, batch=rk.batch, component="review", title="评审"
        ),
        code="component",
    )
    refused(
        DomainError,
        lambda: sheets.sheet_create(
            actor=rk.admin, batch=rk.batch, component="theory", title="理论"
        ),
        code="component",
    )


def test_a_level_two_batch_has_review_sheets(cast: Any) -> None:
    rk = build_results(cast, 1, examiners=3)
    Batch.objects.filter(pk=rk.batch.pk).update(level=2)
    sheet = sheets.sheet_create(
        actor=rk.admin,
        batch=rk.batch,
        component="review",
        title="业绩评审",
        items=[("技术总结", Decimal(60), ""), ("答辩", Decimal(40), "")],
    )
    assert sheet.component == "review"
    assert sheets.sheets_ready(rk.batch, "review") == []


@pytest.mark.parametrize(
    "status", [BatchStatus.DRAFT, BatchStatus.FILED, BatchStatus.RESULTS_PUBLISHED]
)
def test_sheets_change_only_while_scoring_may_happen(
    rk: ResultsKit, refused: Refused, status: str
) -> None:
    Batch.objects.filter(pk=rk.batch.pk).update(status=status)
    refused(
        InvalidTransition,
        lambda: sheets.sheet_create(
            actor=rk.admin, batch=rk.batch, component="practical", title="x"
        ),
        code="batch_state",
    )


def test_no_sheet_changes_after_publication(rk: ResultsKit, refused: Refused) -> None:
    rk.assessed()
    BatchResults.objects.create(batch=rk.batch, status=ResultsStatus.PUBLISHED)
    refused(
        InvalidTransition,
        lambda: sheets.sheet_create(
            actor=rk.admin, batch=rk.batch, component="practical", title="x"
        ),
        code="published",
    )
