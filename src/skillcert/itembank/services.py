"""Writes to the item bank: assessment points, items, their versions and their states.

DESIGN.md lifecycle step 4: items per standard and level, tagged with a 鉴定点 and a
difficulty; draft → reviewed → active → retired. An item a paper used is never changed:
editing it makes a new version, so a sealed paper always shows what candidates saw.
Each function is one transaction with one audit event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from skillcert.catalog.models import StandardLevel, WeightRow
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import Role, ScopeLevel
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied, clean_or_raise
from skillcert.core.models import Organisation
from skillcert.itembank.choices import ItemStatus, ItemType
from skillcert.itembank.models import AssessmentPoint, Item, PaperItem

OPTION_KEYS = ("A", "B", "C", "D", "E", "F")
TRUE_FALSE_KEYS = ("T", "F")
# content_errors checks the answer per type (short answers have none; the column has no
# blank=True).
_CHECKED_HERE = ("answer",)
EDITABLE = frozenset({ItemStatus.DRAFT, ItemStatus.REVIEWED, ItemStatus.ACTIVE})

# ---------------------------------------------------------------- who may


def can_edit_bank(actor: Actor, owner: Organisation) -> bool:
    """An institution's admin and exam staff keep its bank; provincial officials keep the
    province's own bank (platform admins and system jobs may act for either)."""
    if actor.is_platform_admin:
        return True
    if actor.role in (Role.INSTITUTION_ADMIN, Role.EXAM_STAFF):
        return actor.organisation_id == owner.pk
    return (
        actor.role == Role.PROVINCE_OFFICIAL
        and owner.level == ScopeLevel.PROVINCE
        and actor.province_code == owner.province_id
    )


def bank_kept_by(actor: Actor) -> Organisation | None:
    """The organisation whose bank (and papers) the actor keeps, if any."""
    org = actor.organisation
    return org if org is not None and can_edit_bank(actor, org) else None


def can_read_bank(actor: Actor) -> bool:
    """Bank pages are for bank keepers and the HR authorities over them."""
    return actor.is_platform_admin or actor.role in (
        Role.INSTITUTION_ADMIN,
        Role.EXAM_STAFF,
        Role.PROVINCE_OFFICIAL,
        Role.CITY_OFFICIAL,
    )


def require_editor(actor: Actor, owner: Organisation) -> None:
    if not can_edit_bank(actor, owner):
        raise PermissionDenied(
            _("只有题库所属单位的管理员、考务人员或省级人社部门可以维护该题库。")
        )


# ---------------------------------------------------------------- validation


@dataclass(frozen=True)
class ItemContent:
    """What an author writes; the services check it per item type."""

    type: str
    stem: str
    options: list[dict[str, str]] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    reference_answer: str = ""
    difficulty: int = 3


def content_errors(content: ItemContent) -> list[tuple[str, str]]:
    """Every problem as (field, message); empty when the item is well formed."""
    errors: list[tuple[str, str]] = []
    if content.type not in ItemType.values:
        return [("type", _("题型无效。"))]
    if not content.stem.strip():
        errors.append(("stem", _("题干不能为空。")))
    if not 1 <= content.difficulty <= 5:
        errors.append(("difficulty", _("难度必须是1到5的整数。")))
    keys = [o.get("key", "") for o in content.options]
    answer = content.answer
    if content.type in (ItemType.SINGLE, ItemType.MULTIPLE):
        if len(keys) < 2:
            errors.append(("options", _("选择题至少需要2个选项。")))
        if len(set(keys)) != len(keys) or any(k not in OPTION_KEYS for k in keys):
            errors.append(("options", _("选项编号必须是A–F且不能重复。")))
        if any(not o.get("text", "").strip() for o in content.options):
            errors.append(("options", _("选项内容不能为空。")))
        if any(a not in keys for a in answer) or len(set(answer)) != len(answer):
            errors.append(("answer", _("答案必须是已有的选项且不能重复。")))
        elif content.type == ItemType.SINGLE and len(answer) != 1:
            errors.append(("answer", _("单项选择题必须有且只有1个正确答案。")))
        elif content.type == ItemType.MULTIPLE and len(answer) < 2:
            errors.append(("answer", _("多项选择题至少需要2个正确答案。")))
    elif content.type == ItemType.TRUE_FALSE:
        if content.options:
            errors.append(("options", _("判断题没有选项。")))
        if len(answer) != 1 or answer[0] not in TRUE_FALSE_KEYS:
            errors.append(("answer", _("判断题的答案必须是“对”或“错”。")))
    else:
        if content.options or answer:
            errors.append(("answer", _("简答题没有选项和标准答案，人工评分。")))
        if not content.reference_answer.strip():
            errors.append(("reference_answer", _("简答题必须填写参考答案。")))
    return errors


