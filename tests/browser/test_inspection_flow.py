"""A random inspection (双随机一公开) in Chromium, from the draw to the published result:
city A's official defines a plan and draws, the drawn inspector records every item and
finishes, the official publishes, and an anonymous visitor reads the result.

Institutions, the spot-check list and the inspector pool are prepared by the builders;
everything else happens on the pages. Assertions read what a person sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from skillcert.supervision.models import Inspection
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.supervision.builders_inspections import inspection_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_random_inspection_from_draw_to_published_result(
    live_server: Any, page: Any, new_page: Callable[[], Any]
) -> None:
    iw = inspection_world(build_cast())
    base = live_server.url

    # The official defines the plan and draws.
    log_in(page, base, "cast_city_a")
    page.goto(f"{base}/supervision/plans/")
    page.click("#plan-create")
    page.fill("#id_title", "昆明市2025年评价机构双随机抽查")
    page.select_option("#id_kind", label="双随机抽查")
    page.select_option("#id_target_kind", label="评价机构")
    page.fill("#id_target_count", "1")
    page.fill("#id_members_per_target", "1")
    for item in iw.items:
        page.get_by_label(f"{item.code} {item.title}（评价机构）").check()
    page.click("#plan-submit")
    expect(page.locator("#messages")).to_contain_text("已创建抽查任务。")
    expect(page.locator("#plan-status")).to_have_text("草稿")
    page.click("#plan-draw")
    expect(page.locator("#messages")).to_contain_text("已随机抽取检查对象和检查人员")
    expect(page.locator("#plan-status")).to_have_text("已抽取")
    expect(page.locator("#draw-seed")).to_have_text(re.compile(r"^[0-9a-f]{32}$"))
    expect(page.locator("#inspections")).to_contain_text("机构A")
    plan_url = page.url

    inspection = Inspection.objects.get(plan__title="昆明市2025年评价机构双随机抽查")
    lead = inspection.assignments.select_related("member__user").get(is_lead=True)
    assert lead.member.user is not None
    expect(page.locator("#inspections")).to_contain_text(lead.member.full_name)

    # The drawn inspector records every item and finishes.
    inspector = new_page()
    log_in(inspector, base, lead.member.user.username)
    inspector.goto(f"{base}/supervision/inspections/")
    inspector.get_by_role("link", name="机构A").click()
    expect(inspector.locator("#inspection-status")).to_have_text("待检查")
    for item in iw.items:
        form = inspector.locator(f"#finding-{item.code}")
        fails = item == iw.items[0]
        form.locator("select").select_option(label="不符合" if fails else "符合")
        if fails:
            form.locator("textarea").fill("未公示收费标准")
        form.get_by_role("button", name="保存").click()
        expect(inspector.locator("#messages")).to_contain_text(f"已登记“{item.title}”的检查结果。")
    expect(inspector.locator("#inspection-status")).to_have_text("检查中")
    expect(inspector.locator("#item-JG-01 .outcome")).to_have_text("不符合")
    inspector.select_option("#id_conclusion", label="发现问题，责令限期整改")
    inspector.fill("#id_summary", "收费公示不规范，责令限期整改。")
    inspector.click("#finish-submit")
    expect(inspector.locator("#messages")).to_contain_text("检查已完成。")
    expect(inspector.locator("#inspection-status")).to_have_text("已完成")
    expect(inspector.locator("#rectification-due")).to_be_visible()

    # The official publishes.
    page.goto(plan_url)
    page.click("#plan-publish")
    expect(page.locator("#messages")).to_contain_text("抽查结果已向社会公开。")
    expect(page.locator("#plan-status")).to_have_text("结果已公开")

    # Anyone reads the result.
    visitor = new_page()
    visitor.goto(f"{base}/public/inspections/")
    visitor.get_by_role("link", name="昆明市2025年评价机构双随机抽查").click()
    results = visitor.locator("#public-results tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("机构A")
    expect(results).to_contain_text("发现问题，责令限期整改")
    expect(results).to_contain_text("未公示收费标准")
    expect(visitor.locator("body")).not_to_contain_text(lead.member.full_name)
