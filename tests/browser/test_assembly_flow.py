"""From the item bank to a sealed paper, in Chromium.

Institution A's admin opens the bank page of a level whose bank holds enough active
items, sets a small type plan on the blueprint page, starts the assembly of two parallel
forms, sees the job finish (tasks run at once in tests), opens form A, seals it after the
confirmation step and sees the seal verified. The bank is made with the item bank's test
builders.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from skillcert.itembank.assembly import verify_seal
from skillcert.itembank.blueprint import blueprint_for
from skillcert.itembank.choices import PaperStatus
from skillcert.itembank.models import Blueprint, Paper
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.itembank.test_assembly_support import fill_bank, make_level, small_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_sets_the_blueprint_assembles_two_forms_and_seals_one(
    live_server: Any, page: Any
) -> None:
    cast = build_cast()
    level = make_level(type_plan=small_plan())
    # Twice what one form of the small plan needs, so the two forms share no item.
    fill_bank(
        level, cast.orgs["institution_a"], blueprint_for(level), per_cell=lambda a, t, d, n: 2 * n
    )
    Blueprint.objects.filter(standard_level=level).delete()  # back to the classic paper
    base = live_server.url

    log_in(page, base, "cast_institution_a")
    page.goto(base + reverse("itembank-bank", kwargs={"level_pk": level.pk}))
    page.click("#itembank-blueprint-link")
    expect(page.locator("h1")).to_have_text("组卷蓝图")
    expect(page.locator("#blueprint-source")).to_have_text("默认（经典标准化试卷）")
    expect(page.locator("#blueprint-items")).to_have_text("200")

    page.fill("#id_single_count", "16")
    page.fill("#id_single_points", "5")
    page.fill("#id_true_false_count", "4")
    page.fill("#id_true_false_points", "5")
    page.click("#blueprint-submit")
    expect(page.locator("#messages")).to_contain_text("组卷蓝图已保存。")
    expect(page.locator("#blueprint-source")).to_have_text("本等级已配置")
    expect(page.locator("#blueprint-items")).to_have_text("20")
    expect(page.locator("#blueprint-total-points")).to_have_text("100")
    expect(page.locator("#blueprint-table tbody tr")).to_have_count(3)

    page.click("#blueprint-papers-link")
    expect(page.locator("h1")).to_have_text("组卷与试卷")
    page.fill("#id_title", "2026年第一批理论试卷")
    page.fill("#id_form_count", "2")
    page.click("#assembly-submit")
    expect(page.locator("h1")).to_contain_text("后台任务")
    expect(page.locator("#job-status")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#job-message")).to_contain_text("已生成2套试卷。")

    page.goto(base + reverse("itembank-papers", kwargs={"level_pk": level.pk}))
    rows = page.locator("#papers tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("已组卷")
    paper = Paper.objects.get(form_label="A")
    page.click(f"#paper-link-{paper.pk}")
    expect(page.locator("#paper-form-label")).to_have_text("A")
    expect(page.locator("#paper-items tbody tr")).to_have_count(20)
    expect(page.locator("#paper-status")).to_have_text("已组卷")

    # The seal asks first: the confirmation sits in a closed <details> block.
    expect(page.locator("#seal-confirm")).not_to_be_visible()
    page.click("#seal-section summary")
    page.click("#seal-confirm")
    expect(page.locator("#messages")).to_contain_text("试卷已封存，内容哈希已记录。")
    expect(page.locator("#paper-status")).to_have_text("已封存")
    expect(page.locator("#seal-verify")).to_contain_text("封存校验通过")
    expect(page.locator("#seal-section")).to_have_count(0)

    paper.refresh_from_db()
    assert paper.status == PaperStatus.SEALED
    assert verify_seal(paper)
    expect(page.locator("#paper-sha256")).to_have_text(paper.content_sha256)
    assert Paper.objects.get(form_label="B").sealed_at is None
