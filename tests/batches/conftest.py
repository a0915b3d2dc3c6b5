"""The batches' test kit on top of the institutions' world.

``kit.inst`` is the cast's institution A (Kunming, a technical school), filed for 车工
levels 5–2 with three examiners qualified up to level 2, an exam-staff member, an internal
supervisor, four proctors (staff), two experts and three rooms: a 30-seat computer room,
a 20-seat workshop and a 20-seat meeting room. ``kit.batch()`` makes a draft and
``kit.complete(batch)`` schedules and staffs it so that it validates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from skillcert.batches.choices import BatchStatus, Component, RoomKind, StaffRole
from skillcert.batches.models import Batch, Room, Session
from skillcert.batches.services import plan, workflow
from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import Institution, Site, StaffMember
from skillcert.institutions.services import registry
from tests.conftest import Cast
from tests.institutions.conftest import SYSTEM, World, approved, build_world, examiner, person

__all__ = ["SYSTEM", "Kit", "at", "build_kit"]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in the project's time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class Kit:
    world: World
    inst: Institution
    site: Site
    computer_room: Room
    workshop: Room
    meeting_room: Room
    exam_staff: StaffMember
    supervisor: StaffMember
    proctors: list[StaffMember]
    examiners: list[StaffMember]
    experts: list[StaffMember]
    today: date = field(default_factory=timezone.localdate)
    made: int = 0

    @property
    def cast(self) -> Cast:
        return self.world.cast

    @property
    def admin(self) -> Actor:
        return self.cast.actor("institution_a")

    @property
    def centre(self) -> Actor:
        return self.cast.actor("city_a")

    def level(self, level: int) -> StandardLevel:
        return StandardLevel.objects.get(standard=self.world.lathe_std, level=level)

    def batch(
        self,
        level: int = 5,
        *,
        planned: int = 15,
        opens: date | None = None,
        closes: date | None = None,
        **kwargs: Any,
    ) -> Batch:
        """A draft: enrollment for 20 days from tomorrow (each further batch a week later,
        so that the default sessions of two batches never share a room)."""
        opens = opens or self.today + timedelta(days=1 + 7 * self.made)
        self.made += 1
        return plan.batch_create(
            actor=self.admin,
            institution=self.inst,
            standard_level=self.level(level),
            title=f"车工{level}级测试批次",
            planned_candidates=planned,
            enrollment_opens=opens,
            enrollment_closes=closes or opens + timedelta(days=19),
            **kwargs,
        )

    def session(
        self,
        batch: Batch,
        component: str,
        room: Room | None = None,
        *,
        starts_at: datetime | None = None,
        minutes: int | None = None,
    ) -> Session:
        day = batch.enrollment_closes + timedelta(days=10)
        defaults = {
            Component.THEORY: (self.computer_room, at(day, 9), 90),
            Component.PRACTICAL: (self.workshop, at(day, 14), 120),
            Component.REVIEW: (self.meeting_room, at(day + timedelta(days=1), 9), 30),
            Component.COURSE: (self.computer_room, at(day, 9), 90),  # never scheduled
        }
        default_room, default_start, default_minutes = defaults[Component(component)]
        return plan.session_add(
            actor=self.admin,
            batch=batch,
            component=component,
            room=room or default_room,
            starts_at=starts_at or default_start,
            duration_minutes=minutes or default_minutes,
        )

    def assign(
        self, batch: Batch, staff: StaffMember, role: str, session: Session | None = None
    ) -> None:
        plan.staff_assign(actor=self.admin, batch=batch, staff=staff, role=role, session=session)

    def complete(self, batch: Batch) -> Batch:
        """Sessions for every component and the staff the checks ask for."""
        for component in batch.scheduled_components:
            session = self.session(batch, component)
            if component == Component.THEORY:
                for proctor in self.proctors[:2]:
                    self.assign(batch, proctor, StaffRole.PROCTOR, session)
        for member in self.examiners[:3]:
            self.assign(batch, member, StaffRole.EXAMINER)
        if batch.needs_review:
            for member in self.experts[:3]:
                self.assign(batch, member, StaffRole.REVIEW_PANEL)
        self.assign(batch, self.supervisor, StaffRole.INTERNAL_SUPERVISOR)
        self.assign(batch, self.exam_staff, StaffRole.EXAM_STAFF)
        batch.refresh_from_db()
        return batch

    def filed(self, level: int = 5, **kwargs: Any) -> Batch:
        batch = self.complete(self.batch(level, **kwargs))
        return workflow.batch_file(actor=self.admin, batch=batch)

    def approved(self, level: int = 5, **kwargs: Any) -> Batch:
        return workflow.batch_approve(actor=self.centre, batch=self.filed(level, **kwargs))

    def enrollment_closed(self, **kwargs: Any) -> Batch:
        """Enrollment ran until yesterday; the sessions are today."""
        opens = self.today - timedelta(days=20)
        closes = self.today - timedelta(days=1)
        batch = self.batch(opens=opens, closes=closes, **kwargs)
        theory = self.session(batch, Component.THEORY, starts_at=at(self.today, 9))
        for proctor in self.proctors[:2]:
            self.assign(batch, proctor, StaffRole.PROCTOR, theory)
        self.session(batch, Component.PRACTICAL, starts_at=at(self.today, 14))
        for member in self.examiners[:3]:
            self.assign(batch, member, StaffRole.EXAMINER)
        self.assign(batch, self.supervisor, StaffRole.INTERNAL_SUPERVISOR)
        self.assign(batch, self.exam_staff, StaffRole.EXAM_STAFF)
        workflow.batch_file(actor=self.admin, batch=batch)
        workflow.batch_approve(actor=self.centre, batch=batch)
        # Enrollment is opened before it closes; place the batch as if it had been.
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.ENROLLING)
        batch.refresh_from_db()
        return workflow.batch_close_enrollment(actor=self.admin, batch=batch)


def room(site: Site, name: str, kind: str, capacity: int) -> Room:
    return plan.room_add(actor=SYSTEM, site=site, name=name, kind=kind, capacity=capacity)


def build_kit(cast: Cast, approved_on: date | None = None) -> Kit:
    world = build_world(cast)
    inst = world.inst_a
    day = approved_on or timezone.localdate() - timedelta(days=30)
    approved(world, inst, world.line(5, 2), today=day)
    site = registry.site_add(
        actor=SYSTEM,
        institution=inst,
        name="考评楼",
        address="测试路9号",
        latitude=Decimal("25.040000"),
        longitude=Decimal("102.710000"),
        has_video_monitoring=True,
    )
    return Kit(
        world=world,
        inst=inst,
        site=site,
        computer_room=room(site, "301机房", RoomKind.COMPUTER, 30),
        workshop=room(site, "车工车间", RoomKind.WORKSHOP, 20),
        meeting_room=room(site, "评审室", RoomKind.MEETING, 20),
        exam_staff=person(inst, StaffKind.STAFF),
        supervisor=person(inst, StaffKind.SUPERVISOR),
        proctors=[person(inst, StaffKind.STAFF) for _n in range(4)],
        examiners=list(
            StaffMember.objects.filter(institution=inst, kind=StaffKind.EXAMINER).order_by("pk")
        ),
        experts=[person(inst, StaffKind.EXPERT) for _n in range(3)],
    )


@pytest.fixture
def kit(cast: Cast) -> Kit:
    return build_kit(cast)


def more_examiners(kit: Kit, n: int, level: int = 2) -> list[StaffMember]:
    made = [examiner(kit.inst, kit.world.lathe, level) for _n in range(n)]
    kit.examiners.extend(made)
    return made