def _check_content(content: ItemContent) -> None:
    errors = content_errors(content)
    if errors:
        raise DomainError("；".join(message for _field, message in errors), code="item_invalid")


def _fill(item: Item, content: ItemContent) -> None:
    item.type = content.type
    item.stem = content.stem.strip()
    item.options = [{"key": o["key"], "text": o["text"].strip()} for o in content.options]
    item.answer = sorted(content.answer)
    item.reference_answer = content.reference_answer.strip()
    item.difficulty = content.difficulty


def _snapshot(item: Item) -> dict[str, Any]:
    return {
        "type": item.type,
        "stem": item.stem,
        "options": item.options,
        "answer": item.answer,
        "reference_answer": item.reference_answer,
        "difficulty": item.difficulty,
        "version": item.version,
        "status": item.status,
    }


# ---------------------------------------------------------------- assessment points


@transaction.atomic
def assessment_point_add(
    *,
    actor: Actor,
    standard_level: StandardLevel,
    area: WeightRow,
    code: str,
    name: str,
    importance: str = "X",
) -> AssessmentPoint:
    """Add a 鉴定点 under a knowledge area of the level's theory weight table."""
    org = actor.organisation
    if not (actor.is_platform_admin or (org is not None and can_edit_bank(actor, org))):
        raise PermissionDenied(_("只有题库维护人员可以添加鉴定点。"))
    if area.standard_level_id != standard_level.pk or area.table != "theory":
        raise DomainError(_("知识领域必须是该等级理论知识权重表中的一行。"), code="area_mismatch")
    code = code.strip()
    if AssessmentPoint.objects.filter(standard_level=standard_level, code=code).exists():
        raise DomainError(_("鉴定点编号“%(code)s”已存在。") % {"code": code}, code="point_exists")
    point = AssessmentPoint(
        standard_level=standard_level,
        area=area,
        code=code,
        name=name.strip(),
        importance=importance,
    )
    clean_or_raise(point)
    point.save()
    audit_record(
        actor=actor,
        action="itembank.point_add",
        obj=point,
        changes={"after": {"code": code, "name": point.name, "area": area.name}},
    )
    return point


# ---------------------------------------------------------------- items


def _new_item(*, owner: Organisation, point: AssessmentPoint, content: ItemContent) -> Item:
    _check_content(content)
    item = Item(
        owner=owner,
        standard_level_id=point.standard_level_id,
        point=point,
        family=uuid.uuid4(),
        version=1,
    )
    _fill(item, content)
    clean_or_raise(item, exclude=_CHECKED_HERE)
    item.save()
    return item


@transaction.atomic
def item_create(
    *, actor: Actor, owner: Organisation, point: AssessmentPoint, content: ItemContent
) -> Item:
    """A new draft item (version 1) in ``owner``'s bank."""
    require_editor(actor, owner)
    item = _new_item(owner=owner, point=point, content=content)
    audit_record(
        actor=actor,
        action="itembank.item_create",
        obj=item,
        organisation=owner,
        changes={"after": _snapshot(item)},
    )
    return item


