"""Public verification in Chromium: a member of the public looks a certificate up by
number and name and sees it is valid, then opens the certificate's QR code link and
sees the record without typing. The certificate is issued as ``issue_application``
issues it (tests/certificates/test_verification.py ``certify``).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from skillcert.certificates.tokens import verification_token
from tests.certificates.conftest import build_issuable
from tests.certificates.test_verification import SHA_V1, certify
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_verifies_by_number_and_name_and_by_qr_code(live_server: Any, page: Any) -> None:
    certificate = certify(build_issuable(build_cast(), passed=1, failed=0))
    masked = str(certificate.id_number.masked)
    base = live_server.url

    page.goto(f"{base}/verify/")
    form = page.locator("#verify-by-number")
    form.get_by_label("证书编号").fill(certificate.number)
    form.get_by_label("姓名").fill(f" {certificate.holder_name} ")
    form.locator("#verify-number-submit").click()
    result = page.locator(".verify-result")
    expect(result.locator(".verify-status")).to_have_text("有效")
    expect(result.locator(".verify-number")).to_have_text(certificate.number)
    expect(result.locator(".verify-id")).to_have_text(masked)
    expect(result.locator(".verify-sha256")).to_have_text(SHA_V1)
    assert "/verify/" in page.url
    assert str(certificate.id_number.plain) not in page.content()

    # A wrong name: the one neutral message, no record.
    form = page.locator("#verify-by-number")
    form.get_by_label("证书编号").fill(certificate.number)
    form.get_by_label("姓名").fill("不是本人")
    form.locator("#verify-number-submit").click()
    expect(page.locator("#verify-error")).to_have_text("未查询到匹配的证书")
    expect(page.locator(".verify-result")).to_have_count(0)

    page.goto(f"{base}/v/{certificate.number}/{verification_token(certificate.number)}")
    result = page.locator(".verify-result")
    expect(result.locator(".verify-status")).to_have_text("有效")
    expect(result.locator(".verify-name")).to_have_text(certificate.holder_name)
    expect(result.locator(".verify-id")).to_have_text(masked)
