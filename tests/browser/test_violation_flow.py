"""A violation in Chromium: city A's official opens a 严重违纪违规 case on a candidate
whose certificate was issued and decides it; the result is void, the certificate revoked,
and the public verification page (the QR code's link) shows it revoked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from skillcert.certificates import issuance
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.certificates.tokens import verification_token
from skillcert.results.models import Result
from skillcert.supervision.models import ViolationCase
from tests.browser.helpers import log_in
from tests.certificates.conftest import build_issuable
from tests.certificates.matrix_pages import keys_for_test, link_candidate
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_serious_case_voids_the_result_and_revokes_the_certificate(
    live_server: Any, page: Any, settings: Any, tmp_path: Path
) -> None:
    keys_for_test(settings, tmp_path / "keys")
    cache.clear()  # public verification counts requests per client
    base = live_server.url
    settings.SITE_URL = base
    ck = build_issuable(build_cast(), passed=2, failed=0)
    link_candidate(ck)
    # Outside a test transaction the issuance task runs as soon as the request commits.
    issuance.issue_batch(actor=ck.admin, batch=ck.batch)
    application = ck.passed[0]
    certificate = Certificate.objects.get(application=application)
    qr_url = f"{base}/v/{certificate.number}/{verification_token(certificate.number)}"
    page.goto(qr_url)
    expect(page.locator(".verify-result .verify-status")).to_have_text("有效")

    log_in(page, base, "cast_city_a")
    page.goto(f"{base}/supervision/cases/new/?application={application.pk}")
    form = page.locator("#case-open-form")
    expect(form.locator("#id_admission_number")).to_have_value(str(application.admission_number))
    form.locator("#id_grade").select_option("serious")
    form.locator("#id_source").select_option("supervision")
    form.locator("#id_facts").fill("理论知识考试中使用手机拍摄试题并传出，经监控录像核实。")
    form.locator("#id_basis").fill("技能人才评价违纪违规行为处理工作指引")
    page.click("#case-open-submit")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "open")
    case = ViolationCase.objects.get()
    expect(page.locator("h1")).to_contain_text(case.number)
    expect(page.locator("#case-person")).to_contain_text(application.person.id_number.masked)

    page.fill("#id_decision", "取消当次全部科目成绩，当年不得参加职业技能等级认定，撤销已发证书。")
    page.click("#case-decide-submit")
    expect(page.locator("#case-status")).to_have_attribute("data-status", "decided")
    effects = page.locator(f"#effects-{case.pk} tr.effect")
    expect(effects).to_have_count(3)
    expect(page.locator('tr.effect[data-kind="certificate_revoked"]')).to_contain_text("撤销证书")
    expect(page.locator("#case-ban-until")).to_contain_text(f"{case.created_at.year}-12-31")
    assert application.person.id_number.plain not in page.content()

    assert Result.objects.get(application=application).void_grade == "serious"
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED

    page.goto(qr_url)
    expect(page.locator(".verify-result .verify-status")).to_have_text("已撤销")
    # The other candidate's certificate still reads valid.
    other = Certificate.objects.get(application=ck.passed[1])
    page.goto(f"{base}/v/{other.number}/{verification_token(other.number)}")
    expect(page.locator(".verify-result .verify-status")).to_have_text("有效")
