"""A candidate checks in with the browser's position, and the staff list shows them.

Chromium is given the geolocation permission and a fixed position 60 m from the exam
site (25.04, 102.71); the check-in page asks ``navigator.geolocation`` and posts it. The
institution's admin then sees the candidate present and inside the 300 m radius.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.batches.models import Session
from skillcert.enrollment.models import Person
from skillcert.exams.models import CheckIn
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.exams.conftest import build_exam

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEAR_SITE = {"latitude": 25.0405, "longitude": 102.7103, "accuracy": 12}


def test_a_candidate_checks_in_at_the_site_and_staff_see_it(live_server: Any, browser: Any) -> None:
    cast = build_cast()
    exam = build_exam(cast)
    # The session runs now and started today, whatever the hour of the test run (check-in
    # is for the session's own day: just after midnight, "10 minutes ago" is yesterday).
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    Session.objects.filter(pk=exam.session.pk).update(
        starts_at=max(now - timedelta(minutes=10), midnight)
    )
    application = exam.candidates[0]
    Person.objects.filter(pk=application.person_id).update(
        full_name="欧阳明月", user=cast.users["candidate"]
    )
    base = live_server.url

    context = browser.new_context(locale="zh-CN")
    context.grant_permissions(["geolocation"])
    context.set_geolocation(NEAR_SITE)
    staff_context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, base, "cast_candidate")
        page.goto(f"{base}/exams/checkin/")
        row = page.locator("#my-sessions tbody tr", has_text=exam.batch.code)
        expect(row).to_contain_text("未签到")
        page.click(f"#checkin-open-{exam.session.pk}")
        expect(page.locator("#checkin-as")).to_contain_text("欧阳明月")
        page.click("#checkin-submit")
        expect(page.locator("#messages")).to_contain_text("签到成功")
        expect(page.locator("#checkin-done")).to_contain_text("在考点范围内")

        checkin = CheckIn.objects.get(session=exam.session)
        assert checkin.latitude is not None
        assert float(checkin.latitude) == pytest.approx(25.0405)
        assert checkin.accuracy_m == 12
        assert checkin.within_radius is True
        assert checkin.distance_m is not None
        assert 40 < checkin.distance_m < 80

        admin = staff_context.new_page()
        admin.set_default_timeout(15_000)
        log_in(admin, base, "cast_institution_a")
        admin.goto(f"{base}/sessions/{exam.session.pk}/seats/")
        admin.click("#checkin-list-link")
        present = admin.locator("#checkins tbody tr", has_text="欧阳明月")
        expect(present).to_have_attribute("data-state", "present")
        expect(present).to_contain_text("在考点范围内")
        expect(present).to_contain_text(str(checkin.distance_m))
        expect(admin.locator("#roll-summary")).to_contain_text("已签到 1 人，未签到 2 人")
        expect(admin.locator("#checkins tbody tr[data-state='missing']")).to_have_count(
            2 + 4  # the other two candidates; two proctors, exam staff, supervisor
        )
    finally:
        context.close()
        staff_context.close()
