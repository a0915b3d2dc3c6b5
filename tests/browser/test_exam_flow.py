"""A candidate sits a short theory exam in Chromium and never loses an answer.

They sign in with admission number and ID number, answer, reload mid-way and find
answers and time intact, answer while the network is down (kept in the browser, sent
on reconnection), then let time run out: the server's timer closes the attempt while
the page is offline — no final client request — and the page shows the closing; the
objective paper is graded at once and the institution's staff see the score.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.exams.choices import AttemptStatus
from skillcert.exams.closing import close_due_attempts
from skillcert.exams.models import Answer, Attempt, Sitting
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.exams.conftest import ITEMS, build_exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAM_SECONDS = 40


def remaining(page: Any) -> int:
    expect(page.locator("#countdown")).not_to_have_text("--:--")
    minutes, seconds = page.locator("#countdown").inner_text().split(":")
    return int(minutes) * 60 + int(seconds)


def stored(attempt: Attempt, position: int) -> Answer:
    return Answer.objects.get(attempt=attempt, position=position)


def wait_for(condition: Any, seconds: float = 15) -> None:
    limit = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < limit, "condition not met in time"
        time.sleep(0.2)


def test_reload_resume_offline_and_time_out(live_server: Any, page: Any, browser: Any) -> None:
    exam = build_exam(build_cast(), n=1, items=ITEMS[:4])  # objective items only
    exam.session.starts_at = timezone.now()
    exam.session.save(update_fields=["starts_at"])
    exam.open()
    # A short sitting: the common deadline is EXAM_SECONDS away.
    Sitting.objects.filter(pk=exam.sitting.pk).update(
        ends_at=timezone.now() + timedelta(seconds=EXAM_SECONDS)
    )

    page.goto(f"{live_server.url}/exam/")
    credentials = exam.credentials(0)
    page.fill("#admission-number", credentials["admission_number"])
    page.fill("#id-number", "110101199001011237")  # someone else's number
    page.click("#login-button")
    expect(page.locator("#login-error")).to_have_text("准考证号或证件号码不正确。")
    page.fill("#id-number", credentials["id_number"])
    page.click("#login-button")
    expect(page.locator("#exam-view")).to_be_visible()
    attempt = Attempt.objects.get(seat=exam.seat(0))

    # Item 1 is a single choice: pick the second option shown.
    page.locator("#item-input input").nth(1).check()
    expect(page.locator("#save-state")).to_have_text("答案已保存")
    first_choice = page.locator("#item-input input").nth(1).get_attribute("value")
    assert stored(attempt, 1).response == [first_choice]
    page.click("#item-grid button:nth-child(3)")  # the multiple choice
    boxes = page.locator("#item-input input")
    boxes.nth(0).check()
    boxes.nth(2).check()
    picked = sorted([boxes.nth(0).get_attribute("value"), boxes.nth(2).get_attribute("value")])
    wait_for(lambda: stored(attempt, 3).response == picked)
    page.click("#item-grid button:nth-child(1)")
    before = remaining(page)

    page.reload()
    expect(page.locator("#exam-view")).to_be_visible()
    expect(page.locator(f"#item-input input[value='{first_choice}']")).to_be_checked()
    assert abs(remaining(page) - before) <= 3
    page.click("#item-grid button:nth-child(3)")
    for key in picked:
        expect(page.locator(f"#item-input input[value='{key}']")).to_be_checked()

    # The network drops: the answer waits in the browser and goes out on reconnection.
    page.context.set_offline(True)
    page.click("#item-grid button:nth-child(4)")  # true/false
    page.locator("#item-input input[value='F']").check()
    expect(page.locator("#save-state")).to_contain_text("网络中断")
    assert stored(attempt, 4).seq == 0
    page.context.set_offline(False)
    wait_for(lambda: stored(attempt, 4).response == ["F"])

    # Time runs out while the page is offline: the server's timer closes the attempt.
    page.context.set_offline(True)
    attempt.refresh_from_db()
    wait_for(lambda: timezone.now() >= attempt.deadline, EXAM_SECONDS + 10)
    assert close_due_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.TIMED_OUT
    assert stored(attempt, 1).response == [first_choice]
    assert stored(attempt, 4).response == ["F"]
    page.context.set_offline(False)
    expect(page.locator("#end-view")).to_be_visible(timeout=20_000)
    expect(page.locator("#end-text")).to_contain_text("系统已按您最后保存的答案收卷")

    # Graded on closing; the institution's staff see the score (out of 100).
    attempt.refresh_from_db()
    assert attempt.score is not None
    staff = browser.new_context(locale="zh-CN").new_page()
    log_in(staff, live_server.url, "cast_institution_a")
    staff.goto(f"{live_server.url}/exams/sittings/{exam.sitting.pk}/scores/")
    row = staff.locator("#scores tbody tr", has_text=credentials["admission_number"])
    expect(row).to_contain_text(str(attempt.score))
    staff.context.close()


def test_a_save_refused_by_a_proxy_error_is_sent_again(live_server: Any, page: Any) -> None:
    """A 502 from a proxy (a worker restarting) is not a refusal: the answer stays in the
    browser and goes out again; the candidate stays signed in."""
    exam = build_exam(build_cast(), n=1, items=ITEMS[:4])
    exam.session.starts_at = timezone.now()
    exam.session.save(update_fields=["starts_at"])
    exam.open()
    failures = {"left": 2}

    def flaky(route: Any) -> None:
        if route.request.method == "PUT" and failures["left"]:
            failures["left"] -= 1
            route.fulfill(status=502, body="<html>Bad Gateway</html>")
        else:
            route.continue_()

    page.route("**/api/v1/exam/attempt/answers/*", flaky)
    page.goto(f"{live_server.url}/exam/")
    credentials = exam.credentials(0)
    page.fill("#admission-number", credentials["admission_number"])
    page.fill("#id-number", credentials["id_number"])
    page.click("#login-button")
    expect(page.locator("#exam-view")).to_be_visible()
    page.locator("#item-input input").nth(0).check()
    choice = page.locator("#item-input input").nth(0).get_attribute("value")
    # Waiting through Playwright keeps its route handler running.
    expect(page.locator("#save-state")).to_have_text("答案已保存", timeout=30_000)
    assert failures["left"] == 0
    attempt = Attempt.objects.get(seat=exam.seat(0))
    assert stored(attempt, 1).response == [choice]
    expect(page.locator("#exam-view")).to_be_visible()
