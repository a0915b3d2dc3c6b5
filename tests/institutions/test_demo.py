"""The institutions demo: every filing state, the directory, idempotent."""

from __future__ import annotations

import pytest
from django.utils import timezone
from stdnum.cn import uscc

from skillcert.catalog.demo import seed_catalog_demo
from skillcert.catalog.models import Occupation
from skillcert.core.audit import verify_chain
from skillcert.core.demo import seed_demo
from skillcert.core.models import AuditEvent
from skillcert.institutions import selectors
from skillcert.institutions.choices import DirectoryNoticeKind, DirectoryStatus, FilingStatus
from skillcert.institutions.demo import INSTITUTIONS, SENTINEL, seed_institutions_demo
from skillcert.institutions.models import DirectoryNotice, FilingApplication, Institution
from skillcert.institutions.scope import scope_allows


@pytest.fixture
def demo(db: None) -> list[Institution]:
    seed_demo()
    seed_catalog_demo()
    return seed_institutions_demo()


def test_every_filing_state_exists(demo: list[Institution]) -> None:
    assert len(demo) == len(INSTITUTIONS)
    states = set(FilingApplication.objects.values_list("status", flat=True))
    assert states == set(FilingStatus.values)
    listed = set(Institution.objects.values_list("status", flat=True))
    assert listed == set(DirectoryStatus.values)
    for institution in demo:
        assert institution.name.endswith("（演示）")
        assert uscc.is_valid(institution.uscc)


def test_the_two_core_demo_organisations_are_institutions(demo: list[Institution]) -> None:
    a = Institution.objects.get(organisation__name=SENTINEL)
    assert a.type == "secondary_vocational"
    assert a.status == DirectoryStatus.ACTIVE
    assert a.organisation.city_id == "530100"
    assert a.sites.filter(has_video_monitoring=True).exists()
    assert a.filing_applications.filter(status=FilingStatus.DRAFT, kind="addition").exists()
    b = Institution.objects.get(organisation__name="麒麟技工学校（演示）")
    assert b.type == "technical_school"
    submitted = b.filing_applications.get()
    assert submitted.status == FilingStatus.SUBMITTED
    assert selectors.is_overdue(submitted)


def test_the_directory_and_its_notices(demo: list[Institution]) -> None:
    rows = {i.name: i for i in selectors.public_directory()}
    assert SENTINEL in rows
    assert len(rows[SENTINEL].filing.public_entries) >= 2
    assert rows["彩云职业技能评价中心（演示）"].status == DirectoryStatus.SUSPENDED
    assert "珠江源中等职业学校（演示）" not in rows
    assert "爨乡技工学校（演示）" not in rows
    revoked = DirectoryNotice.objects.get(kind=DirectoryNoticeKind.REVOKED)
    assert revoked.institution.name == "珠江源中等职业学校（演示）"
    assert DirectoryNotice.objects.filter(kind=DirectoryNoticeKind.EXPIRED).count() == 1


def test_scope_of_the_demo_school(demo: list[Institution]) -> None:
    a = Institution.objects.get(organisation__name=SENTINEL)
    lathe = Occupation.objects.get(code="6-18-01-01")
    today = timezone.localdate()
    assert scope_allows(a, lathe, None, 4, today).allowed
    assert scope_allows(a, lathe, None, 3, today).code == "over_level_cap"
    suspended = Institution.objects.get(status=DirectoryStatus.SUSPENDED)
    assert scope_allows(suspended, lathe, None, 5, today).code == "suspended"


def test_the_demo_is_idempotent(demo: list[Institution]) -> None:
    events = AuditEvent.objects.count()
    again = seed_institutions_demo()
    assert {i.pk for i in again} == {i.pk for i in demo}
    assert AuditEvent.objects.count() == events
    assert verify_chain() == (events, None)
