"""Training records (培训记录): recorded by the institution for its own courses, the person
found by ID number or registered; outcomes updated by the same institution."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.models import Person
from skillcert.stats import training
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.models import TrainingRecord
from tests.conftest import Cast, Refused
from tests.enrollment.test_documents_world import person as make_person
from tests.factories import resident_id
from tests.institutions.conftest import World, build_world

pytestmark = pytest.mark.django_db

START = date(2024, 3, 1)
END = date(2024, 4, 30)


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def _add(cast: Cast, role: str = "institution_a", **overrides: Any) -> TrainingRecord:
    fields: dict[str, Any] = {
        "name": "王小明",
        "id_type": IdType.RESIDENT,
        "id_number": resident_id(birth="19980808", serial=321),
        "course": "车工技能提升培训",
        "hours": 40,
        "started_on": START,
        "ended_on": END,
        "outcome": TrainingOutcome.COMPLETED,
        "certificate_number": "PX2024-001",
    }
    fields.update(overrides)
    return training.training_record_add(actor=cast.actor(role), **fields)


def test_a_course_for_a_new_person_registers_them(cast: Cast, world: World) -> None:
    record = _add(cast, occupation=world.lathe, level=5)
    person = record.person
    assert person.full_name == "王小明"
    assert person.id_number.plain == resident_id(birth="19980808", serial=321)
    assert record.institution == world.inst_a
    assert (record.hours, record.outcome, record.certificate_number) == (
        40,
        TrainingOutcome.COMPLETED,
        "PX2024-001",
    )
    assert record.recorded_by_label == cast.users["institution_a"].display_name
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["person.create", "stats.training_add"]
    event = AuditEvent.objects.get(action="stats.training_add")
    assert event.organisation_id == cast.orgs["institution_a"].pk
    assert event.object_id == str(record.pk)


def test_an_existing_person_is_found_by_the_id_number(cast: Cast, world: World) -> None:
    existing, number = make_person("李四")
    record = _add(cast, name="李 四", id_number=number)
    assert record.person == existing
    assert Person.objects.count() == 1
    assert not AuditEvent.objects.filter(action="person.create").exists()


def test_a_name_that_differs_from_the_registered_one_is_refused(
    cast: Cast, world: World, refused: Refused
) -> None:
    _existing, number = make_person("李四")
    refused(DomainError, lambda: _add(cast, name="张三", id_number=number), code="name_mismatch")
    assert not TrainingRecord.objects.exists()


def test_an_invalid_id_number_is_refused(cast: Cast, world: World, refused: Refused) -> None:
    refused(DomainError, lambda: _add(cast, id_number="5301021998080"), code="invalid_id")
    assert not Person.objects.exists()


@pytest.mark.parametrize("role", ["candidate", "examiner", "city_a", "province", "education"])
def test_only_institution_staff_record_training(
    cast: Cast, world: World, role: str, refused: Refused
) -> None:
    refused(PermissionDenied, lambda: _add(cast, role))
    assert not TrainingRecord.objects.exists()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"hours": 0}, "invalid_hours"),
        ({"course": "  "}, "required"),
        ({"ended_on": START - timedelta(days=1)}, "dates"),
        ({"ended_on": None}, "ended_on_required"),
        ({"outcome": TrainingOutcome.IN_PROGRESS, "ended_on": None}, "certificate"),
        ({"outcome": "passed"}, "invalid_outcome"),
        ({"level": 7}, "invalid_level"),
    ],
)
def test_invalid_courses_are_refused(
    cast: Cast, world: World, overrides: dict[str, Any], code: str, refused: Refused
) -> None:
    refused(DomainError, lambda: _add(cast, **overrides), code=code)
    assert not TrainingRecord.objects.exists()
    assert not Person.objects.exists()


def test_a_course_cannot_start_in_the_future(cast: Cast, world: World, refused: Refused) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused(
        DomainError,
        lambda: _add(
            cast,
            started_on=tomorrow,
            ended_on=None,
            outcome=TrainingOutcome.IN_PROGRESS,
            certificate_number="",
        ),
        code="future",
    )


def test_the_same_course_is_recorded_once(cast: Cast, world: World, refused: Refused) -> None:
    _add(cast)
    refused(DomainError, lambda: _add(cast), code="duplicate")
    assert TrainingRecord.objects.count() == 1
    # The same course at another institution is another record.
    _add(cast, "institution_b")
    assert TrainingRecord.objects.count() == 2


def _running(cast: Cast) -> TrainingRecord:
    return _add(cast, ended_on=None, outcome=TrainingOutcome.IN_PROGRESS, certificate_number="")


def test_the_institution_records_the_outcome(cast: Cast, world: World) -> None:
    record = _running(cast)
    updated = training.training_record_update(
        actor=cast.actor("institution_a"),
        record=record,
        outcome=TrainingOutcome.COMPLETED,
        ended_on=END,
        certificate_number=" PX2024-009 ",
    )
    record.refresh_from_db()
    assert updated.pk == record.pk
    assert (record.outcome, record.ended_on, record.certificate_number) == (
        TrainingOutcome.COMPLETED,
        END,
        "PX2024-009",
    )
    event = AuditEvent.objects.filter(action="stats.training_update").get()
    assert event.changes["before"]["outcome"] == TrainingOutcome.IN_PROGRESS
    assert event.changes["after"] == {
        "outcome": TrainingOutcome.COMPLETED,
        "ended_on": "2024-04-30",
        "certificate_number": "PX2024-009",
    }


@pytest.mark.parametrize("role", ["institution_b", "city_a", "candidate"])
def test_only_the_recording_institution_updates(
    cast: Cast, world: World, role: str, refused: Refused
) -> None:
    record = _running(cast)
    refused(
        PermissionDenied,
        lambda: training.training_record_update(
            actor=cast.actor(role),
            record=record,
            outcome=TrainingOutcome.WITHDRAWN,
            ended_on=END,
        ),
    )
    record.refresh_from_db()
    assert record.outcome == TrainingOutcome.IN_PROGRESS


def test_an_update_is_validated_and_must_change_something(
    cast: Cast, world: World, refused: Refused
) -> None:
    record = _running(cast)
    admin = cast.actor("institution_a")
    refused(
        DomainError,
        lambda: training.training_record_update(
            actor=admin, record=record, outcome=TrainingOutcome.COMPLETED, ended_on=None
        ),
        code="ended_on_required",
    )
    refused(
        DomainError,
        lambda: training.training_record_update(
            actor=admin, record=record, outcome=TrainingOutcome.IN_PROGRESS, ended_on=None
        ),
        code="unchanged",
    )
