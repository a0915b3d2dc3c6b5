"""Issuing a batch's certificates to the candidate's download in Chromium (issue 7).

The exam staff open the batch's certificate page, press 发放证书 and watch the run
finish; the candidate signs in, opens 我的证书, downloads the signed PDF (pdfsig checks
its signature when poppler is installed) and opens the verification link, which says
有效. The batch with approved results is built through the services.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from skillcert.certificates.models import Certificate
from tests.browser.helpers import log_in
from tests.certificates.conftest import build_issuable
from tests.certificates.matrix_pages import keys_for_test, link_candidate
from tests.certificates.test_signing import _pdfsig
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_issue_and_the_candidate_downloads_and_verifies(
    live_server: Any, browser: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    keys_for_test(settings, tmp_path / "keys")
    cache.clear()  # public verification counts requests per client
    base = live_server.url
    settings.SITE_URL = base  # the QR code's and the verification link's host
    ck = build_issuable(build_cast(), passed=2, failed=1)
    link_candidate(ck)

    log_in(page, base, "cast_institution_a")
    page.goto(f"{base}/batches/{ck.batch.pk}/")
    page.click("#certificates-link")
    expect(page.locator("#no-run")).to_be_visible()
    page.click("#action-issue")
    expect(page.locator("#run-status")).to_have_attribute("data-status", "done")
    expect(page.locator("#run-bar")).to_have_attribute("value", "100")
    expect(page.locator("#batch-status")).to_have_attribute("data-status", "certificates_issued")
    certificate = Certificate.objects.get(application=ck.passed[0])
    row = page.locator(f"#certificate-{certificate.pk}")
    expect(row).to_contain_text(certificate.number)
    expect(row).to_contain_text(certificate.id_number.masked)
    expect(page.locator("#certificates tbody tr")).to_have_count(2)
    assert certificate.id_number.plain not in page.content()

    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    candidate = context.new_page()
    candidate.set_default_timeout(15_000)
    log_in(candidate, base, "cast_candidate")
    candidate.click("#nav-manage summary")
    candidate.click("#nav-certificates-mine")
    card = candidate.locator(f"#mine-{certificate.pk}")
    expect(card).to_contain_text(certificate.number)
    with candidate.expect_download() as info:
        candidate.click(f"#pdf-{certificate.pk}")
    download = info.value
    assert download.suggested_filename == f"{certificate.number}_v1.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    if shutil.which("pdfsig"):
        assert _pdfsig(data) == "Signature is Valid."

    candidate.click(f"#verify-{certificate.pk}")
    result = candidate.locator(".verify-result")
    expect(result.locator(".verify-status")).to_have_text("有效")
    expect(result.locator(".verify-name")).to_have_text(certificate.holder_name)
    context.close()
