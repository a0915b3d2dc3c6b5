"""Demo batch plans at 滇池职业技术学校（演示）, one in each planning state, built through
the services as the demo users. Runs after the institutions demo; idempotent (if the
school has batches it does nothing). Dates are relative to today (T).

=======================  =================  ===========  =======================================
state                    occupation, level  sessions     notes
=======================  =================  ===========  =======================================
DRAFT                    中式烹调师 四级    T+55         incomplete: a 60-minute theory session,
                                                         no practical, no staff — the checklist
                                                         shows the errors
FILED                    车工 五级          T+35         filed on time; due date shown
FILED (late)             电工 五级          T+12         enrollment closed T−60: filed after its
                                                         due date, first in the centre's queue
RETURNED                 电工 四级          T+40         returned by the city official
APPROVED                 中式烹调师 五级    T+28
ENROLLING                车工 四级          T+21         enrollment T−7 … T+14
ENROLLMENT_CLOSED        电工 五级          T+4          enrollment T−25 … T−3
=======================  =================  ===========  =======================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from skillcert.batches.choices import Component, RoomKind, StaffRole
from skillcert.batches.models import Batch, Room, Session
from skillcert.batches.services import plan, workflow
from skillcert.catalog.models import StandardLevel
from skillcert.core.choices import IdType
from skillcert.core.demo import demo_actor
from skillcert.core.errors import DomainError
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.demo import SENTINEL, person_id, person_name
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.services import registry

# site name -> rooms (name, kind, seats)
ROOMS = {
    "机房考场": [("301机房", RoomKind.COMPUTER, 30), ("302机房", RoomKind.COMPUTER, 30)],
    "实训楼A区": [
        ("车工实训车间", RoomKind.WORKSHOP, 20),
        ("电工实训室", RoomKind.WORKSHOP, 20),
        ("中餐烹饪实训室", RoomKind.WORKSHOP, 20),
    ],
}
WORKSHOPS = {
    "6-18-01-01": "车工实训车间",
    "6-31-01-03": "电工实训室",
    "4-03-02-01": "中餐烹饪实训室",
}
PROCTOR_SERIALS = range(501, 505)  # person_id serials clear of the institutions demo's


@dataclass(frozen=True)
class DemoBatch:
    title: str
    code: str  # occupation code
    level: int
    planned: int
    opens: int  # days from today
    closes: int
    sessions_on: int


DRAFT = DemoBatch("2027年春季中式烹调师（四级）认定", "4-03-02-01", 4, 30, 20, 45, 55)
FILED = DemoBatch("数控技术专业车工（五级）认定", "6-18-01-01", 5, 15, 5, 25, 35)
FILED_LATE = DemoBatch("电气自动化专业电工（五级）认定", "6-31-01-03", 5, 15, -90, -60, 12)
RETURNED = DemoBatch("电气自动化专业电工（四级）认定", "6-31-01-03", 4, 15, 10, 30, 40)
APPROVED = DemoBatch("烹饪专业中式烹调师（五级）认定", "4-03-02-01", 5, 15, 3, 20, 28)
ENROLLING = DemoBatch("机械加工专业车工（四级）认定", "6-18-01-01", 4, 15, -7, 14, 21)
CLOSED = DemoBatch("电工（五级）社会学员认定", "6-31-01-03", 5, 12, -25, -3, 4)


class _Demo:
    def __init__(self, institution: Institution) -> None:
        self.institution = institution
        self.today = timezone.localdate()
        self.admin = demo_actor("inst_a_admin")
        self.official = demo_actor("km_official")
        self.rooms = {r.name: r for r in _rooms(self)}
        self.proctors = [_proctor(self, serial) for serial in PROCTOR_SERIALS]
        self.exam_staff = self._staff(StaffKind.STAFF).first()
        self.supervisor = self._staff(StaffKind.SUPERVISOR).first()

    def _staff(self, kind: str) -> QuerySet[StaffMember]:
        return StaffMember.objects.filter(
            institution=self.institution, kind=kind, is_active=True
        ).order_by("pk")

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int) -> datetime:
        return datetime.combine(
            self.day(offset), time(hour), tzinfo=timezone.get_current_timezone()
        )


def _rooms(demo: _Demo) -> list[Room]:
    made = []
    for site in demo.institution.sites.order_by("pk"):
        for name, kind, seats in ROOMS.get(site.name, []):
            made.append(
                plan.room_add(actor=demo.admin, site=site, name=name, kind=kind, capacity=seats)
            )
    return made


def _proctor(demo: _Demo, serial: int) -> StaffMember:
    return registry.staff_add(
        actor=demo.admin,
        institution=demo.institution,
        kind=StaffKind.STAFF,
        full_name=person_name(serial),
        id_type=IdType.RESIDENT,
        id_number=person_id(serial),
        title="监考教师",
    )


@transaction.atomic
def seed_batches_demo() -> list[Batch]:
    """Create the demo batches in every planning state; a no-op once they exist."""
    institution = Institution.objects.filter(organisation__name=SENTINEL).first()
    if institution is None:
        raise DomainError("the demo institution is missing: run the institutions demo first")
    if Batch.objects.filter(institution=institution).exists():
        return list(Batch.objects.filter(institution=institution))
    demo = _Demo(institution)
    made = [_draft(demo)]
    made.append(_filed(demo, FILED))
    made.append(_filed(demo, FILED_LATE))
    returned = _filed(demo, RETURNED)
    made.append(
        workflow.batch_return(
            actor=demo.official,
            batch=returned,
            reason="理论知识考试只安排了一个机房，请按报名情况补充考场，并补充视频监控设置说明后重新报备。",
        )
    )
    made.append(_approved(demo, APPROVED))
    enrolling = _approved(demo, ENROLLING)
    made.append(workflow.batch_open_enrollment(actor=demo.admin, batch=enrolling))
    closed = _approved(demo, CLOSED)
    workflow.batch_open_enrollment(actor=demo.admin, batch=closed, today=demo.day(CLOSED.opens))
    made.append(workflow.batch_close_enrollment(actor=demo.admin, batch=closed))
    return made


def _create(demo: _Demo, spec: DemoBatch) -> Batch:
    standard_level = StandardLevel.objects.get(
        standard__is_demo=True, standard__occupation__code=spec.code, level=spec.level
    )
    return plan.batch_create(
        actor=demo.admin,
        institution=demo.institution,
        standard_level=standard_level,
        title=spec.title,
        planned_candidates=spec.planned,
        enrollment_opens=demo.day(spec.opens),
        enrollment_closes=demo.day(spec.closes),
    )


def _draft(demo: _Demo) -> Batch:
    batch = _create(demo, DRAFT)
    plan.session_add(
        actor=demo.admin,
        batch=batch,
        component=Component.THEORY,
        room=demo.rooms["301机房"],
        starts_at=demo.at(DRAFT.sessions_on, 9),
        duration_minutes=60,
    )
    return batch


def _complete(demo: _Demo, spec: DemoBatch) -> Batch:
    """Theory in the morning, the practical in the occupation's workshop in the afternoon,
    the institution's three qualified examiners, a supervisor and the exam staff."""
    batch = _create(demo, spec)
    theory = plan.session_add(
        actor=demo.admin,
        batch=batch,
        component=Component.THEORY,
        room=demo.rooms["301机房"],
        starts_at=demo.at(spec.sessions_on, 9),
        duration_minutes=batch.standard_level.theory_minutes,
    )
    plan.session_add(
        actor=demo.admin,
        batch=batch,
        component=Component.PRACTICAL,
        room=demo.rooms[WORKSHOPS[spec.code]],
        starts_at=demo.at(spec.sessions_on, 13),
        duration_minutes=batch.standard_level.practical_minutes,
    )
    for proctor in demo.proctors[:2]:
        _assign(demo, batch, proctor, StaffRole.PROCTOR, theory)
    examiners = (
        StaffMember.objects.filter(
            institution=demo.institution,
            kind=StaffKind.EXAMINER,
            is_active=True,
            qualifications__occupation=batch.occupation,
            qualifications__highest_level__lte=batch.level,
        )
        .distinct()
        .order_by("pk")
    )
    for member in examiners[:3]:
        _assign(demo, batch, member, StaffRole.EXAMINER)
    _assign(demo, batch, demo.supervisor, StaffRole.INTERNAL_SUPERVISOR)
    _assign(demo, batch, demo.exam_staff, StaffRole.EXAM_STAFF)
    return batch


def _assign(
    demo: _Demo,
    batch: Batch,
    staff: StaffMember | None,
    role: str,
    session: Session | None = None,
) -> None:
    if staff is None:
        raise DomainError("the demo institution's registry is incomplete")
    plan.staff_assign(actor=demo.admin, batch=batch, staff=staff, role=role, session=session)


def _filed(demo: _Demo, spec: DemoBatch) -> Batch:
    return workflow.batch_file(actor=demo.admin, batch=_complete(demo, spec))


def _approved(demo: _Demo, spec: DemoBatch) -> Batch:
    return workflow.batch_approve(actor=demo.official, batch=_filed(demo, spec))
