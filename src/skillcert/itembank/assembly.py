"""Assembling parallel forms of a theory paper from the bank, and sealing them.

Every form meets the blueprint exactly: items per knowledge area and type are exact; per
difficulty the 1:2:4:2:1 target is met, with at most ``DIFFICULTY_TOLERANCE`` items per
cell taken from an adjacent difficulty when the bank lacks the exact one. Between forms
the overlap is kept low: each pick prefers items not used by earlier forms, then items
of the 鉴定点 the form has drawn least from, then the least exposed, then a seeded
random order — so the same bank and seed give the same
papers. Items are shared between forms only when the bank has too few; when the bank
cannot fill even one form, assembly refuses and names every short cell.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import string
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import Job, Organisation
from skillcert.itembank.blueprint import (
    DIFFICULTIES,
    BlueprintSpec,
    blueprint_for,
    difficulty_split,
)
from skillcert.itembank.choices import ItemStatus, ItemType, PaperStatus
from skillcert.itembank.models import Item, Paper, PaperItem
from skillcert.itembank.services import can_edit_bank

MAX_FORMS = len(string.ascii_uppercase)  # forms are labelled A, B, C …

CellKey = tuple[int, str, int]  # (area id, type, difficulty)


@dataclass(frozen=True)
class BankItem:
    """What assembly needs to know of an item."""

    id: int
    area_id: int
    type: str
    difficulty: int
    exposure: int
    point_id: int = 0


@dataclass(frozen=True)
class Shortage:
    area_name: str
    type: str
    difficulty: int
    needed: int
    available: int

    def message(self) -> str:
        return _(
            "知识领域「%(area)s」%(type)s（难度%(difficulty)s）需要%(needed)s道，题库仅有%(available)s道"
        ) % {
            "area": self.area_name,
            "type": ItemType(self.type).label,
            "difficulty": self.difficulty,
            "needed": self.needed,
            "available": self.available,
        }


def cell_takes(
    spec: BlueprintSpec, available: Mapping[CellKey, int]
) -> tuple[dict[CellKey, int], list[Shortage]]:
    """Items to take per (area, type, difficulty) for one form, and the cells the bank
    cannot fill even with the difficulty tolerance. Pure: counts in, counts out."""
    takes: dict[CellKey, int] = {}
    shortages: list[Shortage] = []
    for plan in spec.types:
        for area in spec.areas:
            need = difficulty_split(spec.counts[(area.id, plan.type)])
            have = {d: available.get((area.id, plan.type, d), 0) for d in DIFFICULTIES}
            take = {d: min(need[d], have[d]) for d in DIFFICULTIES}
            for d in DIFFICULTIES:
                deficit = need[d] - take[d]
                if deficit == 0:
                    continue
                if deficit <= spec.difficulty_tolerance:
                    for n in sorted((d - 1, d + 1), key=lambda x: (abs(x - 3), x)):
                        if n in have:
                            move = min(have[n] - take[n], deficit)
                            take[n] += move
                            deficit -= move
                    if deficit == 0:
                        continue
                shortages.append(Shortage(area.name, plan.type, d, need[d], have[d]))
            for d in DIFFICULTIES:
                takes[(area.id, plan.type, d)] = take[d]
    return takes, shortages


def select_forms(
    spec: BlueprintSpec, bank: Iterable[BankItem], *, forms: int, seed: int | str
) -> list[list[BankItem]]:
    """Pick the items of ``forms`` parallel forms (pure and deterministic in ``seed``).

    Raises :class:`DomainError` (code ``bank_short``) naming every cell the bank cannot fill.
    """
    pool: dict[CellKey, list[BankItem]] = defaultdict(list)
    for item in sorted(bank, key=lambda i: i.id):
        pool[(item.area_id, item.type, item.difficulty)].append(item)
    takes, shortages = cell_takes(spec, {key: len(items) for key, items in pool.items()})
    if shortages:
        raise DomainError(
            _("题库试题不足，无法组卷：%(list)s。")
            % {"list": "；".join(shortage.message() for shortage in shortages)},
            code="bank_short",
        )
    rng = random.Random(str(seed))  # noqa: S311 - a reproducible order, not a secret
    order = {item.id: rng.random() for items in pool.values() for item in items}
    used: dict[int, int] = defaultdict(int)
    result: list[list[BankItem]] = []
    for _form in range(forms):
        chosen: list[BankItem] = []
        per_point: dict[int, int] = defaultdict(int)  # this form's items per 鉴定点
        for key, take in takes.items():
            remaining = list(pool[key])
            for _pick in range(take):
                best = min(
                    remaining,
                    key=lambda i: (
                        used[i.id],
                        per_point[i.point_id],
                        i.exposure + used[i.id],
                        order[i.id],
                    ),
                )
                remaining.remove(best)
                per_point[best.point_id] += 1
                chosen.append(best)
        for item in chosen:
            used[item.id] += 1
        result.append(chosen)
    return result


def _bank(
    spec: BlueprintSpec, standard_level: StandardLevel, owner: Organisation
) -> list[BankItem]:
    """The owner's own active items: one institution never draws another's."""
    rows = Item.objects.filter(
        owner=owner,
        standard_level=standard_level,
        status=ItemStatus.ACTIVE,
        is_current=True,
        type__in=[plan.type for plan in spec.types],
        point__area_id__in=[area.id for area in spec.areas],
    ).values_list("id", "point__area_id", "type", "difficulty", "exposure_count", "point_id")
    return [BankItem(*row) for row in rows]


def _check_owner(actor: Actor, owner: Organisation) -> None:
    """Only the keepers of the owner's bank assemble and seal its papers."""
    if not (actor.is_platform_admin or actor.organisation_id == owner.pk):
        raise PermissionDenied(_("只能为本单位组卷。"))
    if not can_edit_bank(actor, owner):
        raise PermissionDenied(
            _("只有题库所属单位的管理员、考务人员或省级人社部门可以组卷和封存试卷。")
        )


