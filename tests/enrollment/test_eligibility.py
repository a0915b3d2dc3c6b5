"""The eligibility engine against every route of the national template, with exact reasons."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.utils import timezone

from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.catalog.eligibility import describe_route, national_template
from skillcert.catalog.models import Occupation, StandardLevel
from skillcert.core.choices import IdType
from skillcert.core.personal import id_index
from skillcert.enrollment.choices import EvidenceKind, RecordSource, StudentState
from skillcert.enrollment.eligibility import (
    RouteResult,
    diploma_pending_after,
    evaluate,
    format_months,
    is_graduating_without_diploma,
    merged_months,
    whole_months,
)
from skillcert.enrollment.models import (
    EducationRecord,
    HeldCertificate,
    Person,
    StudentStatus,
    WorkRecord,
)
from tests.factories import resident_id
from tests.institutions.factories import OccupationFactory, StandardFactory

pytestmark = pytest.mark.django_db

ON = date(2025, 4, 1)
_serial = itertools.count(300)
ALL = frozenset(EvidenceKind.values)


@pytest.fixture
def lathe() -> Occupation:
    return OccupationFactory(code="6-18-01-01", name="车工")


def levels(occupation: Occupation) -> dict[int, StandardLevel]:
    standard = StandardFactory(occupation=occupation)
    rows = {row.level: row for row in StandardLevel.objects.filter(standard=standard)}
    for level, row in rows.items():
        row.eligibility_routes = national_template(level)
        row.save(update_fields=["eligibility_routes"])
    return rows


@pytest.fixture
def std(lathe: Occupation) -> dict[int, StandardLevel]:
    return levels(lathe)


def someone() -> Person:
    number = resident_id(area="530103", serial=next(_serial))
    return Person.objects.create(
        full_name="测试人",
        id_type=IdType.RESIDENT,
        id_number=number,
        id_number_index=id_index(IdType.RESIDENT, number),
    )


def work(person: Person, start: date, end: date | None = None, *, related: bool = True) -> None:
    WorkRecord.objects.create(
        person=person,
        employer="厂",
        job_title="车工",
        started_on=start,
        ended_on=end,
        related=related,
    )


def cert(person: Person, occupation: Occupation, level: int, issued: date, **kw: object) -> None:
    HeldCertificate.objects.create(
        person=person,
        occupation=occupation,
        level=level,
        number="X1",
        issued_on=issued,
        issuer="鉴定中心",
        **kw,
    )


def diploma(person: Person, school_type: str, **kw: object) -> EducationRecord:
    values: dict[str, object] = {
        "school": "某技工学校",
        "school_type": school_type,
        "education_level": EducationLevel.SECONDARY,
        "major": "会计",
        "related_major": True,
        "graduated_on": date(2024, 6, 30),
    }
    values.update(kw)
    return EducationRecord.objects.create(person=person, **values)


def student(person: Person, school_type: str, graduation_year: int, **kw: object) -> StudentStatus:
    values: dict[str, object] = {
        "school": "某技工学校",
        "school_type": school_type,
        "major": "会计",
        "related_major": True,
        "enrollment_year": graduation_year - 3,
        "graduation_year": graduation_year,
    }
    values.update(kw)
    return StudentStatus.objects.create(person=person, **values)


def route(
    person: Person,
    row: StandardLevel,
    index: int,
    on: date = ON,
    evidence: frozenset[str] | None = None,
) -> RouteResult:
    return evaluate(person, row, on_date=on, evidence_kinds=evidence)[index]


# ---------------------------------------------------------------- periods


def test_whole_months_count_complete_months_only() -> None:
    assert whole_months(date(2020, 1, 31), date(2020, 2, 29)) == 1  # month end clamps
    assert whole_months(date(2020, 1, 15), date(2020, 2, 14)) == 0
    assert whole_months(date(2020, 1, 15), date(2022, 4, 15)) == 27
    assert whole_months(date(2022, 1, 1), date(2021, 1, 1)) == 0


def test_overlapping_and_adjacent_periods_merge() -> None:
    overlapping = [(date(2020, 1, 1), date(2021, 1, 1)), (date(2020, 7, 1), date(2021, 7, 1))]
    assert merged_months(overlapping) == 18
    adjacent = [(date(2020, 1, 1), date(2020, 7, 1)), (date(2020, 7, 1), date(2021, 1, 1))]
    assert merged_months(adjacent) == 12
    apart = [(date(2020, 1, 1), date(2020, 3, 15)), (date(2021, 1, 1), date(2021, 3, 15))]
    assert merged_months(apart) == 4  # each period's whole months


def test_format_months() -> None:
    assert [format_months(m) for m in (27, 24, 3, 0)] == ["2年3个月", "2年", "3个月", "0个月"]


# ---------------------------------------------------------------- level 5


def test_every_result_is_labelled_by_describe_route(std: dict[int, StandardLevel]) -> None:
    results = evaluate(someone(), std[4], on_date=ON)
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.label for r in results] == [describe_route(r) for r in national_template(4)]


def test_level5_work_years(std: dict[int, StandardLevel]) -> None:
    person = someone()
    work(person, date(2024, 5, 1))
    assert route(person, std[5], 0).reasons == ["相关工作年限不足：需1年，现有11个月"]
    assert route(person, std[5], 0, on=date(2025, 5, 1)).holds


def test_unrelated_work_does_not_count(std: dict[int, StandardLevel]) -> None:
    person = someone()
    work(person, date(2020, 1, 1), related=False)
    assert route(person, std[5], 0).reasons == ["相关工作年限不足：需1年，现有0个月"]


def test_work_in_the_occupation_counts_even_if_not_flagged(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    WorkRecord.objects.create(
        person=person,
        employer="厂",
        job_title="车工",
        started_on=date(2020, 1, 1),
        related=False,
        occupation=lathe,
    )
    assert route(person, std[5], 0).holds


def test_level5_apprenticeship_needs_its_evidence(std: dict[int, StandardLevel]) -> None:
    person = someone()
    expected = ["需本职业或相关职业学徒期满证明（未上传）"]
    assert route(person, std[5], 1).reasons == expected  # a preview never holds
    assert route(person, std[5], 1, evidence=frozenset()).reasons == expected
    assert route(person, std[5], 1, evidence=frozenset({EvidenceKind.APPRENTICESHIP})).holds


# ---------------------------------------------------------------- level 4


def test_level4_prior_certificate_missing(std: dict[int, StandardLevel]) -> None:
    assert route(someone(), std[4], 0).reasons == ["需取得本职业五级/初级工证书（未找到）"]


def test_a_certificate_of_another_occupation_does_not_count(
    std: dict[int, StandardLevel],
) -> None:
    person = someone()
    cert(person, OccupationFactory(name="电工"), 5, date(2015, 1, 1))
    work(person, date(2015, 1, 1))
    assert route(person, std[4], 0).reasons == ["需取得本职业五级/初级工证书（未找到）"]


def test_level4_years_after_the_certificate(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    cert(person, lathe, 5, date(2023, 1, 1))
    work(person, date(2019, 1, 1))  # six years in all, but only 2y3m after the certificate
    assert route(person, std[4], 0).reasons == [
        "取得五级/初级工证书后相关工作年限不足：需4年，现有2年3个月"
    ]
    assert route(person, std[4], 1).holds  # six years in total


def test_a_higher_certificate_counts_and_the_earliest_one_starts_the_clock(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    cert(person, lathe, 4, date(2020, 1, 1))
    cert(person, lathe, 5, date(2024, 1, 1))
    work(person, date(2019, 6, 1))
    assert route(person, std[4], 0).holds


def test_level4_six_years_with_overlapping_jobs(std: dict[int, StandardLevel]) -> None:
    person = someone()
    work(person, date(2021, 1, 1), date(2022, 6, 30))
    work(person, date(2022, 1, 1), date(2023, 3, 31))  # overlaps the first by six months
    work(person, date(2010, 1, 1), date(2015, 1, 1), related=False)
    assert route(person, std[4], 1).reasons == ["相关工作年限不足：需6年，现有2年3个月"]


def test_level4_technical_school_graduate(std: dict[int, StandardLevel]) -> None:
    person = someone()
    diploma(person, SchoolType.TECHNICAL_SCHOOL)
    result = route(person, std[4], 2)
    assert result.holds
    assert not result.pending_diploma


def test_level4_graduate_of_an_unrelated_major(std: dict[int, StandardLevel]) -> None:
    person = someone()
    diploma(person, SchoolType.TECHNICAL_SCHOOL, related_major=False)
    assert route(person, std[4], 2).reasons == [
        "需技工学校本专业或相关专业毕业证书或应届在校生学籍"
        "（某技工学校（技工学校）专业“会计”未申报为本专业或相关专业）"
    ]


def test_a_major_named_after_the_occupation_is_related(std: dict[int, StandardLevel]) -> None:
    person = someone()
    diploma(person, SchoolType.TECHNICAL_SCHOOL, related_major=False, major="数控车工")
    assert route(person, std[4], 2).holds


def test_level4_wrong_school_type_and_no_records(std: dict[int, StandardLevel]) -> None:
    assert route(someone(), std[4], 2).reasons == [
        "需技工学校本专业或相关专业毕业证书或应届在校生学籍（未找到学历或学籍记录）"
    ]
    person = someone()
    diploma(person, SchoolType.UNDERGRADUATE, school="某大学")
    assert route(person, std[4], 3).reasons == [
        "需中等职业学校或高等职业学校或职业本科学校本专业或相关专业毕业证书或应届在校生学籍"
        "（某大学（普通本科院校）院校类型不符）"
    ]


def test_level4_graduating_student_holds_pending_the_diploma(
    std: dict[int, StandardLevel],
) -> None:
    person = someone()
    student(person, SchoolType.SECONDARY_VOCATIONAL, 2025)
    result = route(person, std[4], 3)
    assert result.holds
    assert result.pending_diploma
    assert is_graduating_without_diploma(person, ON)
    assert diploma_pending_after(person, evaluate(person, std[4], on_date=ON), ON)


def test_graduating_means_this_academic_year(std: dict[int, StandardLevel]) -> None:
    person = someone()
    student(person, SchoolType.TECHNICAL_SCHOOL, 2026)
    assert route(person, std[4], 2).reasons == [
        "需技工学校本专业或相关专业毕业证书或应届在校生学籍"
        "（某技工学校毕业年份2026年，不是应届毕业生）"
    ]
    # From September the next year's graduates are this academic year's.
    assert route(person, std[4], 2, on=date(2025, 9, 1)).holds


def test_a_suspended_student_does_not_count(std: dict[int, StandardLevel]) -> None:
    person = someone()
    student(person, SchoolType.TECHNICAL_SCHOOL, 2025, state=StudentState.SUSPENDED)
    assert route(person, std[4], 2).reasons == [
        "需技工学校本专业或相关专业毕业证书或应届在校生学籍（某技工学校学籍状态为“休学”）"
    ]


def test_a_diploma_of_the_same_school_ends_the_wait(std: dict[int, StandardLevel]) -> None:
    person = someone()
    student(person, SchoolType.TECHNICAL_SCHOOL, 2025)
    diploma(person, SchoolType.TECHNICAL_SCHOOL, graduated_on=date(2025, 3, 1))
    assert not is_graduating_without_diploma(person, ON)
    results = evaluate(person, std[4], on_date=ON)
    assert results[2].holds
    assert not results[2].pending_diploma
    assert not diploma_pending_after(person, results, ON)


def test_a_route_that_holds_without_the_student_status_releases_the_wait(
    std: dict[int, StandardLevel],
) -> None:
    person = someone()
    student(person, SchoolType.TECHNICAL_SCHOOL, 2025)
    work(person, date(2018, 1, 1))  # seven years: route 2 holds on its own
    assert is_graduating_without_diploma(person, ON)
    assert not diploma_pending_after(person, evaluate(person, std[4], on_date=ON), ON)


# ---------------------------------------------------------------- level 3


def test_level3_certificate_and_senior_technical_school(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    diploma(person, SchoolType.TECHNICIAN_COLLEGE, related_major=False)
    assert route(person, std[3], 1).reasons == ["需取得本职业四级/中级工证书（未找到）"]
    cert(person, lathe, 4, date(2024, 1, 1))
    assert route(person, std[3], 1).holds  # this route does not ask for a related major


def test_level3_college_related_major_certificate_and_two_years(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    diploma(person, "", education_level=EducationLevel.SECONDARY, school="某中专")
    cert(person, lathe, 4, date(2023, 1, 1))
    work(person, date(2022, 1, 1))
    assert route(person, std[3], 3).reasons == [
        "需大专及以上本专业或相关专业毕业证书（某中专（院校类型未填）学历层次不足）"
    ]
    diploma(person, "", education_level=EducationLevel.COLLEGE, school="某学院")
    assert route(person, std[3], 3).holds


def test_level3_five_years_after_the_level4_certificate(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    cert(person, lathe, 4, date(2021, 4, 1))
    work(person, date(2015, 1, 1))
    assert route(person, std[3], 0).reasons == [
        "取得四级/中级工证书后相关工作年限不足：需5年，现有4年"
    ]


# ---------------------------------------------------------------- levels 2 and 1


def test_level2_preparatory_technician(std: dict[int, StandardLevel]) -> None:
    person = someone()
    diploma(person, SchoolType.TECHNICIAN_COLLEGE, related_major=False)
    work(person, date(2022, 1, 1))
    given = frozenset({EvidenceKind.PREPARATORY_TECHNICIAN, EvidenceKind.DIPLOMA})
    assert route(person, std[2], 2, evidence=frozenset({EvidenceKind.DIPLOMA})).reasons == [
        "工作年限满足（3年3个月），但未上传工作年限证明",
        "需预备技师证书（未上传）",
    ]
    assert route(person, std[2], 2, evidence=given | {EvidenceKind.WORK_PROOF}).holds


def test_level1_technician_certificate_and_four_years(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    cert(person, lathe, 2, date(2020, 1, 1))
    work(person, date(2020, 1, 1))
    assert route(person, std[1], 0).holds


# ---------------------------------------------------------------- evidence


def test_declared_records_need_their_evidence_on_an_application(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    cert(person, lathe, 5, date(2018, 1, 1))
    work(person, date(2018, 1, 1))
    none: frozenset[str] = frozenset()
    assert route(person, std[4], 0, evidence=none).reasons == [
        "需取得本职业五级/初级工证书（已申报，但未上传职业资格（技能等级）证书材料）"
    ]
    assert route(person, std[4], 0, evidence=frozenset({EvidenceKind.CERTIFICATE})).reasons == [
        "工作年限满足（7年3个月），但未上传工作年限证明"
    ]
    assert route(person, std[4], 0, evidence=ALL).holds


def test_issued_and_registry_records_need_no_evidence(
    std: dict[int, StandardLevel], lathe: Occupation
) -> None:
    person = someone()
    cert(person, lathe, 4, date(2018, 1, 1), source=RecordSource.ISSUED_HERE)
    diploma(person, SchoolType.TECHNICIAN_COLLEGE, verified_at=None, source=RecordSource.REGISTRY)
    assert route(person, std[3], 1, evidence=frozenset()).holds


def test_a_verified_diploma_needs_no_upload(std: dict[int, StandardLevel]) -> None:
    person = someone()
    diploma(person, SchoolType.TECHNICAL_SCHOOL)
    assert route(person, std[4], 2, evidence=frozenset()).reasons == [
        "需技工学校本专业或相关专业毕业证书或应届在校生学籍（某技工学校毕业证书未上传学历证书材料）"
    ]
    EducationRecord.objects.filter(person=person).update(verified_at=timezone.now())
    assert route(person, std[4], 2, evidence=frozenset()).holds


def test_no_routes_entered_means_no_results(lathe: Occupation) -> None:
    row = StandardLevel.objects.filter(standard=StandardFactory(occupation=lathe)).first()
    assert row is not None
    assert evaluate(someone(), row, on_date=ON) == []


def test_results_round_trip_through_json(std: dict[int, StandardLevel]) -> None:
    results = evaluate(someone(), std[4], on_date=ON)
    assert [RouteResult.from_json(r.as_json()) for r in results] == results
