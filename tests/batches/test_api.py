"""The batches JSON API: scoped lists and a plan with sessions, staffing and its check."""

from __future__ import annotations

from typing import Any

import pytest

from skillcert.batches.choices import BatchStatus, StaffRole
from tests.batches.conftest import Kit


def test_list_is_scoped(kit: Kit) -> None:
    batch = kit.filed()
    rows = kit.cast.client("city_a").get("/api/v1/batches").json()
    assert [r["code"] for r in rows] == [batch.code]
    row = rows[0]
    assert row["status"] == BatchStatus.FILED
    assert row["occupation_code"] == "6-18-01-01"
    assert row["filing_due"] == batch.filing_due.isoformat()  # type: ignore[union-attr]
    assert row["overdue"] is False
    assert kit.cast.client("city_b").get("/api/v1/batches").json() == []
    assert kit.cast.client("institution_b").get("/api/v1/batches").json() == []
    assert kit.cast.client("candidate").get("/api/v1/batches").json() == []
    assert kit.cast.client("anonymous").get("/api/v1/batches").status_code == 401


def test_list_by_status(kit: Kit) -> None:
    draft, filed = kit.batch(), kit.filed()
    client = kit.cast.client("institution_a")
    assert [r["id"] for r in client.get("/api/v1/batches?status=draft").json()] == [draft.pk]
    assert [r["id"] for r in client.get("/api/v1/batches?status=filed").json()] == [filed.pk]


def test_detail_with_sessions_staffing_and_the_check(kit: Kit) -> None:
    batch = kit.complete(kit.batch(2))
    body = kit.cast.client("institution_a").get(f"/api/v1/batches/{batch.pk}").json()
    assert body["code"] == batch.code
    assert body["components"] == ["theory", "practical", "review"]
    assert [s["component"] for s in body["sessions"]] == ["theory", "practical", "review"]
    assert body["sessions"][0]["room"] == "301机房"
    assert body["sessions"][0]["capacity"] == 30
    staffing = {s["role"]: s["count"] for s in body["staffing"]}
    assert staffing == {
        StaffRole.EXAM_STAFF: 1,
        StaffRole.PROCTOR: 2,
        StaffRole.EXAMINER: 3,
        StaffRole.REVIEW_PANEL: 3,
        StaffRole.INTERNAL_SUPERVISOR: 1,
    }
    assert body["plan_check"] == {"ok": True, "errors": [], "warnings": []}
    assert (body["theory_weight"], body["review_weight"]) == ("20.00", "20.00")


def test_detail_lists_the_errors(kit: Kit) -> None:
    batch = kit.batch()
    body = kit.cast.client("city_a").get(f"/api/v1/batches/{batch.pk}").json()
    assert body["plan_check"]["ok"] is False
    codes = {e["code"] for e in body["plan_check"]["errors"]}
    assert "supervisor_missing" in codes
    assert all(e["message"] for e in body["plan_check"]["errors"])


@pytest.mark.parametrize(("role", "status"), [("city_b", 404), ("institution_b", 404)])
def test_detail_out_of_scope_is_404(kit: Kit, role: str, status: int) -> None:
    batch = kit.batch()
    assert kit.cast.client(role).get(f"/api/v1/batches/{batch.pk}").status_code == status


@pytest.mark.parametrize("extra", [1, 6])
def test_list_queries(kit: Kit, django_assert_num_queries: Any, extra: int) -> None:
    for _n in range(extra):
        kit.complete(kit.batch())
    client = kit.cast.client("province")
    # session, user, memberships (actor); the batches
    with django_assert_num_queries(4):
        assert len(client.get("/api/v1/batches").json()) == extra


def test_in_the_openapi_document(kit: Kit) -> None:
    paths = kit.cast.client("anonymous").get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/batches" in paths
    assert "/api/v1/batches/{batch_id}" in paths