@transaction.atomic
def assemble(
    *,
    actor: Actor,
    standard_level: StandardLevel,
    forms: int,
    owner: Organisation,
    title: str,
    seed: int | str,
    job: Job | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Paper]:
    """Assemble ``forms`` parallel papers (A, B, …) that meet the level's blueprint.

    ``progress`` is called with the number of forms written so far."""
    _check_owner(actor, owner)
    if not 1 <= forms <= MAX_FORMS:
        raise DomainError(_("卷数应为1至%(max)s。") % {"max": MAX_FORMS})
    if not title.strip():
        raise DomainError(_("请填写试卷名称。"))
    spec = blueprint_for(standard_level)
    selections = select_forms(spec, _bank(spec, standard_level, owner), forms=forms, seed=seed)
    type_rank = {plan.type: n for n, plan in enumerate(spec.types)}
    area_rank = {area.id: area.position for area in spec.areas}
    papers: list[Paper] = []
    for index, chosen in enumerate(selections):
        paper = Paper.objects.create(
            owner=owner,
            standard_level=standard_level,
            title=title.strip(),
            form_label=string.ascii_uppercase[index],
            assembly=job,
            total_points=spec.total_points,
        )
        ordered = sorted(
            chosen, key=lambda i: (type_rank[i.type], area_rank[i.area_id], i.difficulty, i.id)
        )
        PaperItem.objects.bulk_create(
            PaperItem(paper=paper, item_id=item.id, position=n, points=spec.points_for(item.type))
            for n, item in enumerate(ordered, start=1)
        )
        Item.objects.filter(pk__in=[item.id for item in chosen]).update(
            exposure_count=F("exposure_count") + 1
        )
        audit_record(
            actor=actor,
            action="paper.assemble",
            obj=paper,
            organisation=owner,
            changes={"form": paper.form_label, "items": len(ordered), "seed": str(seed)},
        )
        papers.append(paper)
        if progress is not None:
            progress(index + 1)
    return papers


def paper_content(paper: Paper) -> list[dict[str, Any]]:
    """What a seal covers: each position's item version, text, options, answer and points."""
    rows = PaperItem.objects.filter(paper=paper).select_related("item").order_by("position")
    return [
        {
            "position": row.position,
            "item": row.item_id,
            "version": row.item.version,
            "stem": row.item.stem,
            "options": row.item.options,
            "answer": row.item.answer,
            "points": f"{row.points:.2f}",
        }
        for row in rows
    ]


def paper_hash(paper: Paper) -> str:
    canonical = json.dumps(
        paper_content(paper), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def paper_ensure_open(paper: Paper) -> None:
    """Refuse any change to a sealed paper."""
    if paper.sealed_at is not None:
        raise InvalidTransition(_("试卷已封存，不能修改。"), code="sealed")


@transaction.atomic
def paper_seal(*, actor: Actor, paper: Paper) -> Paper:
    """Record the SHA-256 of the paper's content; the paper can no longer change."""
    _check_owner(actor, paper.owner)
    locked = Paper.objects.select_for_update().get(pk=paper.pk)
    paper_ensure_open(locked)
    locked.content_sha256 = paper_hash(locked)
    locked.sealed_at = timezone.now()
    locked.status = PaperStatus.SEALED
    locked.save(update_fields=["content_sha256", "sealed_at", "status"])
    audit_record(
        actor=actor,
        action="paper.seal",
        obj=locked,
        organisation=locked.owner,
        changes={"content_sha256": locked.content_sha256},
    )
    paper.content_sha256, paper.sealed_at, paper.status = (
        locked.content_sha256,
        locked.sealed_at,
        locked.status,
    )
    return locked


def verify_seal(paper: Paper) -> bool:
    """True when the paper is sealed and its content still hashes to the recorded value."""
    if paper.sealed_at is None or not paper.content_sha256:
        return False
    return hmac.compare_digest(paper_hash(paper), paper.content_sha256)
