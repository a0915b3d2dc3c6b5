"""Persons found by the blind index of their ID number, their records, diploma checks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import RecordSource
from skillcert.enrollment.models import (
    Application,
    EducationRecord,
    HeldCertificate,
    Person,
    StudentStatus,
    WorkRecord,
)
from skillcert.enrollment.services import persons
from tests.enrollment.conftest import Enrol, new_candidate
from tests.factories import resident_id

SOMEONE = resident_id(area="530103", birth="19980305", serial=41)


def register(actor: Actor, name: str = "王小明", number: str = SOMEONE, **kw: Any) -> Person:
    return persons.person_find_or_create(
        actor=actor, full_name=name, id_type=IdType.RESIDENT, id_number=number, **kw
    )


def test_staff_register_a_person_with_identity_facts(enrol: Enrol) -> None:
    person = register(enrol.staff, phone="13912345678", household_registration="云南省昆明市")
    assert person.id_number == SOMEONE
    assert str(person.id_number) == f"{SOMEONE[:6]}********{SOMEONE[-4:]}"
    assert person.birth_date == date(1998, 3, 5)
    assert person.gender == "M"
    assert person.phone == "13912345678"
    assert person.phone_index
    assert person.household_registration == "云南省昆明市"
    event = AuditEvent.objects.get(action="person.create")
    assert SOMEONE not in str(event.changes)
    assert SOMEONE not in event.object_label


def test_the_same_number_finds_the_same_person(enrol: Enrol) -> None:
    first = register(enrol.staff)
    spaced = f"{SOMEONE[:6]} {SOMEONE[6:]}".lower()
    assert register(enrol.staff_b, name="王 小明", number=spaced).pk == first.pk
    assert Person.objects.count() == 1


def test_a_different_name_is_refused_without_revealing_the_registered_one(
    enrol: Enrol, refused: Any
) -> None:
    register(enrol.staff)
    error = refused(DomainError, lambda: register(enrol.staff, name="王大明"), "name_mismatch")
    assert "王小明" not in str(error.message)
    assert str(error.message) == "该证件号码已登记，但姓名与登记信息不一致，请核对姓名和证件号码。"


def test_an_invalid_number_is_refused(enrol: Enrol, refused: Any) -> None:
    refused(DomainError, lambda: register(enrol.staff, number="530103199803050000"), "invalid_id")


@pytest.mark.parametrize("role", ["examiner", "city_a", "education", "anonymous"])
def test_only_staff_or_oneself_registers(enrol: Enrol, refused: Any, role: str) -> None:
    refused(PermissionDenied, lambda: register(enrol.cast.actor(role)))


def test_a_candidate_registers_only_their_own_identity(enrol: Enrol, refused: Any) -> None:
    candidate = enrol.candidate
    assert candidate.user is not None
    refused(PermissionDenied, lambda: register(candidate, user=candidate.user))
    person = persons.person_for_user(actor=candidate)
    assert person.user_id == candidate.user.pk
    assert person.id_number == candidate.user.id_number.plain
    assert persons.person_for_user(actor=candidate).pk == person.pk


def test_a_user_links_to_the_person_staff_registered(enrol: Enrol) -> None:
    candidate = enrol.candidate
    assert candidate.user is not None
    staff_made = register(
        enrol.staff, name=candidate.user.full_name, number=candidate.user.id_number.plain
    )
    assert staff_made.user_id is None
    assert persons.person_for_user(actor=candidate).pk == staff_made.pk
    staff_made.refresh_from_db()
    assert staff_made.user_id == candidate.user.pk


def test_a_person_linked_to_another_account_is_refused(enrol: Enrol, refused: Any) -> None:
    candidate = enrol.candidate
    assert candidate.user is not None
    person = persons.person_for_user(actor=candidate)
    other = new_candidate()
    assert other.user is not None
    other.user.id_number = candidate.user.id_number
    other.user.id_number_index = candidate.user.id_number_index
    other.user.full_name = candidate.user.full_name
    other.user.save()
    refused(DomainError, lambda: persons.person_for_user(actor=other), "linked_elsewhere")
    person.refresh_from_db()
    assert person.user_id == candidate.user.pk


# ---------------------------------------------------------------- records


def test_the_person_adds_and_removes_records(enrol: Enrol) -> None:
    actor = enrol.candidate
    person = enrol.person()
    education = persons.education_add(
        actor=actor,
        person=person,
        school="昆明技工学校",
        school_type=SchoolType.TECHNICAL_SCHOOL,
        education_level=EducationLevel.SECONDARY,
        major="数控车工",
        graduated_on=date(2022, 6, 30),
    )
    status = persons.student_status_add(
        actor=actor,
        person=person,
        school="昆明技师学院",
        school_type=SchoolType.TECHNICIAN_COLLEGE,
        major="数控加工",
        enrollment_year=2022,
        graduation_year=2025,
        student_number="2022001",
    )
    work = persons.work_record_add(
        actor=actor, person=person, employer="机床厂", job_title="车工", started_on=date(2020, 1, 1)
    )
    held = persons.held_certificate_add(
        actor=actor,
        person=person,
        occupation=enrol.world.lathe,
        work_type=enrol.world.cnc,
        level=5,
        number="C001",
        issued_on=date(2021, 1, 1),
        issuer="鉴定中心",
    )
    assert education.source == status.source == held.source == RecordSource.DECLARED
    for record in (education, status, work, held):
        persons.record_remove(actor=actor, record=record)
    for model in (EducationRecord, StudentStatus, WorkRecord, HeldCertificate):
        assert not model.objects.exists()
    assert AuditEvent.objects.filter(action="person.record_remove").count() == 4


def test_records_are_checked(enrol: Enrol, refused: Any) -> None:
    actor, person = enrol.candidate, enrol.person()
    future = timezone.localdate() + timedelta(days=1)
    refused(
        DomainError,
        lambda: persons.work_record_add(
            actor=actor, person=person, employer="厂", job_title="车工", started_on=future
        ),
    )
    refused(
        DomainError,
        lambda: persons.work_record_add(
            actor=actor,
            person=person,
            employer="厂",
            job_title="车工",
            started_on=date(2020, 1, 1),
            ended_on=date(2019, 1, 1),
        ),
    )
    refused(
        DomainError,
        lambda: persons.student_status_add(
            actor=actor,
            person=person,
            school="校",
            school_type=SchoolType.TECHNICAL_SCHOOL,
            major="车工",
            enrollment_year=2024,
            graduation_year=2023,
        ),
    )
    refused(
        DomainError,
        lambda: persons.held_certificate_add(
            actor=actor,
            person=person,
            occupation=enrol.world.electrician,
            work_type=enrol.world.cnc,
            level=5,
            number="C1",
            issued_on=date(2020, 1, 1),
            issuer="中心",
        ),
    )


def test_staff_edit_records_only_of_their_applicants(enrol: Enrol, refused: Any) -> None:
    person = enrol.person()
    add = lambda actor: persons.work_record_add(  # noqa: E731
        actor=actor, person=person, employer="厂", job_title="车工", started_on=date(2020, 1, 1)
    )
    refused(PermissionDenied, lambda: add(enrol.staff))
    enrol.draft()
    add(enrol.staff)
    refused(PermissionDenied, lambda: add(enrol.staff_b))
    refused(PermissionDenied, lambda: add(enrol.cast.actor("city_a")))
    refused(PermissionDenied, lambda: add(new_candidate()))


def test_registry_records_cannot_be_removed(enrol: Enrol, refused: Any) -> None:
    person = enrol.person()
    status = StudentStatus.objects.create(
        person=person,
        school="校",
        major="车工",
        enrollment_year=2022,
        graduation_year=2025,
        source=RecordSource.REGISTRY,
    )
    refused(
        DomainError,
        lambda: persons.record_remove(actor=enrol.candidate, record=status),
        "not_declared",
    )


# ---------------------------------------------------------------- diplomas


def _graduate(enrol: Enrol) -> tuple[Person, EducationRecord]:
    person = enrol.person()
    record = persons.education_add(
        actor=enrol.candidate,
        person=person,
        school="昆明技工学校",
        school_type=SchoolType.TECHNICAL_SCHOOL,
        education_level=EducationLevel.SECONDARY,
        major="数控车工",
        graduated_on=timezone.localdate(),
    )
    return person, record


def test_verifying_the_diploma_releases_pending_applications(enrol: Enrol) -> None:
    person, record = _graduate(enrol)
    application = enrol.draft()
    Application.objects.filter(pk=application.pk).update(diploma_pending=True)
    assert persons.diploma_verify(actor=enrol.staff, person=person, education_record=record) == 1
    application.refresh_from_db()
    record.refresh_from_db()
    assert not application.diploma_pending
    assert record.verified_at is not None
    assert record.verified_by_label == enrol.staff.label
    event = AuditEvent.objects.get(action="person.diploma_verify")
    assert event.changes == {"record": record.pk, "released_applications": 1}


def test_diploma_verification_is_for_staff_and_authorities_in_scope(
    enrol: Enrol, refused: Any
) -> None:
    person, record = _graduate(enrol)
    enrol.draft()
    for role in ("institution_b", "city_b", "education", "candidate", "examiner"):
        refused(
            PermissionDenied,
            lambda r=role: persons.diploma_verify(
                actor=enrol.cast.actor(r), person=person, education_record=record
            ),
        )
    persons.diploma_verify(actor=enrol.cast.actor("city_a"), person=person, education_record=record)
    refused(
        DomainError,
        lambda: persons.diploma_verify(actor=enrol.staff, person=person, education_record=record),
        "already_verified",
    )
