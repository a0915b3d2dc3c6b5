"""An early warning in Chromium, from the scan to its closure: a batch plan of institution
A is past its filing due date and still a draft; the province's official presses
立即扫描, sees the warning, opens it and reads its evidence (a link to the batch),
assigns it to city A's official, who checks it and closes it; the list shows it closed.

The late batch is written by the alerts' builder; everything else happens on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from skillcert.batches.choices import BatchStatus
from skillcert.supervision.choices import AlertClosure, AlertRule, AlertStatus
from skillcert.supervision.models import Alert
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.supervision.builders_alerts import build_alerts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "经核查，该机构已补报认定计划，系经办人员疏忽，已约谈提醒。"


def test_a_late_plan_is_found_assigned_and_closed(
    live_server: Any, page: Any, new_page: Callable[[], Any]
) -> None:
    aw = build_alerts(build_cast())
    late = aw.batch(
        status=BatchStatus.DRAFT,
        enrollment_opens=aw.today - timedelta(days=100),
        enrollment_closes=aw.today - timedelta(days=80),
    )
    base = live_server.url
    list_url = f"{base}/supervision/alerts/"

    # The province scans now: the late plan becomes a warning at the top of the list.
    log_in(page, base, "cast_province")
    page.goto(list_url)
    expect(page.locator("h1")).to_have_text("预警信息")
    expect(page.locator("#no-alerts")).to_be_visible()
    page.click("#scan-now")
    expect(page.locator("#messages")).to_contain_text("预警扫描已完成：发现1条，新增1条")
    alert = Alert.objects.get()
    assert (alert.rule, alert.batch_id) == (AlertRule.LATE_PLAN_FILING, late.pk)
    row = page.locator(f"#alert-{alert.pk}")
    expect(row).to_have_attribute("data-status", "open")
    expect(row.locator(".severity-warning")).to_have_text("预警")
    expect(row).to_contain_text(f"认定计划 {late.code} 逾期未报备")
    expect(row).to_contain_text("机构A")
    expect(row.locator(".status")).to_have_text("待处理")
    counts = page.locator(f'#alert-counts tr[data-rule="{AlertRule.LATE_PLAN_FILING}"]')
    expect(counts.locator(".open")).to_have_text("1")

    # The warning's evidence: the batch (linked), its due date, and "not filed".
    row.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text(f"认定计划 {late.code} 逾期未报备")
    expect(page.locator("#alert-status")).to_have_text("待处理")
    evidence = page.locator("#evidence tbody tr")
    expect(evidence).to_have_count(3)
    expect(evidence.nth(0).locator("th")).to_have_text("认定批次")
    batch_link = evidence.nth(0).get_by_role("link")
    expect(batch_link).to_have_text(str(late))
    expect(batch_link).to_have_attribute("href", f"/batches/{late.pk}/")
    expect(evidence.nth(1).locator("th")).to_have_text("报备期限")
    expect(evidence.nth(2)).to_contain_text("未报备")
    detail_url = page.url
    batch_link.click()
    expect(page.locator("#batch-status")).to_have_text("草稿")
    expect(page.locator("main")).to_contain_text(late.code)
    page.goto(detail_url)

    # Assigned to city A's official for checking.
    city_user = aw.cast.users["city_a"]
    page.select_option("#id_assignee", str(city_user.pk))
    page.click("#assign-submit")
    expect(page.locator("#messages")).to_contain_text("已分派核查。")
    expect(page.locator("#alert-status")).to_have_text("核查中")
    expect(page.locator("main")).to_contain_text(city_user.display_name)

    # City A's official finds it on the list, checks it and closes it with a note.
    official = new_page()
    log_in(official, base, "cast_city_a")
    official.goto(list_url)
    city_row = official.locator(f"#alert-{alert.pk}")
    expect(city_row).to_have_attribute("data-status", "assigned")
    expect(city_row).to_contain_text(city_user.display_name)
    city_row.get_by_role("link").click()
    expect(official.locator("#alert-status")).to_have_text("核查中")
    official.get_by_label("核实无问题").check()
    official.fill("#id_note", NOTE)
    official.click("#close-submit")
    expect(official.locator("#messages")).to_contain_text("预警已办结。")
    expect(official.locator("#alert-status")).to_have_text("已办结")
    expect(official.locator("#alert-closure")).to_contain_text(f"核实无问题：{NOTE}")
    expect(official.locator("#close-form")).to_have_count(0)
    expect(official.locator("#assign-form")).to_have_count(0)

    official.goto(list_url)
    closed_row = official.locator(f"#alert-{alert.pk}")
    expect(closed_row).to_have_attribute("data-status", "closed")
    expect(closed_row.locator(".status")).to_have_text("已办结")

    # The province's list reads the same; the rule has nothing left open.
    page.goto(list_url)
    expect(page.locator(f"#alert-{alert.pk}")).to_have_attribute("data-status", "closed")
    expect(page.locator(f"#alert-{alert.pk} .status")).to_have_text("已办结")
    expect(counts.locator(".open")).to_have_text("0")
    expect(counts.locator(".total")).to_have_text("1")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.closure == AlertClosure.EXPLAINED
    assert alert.closure_note == NOTE
    assert alert.assignee == city_user
