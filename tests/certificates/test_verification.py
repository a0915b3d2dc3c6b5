"""Public verification's answers (certificates.verification) and the per-client rate
limit (certificates.ratelimit).

Certificates here are made by :func:`certify` the way ``issue_application`` makes them
(number from ``allocate_number``, the person's snapshot, version 1) plus a PDF hash, so
these tests do not wait for the PDF work; one test goes through ``issue_batch``.
Revocation and new versions are set directly on the rows: their services are tested
with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone

from skillcert.certificates import keys, ratelimit, signing, verification
from skillcert.certificates.choices import CertificateStatus, VersionReason
from skillcert.certificates.issuance import issue_batch, new_certificate
from skillcert.certificates.models import Certificate, CertificateVersion
from skillcert.certificates.tokens import verification_token
from skillcert.enrollment.models import Application
from tests.certificates.conftest import CertKit

pytestmark = pytest.mark.django_db

ISSUE_DAY = date(2024, 10, 15)
SHA_V1 = "a1" * 32
SHA_V2 = "b2" * 32
REVOKED_AT = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.get_fixed_timezone(8 * 60))

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> Iterator[None]:
    """Rate counters live in the process's cache: each test starts and ends clean."""
    cache.clear()
    yield
    cache.clear()


def certify(
    ck: CertKit, application: Application | None = None, *, pdf_sha256: str = SHA_V1
) -> Certificate:
    """A certificate for ``application`` (default: the first passed one) as issue makes it."""
    application = application or ck.passed[0]
    with transaction.atomic():
        certificate = new_certificate(application, day=ISSUE_DAY, label="测试")
        CertificateVersion.objects.create(
            certificate=certificate, version=1, reason=VersionReason.ISSUED, pdf_sha256=pdf_sha256
        )
    return certificate


def revoke(certificate: Certificate) -> None:
    certificate.status, certificate.revoked_at = CertificateStatus.REVOKED, REVOKED_AT
    certificate.revoked_reason = "考试作弊，成绩无效"
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])


def new_version(certificate: Certificate, pdf_sha256: str = SHA_V2) -> CertificateVersion:
    """Version 2 (遗失补发): version 1 superseded, the certificate points at 2."""
    CertificateVersion.objects.filter(certificate=certificate, version=1).update(
        superseded_at=REVOKED_AT
    )
    version = CertificateVersion.objects.create(
        certificate=certificate, version=2, reason=VersionReason.REISSUE, pdf_sha256=pdf_sha256
    )
    certificate.version = 2
    certificate.save(update_fields=["version"])
    return version


def plain_id(certificate: Certificate) -> str:
    return str(certificate.id_number.plain)


# --- by number and name -------------------------------------------------------------------


def test_a_valid_certificate_answers_with_its_printed_facts_and_a_masked_id(
    ck: CertKit,
) -> None:
    certificate = certify(ck)
    answer = verification.verify_number(certificate.number, certificate.holder_name)
    assert answer is not None
    assert answer.status == "valid"
    assert answer.status_text == "有效"
    assert answer.number == certificate.number
    assert answer.holder_name == certificate.holder_name
    assert answer.id_type == "居民身份证"
    full = plain_id(certificate)
    assert answer.id_number_masked == full[:6] + "*" * 8 + full[-4:]
    assert answer.occupation_name == "车工"
    assert answer.occupation_code == ck.batch.occupation.code
    assert answer.work_type == certificate.work_type_name
    assert (answer.level, answer.level_text) == (5, "五级/初级工")
    assert answer.institution == ck.batch.institution.organisation.name
    assert answer.issue_date == ISSUE_DAY
    assert (answer.version, answer.pdf_sha256, answer.revoked_at) == (1, SHA_V1, None)
    assert full not in repr(answer)


def test_the_look_up_by_number_is_one_query(
    ck: CertKit, django_assert_num_queries: Capture
) -> None:
    certificate = certify(ck)
    with django_assert_num_queries(1):
        answer = verification.verify_number(certificate.number, certificate.holder_name)
    assert answer is not None
    assert answer.pdf_sha256 == SHA_V1


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: f"  {n} ",
        lambda n: "　".join(n),  # ideographic spaces between the characters
        lambda n: " ".join(n),
    ],
)
def test_the_name_is_compared_without_spaces_and_full_width_forms(
    ck: CertKit, typed: Callable[[str], str]
) -> None:
    certificate = certify(ck)
    answer = verification.verify_number(certificate.number, typed(certificate.holder_name))
    assert answer is not None
    assert answer.number == certificate.number


