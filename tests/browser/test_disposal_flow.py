"""Archive disposal in Chromium: institution A's batch was archived in March 2020, so its
process records (kept 3 years) are past their period. The institution lists one on a
销毁清册 and submits it; city A's official approves it; the institution carries it out
and the list reads 已销毁 (云人社函〔2023〕1号 二(三))."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from skillcert.archives import records
from skillcert.archives.models import ArchiveRecord, DisposalList
from skillcert.batches.choices import BatchStatus
from skillcert.certificates import issuance
from skillcert.exams.models import CheckIn
from tests.archives.builders_records import exam_traces
from tests.browser.helpers import log_in
from tests.certificates.conftest import build_issuable
from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_expired_record_is_disposed_of_after_approval(
    live_server: Any, new_page: Any, settings: Any, tmp_path: Path
) -> None:
    keys_for_test(settings, tmp_path / "keys")
    base = live_server.url
    ck = build_issuable(build_cast(), passed=2, failed=0)
    # Outside a test transaction the issuance task runs as soon as the request commits.
    issuance.issue_batch(actor=ck.admin, batch=ck.batch)
    assert ck.batch.status == BatchStatus.CERTIFICATES_ISSUED
    assert exam_traces(ck) == 2
    records.batch_archive(actor=ck.admin, batch=ck.batch, today=date(2020, 3, 1))
    signin = ArchiveRecord.objects.get(batch=ck.batch, record_type="signin_sheets")
    assert signin.keep_until == date(2023, 12, 31)

    institution = new_page()
    log_in(institution, base, "cast_institution_a")
    institution.goto(f"{base}/archives/")
    expect(institution.locator(f"#record-{signin.pk} .status")).to_have_text("保管中")
    expect(institution.locator(f"#record-{signin.pk}")).to_contain_text("已到期")
    institution.click("#nav-disposals")
    institution.click("#disposal-new")
    institution.check(f"input[name=records][value='{signin.pk}']")
    institution.click("#disposal-create")
    expect(institution.locator("#disposal-status")).to_have_text("草稿")
    listed = DisposalList.objects.get()
    expect(institution.locator("h1")).to_contain_text(listed.number)
    institution.click("#disposal-submit")
    expect(institution.locator("#disposal-status")).to_have_text("待审批")
    expect(institution.locator("#disposal-decide")).to_have_count(0)

    city = new_page()
    log_in(city, base, "cast_city_a")
    city.goto(f"{base}/archives/disposals/")
    city.click(f"#disposal-{listed.pk} a")
    expect(city.locator("#disposal-execute")).to_have_count(0)
    city.check("input[name=decision][value=approve]")
    city.fill("#id_note", "经审核，签到表已满保管期限，同意销毁。")
    city.click("#disposal-decide")
    expect(city.locator("#disposal-status")).to_have_text("已批准")

    institution.reload()
    institution.click("#disposal-execute")
    expect(institution.locator("#disposal-status")).to_have_text("已执行销毁")
    expect(institution.locator("#disposal-items .status")).to_have_text(["已销毁"])
    institution.goto(f"{base}/archives/")
    expect(institution.locator(f"#record-{signin.pk} .status")).to_have_text("已销毁")

    signin.refresh_from_db()
    assert signin.status == "disposed"
    assert not CheckIn.objects.filter(session__batch=ck.batch).exists()
