"""Builders for the seat and sign-in sheet tests (no tests here): a batch of institution A
with rooms, sessions and approved candidates on top of the cast and the institutions'
world. Candidates are approved the way the approval service does it: inside one
transaction, ``allocate_admission_number`` then save.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from django.db import transaction
from django.utils import timezone

from skillcert.batches.choices import BatchStatus, Component, RoomKind
from skillcert.batches.models import Batch, Room, Session
from skillcert.catalog.models import StandardLevel
from skillcert.core.choices import IdType
from skillcert.core.personal import id_index
from skillcert.enrollment.admission import allocate_admission_number
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import Institution, Site
from tests.conftest import Cast
from tests.factories import resident_id
from tests.institutions.conftest import World, build_world

_codes = count(1)
_people = count(1)
SURNAMES = "张王李赵刘陈杨黄周吴"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "欧阳明月", "龑")


def exam_start(day: int = 0, hour: int = 9) -> datetime:
    base = timezone.make_aware(datetime(2026, 6, 1, hour, 0))  # noqa: DTZ001 - made aware
    return base + timedelta(days=day)


@dataclass
class ExamWorld:
    world: World
    batch: Batch
    site: Site
    sessions: list[Session] = field(default_factory=list)

    def room_session(
        self,
        name: str,
        capacity: int,
        *,
        starts_at: datetime | None = None,
        component: str = Component.THEORY,
    ) -> Session:
        room = Room.objects.create(
            site=self.site, name=name, kind=RoomKind.COMPUTER, capacity=capacity
        )
        session = Session.objects.create(
            batch=self.batch,
            component=component,
            room=room,
            starts_at=starts_at or exam_start(),
            duration_minutes=90,
        )
        self.sessions.append(session)
        return session


def make_batch(
    institution: Institution, world: World, status: str = BatchStatus.ENROLLING
) -> Batch:
    serial = next(_codes)
    return Batch.objects.create(
        institution=institution,
        code=f"B2026{serial:03d}",
        title=f"2026年第{serial}批车工五级认定",
        standard_level=StandardLevel.objects.get(standard=world.lathe_std, level=5),
        occupation=world.lathe,
        work_type=world.cnc,
        level=5,
        planned_candidates=100,
        enrollment_opens=date(2026, 4, 1),
        enrollment_closes=date(2026, 5, 1),
        status=status,
    )


def exam_world(
    cast: Cast,
    capacities: Sequence[int] = (30,),
    *,
    world: World | None = None,
    status: str = BatchStatus.ENROLLING,
) -> ExamWorld:
    """Institution A's batch with one theory session per capacity, an hour apart."""
    world = world or build_world(cast)
    site = Site.objects.create(
        institution=world.inst_a,
        name="实训楼",
        address="昆明市五华区测试路1号",
        latitude=Decimal("25.040000"),
        longitude=Decimal("102.710000"),
    )
    exam = ExamWorld(world=world, batch=make_batch(world.inst_a, world, status), site=site)
    for n, capacity in enumerate(capacities):
        exam.room_session(f"{101 + n}室", capacity, starts_at=exam_start(hour=9 + n))
    return exam


def person(name: str | None = None) -> tuple[Person, str]:
    """A person with a checksum-valid ID number; returns the person and the full number."""
    n = next(_people)
    number = resident_id(birth=f"1995{n // 28 % 12 + 1:02d}{n % 28 + 1:02d}", serial=n)
    full_name = name or SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
    created = Person.objects.create(
        full_name=full_name,
        id_type=IdType.RESIDENT,
        id_number=number,
        id_number_index=id_index(IdType.RESIDENT, number),
    )
    return created, number


def approve(application: Application) -> Application:
    """What the approval does to the number: allocate and save in one transaction."""
    with transaction.atomic():
        application.admission_number = allocate_admission_number(application)
        application.status = ApplicationStatus.APPROVED
        application.save(update_fields=["admission_number", "status"])
    return application


def applicant(batch: Batch, name: str | None = None) -> Application:
    candidate, _number = person(name)
    return Application.objects.create(
        person=candidate, batch=batch, status=ApplicationStatus.SUBMITTED
    )


def approved_candidates(batch: Batch, n: int) -> list[Application]:
    return [approve(applicant(batch)) for _i in range(n)]
