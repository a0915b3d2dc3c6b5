"""Certificate numbers (人社鉴发〔2019〕2号): 22 characters, gap-free per 16-character
prefix, an institution without a site serial refused, shapes validated."""

from __future__ import annotations

import pytest
from django.db import transaction

from skillcert.certificates.numbering import (
    InvalidNumber,
    allocate_number,
    certificate_number,
    certificate_prefix,
    is_number,
    parse_number,
)
from skillcert.core.errors import DomainError
from skillcert.core.models import Organisation
from skillcert.institutions.choices import InstitutionType
from skillcert.institutions.models import Institution
from tests.batches.conftest import build_kit
from tests.conftest import Cast


def institution(
    *,
    kind: str = InstitutionType.HIGHER_VOCATIONAL,
    ministry: str = "0000",
    province: str = "53",
    site: str = "000012",
) -> Institution:
    return Institution(
        organisation=Organisation(name="某职业学院"),
        type=kind,
        ministry_code=ministry,
        site_province=province,
        site_serial=site,
    )


def with_site_serial(cast: Cast) -> Institution:
    inst = build_kit(cast).inst
    assert (inst.site_province, inst.site_serial) == ("53", "000001")
    return inst


def test_the_number_has_22_characters_in_the_national_order() -> None:
    number = certificate_number(institution(), 2026, 5, 1)
    assert number == "Y" + "0000" + "53" + "000012" + "26" + "5" + "000001"
    assert len(number) == 22
    parts = parse_number(number)
    assert (parts.category, parts.ministry_code, parts.province, parts.site_serial) == (
        "Y",
        "0000",
        "53",
        "000012",
    )
    assert (parts.year, parts.level, parts.serial) == ("26", 5, 1)
    assert parts.prefix == number[:16]
    social = institution(
        kind=InstitutionType.SOCIAL_ORGANISATION, ministry="1234", province="51", site="000345"
    )
    assert certificate_number(social, 2031, 1, 999_999) == "S12345100034531" + "1" + "999999"


def test_an_institution_without_a_site_serial_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        certificate_prefix(institution(site=""), 2026, 5)
    assert refused.value.code == "no_site_serial"
    assert "某职业学院" in str(refused.value.message)
    assert "站点序列码" in str(refused.value.message)
    for bad in (
        lambda: certificate_prefix(institution(ministry="12a4"), 2026, 5),
        lambda: certificate_prefix(institution(), 2026, 6),
        lambda: certificate_prefix(institution(), 2026, 0),
        lambda: certificate_number(institution(), 2026, 5, 0),
        lambda: certificate_number(institution(), 2026, 5, 1_000_000),
    ):
        with pytest.raises(DomainError):
            bad()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Y00005300001226500000",  # 21 characters
        "Y000053000012265000001X",  # 23
        "X0000530000122650000001"[:22],  # category X
        "y000053000012265000001",  # lower case
        "Y000053000012266000001",  # level 6
        "Y000053000012260000001",  # level 0
        "Y000053000012265000000",  # serial 0
        "Y0000530000１2265000001",  # a full-width digit
        "Y00005300001226500000１",
    ],
)
def test_malformed_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidNumber):
        parse_number(text)
    assert is_number(text) is False


@pytest.mark.django_db
def test_allocation_is_gap_free_per_prefix_and_a_rollback_gives_the_number_back(
    cast: Cast,
) -> None:
    inst = with_site_serial(cast)
    prefix = certificate_prefix(inst, 2026, 5)
    with transaction.atomic():
        first = [allocate_number(inst, 2026, 5) for _n in range(3)]
        other_level = allocate_number(inst, 2026, 4)
        other_year = allocate_number(inst, 2027, 5)
    assert first == [f"{prefix}{n:06d}" for n in (1, 2, 3)]
    assert other_level == certificate_prefix(inst, 2026, 4) + "000001"
    assert other_year == certificate_prefix(inst, 2027, 5) + "000001"

    def failed_issue() -> None:
        with transaction.atomic():
            allocate_number(inst, 2026, 5)
            raise RuntimeError("the issuing transaction fails")

    with pytest.raises(RuntimeError):
        failed_issue()
    with transaction.atomic():
        assert allocate_number(inst, 2026, 5) == f"{prefix}000004"
