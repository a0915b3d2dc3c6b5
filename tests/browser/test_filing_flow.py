"""From application to the public directory, in Chromium: institution A's admin applies,
city A's official decides, an anonymous visitor finds the institution in the directory.

The registry (sites with monitoring, examiners with qualifications, supervisor, staff,
expert) is prepared through the services, since approval needs every condition of 附件1.
Assertions read what a person sees on the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.institutions.choices import REQUIRED_MATERIALS_BY_KIND, FilingKind
from skillcert.institutions.demo import minimal_pdf
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.institutions.conftest import World, build_world, equip

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def apply_as_institution(page: Any, base: str, world: World, tmp_path: Path) -> None:
    log_in(page, base, "cast_institution_a")
    page.get_by_role("link", name="备案", exact=True).click()
    expect(page.locator("h1")).to_have_text("备案申请")
    page.select_option("#id_kind", label="首次备案")
    page.click("#filing-create")
    expect(page.locator("#messages")).to_contain_text("已创建备案申请草稿。")
    expect(page.locator("#filing-status")).to_have_text("草稿")

    page.select_option("#line_standard", label=str(world.lathe_std))
    page.select_option("#line_lowest_level", label="五级/初级工")
    page.select_option("#line_highest_level", label="四级/中级工")
    page.select_option("#line_item_bank_source", label="自主开发题库（与标准相符）")
    page.click("#line-submit")
    expect(page.locator("#messages")).to_contain_text("已添加申请职业（工种）。")
    expect(page.locator("#scope-lines")).to_contain_text("6-18-01-01 车工")
    expect(page.locator("#scope-lines")).to_contain_text("五级/初级工、四级/中级工")

    for kind in REQUIRED_MATERIALS_BY_KIND[FilingKind.INITIAL]:
        upload = tmp_path / f"{kind.value}.pdf"
        upload.write_bytes(minimal_pdf(kind.value))
        page.select_option("#material_kind", label=str(kind.label))
        page.set_input_files("#material_file", str(upload))
        page.click("#material-submit")
        expect(page.locator("#materials")).to_contain_text(upload.name)
    expect(page.locator("#conditions")).not_to_contain_text("❌")

    page.click("#action-submit")
    expect(page.locator("#messages")).to_contain_text("已提交备案申请。")
    expect(page.locator("#filing-status")).to_have_text("已提交")
    expect(page.locator("#decision-due")).to_have_text(DATE)


def decide_as_official(page: Any, base: str, world: World) -> str:
    """Accept, assess and approve; returns the filing number the page shows."""
    log_in(page, base, "cast_city_a")
    page.get_by_role("link", name="备案", exact=True).click()
    row = page.locator("#filing-queue tbody tr", has_text="机构A")
    expect(row).to_contain_text("首次备案")
    expect(row).to_contain_text("已提交")
    due = row.locator("td").nth(4).inner_text()
    assert DATE.match(due.split()[0]), due
    row.get_by_role("link", name="机构A").click()
    expect(page.locator("#decision-due")).to_have_text(due.split()[0])

    page.click("#action-accept")
    expect(page.locator("#messages")).to_contain_text("已受理。")
    expect(page.locator("#filing-status")).to_have_text("已受理")
    page.click("#action-start-assessment")
    expect(page.locator("#filing-status")).to_have_text("评估中")

    page.click("#onsite-section summary")
    page.fill("#onsite_checked_on", timezone.localdate().isoformat())
    page.fill("#onsite_inspectors", "张专家、李专家")
    page.fill("#onsite_findings", "场地设备与视频监控齐全")
    page.check("#onsite_passed")
    page.click("#onsite-submit")
    expect(page.locator("#messages")).to_contain_text("现场考察记录已保存。")
    expect(page.locator("#onsite-checks")).to_contain_text("场地设备与视频监控齐全（通过）")

    expert = world.experts[0].user
    assert expert is not None
    page.click("#opinion-section summary")
    page.select_option("#opinion_expert", label=expert.display_name)
    page.fill("#opinion_score", "90")
    page.check("#opinion_recommends_approval")
    page.fill("#opinion_opinion", "题库与考评人员满足要求")
    page.click("#opinion-submit")
    expect(page.locator("#messages")).to_contain_text("评估意见已提交。")
    opinions = page.locator("#opinions")
    expect(opinions).to_contain_text(expert.display_name)
    expect(opinions).to_contain_text("同意")

    page.fill("#approve_reason", "经评估符合备案条件")
    page.click("#action-approve")
    expect(page.locator("#messages")).to_contain_text("已准予备案，机构已列入目录。")
    expect(page.locator("#filing-status")).to_have_text("已备案")
    number = str(page.locator("#filing-number").inner_text())
    assert number
    return number


def test_filing_from_application_to_the_public_directory(
    live_server: Any, page: Any, new_page: Callable[[], Any], tmp_path: Path
) -> None:
    world = build_world(build_cast())
    equip(world.inst_a, world.line())
    base = live_server.url

    apply_as_institution(page, base, world, tmp_path)
    number = decide_as_official(new_page(), base, world)

    visitor = new_page()
    visitor.goto(f"{base}/")
    expect(visitor.locator("h1")).to_have_text("登录")  # not signed in
    visitor.get_by_role("link", name="机构目录").click()
    expect(visitor.locator("h1")).to_have_text("职业技能等级评价机构目录")
    visitor.fill("#id_occupation", "车工")
    visitor.click("#directory-search-submit")
    row = visitor.locator("#directory tbody tr", has_text="机构A")
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("正常")
    row.get_by_role("link", name="机构A").click()
    expect(visitor.locator("h1")).to_have_text("机构A")
    expect(visitor.locator("#filing-number")).to_have_text(number)
    scope = visitor.locator("#scope tbody tr")
    expect(scope).to_have_count(1)
    expect(scope).to_contain_text("6-18-01-01")
    expect(scope).to_contain_text("车工")
    expect(scope).to_contain_text("五级/初级工、四级/中级工")

    # Another occupation finds nothing.
    visitor.goto(f"{base}/directory/")
    visitor.fill("#id_occupation", "电工")
    visitor.click("#directory-search-submit")
    expect(visitor.locator("#directory tbody")).to_have_text("没有符合条件的机构。")