def test_a_full_width_number_is_read_as_the_number(ck: CertKit) -> None:
    certificate = certify(ck)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in certificate.number)  # Ｙ０００…
    answer = verification.verify_number(wide.lower(), certificate.holder_name)
    assert answer is not None
    assert answer.number == certificate.number


def test_names_with_a_separator_dot_match_however_the_dot_is_typed() -> None:
    assert verification.normalise_name("阿依古丽·买买提") == verification.normalise_name(
        "阿依古丽.买买提"
    )
    assert verification.normalise_name("阿依古丽•买买提") == verification.normalise_name(
        "阿依古丽 · 买买提"
    )
    assert verification.normalise_name("张三") != verification.normalise_name("张三丰")


def test_a_wrong_name_and_an_unknown_number_both_give_none(ck: CertKit) -> None:
    certificate = certify(ck)
    other = certify(ck, ck.passed[1])
    unknown = certificate.number[:-6] + "999999"
    assert verification.verify_number(certificate.number, other.holder_name) is None
    assert verification.verify_number(certificate.number, certificate.holder_name + "甲") is None
    assert verification.verify_number(unknown, certificate.holder_name) is None
    assert verification.verify_number(certificate.number, "") is None


@pytest.mark.parametrize(
    "number", ["", "Y0000530000012451", "X000053000001245000001", "Y000053000001245000000"]
)
def test_a_malformed_number_gives_none_without_a_query(
    ck: CertKit, django_assert_num_queries: Capture, number: str
) -> None:
    with django_assert_num_queries(0):
        assert verification.verify_number(number, "张三") is None


def test_a_revoked_certificate_answers_revoked_with_the_time_but_not_the_reason(
    ck: CertKit,
) -> None:
    certificate = certify(ck)
    revoke(certificate)
    answer = verification.verify_number(certificate.number, certificate.holder_name)
    assert answer is not None
    assert (answer.status, answer.status_text) == ("revoked", "已撤销")
    assert answer.revoked_at == REVOKED_AT
    assert "作弊" not in repr(answer)


def test_a_new_version_shows_its_own_pdf_hash(ck: CertKit) -> None:
    certificate = certify(ck)
    new_version(certificate)
    answer = verification.verify_number(certificate.number, certificate.holder_name)
    assert answer is not None
    assert (answer.status, answer.version, answer.pdf_sha256) == ("valid", 2, SHA_V2)


def test_a_database_error_answers_unknown_never_valid(ck: CertKit) -> None:
    certificate = certify(ck)
    with mock.patch.object(verification, "certificate_row", side_effect=DatabaseError("down")):
        answer = verification.verify_number(certificate.number, certificate.holder_name)
    assert answer is not None
    assert (answer.status, answer.status_text, answer.is_known) == ("unknown", "无法确认", False)
    assert answer.holder_name == ""


def test_a_record_status_this_code_does_not_know_answers_unknown(ck: CertKit) -> None:
    certificate = certify(ck)
    Certificate.objects.filter(pk=certificate.pk).update(status="suspended")
    answer = verification.verify_number(certificate.number, certificate.holder_name)
    assert answer is not None
    assert answer.status == "unknown"


def test_certificates_issued_through_issue_batch_verify(
    ck: CertKit, django_capture_on_commit_callbacks: Capture, settings: Any, tmp_path: Path
) -> None:
    # The PDFs are signed at issue: a deployment CA of this test's own.
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    signing.clear_signers()
    keys.ensure_ca()
    with django_capture_on_commit_callbacks(execute=True):
        issue_batch(actor=ck.admin, batch=ck.batch)
    issued = list(Certificate.objects.filter(batch=ck.batch).order_by("number"))
    assert len(issued) == len(ck.passed)
    for certificate in issued:
        answer = verification.verify_number(certificate.number, certificate.holder_name)
        assert answer is not None
        assert answer.status == "valid"
        assert answer.holder_name == certificate.person.full_name
        assert answer.pdf_sha256 == certificate.versions.get(version=1).pdf_sha256 != ""
        found = verification.lookup(certificate.holder_name, plain_id(certificate))
        assert [a.number for a in found] == [certificate.number]
    failed = ck.failed[0].person
    assert verification.lookup(failed.full_name, str(failed.id_number.plain)) == []


