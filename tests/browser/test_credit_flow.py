"""Credit in Chromium, from the recompute to the public ranking: institution B has a
serious violation case decided this year (about one of its candidates), institution A a
clean record. The province's official presses 立即重新计算 on 信用评价 and sees A ranked
first with grade A and B below it with grade B; an anonymous visitor reads the same
order and grades on the public ranking, with nothing about the case or any person.

The case and the listed institutions are written by the credit builder (its cases
module is not under test here); the computation happens on the page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from skillcert.core.choices import IdType
from skillcert.enrollment.models import Person
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import CaseGrade, CreditGrade
from skillcert.supervision.models import CreditScore, ViolationCase
from tests.browser.helpers import log_in
from tests.conftest import build_cast
from tests.factories import resident_id
from tests.supervision.builders_credit import credit_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANDIDATE_NAME = "违纪考生甲"
CANDIDATE_ID = resident_id(serial=731)


def test_recompute_ranks_the_clean_institution_first_here_and_in_public(
    live_server: Any, page: Any
) -> None:
    cw = credit_world(build_cast())
    today = timezone.localdate()
    case = cw.case(cw.inst_b, CaseGrade.SERIOUS, decided_on=today - timedelta(days=10))
    person = Person.objects.create(
        full_name=CANDIDATE_NAME,
        id_type=IdType.RESIDENT,
        id_number=CANDIDATE_ID,
        id_number_index="credit-flow-731",
    )
    ViolationCase.objects.filter(pk=case.pk).update(person=person)
    for institution, contact in ((cw.inst_a, "赵联络"), (cw.inst_b, "钱联络")):
        Institution.objects.filter(pk=institution.pk).update(contact_name=contact)
    base = live_server.url
    a, b = cw.inst_a, cw.inst_b

    # Nothing computed yet: the official presses the button.
    log_in(page, base, "cast_province")
    page.goto(f"{base}/supervision/credit/")
    expect(page.locator("h1")).to_have_text("评价机构信用评价")
    expect(page.locator("#no-credit")).to_be_visible()
    page.click("#credit-recompute")
    expect(page.locator("#messages")).to_contain_text("信用评价已重新计算。")

    rows = page.locator("#credit-ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("id", f"credit-{a.pk}")
    expect(rows.nth(1)).to_have_attribute("id", f"credit-{b.pk}")
    first, second = page.locator(f"#credit-{a.pk} td"), page.locator(f"#credit-{b.pk} td")
    expect(page.locator(f"#credit-{a.pk}")).to_have_attribute("data-grade", CreditGrade.A)
    expect(first.nth(0)).to_have_text("1")
    expect(first.nth(1)).to_have_text("机构A")
    expect(first.nth(3)).to_have_text("100.0")
    expect(page.locator(f"#credit-{b.pk}")).to_have_attribute("data-grade", CreditGrade.B)
    expect(second.nth(0)).to_have_text("2")
    expect(second.nth(1)).to_have_text("机构B")
    expect(second.nth(3)).to_have_text("85.0")
    grade_a, grade_b = first.nth(4).inner_text(), second.nth(4).inner_text()
    assert grade_a != grade_b
    assert CreditScore.objects.get(institution=b, is_current=True).grade == CreditGrade.B

    # The public ranking, without logging in: the same order and grades.
    visitor = page.context.browser.new_context(locale="zh-CN")
    try:
        public = visitor.new_page()
        public.goto(f"{base}/public/credit/")
        expect(public.locator("#logout")).to_have_count(0)
        expect(public.locator("h1")).to_have_text("评价机构信用评价公示")
        public_rows = public.locator("#public-credit tbody tr")
        expect(public_rows).to_have_count(2)
        expect(public_rows.nth(0)).to_have_attribute("id", f"public-credit-{a.pk}")
        expect(public_rows.nth(1)).to_have_attribute("id", f"public-credit-{b.pk}")
        expect(public_rows.nth(0)).to_have_attribute("data-grade", CreditGrade.A)
        expect(public_rows.nth(1)).to_have_attribute("data-grade", CreditGrade.B)
        expect(public_rows.nth(0).locator("td").nth(2)).to_have_text("机构A")
        expect(public_rows.nth(0).locator("td").nth(5)).to_have_text(grade_a)
        expect(public_rows.nth(1).locator("td").nth(2)).to_have_text("机构B")
        expect(public_rows.nth(1).locator("td").nth(4)).to_have_text("85.0")
        expect(public_rows.nth(1).locator("td").nth(5)).to_have_text(grade_b)

        # No personal data: not the case's person, nor the institutions' contacts.
        text = public.locator("body").inner_text()
        html = public.content()
        for institution in (a, b):
            institution.refresh_from_db()
            assert institution.contact_name not in text
            assert institution.address not in text
            assert institution.contact_phone.plain not in html
            assert institution.contact_phone.masked not in html
        assert CANDIDATE_NAME not in html
        assert CANDIDATE_ID not in html
        assert person.id_number.masked not in html
        assert case.number not in html
        assert case.facts not in html
    finally:
        visitor.close()
