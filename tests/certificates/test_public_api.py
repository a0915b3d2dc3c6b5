"""The public verification API: GET /api/v1/public/certificates/{number}?name=… and
POST /api/v1/public/certificates/lookup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client, override_settings

from skillcert.certificates import verification
from skillcert.certificates.models import Certificate
from tests.certificates.conftest import CertKit
from tests.certificates.test_verification import SHA_V1, certify, revoke
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

BASE = "/api/v1/public/certificates"
NOT_FOUND = {"code": "not_found", "detail": "未查询到匹配的证书"}


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def get(client: Client, number: str, name: str, **extra: Any) -> Any:
    return client.get(f"{BASE}/{number}", {"name": name}, **extra)


def lookup(client: Client, name: str, id_number: str, **extra: Any) -> Any:
    body = json.dumps({"name": name, "id_number": id_number})
    return client.post(f"{BASE}/lookup", body, content_type="application/json", **extra)


def plain_id(certificate: Certificate) -> str:
    return str(certificate.id_number.plain)


def test_a_valid_certificate(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    response = get(client, certificate.number, certificate.holder_name)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    full = plain_id(certificate)
    assert body == {
        "number": certificate.number,
        "status": "valid",
        "status_text": "有效",
        "holder_name": certificate.holder_name,
        "id_type": "居民身份证",
        "id_number_masked": full[:6] + "********" + full[-4:],
        "occupation_name": "车工",
        "occupation_code": ck.batch.occupation.code,
        "work_type": certificate.work_type_name,
        "level": 5,
        "level_text": "五级/初级工",
        "institution": ck.batch.institution.organisation.name,
        "issue_date": "2024-10-15",
        "version": 1,
        "pdf_sha256": SHA_V1,
        "revoked_at": None,
    }
    assert full not in response.content.decode()


def test_a_revoked_certificate(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    revoke(certificate)
    body = get(client, certificate.number, certificate.holder_name).json()
    assert (body["status"], body["revoked_at"]) == ("revoked", "2025-03-01T09:30:00+08:00")
    assert "作弊" not in json.dumps(body, ensure_ascii=False)


def test_wrong_name_wrong_number_and_malformed_number_answer_the_same_bytes(
    ck: CertKit, client: Client
) -> None:
    certificate = certify(ck)
    responses = [
        get(client, certificate.number, "不是本人"),
        get(client, certificate.number[:-6] + "999999", certificate.holder_name),
        get(client, "Y00005300000124", certificate.holder_name),
        get(client, certificate.number, ""),
    ]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert len({r["Content-Type"] for r in responses}) == 1
    assert responses[0].json() == NOT_FOUND


def test_the_name_is_required(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    assert client.get(f"{BASE}/{certificate.number}").status_code == 422


def test_lookup_by_name_and_id_number(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    certify(ck, ck.passed[1])
    response = lookup(client, certificate.holder_name, plain_id(certificate))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["number"] for r in results] == [certificate.number]
    assert results[0]["id_number_masked"] == certificate.id_number.masked
    assert plain_id(certificate) not in response.content.decode()


def test_lookup_without_a_match_is_the_same_404(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    other = ck.passed[1].person
    responses = [
        lookup(client, "不是本人", plain_id(certificate)),
        lookup(client, certificate.holder_name, str(other.id_number.plain)),
        lookup(client, certificate.holder_name, "123"),
        get(client, certificate.number, "不是本人"),
    ]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1


def test_the_lookup_post_needs_no_csrf_token_even_with_a_session(ck: CertKit, cast: Cast) -> None:
    certificate = certify(ck)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["institution_b"])
    response = lookup(client, certificate.holder_name, plain_id(certificate))
    assert response.status_code == 200
    anonymous = Client(enforce_csrf_checks=True)
    assert lookup(anonymous, certificate.holder_name, plain_id(certificate)).status_code == 200


@override_settings(VERIFY_RATE_LIMIT="2/60")
def test_past_the_limit_the_api_answers_429_and_other_clients_go_on(
    ck: CertKit, client: Client
) -> None:
    certificate = certify(ck)
    with mock.patch("skillcert.certificates.ratelimit._now", return_value=6010.0):
        first = get(client, certificate.number, certificate.holder_name)
        second = lookup(client, certificate.holder_name, plain_id(certificate))
        refused = get(client, certificate.number, certificate.holder_name)
        refused_lookup = lookup(client, certificate.holder_name, plain_id(certificate))
        other = get(Client(REMOTE_ADDR="198.51.100.7"), certificate.number, certificate.holder_name)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (refused.status_code, refused_lookup.status_code) == (429, 429)
    assert refused["Retry-After"] == "50"
    assert refused.json() == {"code": "rate_limited", "detail": "查询过于频繁，请在50秒后再试。"}
    assert other.status_code == 200


def test_a_database_error_answers_503_unknown(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    with mock.patch.object(verification, "certificate_row", side_effect=DatabaseError("down")):
        response = get(client, certificate.number, certificate.holder_name)
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["code"], body["number"]) == (
        "unknown",
        "unknown",
        certificate.number,
    )
    assert "valid" not in response.content.decode()
    with mock.patch.object(
        verification, "certificate_rows_by_index", side_effect=DatabaseError("down")
    ):
        found = lookup(client, certificate.holder_name, plain_id(certificate))
    assert found.status_code == 503
    assert found.json()["status"] == "unknown"


def test_the_openapi_document_lists_both_operations_without_auth(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    single = document["paths"]["/api/v1/public/certificates/{number}"]["get"]
    found = document["paths"]["/api/v1/public/certificates/lookup"]["post"]
    for operation in (single, found):
        assert "security" not in operation or operation["security"] == []
        assert {"200", "404", "429", "503"} <= set(operation["responses"])
    assert [p["name"] for p in single["parameters"]] == ["number", "name"]
    assert [p["in"] for p in single["parameters"]] == ["path", "query"]
    # The ID number is a body field of the POST, never a parameter of a URL.
    assert "parameters" not in found or all(p["name"] != "id_number" for p in found["parameters"])
    assert "requestBody" in found