# --- by name and ID number ----------------------------------------------------------------


def test_lookup_by_name_and_id_number_finds_the_holders_certificates(ck: CertKit) -> None:
    certificate = certify(ck)
    certify(ck, ck.passed[1])  # someone else's
    found = verification.lookup(certificate.holder_name, plain_id(certificate))
    assert [a.number for a in found] == [certificate.number]
    assert found[0].id_number_masked != plain_id(certificate)


def test_lookup_accepts_the_id_number_as_people_type_it(ck: CertKit) -> None:
    certificate = certify(ck)
    full = plain_id(certificate)
    typed = f" {full[:6]} {full[6:14]} {full[14:].lower()} "
    assert [a.number for a in verification.lookup(certificate.holder_name, typed)] == [
        certificate.number
    ]


def test_lookup_with_a_wrong_name_or_id_number_finds_nothing(ck: CertKit) -> None:
    certificate = certify(ck)
    other = ck.passed[1].person
    assert verification.lookup(other.full_name, plain_id(certificate)) == []
    assert verification.lookup(certificate.holder_name, str(other.id_number.plain)) == []


@pytest.mark.parametrize("id_number", ["", "12", "5301<script>", "x" * 30])
def test_lookup_with_an_impossible_id_number_finds_nothing_without_a_query(
    ck: CertKit, django_assert_num_queries: Capture, id_number: str
) -> None:
    with django_assert_num_queries(0):
        assert verification.lookup("张三", id_number) == []


def test_lookup_answers_unknown_when_the_database_fails(ck: CertKit) -> None:
    certificate = certify(ck)
    with mock.patch.object(
        verification, "certificate_rows_by_index", side_effect=DatabaseError("down")
    ):
        found = verification.lookup(certificate.holder_name, plain_id(certificate))
    assert [a.status for a in found] == ["unknown"]


def test_lookup_shows_revoked_certificates_as_revoked(ck: CertKit) -> None:
    certificate = certify(ck)
    revoke(certificate)
    [answer] = verification.lookup(certificate.holder_name, plain_id(certificate))
    assert answer.status == "revoked"


# --- QR codes -----------------------------------------------------------------------------


def test_a_qr_token_shows_the_record(ck: CertKit) -> None:
    certificate = certify(ck)
    answer = verification.verify_qr(certificate.number, verification_token(certificate.number))
    assert answer is not None
    assert (answer.status, answer.holder_name) == ("valid", certificate.holder_name)
    assert answer.scanned_version is None


def test_a_bad_token_gives_none_like_an_unknown_number(ck: CertKit) -> None:
    certificate = certify(ck)
    other = certify(ck, ck.passed[1])
    assert verification.verify_qr(certificate.number, verification_token(other.number)) is None
    assert verification.verify_qr(certificate.number, "A" * 20) is None
    assert verification.verify_qr(certificate.number, "short") is None
    unknown = certificate.number[:-6] + "999999"
    assert verification.verify_qr(unknown, verification_token(unknown)) is None


def test_an_earlier_versions_qr_code_says_superseded_with_the_current_facts(
    ck: CertKit,
) -> None:
    certificate = certify(ck)
    new_version(certificate)
    old = verification.verify_qr(certificate.number, verification_token(certificate.number, 1))
    assert old is not None
    assert (old.status, old.status_text) == ("superseded", "已被新版本替代")
    assert (old.version, old.scanned_version, old.pdf_sha256) == (2, 1, SHA_V2)
    assert old.superseded_at == REVOKED_AT
    assert "第1版" in old.note
    assert "第2版" in old.note
    current = verification.verify_qr(certificate.number, verification_token(certificate.number, 2))
    assert current is not None
    assert current.status == "valid"


def test_a_token_of_a_version_not_made_yet_gives_none(ck: CertKit) -> None:
    certificate = certify(ck)
    assert (
        verification.verify_qr(certificate.number, verification_token(certificate.number, 2))
        is None
    )


def test_revoked_wins_over_superseded(ck: CertKit) -> None:
    certificate = certify(ck)
    new_version(certificate)
    revoke(certificate)
    answer = verification.verify_qr(certificate.number, verification_token(certificate.number, 1))
    assert answer is not None
    assert answer.status == "revoked"


