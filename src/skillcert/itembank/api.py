"""Item bank JSON API: the current items of a standard level, one item, its state changes."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import ActorRequest
from skillcert.core.errors import PermissionDenied
from skillcert.itembank import selectors, services
from skillcert.itembank.models import Item

router = Router(tags=["itembank"])


class OptionOut(Schema):
    key: str
    text: str


class ItemOut(Schema):
    id: int
    family: str
    version: int
    owner_id: int
    point_code: str
    type: str
    stem: str
    options: list[OptionOut]
    answer: list[str]
    reference_answer: str
    difficulty: int
    status: str
    exposure_count: int


def _out(item: Item) -> ItemOut:
    return ItemOut(
        id=item.pk,
        family=str(item.family),
        version=item.version,
        owner_id=item.owner_id,
        point_code=item.point.code,
        type=item.type,
        stem=item.stem,
        options=[OptionOut(key=o["key"], text=o["text"]) for o in item.options],
        answer=list(item.answer),
        reference_answer=item.reference_answer,
        difficulty=item.difficulty,
        status=item.status,
        exposure_count=item.exposure_count,
    )


def _require_reader(request: ActorRequest) -> None:
    if not services.can_read_bank(request.actor):
        raise PermissionDenied(_("您当前的身份无权查看题库。"))


@router.get(
    "/itembank/levels/{level_id}/items",
    response=list[ItemOut],
    summary="Current item versions of a standard level in scope",
)
def itembank_items(request: ActorRequest, level_id: int) -> list[ItemOut]:
    _require_reader(request)
    level = get_object_or_404(StandardLevel, pk=level_id)
    return [_out(i) for i in selectors.bank_items(actor=request.actor, standard_level=level)]


def _item(request: ActorRequest, item_id: int) -> Item:
    _require_reader(request)
    return get_object_or_404(
        Item.objects.for_actor(request.actor).select_related("point"), pk=item_id
    )


@router.get("/itembank/items/{item_id}", response=ItemOut, summary="One item version")
def itembank_item(request: ActorRequest, item_id: int) -> ItemOut:
    return _out(_item(request, item_id))


TRANSITIONS = {
    "review": services.item_review,
    "activate": services.item_activate,
    "retire": services.item_retire,
}


@router.post(
    "/itembank/items/{item_id}/{action}",
    response=ItemOut,
    summary="Review, activate or retire an item (draft → reviewed → active → retired)",
)
def itembank_item_transition(request: ActorRequest, item_id: int, action: str) -> ItemOut:
    item = _item(request, item_id)
    service = TRANSITIONS.get(action)
    if service is None:
        raise Http404
    return _out(service(actor=request.actor, item=item))
