"""The proctor console in Chromium.

Institution A's exam staff opens the console from the batch page, opens a candidate's
seat, pauses the attempt with a reason and resumes it, and sees both lines in the
session record; the live table refreshes itself when the candidate saves an answer.
The sitting is opened and the attempt started through the services (the exam world of
tests/exams).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.exams.choices import AttemptStatus
from skillcert.exams.models import Answer, Attempt, Incident
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.exams.conftest import build_exam
from tests.exams.test_proctoring import start_attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_exam_staff_pause_and_resume_a_candidate(live_server: Any, page: Any) -> None:
    cast = build_cast()
    exam = build_exam(cast)
    exam.open()
    attempt = start_attempt(exam, 0, answered=1)
    base = live_server.url

    log_in(page, base, "cast_institution_a")
    page.goto(f"{base}/batches/{exam.batch.pk}/")
    page.click(f"#session-console-{exam.session.pk}")
    expect(page.locator("h1")).to_have_text("监考台")
    expect(page.locator("#session-status")).to_have_text("已开考")
    expect(page.locator("#count-signed-in")).to_have_text("1")
    row = page.locator("#seat-1")
    expect(row).to_contain_text("作答中")
    expect(row).to_contain_text("1/5")

    # The seat's panel loads beside the table (htmx) with the actions its state allows.
    page.click("#seat-open-1")
    expect(page.locator("#seat-detail-status")).to_have_text("作答中")
    expect(page.locator("#resume-submit")).to_have_count(0)
    page.fill("#pause-reason", "考生身体不适，暂停作答")
    page.click("#pause-submit")
    expect(page.locator("#messages")).to_contain_text("已暂停该考生作答。")
    expect(page.locator("#seat-1")).to_have_attribute("data-status", "paused")
    expect(page.locator("#seat-detail-status")).to_have_text("已暂停")
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.PAUSED

    page.fill("#resume-reason", "考生已恢复，继续作答")
    page.click("#resume-submit")
    expect(page.locator("#messages")).to_contain_text("已恢复该考生作答。")
    expect(page.locator("#seat-1")).to_have_attribute("data-status", "in_progress")
    lines = page.locator("#incidents tbody tr")
    expect(lines).to_have_count(2)
    expect(lines.nth(0)).to_contain_text("暂停")
    expect(lines.nth(0)).to_contain_text("考生身体不适，暂停作答")
    expect(lines.nth(1)).to_contain_text("恢复")
    expect(lines.nth(1)).to_contain_text("考生已恢复，继续作答")
    assert Incident.objects.filter(attempt=attempt).count() == 2

    # The candidate saves another answer; the live table shows it without a reload.
    Answer.objects.filter(attempt=attempt, position=2).update(
        seq=1, response=["B"], saved_at=timezone.now()
    )
    expect(page.locator("#seat-1")).to_contain_text("2/5", timeout=12_000)

    page.click("#record-link")
    expect(page.locator("#record-lines")).to_contain_text("考生身体不适，暂停作答")
    expect(page.locator("#record-signatures")).to_contain_text("监考人员签字")
