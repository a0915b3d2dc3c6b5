"""A complaint in Chromium: a member of the public reports institution A anonymously and
keeps the tracking number; city A's official finds it, assigns it and replies; the public
reads the reply on the status page with the number."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.supervision.builders_complaints import complaint_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_public_complains_the_city_replies_the_public_reads_it(
    live_server: Any, browser: Any
) -> None:
    world = complaint_world(build_cast())
    base = live_server.url
    public = browser.new_context(locale="zh-CN").new_page()
    public.set_default_timeout(15_000)

    public.goto(f"{base}/public/complaints/new/")
    form = public.locator("#complaint-form")
    form.get_by_label("举报", exact=True).check()
    form.get_by_label("涉及的评价机构").select_option(label=world.inst_a.name)
    form.get_by_label("被投诉举报的单位或个人").fill("机构A考务人员")
    form.get_by_label("投诉举报内容（时间、地点、经过）").fill("理论考试时考务人员向考生提示答案。")
    public.locator("#complaint-submit").click()
    expect(public.locator("h1")).to_have_text("投诉举报已受理")
    expect(public.locator("#keep-number")).to_contain_text("请抄写或截图保存此查询编号")
    number = public.locator("#tracking-number").inner_text()
    assert number.startswith("TS")
    assert number not in public.url
    expect(public.locator("#receipt-handler")).to_have_text("昆明市人社局")

    official = browser.new_context(locale="zh-CN").new_page()
    official.set_default_timeout(15_000)
    log_in(official, base, "cast_city_a")
    official.goto(f"{base}/supervision/complaints/")
    official.get_by_role("link", name=number).click()
    expect(official.locator("#detail-complainant")).to_have_text("匿名")
    official.locator("#assign").get_by_label("承办人").select_option(
        label=world.cast.users["city_a"].display_name
    )
    official.locator("#assign-submit").click()
    expect(official.locator("#detail-status")).to_have_text("办理中")
    reply = official.locator("#reply")
    reply.get_by_label("投诉举报属实", exact=True).check()
    reply.get_by_label("答复意见（投诉举报人可查看）").fill("经核实，情况属实，已责令机构整改。")
    official.locator("#reply-submit").click()
    expect(official.locator("#detail-status")).to_have_text("已答复")

    public.goto(f"{base}/public/complaints/status/")
    public.get_by_label("查询编号").fill(number.lower())
    public.locator("#status-submit").click()
    expect(public.locator("#status-state")).to_have_text("已答复")
    expect(public.locator("#status-kind")).to_have_text("举报")
    expect(public.locator("#status-upheld")).to_have_text("投诉举报属实")
    expect(public.locator("#status-reply")).to_have_text("经核实，情况属实，已责令机构整改。")
    assert number not in public.url

    # A wrong number: the neutral answer, nothing shown.
    public.get_by_label("查询编号").fill("TS20260101ABCDEFGH")
    public.locator("#status-submit").click()
    expect(public.locator("#status-error")).to_have_text(
        "未查询到该编号的投诉举报，请核对查询编号。"
    )
    expect(public.locator("#complaint-status")).to_have_count(0)
    public.context.close()
    official.context.close()
