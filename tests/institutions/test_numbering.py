"""Filing numbers and site serials: format, sequence per prefix and province, concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError
from skillcert.institutions.choices import FilingStatus, InstitutionType
from skillcert.institutions.models import Filing, FilingApplication, Institution
from skillcert.institutions.numbering import (
    FILING_NUMBER_RE,
    SITE_SERIAL_RE,
    filing_number_allocate,
    next_value,
    site_serial_allocate,
)
from skillcert.institutions.services import filing as flow
from tests.conftest import build_cast
from tests.institutions.conftest import (
    World,
    another_institution,
    approved,
    build_world,
    equip,
    under_assessment,
)


@pytest.mark.django_db
def test_filing_numbers_count_per_prefix(world: World) -> None:
    year = timezone.localdate().year
    approved(world, world.inst_a)
    approved(world, world.inst_b)
    social = another_institution(kind=InstitutionType.SOCIAL_ORGANISATION)
    approved(world, social)
    numbers = dict(Filing.objects.values_list("institution_id", "filing_number"))
    assert numbers[world.inst_a.pk] == f"53Y{year}0001"
    assert numbers[world.inst_b.pk] == f"53Y{year}0002"
    assert numbers[social.pk] == f"53S{year}0001"
    assert all(FILING_NUMBER_RE.match(n) for n in numbers.values())


@pytest.mark.django_db
def test_site_serials_are_sequential_per_province(world: World) -> None:
    approved(world, world.inst_a)
    approved(world, world.inst_b)
    sichuan = another_institution(city="510100")
    approved(world, sichuan)
    rows = {
        i.pk: (i.site_province, i.site_serial, "".join(i.certificate_prefix_parts))
        for i in Institution.objects.all()
    }
    assert rows[world.inst_a.pk] == ("53", "000001", "Y000053000001")
    assert rows[world.inst_b.pk] == ("53", "000002", "Y000053000002")
    assert rows[sichuan.pk] == ("51", "000001", "Y000051000001")
    assert Filing.objects.get(institution=sichuan).filing_number.startswith("51Y")


@pytest.mark.django_db
def test_allocation_has_a_limit() -> None:
    with transaction.atomic():
        assert next_value("test", 2) == 1
        assert next_value("test", 2) == 2
        with pytest.raises(DomainError):
            next_value("test", 2)
        assert SITE_SERIAL_RE.match(site_serial_allocate(province_code="530000"))
        assert filing_number_allocate(province_code="53", category="Y", year=2026) == (
            "53Y20260001"
        )


@pytest.mark.django_db
def test_a_failed_approval_gives_its_numbers_back(world: World) -> None:
    a = world.inst_a
    line = world.line()
    equip(a, line, examiners=2)  # short of examiners: approval fails after the checks
    application = under_assessment(world, a, line)
    with pytest.raises(DomainError):
        flow.filing_approve(actor=world.authority(a), application=application)
    approved(world, world.inst_b)
    assert Institution.objects.get(pk=world.inst_b.pk).site_serial == "000001"


# --- concurrency (PostgreSQL) -----------------------------------------------------------

APPROVALS = 6


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent approvals need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_share_a_site_serial_or_number() -> None:
    world = build_world(build_cast())
    institutions = [another_institution() for _n in range(APPROVALS)]
    applications = []
    for institution in institutions:
        equip(institution, world.line())
        applications.append(under_assessment(world, institution, world.line()))
    barrier = threading.Barrier(APPROVALS)
    errors: list[BaseException] = []

    def worker(application: FilingApplication) -> None:
        try:
            barrier.wait(timeout=30)
            flow.filing_approve(actor=Actor.system("approver"), application=application)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert FilingApplication.objects.filter(status=FilingStatus.APPROVED).count() == APPROVALS
    serials = sorted(
        Institution.objects.exclude(site_serial="").values_list("site_serial", flat=True)
    )
    assert serials == [f"{n:06d}" for n in range(1, APPROVALS + 1)]
    numbers = sorted(Filing.objects.values_list("filing_number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"53Y{year}{n:04d}" for n in range(1, APPROVALS + 1)]
