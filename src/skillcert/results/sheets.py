"""Scoring sheets (评分表): the items of a practical task or of the review, with their
maximum points (DESIGN.md step 5).

The sheets of one component add up to exactly 100 points; derived from the standard's
skill weight table (技能要求权重表) one item per row, or entered by the institution. Once
an examiner has a sheet for a candidate the component's sheets are locked.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.catalog.choices import WeightTable
from skillcert.catalog.models import WeightRow
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.results.choices import PanelComponent, ResultsStatus
from skillcert.results.models import BatchResults, ExaminerSheet, ScoringSheet, SheetItem
from skillcert.results.permissions import can_manage

HUNDRED = Decimal(100)
HALF = Decimal("0.5")
# Sheets and panels are set up from the plan's approval until the batch is assessed.
SETUP_STATES = frozenset(
    {
        BatchStatus.APPROVED,
        BatchStatus.ENROLLING,
        BatchStatus.ENROLLMENT_CLOSED,
        BatchStatus.IN_PROGRESS,
        BatchStatus.ASSESSED,
    }
)

ItemSpec = tuple[str, Decimal, str]


# --- shared checks (panels and scoring use them too) -----------------------------------


def results_published(batch: Batch) -> bool:
    """The batch's results left the scoring stage (published, filed …)."""
    return BatchResults.objects.filter(batch=batch).exclude(status=ResultsStatus.SCORING).exists()


def require_manager(actor: Actor, batch: Batch) -> None:
    if not can_manage(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以办理此事项。"))


def require_setup(batch: Batch) -> None:
    """Sheets and panels change between the plan's approval and publication."""
    if batch.status not in SETUP_STATES:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能调整评分表或考评小组。")
            % {"status": batch.get_status_display()},
            code="batch_state",
        )
    if results_published(batch):
        raise InvalidTransition(_("成绩已公示，不能再调整评分表或考评小组。"), code="published")


def require_component(batch: Batch, component: str) -> None:
    """Only the practical part and, for levels 2–1, the review are scored by panels."""
    if component not in PanelComponent.values or component not in batch.components:
        raise DomainError(_("本批次没有该考核科目的考评。"), code="component")


# --- reading ----------------------------------------------------------------------------


def component_sheets(batch: Batch, component: str) -> list[ScoringSheet]:
    return list(
        ScoringSheet.objects.filter(batch=batch, component=component)
        .prefetch_related("items")
        .order_by("position")
    )


def sheets_total(batch: Batch, component: str) -> Decimal:
    """The maximum points of all the component's sheets."""
    total = SheetItem.objects.filter(sheet__batch=batch, sheet__component=component).aggregate(
        total=Sum("max_points")
    )["total"]
    return total or Decimal(0)


def sheets_ready(batch: Batch, component: str) -> list[str]:
    """What keeps the component's sheets from being used; empty when ready."""
    sheets = component_sheets(batch, component)
    if not sheets:
        return [_("尚未建立评分表。")]
    problems = [
        _("评分表“%(title)s”还没有评分项。") % {"title": sheet.title}
        for sheet in sheets
        if not sheet.items.all()
    ]
    total = sheets_total(batch, component)
    if total != HUNDRED:
        problems.append(_("评分表配分合计须为100分，现为%(total)s分。") % {"total": _points(total)})
    return problems


def is_locked(batch: Batch, component: str) -> bool:
    """An examiner has started on one of the component's sheets."""
    return ExaminerSheet.objects.filter(sheet__batch=batch, sheet__component=component).exists()


