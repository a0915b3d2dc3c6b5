"""The enrollment JSON API: scoped lists, eligibility per route, review."""

from __future__ import annotations

import json
from typing import Any

import pytest

from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from tests.enrollment.conftest import Enrol, new_candidate


def _post(enrol: Enrol, role: str, application_id: int, body: dict[str, str]) -> Any:
    return enrol.cast.client(role).post(
        f"/api/v1/applications/{application_id}/review",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_lists_are_scoped(enrol: Enrol) -> None:
    mine = enrol.submitted()
    other = enrol.submitted(new_candidate(), batch=enrol.batch_b)
    ids = {
        role: [a["id"] for a in enrol.cast.client(role).get("/api/v1/applications").json()]
        for role in ("candidate", "institution_a", "institution_b", "city_a", "province")
    }
    assert ids == {
        "candidate": [mine.pk],
        "institution_a": [mine.pk],
        "institution_b": [other.pk],
        "city_a": [mine.pk],
        "province": [mine.pk, other.pk],
    }
    assert enrol.cast.client("anonymous").get("/api/v1/applications").status_code == 401


def test_list_filters(enrol: Enrol) -> None:
    good = enrol.submitted()
    bad = enrol.submitted(new_candidate(), years=2)
    client = enrol.cast.client("institution_a")

    def ids(query: str) -> list[int]:
        return [a["id"] for a in client.get(f"/api/v1/applications?{query}").json()]

    assert ids("eligible=true") == [good.pk]
    assert ids("eligible=false") == [bad.pk]
    assert ids(f"batch={enrol.batch.pk}&status=submitted") == [good.pk, bad.pk]
    assert ids(f"batch={enrol.batch_b.pk}") == []
    assert ids("limit=1&offset=1") == [bad.pk]


def test_detail_carries_every_route_and_masks_the_id(enrol: Enrol) -> None:
    application = enrol.submitted(years=2)
    body = enrol.cast.client("city_a").get(f"/api/v1/applications/{application.pk}").json()
    assert body["status"] == "submitted"
    assert body["eligible"] is False
    assert [r["index"] for r in body["eligibility"]] == [0, 1, 2, 3]
    assert body["eligibility"][1]["reasons"] == ["相关工作年限不足：需6年，现有2年"]
    assert body["evidence_kinds"] == ["work_proof"]
    person = application.person
    assert body["id_number_masked"] == str(person.id_number)
    assert person.id_number.plain not in json.dumps(body)


@pytest.mark.parametrize("role", ["institution_b", "city_b", "examiner"])
def test_detail_out_of_scope_is_404(enrol: Enrol, role: str) -> None:
    application = enrol.submitted()
    response = enrol.cast.client(role).get(f"/api/v1/applications/{application.pk}")
    assert response.status_code == 404


def test_review_through_the_api(enrol: Enrol) -> None:
    application = enrol.submitted()
    response = _post(enrol, "institution_a", application.pk, {"decision": "approve"})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["admission_number"] == f"{enrol.batch.code}0001"


def test_review_refusals_answer_with_codes(enrol: Enrol) -> None:
    application = enrol.submitted()
    forbidden = _post(enrol, "city_a", application.pk, {"decision": "approve"})
    assert forbidden.status_code == 403
    no_reason = _post(enrol, "institution_a", application.pk, {"decision": "reject"})
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "required"
    draft = enrol.draft(new_candidate())
    conflict = _post(enrol, "institution_a", draft.pk, {"decision": "approve"})
    assert conflict.status_code == 409
    unknown = _post(enrol, "institution_a", application.pk, {"decision": "maybe"})
    assert unknown.status_code == 422
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Application.objects.filter(status=ApplicationStatus.APPROVED).exists()


def test_the_endpoints_are_in_the_openapi_document(enrol: Enrol) -> None:
    paths = enrol.cast.client("anonymous").get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/applications",
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/review",
    } <= set(paths)
