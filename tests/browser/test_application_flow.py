"""An application from the batch's filing to the admission number, in Chromium.

Institution A's admin files the batch plan, city A's official approves it, the admin
opens enrollment; the candidate records their work, applies online, uploads evidence,
signs the truthfulness pledge and submits; the admin reviews and approves, and the
candidate sees the admission number. The institution's registry and the batch's sessions
and staff are prepared through the services (the batches' test kit).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.institutions.demo import minimal_pdf
from tests.batches.conftest import build_kit
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.enrollment.conftest import with_template, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def file_approve_and_open(admin: Any, official: Any, base: str, batch_url: str) -> None:
    log_in(admin, base, "cast_institution_a")
    admin.goto(batch_url)
    expect(admin.locator("#batch-status")).to_have_text("草稿")
    admin.click("#action-file")
    expect(admin.locator("#batch-status")).to_have_text("已报备")

    log_in(official, base, "cast_city_a")
    official.goto(batch_url)
    official.click("#action-approve")
    expect(official.locator("#batch-status")).to_have_text("已同意")

    admin.goto(batch_url)
    admin.click("#action-open-enrollment")
    expect(admin.locator("#messages")).to_contain_text("已开始报名。")
    expect(admin.locator("#batch-status")).to_have_text("报名中")


def apply_as_candidate(page: Any, base: str, batch_pk: int, tmp_path: Path) -> None:
    log_in(page, base, "cast_candidate")
    page.click("#nav-enrollment")
    expect(page.locator("h1")).to_have_text("我的报名")
    page.click("#my-records-link")
    page.click("#person-create")
    expect(page.locator("#messages")).to_contain_text("已建立个人档案。")
    expect(page.locator("#person-id-number")).to_contain_text("********")

    page.click("#add-work summary")
    page.fill("#work_employer", "昆明机床厂")
    page.fill("#work_job_title", "车工")
    page.fill("#work_started_on", years_ago(7).isoformat())
    expect(page.locator("#work_related")).to_be_checked()
    page.click("#work-submit")
    expect(page.locator("#work-records")).to_contain_text("昆明机床厂")

    page.click("#nav-enrollment")
    page.click(f"#apply-{batch_pk}")
    # The preview already finds the seven years of related work.
    expect(page.locator("#eligibility tr[data-route='1']")).to_contain_text("符合")
    expect(page.locator("#eligibility tr[data-route='0']")).to_contain_text(
        "需取得本职业五级/初级工证书（未找到）"
    )
    page.fill("#id_employer", "昆明机床厂")
    page.fill("#id_current_job", "车工")
    page.fill("#id_work_years", "7")
    page.select_option("#id_declared_route", value="1")
    page.click("#apply-submit")
    expect(page.locator("#messages")).to_contain_text("已创建报名申请")
    expect(page.locator("#application-status")).to_have_text("草稿")
    # Until the work proof is uploaded the years do not count.
    expect(page.locator("#eligibility tr[data-route='1']")).to_contain_text("未上传工作年限证明")

    proof = tmp_path / "工作年限证明.pdf"
    proof.write_bytes(minimal_pdf("work proof"))
    page.select_option("#evidence_kind", label="工作年限证明")
    page.set_input_files("#evidence_file", str(proof))
    page.click("#evidence-submit")
    expect(page.locator("#messages")).to_contain_text("已上传材料。")
    expect(page.locator("#evidence")).to_contain_text("工作年限证明.pdf")
    expect(page.locator("#eligibility tr[data-route='1']")).to_contain_text("✅")

    expect(page.locator("#application-submit")).to_be_disabled()
    expect(page.locator("#pledge-text")).to_contain_text("本人承诺")
    page.check("#pledge_agree")
    page.click("#pledge-submit")
    expect(page.locator("#pledge-signed")).to_contain_text("已由本人签署")
    page.click("#application-submit")
    expect(page.locator("#messages")).to_contain_text("已提交，等待评价机构审核。")
    expect(page.locator("#application-status")).to_have_text("待审核")
    expect(page.locator("#eligible-flag")).to_have_text("符合申报条件")


def review_as_institution(page: Any, candidate_name: str) -> str:
    page.click("#nav-enrollment")
    expect(page.locator("h1")).to_have_text("报名与资格审核")
    page.locator("#enrollment-batches tbody tr").first.get_by_role("link").first.click()
    page.select_option("#id_status", value="submitted")
    page.click("#filter-submit")
    row = page.locator("#applications tbody tr", has_text=candidate_name)
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text("✅")
    row.get_by_role("link", name=candidate_name).click()

    with page.expect_download() as download:
        page.locator("#evidence a.evidence-download").click()
    assert download.value.suggested_filename == "工作年限证明.pdf"

    page.select_option("#review_decision", value="approve")
    page.fill("#review_note", "工作年限证明齐全")
    page.click("#review-submit")
    expect(page.locator("#messages")).to_contain_text("已记录审核决定。")
    expect(page.locator("#application-status")).to_have_text("审核通过")
    number = str(page.locator("#admission-number").inner_text())
    assert number
    return number


def test_a_candidate_applies_and_the_institution_approves(
    live_server: Any, page: Any, new_page: Callable[[], Any], tmp_path: Path
) -> None:
    cast = build_cast()
    kit = build_kit(cast)
    with_template(kit.world.lathe_std)
    today = timezone.localdate()
    batch = kit.complete(kit.batch(4, opens=today, closes=today + timedelta(days=19)))
    base = live_server.url
    batch_url = f"{base}/batches/{batch.pk}/"

    admin = new_page()
    file_approve_and_open(admin, new_page(), base, batch_url)
    apply_as_candidate(page, base, batch.pk, tmp_path)
    number = review_as_institution(admin, cast.users["candidate"].full_name)
    assert number.startswith(batch.code)

    page.click("#nav-enrollment")
    mine = page.locator("#my-applications tbody tr", has_text=batch.code)
    expect(mine).to_contain_text("审核通过")
    expect(mine).to_contain_text(number)