@transaction.atomic
def items_create_many(
    *, actor: Actor, owner: Organisation, rows: list[tuple[AssessmentPoint, ItemContent]]
) -> list[Item]:
    """An import: every row becomes a draft item, all in one transaction, one audit event."""
    require_editor(actor, owner)
    items = [_new_item(owner=owner, point=point, content=content) for point, content in rows]
    audit_record(
        actor=actor,
        action="itembank.item_import",
        obj=None,
        organisation=owner,
        changes={"count": len(items), "ids": [i.pk for i in items]},
    )
    return items


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update(of=("self",)).select_related("owner").get(pk=item.pk)


@transaction.atomic
def item_update(*, actor: Actor, item: Item, content: ItemContent) -> Item:
    """Change an item's content. If a paper used this version, a new version takes its
    place as the current one; otherwise the version changes in place. Either way the
    changed item goes back to draft, to be reviewed again."""
    item = _locked(item)
    require_editor(actor, item.owner)
    if not item.is_current or item.status not in EDITABLE:
        raise InvalidTransition(_("只能修改当前版本且未停用的试题。"))
    _check_content(content)
    before = _snapshot(item)
    if PaperItem.objects.filter(item=item).exists():
        Item.objects.filter(pk=item.pk).update(is_current=False)
        target = Item(
            owner=item.owner,
            standard_level_id=item.standard_level_id,
            point_id=item.point_id,
            family=item.family,
            version=item.version + 1,
            exposure_count=item.exposure_count,
        )
        _fill(target, content)
        clean_or_raise(target, exclude=_CHECKED_HERE)
        target.save()
        action = "itembank.item_new_version"
    else:
        target = item
        _fill(target, content)
        target.status = ItemStatus.DRAFT
        clean_or_raise(target, exclude=_CHECKED_HERE)
        target.save(
            update_fields=[
                "type",
                "stem",
                "options",
                "answer",
                "reference_answer",
                "difficulty",
                "status",
            ]
        )
        action = "itembank.item_update"
    audit_record(
        actor=actor,
        action=action,
        obj=target,
        organisation=item.owner,
        changes={"before": before, "after": _snapshot(target)},
    )
    return target


def _transition(actor: Actor, item: Item, old: str, new: str, verb: str) -> Item:
    item = _locked(item)
    require_editor(actor, item.owner)
    if not item.is_current:
        raise InvalidTransition(_("该试题已有新版本，旧版本只作历史记录。"))
    changed = Item.objects.filter(pk=item.pk, status=old, is_current=True).update(status=new)
    if changed != 1:
        raise InvalidTransition(
            _("该试题状态为“%(status)s”，不能%(verb)s。")
            % {"status": item.get_status_display(), "verb": verb}
        )
    item.status = new
    audit_record(
        actor=actor,
        action=f"itembank.item_{_ACTIONS[new]}",
        obj=item,
        organisation=item.owner,
        changes={"before": {"status": old}, "after": {"status": new}},
    )
    return item


_ACTIONS: dict[str, str] = {
    ItemStatus.REVIEWED: "review",
    ItemStatus.ACTIVE: "activate",
    ItemStatus.RETIRED: "retire",
}


@transaction.atomic
def item_review(*, actor: Actor, item: Item) -> Item:
    """draft → reviewed: a second expert has checked the item."""
    return _transition(actor, item, ItemStatus.DRAFT, ItemStatus.REVIEWED, _("审核"))


@transaction.atomic
def item_activate(*, actor: Actor, item: Item) -> Item:
    """reviewed → active: the item may be drawn into papers."""
    return _transition(actor, item, ItemStatus.REVIEWED, ItemStatus.ACTIVE, _("启用"))


@transaction.atomic
def item_retire(*, actor: Actor, item: Item) -> Item:
    """active → retired: kept for the papers that used it, never drawn again."""
    return _transition(actor, item, ItemStatus.ACTIVE, ItemStatus.RETIRED, _("停用"))
