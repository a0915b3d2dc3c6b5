"""The item bank JSON API."""

from __future__ import annotations

from django.urls import reverse

from skillcert.itembank.choices import ItemStatus
from tests.itembank.conftest import Bank


def test_items_of_a_level_are_scoped(bank: Bank) -> None:
    item = bank.item()
    url = reverse("api:itembank_items", kwargs={"level_id": bank.level.pk})
    mine = bank.cast.client("institution_a").get(url).json()
    assert [(i["id"], i["point_code"], i["answer"]) for i in mine] == [(item.pk, "1.1.1", ["A"])]
    assert bank.cast.client("institution_b").get(url).json() == []
    assert bank.cast.client("candidate").get(url).status_code == 403


def test_transition_through_the_api(bank: Bank) -> None:
    item = bank.item()
    url = reverse("api:itembank_item_transition", kwargs={"item_id": item.pk, "action": "review"})
    assert bank.cast.client("institution_a").post(url).json()["status"] == ItemStatus.REVIEWED
    again = bank.cast.client("institution_a").post(url)
    assert (again.status_code, again.json()["code"]) == (409, "invalid_state")
    assert bank.cast.client("institution_b").post(url).status_code == 404
    assert bank.cast.client("city_a").post(url).status_code == 403
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEWED
