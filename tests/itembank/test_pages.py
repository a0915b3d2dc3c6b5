"""The bank page, its downloads, imports and item actions through the browser."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from skillcert.core.models import AuditEvent
from skillcert.itembank.choices import ItemStatus
from skillcert.itembank.models import Item
from tests.itembank.conftest import Bank
from tests.itembank.test_exchange import GOOD, _xlsx


def test_bank_page_counts_and_flags_short_points(bank: Bank) -> None:
    for _ in range(4):
        bank.item(point=0)
    bank.item(point=1, difficulty=5)
    client = bank.cast.client("institution_a")
    response = client.get(reverse("itembank-bank", kwargs={"level_pk": bank.level.pk}))
    assert response.status_code == 200
    coverage = {c.point.code: (c.items, c.short) for c in response.context["coverage"]}
    assert coverage == {"1.1.1": (4, False), "2.1.1": (1, True)}
    counts = [(r.area, r.by_difficulty, r.total) for r in response.context["counts"]]
    assert counts == [("基础知识", [0, 4, 0, 0, 0], 4), ("相关知识", [0, 0, 0, 0, 1], 1)]
    assert "不足" in response.content.decode()


def test_other_institutions_see_none_of_the_items(bank: Bank) -> None:
    bank.item()
    response = bank.cast.client("institution_b").get(
        reverse("itembank-bank", kwargs={"level_pk": bank.level.pk})
    )
    assert response.status_code == 200
    assert list(response.context["items"]) == []
    assert response.context["own_bank"] == bank.cast.orgs["institution_b"]


def test_import_through_the_page(bank: Bank) -> None:
    client = bank.cast.client("institution_a")
    url = reverse("itembank-import", kwargs={"level_pk": bank.level.pk})

    response = client.post(url, {"file": SimpleUploadedFile("items.xlsx", _xlsx(GOOD))})
    assert response.status_code == 302
    assert Item.objects.filter(owner=bank.owner).count() == len(GOOD)


def test_denied_import_changes_nothing(bank: Bank) -> None:

    url = reverse("itembank-import", kwargs={"level_pk": bank.level.pk})
    for role in ("examiner", "city_a", "education"):
        response = bank.cast.client(role).post(
            url, {"file": SimpleUploadedFile("items.xlsx", _xlsx(GOOD))}
        )
        assert response.status_code == 403
    assert not Item.objects.exists()


def test_item_actions_through_the_page(bank: Bank) -> None:
    item = bank.item()
    url = reverse("itembank-item-transition", kwargs={"pk": item.pk, "action": "review"})
    assert bank.cast.client("institution_b").post(url).status_code == 404
    assert bank.cast.client("institution_a").post(url).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEWED
    assert AuditEvent.objects.filter(action="itembank.item_review").count() == 1
    # A refused step is a message, not an error page, and changes nothing.
    again = bank.cast.client("institution_a").post(url, follow=True)
    assert "不能审核" in again.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.REVIEWED


def test_downloads(bank: Bank) -> None:
    item = bank.item(stem="<车刀>")
    client = bank.cast.client("city_a")
    qti = client.get(reverse("itembank-item-qti", kwargs={"pk": item.pk}))
    assert qti["Content-Type"] == "application/xml"
    assert b"qti-assessment-item" in qti.content
    assert b"&lt;\xe8\xbd\xa6\xe5\x88\x80&gt;" in qti.content
    export = client.get(reverse("itembank-export", kwargs={"level_pk": bank.level.pk}))
    assert export.status_code == 200
    assert export.content.startswith(b"PK")


def test_bank_page_query_count_does_not_grow(
    bank: Bank, django_assert_max_num_queries: Any
) -> None:
    for point in (0, 1, 0):
        bank.item(point=point)
    client = bank.cast.client("institution_a")
    url = reverse("itembank-bank", kwargs={"level_pk": bank.level.pk})
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for point in (1, 0, 1, 1):
        bank.item(point=point)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)
