"""The public verification page /verify/ and the QR route /v/<number>/<token>."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import reverse

from skillcert.certificates import verification
from skillcert.certificates.models import Certificate
from skillcert.certificates.tokens import verification_token, verification_url
from skillcert.core.models import AuditEvent
from tests.certificates.conftest import CertKit
from tests.certificates.test_verification import SHA_V1, SHA_V2, certify, new_version, revoke
from tests.conftest import CAST_ROLES, Cast

pytestmark = pytest.mark.django_db

NEUTRAL = "未查询到匹配的证书"


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def by_number(client: Client, number: str, name: str, **extra: Any) -> Any:
    return client.post(
        reverse("certificates-verify"),
        {"mode": "number", "number-number": number, "number-name": name},
        **extra,
    )


def by_id(client: Client, name: str, id_number: str, **extra: Any) -> Any:
    return client.post(
        reverse("certificates-verify"),
        {"mode": "id", "id-name": name, "id-id_number": id_number},
        **extra,
    )


def text(response: Any) -> str:
    return str(response.content.decode())


def plain_id(certificate: Certificate) -> str:
    return str(certificate.id_number.plain)


def masked(certificate: Certificate) -> str:
    return str(certificate.id_number.masked)


def test_the_form_offers_both_ways_and_the_national_addresses(client: Client) -> None:
    response = client.get(reverse("certificates-verify"))
    assert response.status_code == 200
    page = text(response)
    assert "按证书编号和姓名查询" in page
    assert "按姓名和身份证号查询" in page
    assert page.count('method="post"') >= 2
    assert "zscx.osta.org.cn" in page
    assert "/verify/" in page


def test_looking_up_by_number_and_name_shows_the_record(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    response = by_number(client, certificate.number, certificate.holder_name)
    assert response.status_code == 200
    page = text(response)
    assert 'data-status="valid"' in page
    assert "有效" in page
    assert certificate.number in page
    assert certificate.holder_name in page
    assert masked(certificate) in page
    assert plain_id(certificate) not in page
    assert "五级/初级工" in page
    assert ck.batch.institution.organisation.name in page
    assert "2024-10-15" in page
    assert SHA_V1 in page
    assert "zscx.osta.org.cn" in page
    assert response["Cache-Control"] == "private, no-store"


def test_a_wrong_name_and_a_wrong_number_get_the_same_neutral_answer(
    ck: CertKit, client: Client
) -> None:
    certificate = certify(ck)
    wrong_name = by_number(client, certificate.number, "不是本人")
    wrong_number = by_number(client, certificate.number[:-6] + "999999", certificate.holder_name)
    malformed = by_number(client, "Y00005300", certificate.holder_name)
    for response in (wrong_name, wrong_number, malformed):
        assert response.status_code == 404
        page = text(response)
        assert page.count(NEUTRAL) == 1
        assert 'class="verify-result' not in page
    # The same page but for the echoed entries (and the CSRF token and CSP nonce).
    assert _without_variable_parts(wrong_name, certificate) == _without_variable_parts(
        wrong_number, certificate
    )


def _without_variable_parts(response: Any, certificate: Certificate) -> str:
    page = text(response)
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r'nonce="[^"]+"', "", page)
    return re.sub(r'value="[^"]*"', "", page)


def test_a_revoked_certificate_shows_revoked(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    revoke(certificate)
    page = text(by_number(client, certificate.number, certificate.holder_name))
    assert 'data-status="revoked"' in page
    assert "已撤销" in page
    assert "2025-03-01" in page
    assert "作弊" not in page  # the reason is not public


def test_looking_up_by_name_and_id_number_never_echoes_the_id_number(
    ck: CertKit, client: Client
) -> None:
    certificate = certify(ck)
    response = by_id(client, certificate.holder_name, plain_id(certificate))
    assert response.status_code == 200
    page = text(response)
    assert certificate.number in page
    assert masked(certificate) in page
    assert plain_id(certificate) not in page
    wrong = by_id(client, "不是本人", plain_id(certificate))
    assert wrong.status_code == 404
    assert NEUTRAL in text(wrong)
    assert plain_id(certificate) not in text(wrong)


def test_no_url_the_page_generates_carries_the_id_number(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    full = plain_id(certificate)
    pages = [
        client.get(reverse("certificates-verify")),
        by_id(client, certificate.holder_name, full),
        by_id(client, "不是本人", full),
        by_number(client, certificate.number, certificate.holder_name),
        client.get(verification_url(certificate.number).split("127.0.0.1:8000")[-1]),
    ]
    for response in pages:
        page = text(response)
        urls = re.findall(r'(?:href|action|src)="([^"]*)"', page)
        assert urls
        assert not [u for u in urls if full in u or full[-8:] in u]
        # Every form posts: nothing typed lands in a query string.
        assert not re.search(r'<form(?![^>]*method="post")', page)


def test_the_post_needs_the_csrf_token(ck: CertKit) -> None:
    certificate = certify(ck)
    client = Client(enforce_csrf_checks=True)
    refused = by_number(client, certificate.number, certificate.holder_name)
    assert refused.status_code == 403
    client.get(reverse("certificates-verify"))
    token = client.cookies["csrftoken"].value
    allowed = by_number(client, certificate.number, certificate.holder_name, HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 200


def test_an_empty_field_is_a_form_error_not_a_lookup(ck: CertKit, client: Client) -> None:
    with mock.patch.object(verification, "certificate_row") as row:
        response = by_number(client, "", "")
    assert response.status_code == 400
    row.assert_not_called()


@override_settings(VERIFY_RATE_LIMIT="3/60")
def test_too_many_lookups_are_refused_with_retry_after_and_others_go_on(
    ck: CertKit, client: Client
) -> None:
    certificate = certify(ck)
    with mock.patch("skillcert.certificates.ratelimit._now", return_value=6000.0):
        statuses = [
            by_number(client, certificate.number, certificate.holder_name).status_code
            for _i in range(3)
        ]
        refused = by_number(client, certificate.number, certificate.holder_name)
        other = by_number(
            Client(REMOTE_ADDR="198.51.100.7"), certificate.number, certificate.holder_name
        )
        form = client.get(reverse("certificates-verify"))
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "查询过于频繁" in text(refused)
    assert certificate.holder_name not in text(refused).split("其他查询渠道")[0].split("</h1>")[1]
    assert other.status_code == 200
    assert form.status_code == 200  # the form itself is not limited


def test_a_database_error_shows_cannot_confirm(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    with mock.patch.object(verification, "certificate_row", side_effect=DatabaseError("down")):
        response = by_number(client, certificate.number, certificate.holder_name)
    assert response.status_code == 503
    page = text(response)
    assert "无法确认" in page
    assert 'data-status="valid"' not in page
    assert "有效" not in page.split("其他查询渠道")[0].split("</hgroup>")[1]


def test_verifying_writes_nothing(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    before = AuditEvent.objects.count()
    by_number(client, certificate.number, certificate.holder_name)
    by_id(client, certificate.holder_name, plain_id(certificate))
    assert AuditEvent.objects.count() == before


# --- the QR route -------------------------------------------------------------------------


def qr_path(number: str, token: str) -> str:
    return reverse("certificates-qr", kwargs={"number": number, "token": token})


def test_the_qr_url_printed_on_the_certificate_is_this_route(ck: CertKit) -> None:
    certificate = certify(ck)
    url = verification_url(certificate.number)
    assert url.endswith(qr_path(certificate.number, verification_token(certificate.number)))


@pytest.mark.parametrize("role", CAST_ROLES)
def test_a_scan_shows_the_record_to_anyone(ck: CertKit, cast: Cast, role: str) -> None:
    certificate = certify(ck)
    response = cast.client(role).get(
        qr_path(certificate.number, verification_token(certificate.number))
    )
    assert response.status_code == 200
    page = text(response)
    assert 'data-status="valid"' in page
    assert certificate.holder_name in page
    assert masked(certificate) in page
    assert plain_id(certificate) not in page


def test_a_bad_token_is_the_same_404_as_an_unknown_number(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    other = certify(ck, ck.passed[1])
    unknown = certificate.number[:-6] + "999999"
    responses = [
        client.get(qr_path(certificate.number, verification_token(other.number))),
        client.get(qr_path(certificate.number, "x" * 20)),
        client.get(qr_path(unknown, verification_token(unknown))),
        client.get(qr_path("Y0000", verification_token("Y0000"))),
    ]
    assert {r.status_code for r in responses} == {404}
    assert len({r.content for r in responses}) == 1
    assert certificate.holder_name not in text(responses[0])


def test_an_earlier_versions_qr_code_says_it_was_superseded(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    new_version(certificate)
    response = client.get(qr_path(certificate.number, verification_token(certificate.number, 1)))
    assert response.status_code == 200
    page = text(response)
    assert 'data-status="superseded"' in page
    assert "已被新版本替代" in page
    assert SHA_V2 in page
    assert SHA_V1 not in page
    assert "所扫描的为第1版" in page


def test_a_scan_during_a_database_error_shows_cannot_confirm(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    with mock.patch.object(verification, "certificate_row", side_effect=DatabaseError("down")):
        response = client.get(qr_path(certificate.number, verification_token(certificate.number)))
    assert response.status_code == 503
    assert "无法确认" in text(response)


@override_settings(VERIFY_RATE_LIMIT="2/60")
def test_scans_are_rate_limited(ck: CertKit, client: Client) -> None:
    certificate = certify(ck)
    path = qr_path(certificate.number, verification_token(certificate.number))
    with mock.patch("skillcert.certificates.ratelimit._now", return_value=6030.0):
        statuses = [client.get(path).status_code for _i in range(3)]
    assert statuses == [200, 200, 429]