def _points(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --- checks of input ----------------------------------------------------------------------


def _checked_max(value: Decimal) -> Decimal:
    try:
        ok = value.is_finite() and HALF <= value <= HUNDRED and value % HALF == 0
    except InvalidOperation:
        ok = False
    if not ok:
        raise DomainError(_("配分须在 0.5 到 100 分之间，并以 0.5 分为单位。"), code="max_points")
    return value.quantize(Decimal("0.01"))


def _checked_title(title: str, what: str) -> str:
    cleaned = title.strip()
    if not cleaned:
        raise DomainError(_("请填写%(what)s。") % {"what": what}, code="title")
    return cleaned[:128]


def _locked_sheet(sheet: ScoringSheet) -> ScoringSheet:
    """The sheet row locked, after the permission, state and lock checks."""
    locked = (
        ScoringSheet.objects.select_for_update()
        .select_related("batch__institution__organisation")
        .filter(pk=sheet.pk)
        .first()
    )
    if locked is None:
        raise DomainError(_("该评分表已删除。"), code="gone")
    return locked


def _require_unlocked(batch: Batch, component: str) -> None:
    if is_locked(batch, component):
        raise InvalidTransition(_("考评员已开始评分，评分表已锁定，不能再修改。"), code="locked")


def _require_within_hundred(batch: Batch, component: str) -> None:
    total = sheets_total(batch, component)
    if total > HUNDRED:
        raise DomainError(
            _("评分表配分合计不能超过100分（修改后为%(total)s分）。") % {"total": _points(total)},
            code="over_hundred",
        )


def _audit(
    actor: Actor, action: str, obj: models.Model, batch: Batch, changes: dict[str, object]
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        organisation=batch.institution.organisation,
    )


# --- writes -------------------------------------------------------------------------------


def sheet_create(
    *,
    actor: Actor,
    batch: Batch,
    component: str,
    title: str,
    items: Sequence[ItemSpec] = (),
    weight_codes: Sequence[str] = (),
) -> ScoringSheet:
    """A new sheet at the end of the component's sheets with ``items`` (title, maximum
    points, criteria); the component's sheets may not exceed 100 points."""
    require_manager(actor, batch)
    require_component(batch, component)
    title = _checked_title(title, _("考核项目名称"))
    specs = [
        (_checked_title(t, _("评分项名称")), _checked_max(points), criteria.strip())
        for t, points, criteria in items
    ]
    with transaction.atomic():
        batch = lock_batch(batch)
        require_setup(batch)
        _require_unlocked(batch, component)
        last = ScoringSheet.objects.filter(batch=batch, component=component).aggregate(
            last=Max("position")
        )["last"]
        sheet = ScoringSheet.objects.create(
            batch=batch, component=component, position=(last or 0) + 1, title=title
        )
        SheetItem.objects.bulk_create(
            SheetItem(
                sheet=sheet,
                position=n,
                title=item_title,
                max_points=points,
                criteria=criteria,
                weight_code=weight_codes[n - 1][:16] if n <= len(weight_codes) else "",
            )
            for n, (item_title, points, criteria) in enumerate(specs, 1)
        )
        _require_within_hundred(batch, component)
        _audit(
            actor,
            "results.sheet.create",
            sheet,
            batch,
            {
                "component": component,
                "title": title,
                "items": [[t, str(p)] for t, p, _c in specs],
            },
        )
    return sheet


def sheet_from_weights(
    *, actor: Actor, batch: Batch, component: str = PanelComponent.PRACTICAL
) -> ScoringSheet:
    """One sheet with an item per row of the standard level's skill weight table
    (技能要求权重表), its share in percent as the item's maximum points."""
    rows = list(
        WeightRow.objects.filter(
            standard_level_id=batch.standard_level_id, table=WeightTable.SKILL
        ).order_by("position")
    )
    if not rows:
        raise DomainError(
            _("评价依据尚未录入技能要求权重表，请手工建立评分表。"), code="no_weights"
        )
    items = [(row.name, row.percent, "") for row in rows]
    codes = [row.code for row in rows]
    title = _("%(component)s评分表") % {"component": PanelComponent(component).label}
    return sheet_create(
        actor=actor, batch=batch, component=component, title=title, items=items, weight_codes=codes
    )


def item_add(
    *, actor: Actor, sheet: ScoringSheet, title: str, max_points: Decimal, criteria: str = ""
) -> SheetItem:
    require_manager(actor, sheet.batch)
    title = _checked_title(title, _("评分项名称"))
    points = _checked_max(max_points)
    with transaction.atomic():
        sheet = _locked_sheet(sheet)
        batch = sheet.batch
        require_setup(batch)
        _require_unlocked(batch, sheet.component)
        last = sheet.items.aggregate(last=Max("position"))["last"]
        item = SheetItem.objects.create(
            sheet=sheet,
            position=(last or 0) + 1,
            title=title,
            max_points=points,
            criteria=criteria.strip(),
        )
        _require_within_hundred(batch, sheet.component)
        _audit(
            actor,
            "results.sheet_item.add",
            item,
            batch,
            {"sheet": sheet.title, "title": title, "max_points": str(points)},
        )
    return item


def item_update(
    *, actor: Actor, item: SheetItem, title: str, max_points: Decimal, criteria: str = ""
) -> SheetItem:
    require_manager(actor, item.sheet.batch)
    title = _checked_title(title, _("评分项名称"))
    points = _checked_max(max_points)
    with transaction.atomic():
        sheet = _locked_sheet(item.sheet)
        batch = sheet.batch
        require_setup(batch)
        _require_unlocked(batch, sheet.component)
        locked = SheetItem.objects.select_for_update().filter(pk=item.pk, sheet=sheet).first()
        if locked is None:
            raise DomainError(_("该评分项已删除。"), code="gone")
        before = [locked.title, str(locked.max_points), locked.criteria]
        locked.title, locked.max_points, locked.criteria = title, points, criteria.strip()
        locked.save(update_fields=["title", "max_points", "criteria"])
        _require_within_hundred(batch, sheet.component)
        _audit(
            actor,
            "results.sheet_item.update",
            locked,
            batch,
            {"before": before, "after": [title, str(points), locked.criteria]},
        )
    return locked


def item_remove(*, actor: Actor, item: SheetItem) -> None:
    require_manager(actor, item.sheet.batch)
    with transaction.atomic():
        sheet = _locked_sheet(item.sheet)
        batch = sheet.batch
        require_setup(batch)
        _require_unlocked(batch, sheet.component)
        locked = SheetItem.objects.select_for_update().filter(pk=item.pk, sheet=sheet).first()
        if locked is None:
            raise DomainError(_("该评分项已删除。"), code="gone")
        _audit(
            actor,
            "results.sheet_item.remove",
            locked,
            batch,
            {"sheet": sheet.title, "title": locked.title, "max_points": str(locked.max_points)},
        )
        locked.delete()


def sheet_remove(*, actor: Actor, sheet: ScoringSheet) -> None:
    require_manager(actor, sheet.batch)
    with transaction.atomic():
        locked = _locked_sheet(sheet)
        batch = locked.batch
        require_setup(batch)
        _require_unlocked(batch, locked.component)
        _audit(
            actor,
            "results.sheet.remove",
            locked,
            batch,
            {"component": locked.component, "title": locked.title},
        )
        locked.delete()
