"""Services behind the blueprint and paper pages.

* ``blueprint_set``: a level's 组卷蓝图 — item types, counts and points per item, and the
  exam's duration (DESIGN.md "Rules with numbers": item types, counts and points per
  type are per standard and level; classic paper 200 items, 90 minutes).
* ``paper_export``: a paper with its answer key as an .xlsx file, for the bank's keepers
  only, every download audited (a paper's key is the most secret thing the bank holds).

Each write is one transaction with one audit event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.catalog.models import StandardLevel
from skillcert.catalog.services import MIN_THEORY_MINUTES
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied, clean_or_raise
from skillcert.core.excel import workbook_bytes
from skillcert.itembank.blueprint import (
    CLASSIC_DURATION_MINUTES,
    CLASSIC_TOTAL_POINTS,
    BlueprintSpec,
    TypePlan,
    default_type_plan,
    parse_type_plan,
)
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import Blueprint, Paper, PaperItem
from skillcert.itembank.services import can_edit_bank

# Item positions are small integers; no theory paper comes near this.
MAX_PAPER_ITEMS = 1000
# A theory exam is one sitting.
MAX_DURATION_MINUTES = 480
CENT = Decimal("0.01")  # PaperItem.points keeps two decimals

# ---------------------------------------------------------------- who may


def can_set_blueprint(actor: Actor) -> bool:
    """Keepers of a bank (an institution's admin and exam staff, provincial officials for
    the province's bank) and platform admins set the blueprint their papers follow."""
    if actor.is_platform_admin:
        return True
    org = actor.organisation
    return org is not None and can_edit_bank(actor, org)


def can_keep_paper(actor: Actor, paper: Paper) -> bool:
    """Seeing a paper's items and key, sealing and exporting it: the keepers of the bank
    that owns it (HR officials over it see the paper and its seal, not its content)."""
    return can_edit_bank(actor, paper.owner)


# ---------------------------------------------------------------- the blueprint


@dataclass(frozen=True)
class CurrentPlan:
    """What a level's blueprint is now: configured, or the classic paper."""

    rows: list[dict[str, Any]]
    duration_minutes: int
    configured: bool


def blueprint_current(standard_level: StandardLevel) -> CurrentPlan:
    row = Blueprint.objects.filter(standard_level=standard_level).first()
    if row is not None and row.type_plan:
        return CurrentPlan(list(row.type_plan), row.duration_minutes, configured=True)
    duration = row.duration_minutes if row is not None else CLASSIC_DURATION_MINUTES
    return CurrentPlan(default_type_plan(), duration, configured=False)


def plan_problems(plans: Sequence[TypePlan], duration_minutes: int) -> list[str]:
    """What is wrong with a type plan beyond its form (``parse_type_plan`` checks that)."""
    problems: list[str] = []
    if any(plan.points != plan.points.quantize(CENT) for plan in plans):
        problems.append(_("每题分值最多保留两位小数。"))
    total_points = sum((plan.count * plan.points for plan in plans), Decimal(0))
    if total_points != CLASSIC_TOTAL_POINTS:
        problems.append(
            _("组卷蓝图总分为%(total)s分，应为100分。") % {"total": _plain(total_points)}
        )
    total_items = sum(plan.count for plan in plans)
    if total_items > MAX_PAPER_ITEMS:
        problems.append(
            _("每套试卷最多%(max)s道题，现为%(n)s道。") % {"max": MAX_PAPER_ITEMS, "n": total_items}
        )
    # National standards §1.9: the theory exam lasts at least 90 minutes.
    if duration_minutes < MIN_THEORY_MINUTES:
        problems.append(_("理论知识考试时间不少于 %(n)s 分钟。") % {"n": MIN_THEORY_MINUTES})
    elif duration_minutes > MAX_DURATION_MINUTES:
        problems.append(_("考试时长不能超过%(n)s分钟。") % {"n": MAX_DURATION_MINUTES})
    return problems


@transaction.atomic
def blueprint_set(
    *,
    actor: Actor,
    standard_level: StandardLevel,
    type_plan: Sequence[Mapping[str, Any]],
    duration_minutes: int,
) -> Blueprint:
    """Set the item types, counts, points per item and duration of ``standard_level``'s
    theory paper; the plan must add up to 100 points. Papers already assembled keep
    what they were assembled with."""
    if not can_set_blueprint(actor):
        raise PermissionDenied(
            _("只有题库所属单位的管理员、考务人员或省级人社部门可以设置组卷蓝图。")
        )
    plans = parse_type_plan(type_plan)
    problems = plan_problems(plans, duration_minutes)
    if problems:
        raise DomainError("；".join(problems), code="blueprint_invalid")
    stored = [
        {"type": plan.type, "count": plan.count, "points": _plain(plan.points)} for plan in plans
    ]
    row = Blueprint.objects.select_for_update().filter(standard_level=standard_level).first()
    before = (
        {"type_plan": row.type_plan, "duration_minutes": row.duration_minutes}
        if row is not None
        else None
    )
    if row is None:
        row = Blueprint(standard_level=standard_level)
    row.type_plan = stored
    row.duration_minutes = duration_minutes
    clean_or_raise(row, exclude=["standard_level"])
    if before is None:
        row.save()
    else:
        row.save(update_fields=["type_plan", "duration_minutes"])
    audit_record(
        actor=actor,
        action="itembank.blueprint_set",
        obj=row,
        changes={
            "before": before,
            "after": {"type_plan": stored, "duration_minutes": duration_minutes},
        },
    )
    return row


def _plain(value: Decimal) -> str:
    """``5`` for 5.00, ``0.5`` for 0.50 (never ``5E+0``)."""
    return format(value.normalize(), "f")


# ---------------------------------------------------------------- reading a blueprint


@dataclass(frozen=True)
class TypeCell:
    count: int
    points: Decimal


@dataclass(frozen=True)
class TypeTotal:
    """One item type of the blueprint: its count, points per item and points in all."""

    label: str
    count: int
    points: Decimal
    subtotal: Decimal


def blueprint_types(spec: BlueprintSpec) -> list[TypeTotal]:
    return [
        TypeTotal(plan.label, plan.count, plan.points, plan.count * plan.points)
        for plan in spec.types
    ]


@dataclass(frozen=True)
class AreaRow:
    """One knowledge area of the blueprint: its weight, and items and points per type."""

    name: str
    percent: Decimal
    cells: list[TypeCell]
    items: int
    points: Decimal
    # (type label, items per difficulty 1..5) in the order of the plan's types
    difficulty: list[tuple[str, list[int]]]


def blueprint_rows(spec: BlueprintSpec) -> list[AreaRow]:
    """The blueprint as a table: knowledge areas × item types (from its cells)."""
    per_difficulty: dict[tuple[int, str], list[int]] = {}
    for cell in spec.cells():
        split = per_difficulty.setdefault((cell.area.id, cell.type), [0] * 5)
        split[cell.difficulty - 1] += cell.needed
    rows: list[AreaRow] = []
    for area in spec.areas:
        cells: list[TypeCell] = []
        for plan in spec.types:
            count = spec.counts[(area.id, plan.type)]
            cells.append(TypeCell(count=count, points=count * plan.points))
        rows.append(
            AreaRow(
                name=area.name,
                percent=area.percent,
                cells=cells,
                items=sum(cell.count for cell in cells),
                points=sum((cell.points for cell in cells), Decimal(0)),
                difficulty=[
                    (plan.label, per_difficulty.get((area.id, plan.type), [0] * 5))
                    for plan in spec.types
                ],
            )
        )
    return rows


# ---------------------------------------------------------------- a paper's export

EXPORT_HEADERS = ("题号", "题型", "知识领域", "鉴定点", "难度", "题干", "选项", "答案", "分值")


def paper_rows(paper: Paper) -> list[PaperItem]:
    """The paper's items in order, with what the page and the export show of them."""
    return list(
        PaperItem.objects.filter(paper=paper)
        .select_related("item__point__area")
        .order_by("position")
    )


@transaction.atomic
def paper_export(*, actor: Actor, paper: Paper) -> bytes:
    """The paper with its answer key as an .xlsx file; the download is audited."""
    if not can_keep_paper(actor, paper):
        raise PermissionDenied(_("只有题库所属单位的题库维护人员可以导出试卷。"))
    rows = [
        (
            row.position,
            ItemType(row.item.type).label,
            row.item.point.area.name,
            f"{row.item.point.code} {row.item.point.name}",
            row.item.difficulty,
            row.item.stem,
            "\n".join(f"{o['key']}. {o['text']}" for o in row.item.options),
            "".join(row.item.answer) or row.item.reference_answer,
            row.points,
        )
        for row in paper_rows(paper)
    ]
    data = workbook_bytes(
        title=f"{paper.title} {paper.form_label}", headers=EXPORT_HEADERS, rows=rows
    )
    audit_record(
        actor=actor,
        action="paper.export",
        obj=paper,
        organisation=paper.owner,
        changes={"items": len(rows), "sealed": paper.sealed_at is not None},
    )
    return data