def test_a_qr_check_during_a_database_error_answers_unknown(ck: CertKit) -> None:
    certificate = certify(ck)
    with mock.patch.object(verification, "certificate_row", side_effect=DatabaseError("down")):
        answer = verification.verify_qr(certificate.number, verification_token(certificate.number))
    assert answer is not None
    assert answer.status == "unknown"


# --- the rate limit -----------------------------------------------------------------------


def _request(address: str = "203.0.113.5", forwarded: str = "") -> Any:
    request = RequestFactory().post("/verify/", REMOTE_ADDR=address)
    if forwarded:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("30/60", ratelimit.Rate(30, 60)),
        (" 5/1 ", ratelimit.Rate(5, 1)),
        ("10", ratelimit.Rate(10, 60)),
        ("off", None),
        ("", None),
    ],
)
def test_rates_parse(text: str, rate: ratelimit.Rate | None) -> None:
    assert ratelimit.parse_rate(text) == rate


@pytest.mark.parametrize("text", ["a/60", "0/60", "30/0", "30/x"])
def test_malformed_rates_fail_loudly(text: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        ratelimit.parse_rate(text)


@override_settings(VERIFY_RATE_LIMIT="3/60")
def test_a_client_past_the_limit_waits_for_the_window_and_others_go_on() -> None:
    with mock.patch.object(ratelimit, "_now", return_value=6000.0 + 15):
        verdicts = [ratelimit.hit(_request()) for _i in range(4)]
        other = ratelimit.hit(_request("198.51.100.7"))
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert verdicts[3].retry_after == 45
    assert other.allowed
    assert "45秒" in ratelimit.refusal_message(verdicts[3])
    with mock.patch.object(ratelimit, "_now", return_value=6060.0):
        assert ratelimit.hit(_request()).allowed


@override_settings(VERIFY_RATE_LIMIT="1/60", VERIFY_TRUST_FORWARDED=False)
def test_forwarded_addresses_are_ignored_unless_trusted() -> None:
    with mock.patch.object(ratelimit, "_now", return_value=6000.0):
        assert ratelimit.hit(_request("10.0.0.1", forwarded="203.0.113.1")).allowed
        assert not ratelimit.hit(_request("10.0.0.1", forwarded="203.0.113.2")).allowed


@override_settings(VERIFY_RATE_LIMIT="1/60", VERIFY_TRUST_FORWARDED=True)
def test_the_first_forwarded_hop_is_the_client_behind_a_trusted_proxy() -> None:
    request = _request("10.0.0.1", forwarded="203.0.113.1, 10.0.0.9")
    assert ratelimit.client_address(request) == "203.0.113.1"
    with mock.patch.object(ratelimit, "_now", return_value=6000.0):
        assert ratelimit.hit(request).allowed
        assert ratelimit.hit(_request("10.0.0.1", forwarded="203.0.113.2")).allowed
        assert not ratelimit.hit(_request("10.0.0.1", forwarded="203.0.113.1")).allowed


@override_settings(VERIFY_RATE_LIMIT="1/60")
def test_requests_are_allowed_when_the_cache_is_down(caplog: pytest.LogCaptureFixture) -> None:
    with mock.patch(
        "skillcert.certificates.ratelimit.cache.add", side_effect=ConnectionError("no cache")
    ):
        verdicts = [ratelimit.hit(_request()) for _i in range(3)]
    assert all(v.allowed for v in verdicts)
    assert "cache unavailable" in caplog.text


@override_settings(VERIFY_RATE_LIMIT="off")
def test_a_lifted_limit_never_touches_the_cache() -> None:
    with mock.patch(
        "skillcert.certificates.ratelimit.cache.add", side_effect=AssertionError("used")
    ):
        assert all(ratelimit.hit(_request()).allowed for _i in range(100))


def test_the_cache_keeps_no_readable_address() -> None:
    with mock.patch.object(ratelimit, "_now", return_value=6000.0):
        ratelimit.hit(_request("203.0.113.77"))
    key = ratelimit._key("verify", ratelimit.Rate(30, 60), 100, "203.0.113.77")
    assert cache.get(key) == 1
    assert "203.0.113.77" not in key
