"""An external quality supervision (外部质量督导选派) in Chromium, from the draw to the
session's 考场记录表: the province's official defines a plan of sessions and draws, the
drawn external supervisor keeps the record (mode, arrival, opinion) and finishes, and
the institution's city official reads the lines in time order.

Institution A's approved batch (its sessions), the external supervisor's login and pool
row are prepared by the builders; an inspector in the other pool is there to show that
the draw takes the external supervisors' pool. Everything else happens on the pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.supervision.choices import PoolKind
from skillcert.supervision.models import Inspection
from tests.batches.conftest import build_kit
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.supervision.builders_inspections import inspection_world, person, pool_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "2025年云南省职业技能等级认定外部质量督导"


def test_a_drawn_external_supervisor_keeps_the_sessions_record(
    live_server: Any, page: Any, new_page: Callable[[], Any]
) -> None:
    cast = build_cast()
    batch = build_kit(cast).approved()
    iw = inspection_world(cast, inspectors=1)  # an inspector: the other pool
    supervisor = person(cast.orgs["province_hr"], name="外督甲")
    assert supervisor.user is not None
    pool_member(supervisor.user, pool=PoolKind.EXTERNAL_SUPERVISOR)
    base = live_server.url

    # The province's official defines the plan and draws.
    log_in(page, base, "cast_province")
    page.goto(f"{base}/supervision/plans/")
    page.click("#plan-create")
    page.fill("#id_title", TITLE)
    page.select_option("#id_kind", label="外部质量督导选派")
    page.select_option("#id_target_kind", label="考场场次")
    page.fill("#id_target_count", "1")
    page.fill("#id_members_per_target", "1")
    page.locator("#plan-form").get_by_label("昆明市", exact=True).check()
    page.click("#plan-submit")
    expect(page.locator("#messages")).to_contain_text("已创建抽查任务。")
    expect(page.locator("#plan-title")).to_have_text(TITLE)
    expect(page.locator("#plan-status")).to_have_text("草稿")
    page.click("#plan-draw")
    expect(page.locator("#messages")).to_contain_text("已随机抽取检查对象和检查人员")
    expect(page.locator("#plan-status")).to_have_text("已抽取")
    expect(page.locator("#draw-seed")).to_have_text(re.compile(r"^[0-9a-f]{32}$"))
    # Both sessions of the batch could be drawn; one external supervisor is in the pool.
    expect(page.locator("#draw-targets")).to_have_text("2")
    expect(page.locator("#draw-members")).to_have_text("1")
    plan_url = page.url

    inspection = Inspection.objects.select_related("session__room").get(plan__title=TITLE)
    session = inspection.session
    assert session is not None
    assert session.batch_id == batch.pk
    drawn = page.locator(f"#inspection-{inspection.pk}")
    expect(drawn).to_contain_text("机构A")
    expect(drawn).to_contain_text(str(session))
    expect(drawn).to_contain_text("外督甲（组长）")
    expect(page.locator("#inspections")).not_to_contain_text(iw.members[0].full_name)

    # The drawn supervisor finds the task under 我的督导任务.
    sup = new_page()
    log_in(sup, base, supervisor.user.username)
    expect(sup.locator("#nav-supervision-tasks")).to_have_attribute("href", "/supervision/tasks/")
    sup.goto(f"{base}/supervision/tasks/")
    row = sup.locator(f"#task-{inspection.pk}")
    expect(sup.locator("#tasks tbody tr")).to_have_count(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("外部质量督导选派")
    expect(row).to_contain_text(str(session))
    expect(row.locator(".status")).to_have_text("待检查")
    sup.click(f"#open-task-{inspection.pk}")
    expect(sup.locator("h1")).to_have_text(TITLE)
    expect(sup.locator("#task-status")).to_have_text("待检查")
    expect(sup.locator("#no-notes")).to_be_visible()

    # The mode.
    sup.locator("#mode-form").get_by_label("现场督导").check()
    sup.click("#mode-submit")
    expect(sup.locator("#messages")).to_contain_text("督导方式已保存。")
    expect(sup.locator("#task-mode")).to_have_text("现场督导")

    # The opinion is written first, at the current time; the first line starts the task.
    opinion = "考场秩序良好，身份核验、监考到位，未发现违纪违规行为。"
    sup.select_option("#id_kind", label="督导意见")
    expect(sup.locator("#id_session")).to_have_value(str(session.pk))
    sup.fill("#id_text", opinion)
    sup.click("#note-submit")
    expect(sup.locator("#messages")).to_contain_text("已记入考场记录表。")
    expect(sup.locator("#task-status")).to_have_text("检查中")
    expect(sup.locator("#notes tbody tr")).to_have_count(1)

    # Finishing without the arrival is refused.
    sup.select_option("#id_conclusion", label="未发现问题")
    sup.fill("#id_summary", "督导正常。")
    sup.click("#finish-submit")
    expect(sup.locator("#messages")).to_contain_text("考场记录表缺少：到场。")
    expect(sup.locator("#task-status")).to_have_text("检查中")

    # The arrival is entered afterwards with the time it happened.
    arrived = timezone.localtime() - timedelta(minutes=90)
    arrival = "到达考点，查看考场布置和视频监控。"
    sup.select_option("#id_kind", label="到场")
    sup.fill("#id_text", arrival)
    sup.fill("#id_at", f"{arrived:%Y-%m-%dT%H:%M}")
    sup.click("#note-submit")
    expect(sup.locator("#messages")).to_contain_text("已记入考场记录表。")
    lines = sup.locator("#notes tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text(arrival)
    expect(lines.nth(1)).to_contain_text(opinion)

    # Finished with a conclusion; the record is closed.
    sup.select_option("#id_conclusion", label="未发现问题")
    sup.fill("#id_summary", "督导正常，考核评价按计划实施。")
    sup.click("#finish-submit")
    expect(sup.locator("#messages")).to_contain_text("督导已完成。")
    expect(sup.locator("#task-status")).to_have_text("已完成")
    expect(sup.locator("#task-conclusion")).to_have_text("未发现问题")
    expect(sup.locator("#task-facts")).to_contain_text("督导正常，考核评价按计划实施。")
    expect(sup.locator("#note-form")).to_have_count(0)
    expect(sup.locator("#finish-form")).to_have_count(0)

    # The plan is complete.
    page.goto(plan_url)
    expect(page.locator("#plan-status")).to_have_text("检查完成")

    # The institution's city official reads the session's 考场记录表 in time order.
    city = new_page()
    log_in(city, base, "cast_city_a")
    city.goto(f"{base}/supervision/sessions/{session.pk}/notes/")
    expect(city.locator("h1")).to_have_text("考场记录表")
    expect(city.locator("#session-facts")).to_contain_text("机构A")
    expect(city.locator("#session-facts")).to_contain_text(batch.code)
    rows = city.locator("#session-notes tbody tr")
    expect(rows).to_have_count(2)
    first, second = rows.nth(0), rows.nth(1)
    expect(first.locator("td").nth(0)).to_have_text(f"{arrived:%Y-%m-%d %H:%M}")
    expect(first.locator("td").nth(1)).to_have_text("到场")
    expect(first.locator("td").nth(2)).to_have_text(arrival)
    expect(first.locator("td").nth(3)).to_have_text("外督甲")
    expect(first.locator("td").nth(4)).to_have_text(TITLE)
    expect(second.locator("td").nth(1)).to_have_text("督导意见")
    expect(second.locator("td").nth(2)).to_have_text(opinion)
    expect(city.locator("#notes-pdf")).to_be_visible()

    # The other city does not see it.
    other = new_page()
    log_in(other, base, "cast_city_b")
    response = other.goto(f"{base}/supervision/sessions/{session.pk}/notes/")
    assert response is not None
    assert response.status == 404
