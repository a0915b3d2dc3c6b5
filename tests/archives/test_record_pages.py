"""The archive pages over HTTP: scoped reads, refusals that write nothing, and the
disposal flow through the forms."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.archives.choices import DisposalStatus, RecordStatus
from skillcert.archives.models import ArchiveRecord, DisposalList, LegalHold
from skillcert.batches.choices import BatchStatus
from skillcert.core.models import AuditEvent
from skillcert.exams.models import CheckIn
from tests.archives.builders_records import ArchiveKit, archived, issued
from tests.conftest import Cast

Queries = Callable[..., Any]


@pytest.fixture
def kit(cast: Cast) -> ArchiveKit:
    return issued(cast, traces=False)


def post(client: Client, name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return client.post(reverse(name, kwargs=kwargs), data or {})


def test_the_institution_archives_from_the_batch_page(kit: ArchiveKit) -> None:
    client = kit.cast.client("institution_a")
    page = client.get(reverse("archives-batch-records", kwargs={"batch_pk": kit.batch.pk}))
    assert page.status_code == 200
    assert 'id="archive-submit"' in page.content.decode()
    registry = client.get(reverse("archives-records"))
    assert f'id="awaiting-{kit.batch.pk}"' in registry.content.decode()
    response = post(client, "archives-batch-archive", batch_pk=kit.batch.pk)
    assert response.status_code == 302
    assert kit.batch.status == BatchStatus.ARCHIVED
    page = client.get(reverse("archives-batch-records", kwargs={"batch_pk": kit.batch.pk}))
    text = page.content.decode()
    assert "已归档" in text
    assert 'id="record-signin_sheets"' in text
    assert 'id="archive-submit"' not in text
    response = post(
        client, "archives-batch-video", {"note": "录像服务器NVR-03"}, batch_pk=kit.batch.pk
    )
    assert response.status_code == 302
    assert kit.records()["video"].note == "录像服务器NVR-03"


@pytest.mark.parametrize(
    ("role", "status"),
    [("candidate", 403), ("education", 403), ("examiner", 403), ("city_b", 404),
     ("institution_b", 404), ("anonymous", 302)],
)  # fmt: skip
def test_archiving_refusals_write_nothing(kit: ArchiveKit, role: str, status: int) -> None:
    before = AuditEvent.objects.count()
    response = post(kit.cast.client(role), "archives-batch-archive", batch_pk=kit.batch.pk)
    assert response.status_code == status
    assert not ArchiveRecord.objects.exists()
    assert AuditEvent.objects.count() == before


def test_city_a_in_scope_but_not_the_archivist(kit: ArchiveKit) -> None:
    before = AuditEvent.objects.count()
    response = post(kit.cast.client("city_a"), "archives-batch-archive", batch_pk=kit.batch.pk)
    assert response.status_code == 302  # back to the page, with the refusal as a message
    assert not ArchiveRecord.objects.exists()
    assert AuditEvent.objects.count() == before


def test_the_registry_is_scoped_and_filtered(cast: Cast) -> None:
    kit = archived(cast)
    url = reverse("archives-records")
    mine = cast.client("institution_a").get(url).content.decode()
    assert mine.count('id="record-') == 20
    other = cast.client("city_b").get(url)
    assert other.status_code == 200
    assert 'id="no-records"' in other.content.decode()
    long_term = cast.client("city_a").get(url, {"retention_class": "long_term"}).content.decode()
    assert long_term.count('id="record-') == sum(
        1 for r in kit.records().values() if r.retention_class == "long_term"
    )
    due = cast.client("province").get(url, {"due_before": "2024-01-01"}).content.decode()
    assert due.count('id="record-') == sum(
        1 for r in kit.records().values() if r.keep_until and r.keep_until.year == 2023
    )


def test_the_registry_query_count_does_not_grow_with_rows(
    cast: Cast, django_assert_num_queries: Queries
) -> None:
    archived(cast)
    client = cast.client("province")
    url = reverse("archives-records")
    client.get(url)  # warm the session
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.content.decode().count('id="record-') == 20


def test_holds_over_http(cast: Cast) -> None:
    kit = archived(cast)
    city = cast.client("city_a")
    form = city.get(reverse("archives-hold-new"))
    assert form.status_code == 200
    response = city.post(
        reverse("archives-hold-new"),
        {"institution": kit.batch.institution.pk, "batch": kit.batch.pk, "reason": "投诉核查"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert hold.batch_id == kit.batch.pk
    page = cast.client("institution_a").get(
        reverse("archives-batch-records", kwargs={"batch_pk": kit.batch.pk})
    )
    assert "投诉核查" in page.content.decode()
    # City B does not see the hold: releasing it is a 404 and changes nothing.
    refused = post(cast.client("city_b"), "archives-hold-release", {"note": "x"}, pk=hold.pk)
    assert refused.status_code == 404
    institution = post(
        cast.client("institution_a"), "archives-hold-release", {"note": "x"}, pk=hold.pk
    )
    assert institution.status_code == 403
    hold.refresh_from_db()
    assert hold.released_at is None
    post(city, "archives-hold-release", {"note": "核查完毕"}, pk=hold.pk)
    hold.refresh_from_db()
    assert hold.release_note == "核查完毕"


def test_the_disposal_flow_over_http(cast: Cast) -> None:
    kit = archived(cast)
    institution = cast.client("institution_a")
    city = cast.client("city_a")
    record = kit.records()["signin_sheets"]
    new = institution.get(reverse("archives-disposal-new"))
    assert new.status_code == 200
    assert f'value="{record.pk}"' in new.content.decode()
    # A long-term record is not offered and not accepted.
    applications = kit.records()["applications"]
    assert f'value="{applications.pk}"' not in new.content.decode()
    bad = institution.post(reverse("archives-disposal-new"), {"records": [applications.pk]})
    assert bad.status_code == 400
    assert not DisposalList.objects.exists()
    response = institution.post(reverse("archives-disposal-new"), {"records": [record.pk]})
    assert response.status_code == 302
    listed = DisposalList.objects.get()
    assert response["Location"] == reverse("archives-disposal-detail", kwargs={"pk": listed.pk})
    # Nobody else decides or executes; the other city sees nothing.
    assert post(city, "archives-disposal-execute", pk=listed.pk).status_code == 302
    assert post(cast.client("city_b"), "archives-disposal-decide", pk=listed.pk).status_code == 404
    post(institution, "archives-disposal-submit", pk=listed.pk)
    decide = {"decision": "approve", "note": ""}
    post(institution, "archives-disposal-decide", decide, pk=listed.pk)
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.SUBMITTED
    detail = city.get(reverse("archives-disposal-detail", kwargs={"pk": listed.pk}))
    assert 'id="disposal-decide"' in detail.content.decode()
    post(city, "archives-disposal-decide", decide, pk=listed.pk)
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.APPROVED
    post(institution, "archives-disposal-execute", pk=listed.pk)
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.EXECUTED
    record.refresh_from_db()
    assert record.status == RecordStatus.DISPOSED
    assert not CheckIn.objects.filter(session__batch=kit.batch).exists()
    detail = institution.get(reverse("archives-disposal-detail", kwargs={"pk": listed.pk}))
    assert "已销毁" in detail.content.decode()
    export = city.get(reverse("archives-disposal-export", kwargs={"pk": listed.pk}))
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert book.active is not None
    assert any(listed.number in (row or ()) for row in book.active.iter_rows(values_only=True))


def test_withdrawing_a_list_over_http(cast: Cast) -> None:
    kit = archived(cast)
    institution = cast.client("institution_a")
    listed = kit.listed()
    detail = reverse("archives-disposal-detail", kwargs={"pk": listed.pk})
    assert 'id="disposal-withdraw"' in institution.get(detail).content.decode()
    assert 'id="disposal-withdraw"' not in cast.client("city_a").get(detail).content.decode()
    # The city is refused with a message, the other institution does not see the list.
    assert (
        post(cast.client("city_a"), "archives-disposal-withdraw", pk=listed.pk).status_code == 302
    )
    assert (
        post(cast.client("institution_b"), "archives-disposal-withdraw", pk=listed.pk).status_code
        == 404
    )
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.DRAFT
    response = post(institution, "archives-disposal-withdraw", pk=listed.pk)
    assert response["Location"] == detail
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.WITHDRAWN
    assert not ArchiveRecord.objects.filter(status=RecordStatus.LISTED).exists()
    page = institution.get(detail).content.decode()
    assert "已撤回" in page
    assert 'id="disposal-withdraw"' not in page
