"""Practical scoring to filed results in Chromium (issue 6's browser test).

Three examiners score a candidate on a tablet-sized page; the third is far off, so the
candidate is flagged and the exam staff open a re-scoring round from the progress page.
After the second round the staff compute and publish the results (the public page shows
masked identities only), the candidate asks for a score review, the staff handle it and
file the results, and — once the publicity period is over — the city centre approves.
The batch, its sheet, panel and theory scores are set up through the services.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.batches.choices import BatchStatus, Component
from skillcert.core.choices import Role
from skillcert.results import composite, panels, scoring, sheets
from skillcert.results.choices import (
    ComponentState,
    ObjectionStatus,
    Outcome,
    PanelComponent,
    ResultsStatus,
)
from skillcert.results.models import BatchResults, ComponentScore, Objection, Result
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.factories import MembershipFactory, UserFactory
from tests.results.conftest import ResultsKit, build_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
# Points per examiner for (工件尺寸精度 /60, 安全文明生产 /40): the third is an outlier.
ROUND_1 = [("50", "35"), ("48", "34"), ("30", "20")]
ROUND_2 = [("50", "35"), ("48", "34"), ("47", "33")]


def _world() -> tuple[ResultsKit, Any, Any]:
    rk = build_results(build_cast(), n=2)
    rk.assessed()
    batch = rk.batch
    sheet = sheets.sheet_create(
        actor=rk.admin,
        batch=batch,
        component=PanelComponent.PRACTICAL,
        title="车削零件加工",
        items=[("工件尺寸精度", Decimal(60), "按图样公差评分"), ("安全文明生产", Decimal(40), "")],
    )
    panel = panels.panel_create(
        actor=rk.admin, batch=batch, component=PanelComponent.PRACTICAL, name="第一考评组"
    )
    for n, member in enumerate(rk.examiners):
        panels.member_add(actor=rk.admin, panel=panel, staff=member, is_leader=n == 0)
    panels.candidates_assign(actor=rk.admin, panel=panel, applications=rk.candidates)
    for application, theory in zip(rk.candidates, ("86", "74"), strict=True):
        composite.component_enter(
            actor=rk.admin,
            application=application,
            component=Component.THEORY,
            score=Decimal(theory),
        )
    # The second candidate is scored through the services; the first in the browser.
    other = rk.candidates[1]
    for n in range(3):
        own = scoring.examiner_sheet(
            actor=rk.examiner(n), panel=panel, application=other, sheet=sheet
        )
        items = list(sheet.items.order_by("position"))
        points = {items[0].pk: Decimal(40), items[1].pk: Decimal(30)}
        scoring.sheet_save(actor=rk.examiner(n), examiner_sheet=own, points=points)
        scoring.sheet_confirm(actor=rk.examiner(n), examiner_sheet=own)
    return rk, sheet, panel


def _score_on_tablet(
    browser: Any, base: str, rk: ResultsKit, n: int, points: tuple[str, str], sheet: Any
) -> None:
    context = browser.new_context(locale="zh-CN", viewport=TABLET)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, rk.examiners[n].user.username)  # type: ignore[union-attr]
    page.goto(f"{base}/results/scoring/")
    application = rk.candidates[0]
    row = page.locator(f"#my-scoring tr[id$='-{application.pk}']")
    row.get_by_role("button", name="评分").click()
    # Nobody else's points are on the page, whatever has been scored already.
    expect(page.locator("#scoring-finished")).to_have_count(0)
    items = list(sheet.items.order_by("position"))
    for item, value in zip(items, points, strict=True):
        page.fill(f"#item-{item.pk}", value)
    page.get_by_role("button", name="保存并签字确认…").click()
    expect(page.locator("#confirm-total")).to_have_text(
        f"{Decimal(points[0]) + Decimal(points[1]):.2f}"
    )
    page.check("input[name=pledge]")
    page.click("#confirm-submit")
    expect(page.locator("#messages")).to_be_visible()
    html = page.content()
    for other, other_points in enumerate(ROUND_1):
        if other != n and other_points != points:
            assert f'value="{other_points[0]}"' not in html
    context.close()


def test_scoring_to_approved_results(live_server: Any, browser: Any, page: Any) -> None:
    rk, sheet, _panel = _world()
    base = live_server.url
    first = rk.candidates[0]

    for n, points in enumerate(ROUND_1):
        _score_on_tablet(browser, base, rk, n, points, sheet)
    flagged = ComponentScore.objects.get(application=first, component=Component.PRACTICAL)
    assert flagged.state == ComponentState.RESCORE
    assert flagged.spread == Decimal("35.00")

    # The exam staff see the flag and open a re-scoring round.
    log_in(page, base, "cast_institution_a")
    page.goto(f"{base}/results/batches/{rk.batch.pk}/scoring/")
    form = page.locator(f"#rescore-{flagged.pk}")
    form.locator("input[name=text]").fill("第三位考评员评分偏差过大，考评组复评")
    form.get_by_role("button").click()
    expect(page.locator("#messages")).to_be_visible()
    flagged.refresh_from_db()
    assert (flagged.state, flagged.round) == (ComponentState.PENDING, 2)

    for n, points in enumerate(ROUND_2):
        _score_on_tablet(browser, base, rk, n, points, sheet)
    flagged.refresh_from_db()
    assert (flagged.state, flagged.score) == (ComponentState.SCORED, Decimal("82.33"))

    # 统分 and publication.
    page.goto(f"{base}/results/batches/{rk.batch.pk}/")
    page.click("#action-compute")
    expect(page.locator("#messages")).to_be_visible()
    page.click("#action-publish")
    expect(page.locator("#results-status")).to_contain_text("公示中")
    assert Result.objects.get(application=first).outcome == Outcome.PASSED
    announcement = BatchResults.objects.get(batch=rk.batch)
    page.goto(f"{base}/public/results/{announcement.pk}/")
    table = page.locator("#announcement")
    expect(table).to_contain_text(first.admission_number or "")
    expect(table).not_to_contain_text(first.person.full_name)
    html = page.content()
    assert first.person.id_number.plain not in html
    expect(table).to_contain_text(first.person.id_number.masked)

    # The candidate asks for a score review from their own page.
    user = UserFactory(username="cast_results_candidate")
    MembershipFactory(user=user, role=Role.CANDIDATE, organisation=None)
    first.person.user = user
    first.person.save(update_fields=["user"])
    candidate = browser.new_context(locale="zh-CN").new_page()
    log_in(candidate, base, "cast_results_candidate")
    candidate.goto(f"{base}/results/mine/")
    expect(candidate.locator(f"#result-{first.pk}")).to_contain_text("合格")
    candidate.locator(f"#objection-form-{first.pk}").locator("xpath=..").locator("summary").click()
    objection_form = candidate.locator(f"#objection-form-{first.pk}")
    objection_form.locator("select[name=kind]").select_option("review")
    objection_form.locator("select[name=component]").select_option("practical")
    objection_form.locator("textarea[name=text]").fill("申请复核操作技能考核是否有漏评。")
    candidate.click(f"#objection-submit-{first.pk}")
    expect(candidate.locator("#messages")).to_be_visible()
    objection = Objection.objects.get(application=first)

    # The staff handle it (no omission, no sum error) and file the results.
    page.goto(f"{base}/results/batches/{rk.batch.pk}/")
    row = page.locator(f"#objection-{objection.pk}")
    row.locator("summary").click()
    handle = page.locator(f"#handle-form-{objection.pk}")
    handle.locator("select[name=upheld]").select_option("0")
    handle.locator("textarea[name=response]").fill(
        "经复核，评分项无漏评，合分、登分无误，维持原成绩。"
    )
    page.click(f"#handle-submit-{objection.pk}")
    expect(page.locator(f"#objection-{objection.pk}")).to_contain_text("维持原成绩")
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.REJECTED
    page.click("#action-file")
    expect(page.locator("#results-status")).to_contain_text("已报备待审核")

    # Five working days later the publicity period is over; the centre approves.
    BatchResults.objects.filter(pk=announcement.pk).update(
        publicity_ends=timezone.localdate() - timedelta(days=1)
    )
    centre = browser.new_context(locale="zh-CN").new_page()
    log_in(centre, base, "cast_city_a")
    centre.goto(f"{base}/results/filings/")
    centre.locator("#filings").get_by_role("link").first.click()
    centre.click("#action-approve")
    expect(centre.locator("#results-status")).to_contain_text("备案通过")
    announcement.refresh_from_db()
    assert announcement.status == ResultsStatus.APPROVED
    assert rk.batch.status == BatchStatus.RESULTS_FILED
