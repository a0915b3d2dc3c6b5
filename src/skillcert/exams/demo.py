"""A live theory sitting to try after ``make run`` (``manage.py demo_exam``).

On the demo province of ``seed_demo`` every step goes through the services, as the demo
school's admin (``inst_a_admin``) and the Kunming HR official (``km_official``):

1. 车工 level 5 gets a small blueprint (20 单项选择 + 10 判断 + 5 多项选择 + 1 简答 = 100
   points) and its bank is topped up from :mod:`skillcert.exams.demo_bank` (written,
   reviewed and activated) until two parallel forms can be drawn;
2. a new batch at 滇池职业技术学校（演示）: enrollment from T−14 to T−1, the theory session
   starting now in a free computer room, the practical on a later day in the lathe
   workshop, proctors, examiners, the internal supervisor and exam staff; filed (after its
   due date by construction: the first session is today), approved, enrollment opened;
3. N candidates with accounts (the demo password), a related job for 1–6 years and its
   evidence, the signed pledge; enrollment closed, applications approved (admission
   numbers), seats assigned;
4. two forms assembled and sealed, the sitting prepared and opened.

Each run makes a new batch, so it can be rerun any day; rooms and proctors already busy
at this hour are skipped (another computer room or proctor is registered when none is
free). The theory session keeps the plan's minimum duration (national standards §1.9).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from skillcert.batches.choices import Component, RoomKind, StaffRole
from skillcert.batches.demo import WORKSHOPS
from skillcert.batches.models import Batch, Room, Session, StaffAssignment
from skillcert.batches.services import plan, workflow
from skillcert.batches.validation import Requirements
from skillcert.catalog.choices import WeightTable
from skillcert.catalog.demo import DEMO_STANDARDS, theory_rows
from skillcert.catalog.models import StandardLevel
from skillcert.catalog.services import weight_table_set
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import IdType, Role
from skillcert.core.demo import DEMO_PASSWORD, demo_actor
from skillcert.core.errors import DomainError, clean_or_raise
from skillcert.core.models import User
from skillcert.core.personal import id_index
from skillcert.core.services import membership_grant, user_create
from skillcert.enrollment.choices import EvidenceKind
from skillcert.enrollment.demo import CLIENT_ADDRESS
from skillcert.enrollment.models import Application, Person, SeatAssignment
from skillcert.enrollment.seating import seats_assign
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import persons, review
from skillcert.exams import sittings
from skillcert.exams.demo_bank import KEYS, POINTS, Draft, drafts
from skillcert.exams.models import Sitting
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.demo import SENTINEL, SURNAMES, minimal_pdf, person_id, person_name
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.scope import province_policy
from skillcert.institutions.services import registry
from skillcert.itembank.assembly import assemble, paper_seal
from skillcert.itembank.blueprint import BlueprintSpec, blueprint_for
from skillcert.itembank.choices import ItemStatus
from skillcert.itembank.models import AssessmentPoint, Blueprint, Item, Paper
from skillcert.itembank.services import (
    ItemContent,
    assessment_point_add,
    item_activate,
    item_review,
    items_create_many,
)

LATHE = "6-18-01-01"  # 车工
LEVEL = 5
# A small paper: 100 points, about a fifth of the classic 200 items.
TYPE_PLAN: list[dict[str, Any]] = [
    {"type": "single", "count": 20, "points": "2"},
    {"type": "true_false", "count": 10, "points": "2"},
    {"type": "multiple", "count": 5, "points": "4"},
    {"type": "short_answer", "count": 1, "points": "20"},
]
FORMS = 2  # parallel forms A and B: neighbours sit different forms
MAX_CANDIDATES = 30  # one computer room
MAX_MINUTES = 240
MAX_ITEMS = 400  # what demo_bank can write for this blueprint without repeating a stem
ENROLLMENT_DAYS = 14
ADMIN, CENTRE = "inst_a_admin", "km_official"
PROCTOR_TITLE = "监考教师"
PROCTOR_SERIALS = range(601, 700)  # institutions.demo.person_id serials for extra proctors
EMPLOYERS = ("昆明机床厂（演示）", "滇中精密机械有限公司（演示）", "昆明通用机械厂（演示）")
DISTRICTS = ("530102", "530103", "530111", "530112", "530181")  # 昆明: 五华 盘龙 官渡 西山 安宁
MALE_NAMES = ("伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "斌", "鹏", "浩")
FEMALE_NAMES = ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "雪", "琳", "颖", "倩")


@dataclass(frozen=True)
class DemoCandidate:
    full_name: str
    username: str
    admission_number: str
    id_number: str
    seat_number: int


@dataclass(frozen=True)
class DemoExam:
    batch: Batch
    session: Session
    sitting: Sitting
    papers: list[Paper]
    items_per_paper: int
    bank_size: int
    bank_added: int
    candidates: list[DemoCandidate]


@dataclass
class _World:
    institution: Institution
    admin: Actor
    centre: Actor
    level: StandardLevel
    need: Requirements
    today: date


def _world() -> _World:
    institution = (
        Institution.objects.select_related("organisation").filter(organisation__name=SENTINEL)
    ).first()
    level = StandardLevel.objects.filter(
        standard__is_demo=True, standard__occupation__code=LATHE, level=LEVEL
    ).first()
    if institution is None or level is None:
        raise DomainError(_("未找到演示数据，请先运行 manage.py seed_demo。"), code="no_demo")
    policy = province_policy(institution.organisation.province_id)
    return _World(
        institution=institution,
        admin=demo_actor(ADMIN),
        centre=demo_actor(CENTRE),
        level=level,
        # The plan check's numbers (the stricter of policy and standard) for this level.
        need=Requirements.of(Batch(standard_level=level), policy),
        today=timezone.localdate(),
    )


# ---------------------------------------------------------------- the options


def _examiners(world: _World) -> list[StaffMember]:
    """Examiners qualified for 车工 at this level (levels count down: 4 covers 5)."""
    return list(
        StaffMember.objects.filter(
            institution=world.institution,
            kind=StaffKind.EXAMINER,
            is_active=True,
            qualifications__occupation__code=LATHE,
            qualifications__highest_level__lte=LEVEL,
        )
        .distinct()
        .order_by("pk")
    )


def _check_options(world: _World, candidates: int, minutes: int, items: int) -> None:
    examiners = len(_examiners(world))
    most = max(
        (n for n in range(1, MAX_CANDIDATES + 1) if world.need.examiners_for(n) <= examiners),
        default=0,
    )
    if not 1 <= candidates <= most:
        raise DomainError(
            _(
                "考生人数应为1至%(most)s人：一间机房%(room)s座，演示机构有%(examiners)s名"
                "车工考评员，每%(per)s名考生至少需要1名考评员（单数）。"
            )
            % {
                "most": most,
                "room": MAX_CANDIDATES,
                "examiners": examiners,
                "per": world.need.candidates_per_examiner,
            },
            code="candidates",
        )
    least = world.need.theory_minutes
    if not least <= minutes <= MAX_MINUTES:
        # National standards §1.9: the theory exam lasts at least 90 minutes; the plan
        # check refuses a shorter session, so the demo cannot plan one either.
        raise DomainError(
            _(
                "理论知识考试时长应为%(least)s至%(most)s分钟（国家职业技能标准规定理论知识考试"
                "不少于%(least)s分钟）。"
            )
            % {"least": least, "most": MAX_MINUTES},
            code="minutes",
        )
    paper = sum(int(row["count"]) for row in TYPE_PLAN)
    if not FORMS * paper <= items <= MAX_ITEMS:
        raise DomainError(
            _("题库试题数应为%(least)s至%(most)s道（每套试卷%(paper)s道，共%(forms)s套）。")
            % {"least": FORMS * paper, "most": MAX_ITEMS, "paper": paper, "forms": FORMS},
            code="items",
        )


# ---------------------------------------------------------------- blueprint and bank


def _theory_table(world: _World) -> None:
    """Demo data: the catalogue demo's theory weight table when the level has none."""
    if world.level.weights.filter(table=WeightTable.THEORY).exists():
        return
    spec = next(s for s in DEMO_STANDARDS if s.code == LATHE)
    weight_table_set(
        actor=Actor.system("demo_exam"),
        standard_level=world.level,
        table=WeightTable.THEORY,
        rows=theory_rows(spec, LEVEL),
    )


def _blueprint(world: _World) -> BlueprintSpec:
    """Configure the level's paper as TYPE_PLAN (there is no blueprint service yet: the
    row is written here, checked and audited in this transaction)."""
    blueprint = Blueprint.objects.filter(standard_level=world.level).first()
    if blueprint is None or blueprint.type_plan != TYPE_PLAN:
        before = blueprint.type_plan if blueprint is not None else None
        blueprint = blueprint or Blueprint(standard_level=world.level)
        blueprint.type_plan = TYPE_PLAN
        clean_or_raise(blueprint)
        blueprint.save()
        audit_record(
            actor=Actor.system("demo_exam"),
            action="itembank.blueprint_set",
            obj=blueprint,
            changes={"before": before, "after": TYPE_PLAN},
        )
    return blueprint_for(world.level)


def _points(world: _World, spec: BlueprintSpec) -> dict[str, AssessmentPoint]:
    areas = {area.name: area.id for area in spec.areas}
    existing = {p.code: p for p in AssessmentPoint.objects.filter(standard_level=world.level)}
    for code, (area_name, name) in POINTS.items():
        if code in existing or area_name not in areas:
            continue
        existing[code] = assessment_point_add(
            actor=world.admin,
            standard_level=world.level,
            area=world.level.weights.get(pk=areas[area_name]),
            code=code,
            name=name,
        )
    return existing


class _Writer:
    """Draws fresh demo items per (knowledge area, type), never repeating a stem."""

    def __init__(self, spec: BlueprintSpec, stems: set[str]) -> None:
        self.names = {area.id: area.name for area in spec.areas}
        self.stems = stems
        self.sources: dict[tuple[int, str], Iterator[Draft]] = {}

    def next(self, area_id: int, item_type: str) -> Draft | None:
        key = (area_id, item_type)
        if key not in self.sources:
            self.sources[key] = drafts(self.names[area_id], item_type)
        for draft in self.sources[key]:
            if draft.stem not in self.stems:
                self.stems.add(draft.stem)
                return draft
        return None


def _bank(world: _World, spec: BlueprintSpec, target: int) -> tuple[int, int]:
    """Top the level's bank up: every (area, type, difficulty) cell holds enough active
    items for FORMS forms without sharing, then more, spread like the blueprint, until
    ``target`` items. Returns the bank's size and how many items were added."""
    points = _points(world, spec)
    active = Item.objects.filter(
        standard_level=world.level,
        status=ItemStatus.ACTIVE,
        is_current=True,
        type__in=[t.type for t in spec.types],
        point__area_id__in=[area.id for area in spec.areas],
    )
    have = Counter(active.values_list("point__area_id", "type", "difficulty"))
    stems = Item.objects.filter(standard_level=world.level).values_list("stem", flat=True)
    writer = _Writer(spec, set(stems))
    rows: list[tuple[Draft, int]] = []
    cells = spec.cells()
    for cell in cells:
        for _n in range(cell.needed * FORMS - have[(cell.area.id, cell.type, cell.difficulty)]):
            draft = writer.next(cell.area.id, cell.type)
            if draft is None:
                raise DomainError(
                    _("演示题库没有足够的“%(area)s”试题。") % {"area": cell.area.name},
                    code="demo_bank_short",
                )
            rows.append((draft, cell.difficulty))
    # More items, in the blueprint's proportions, while the demo content lasts.
    turns = [cell for cell in cells for _n in range(cell.needed)]
    size = sum(have.values()) + len(rows)
    while size < target and turns:
        for cell in list(turns):
            if size >= target:
                break
            draft = writer.next(cell.area.id, cell.type)
            if draft is None:
                turns = [c for c in turns if (c.area.id, c.type) != (cell.area.id, cell.type)]
                continue
            rows.append((draft, cell.difficulty))
            size += 1
    _write_items(world, points, rows)
    return size, len(rows)


def _write_items(
    world: _World, points: dict[str, AssessmentPoint], rows: list[tuple[Draft, int]]
) -> None:
    if not rows:
        return
    contents = [
        (
            points[draft.point],
            ItemContent(
                type=draft.type,
                stem=draft.stem,
                options=[{"key": KEYS[i], "text": t} for i, t in enumerate(draft.options)],
                answer=list(draft.answer),
                reference_answer=draft.reference,
                difficulty=difficulty,
            ),
        )
        for draft, difficulty in rows
    ]
    owner = world.institution.organisation
    for item in items_create_many(actor=world.admin, owner=owner, rows=contents):
        item_activate(actor=world.admin, item=item_review(actor=world.admin, item=item))


# ---------------------------------------------------------------- the plan


def _room_free(room: Room, starts_at: datetime, minutes: int) -> bool:
    """No other session in ``room`` overlaps [starts_at, +minutes)."""
    probe = Session(starts_at=starts_at, duration_minutes=minutes)
    nearby = Session.objects.filter(
        room=room, starts_at__lt=probe.ends_at, starts_at__gt=starts_at - timedelta(days=1)
    )
    return not any(probe.overlaps(other) for other in nearby)


def _theory_room(world: _World, starts_at: datetime, minutes: int, seats: int) -> Room:
    """A computer room free for the whole session; another one is added when all are busy
    (a rerun within the session's time)."""
    rooms = list(
        Room.objects.filter(
            site__institution=world.institution,
            site__is_active=True,
            kind=RoomKind.COMPUTER,
            is_active=True,
        )
        .select_related("site")
        .order_by("site_id", "name")
    )
    for room in rooms:
        if room.capacity >= seats and _room_free(room, starts_at, minutes):
            return room
    site = rooms[0].site if rooms else world.institution.sites.filter(is_active=True).first()
    if site is None:
        raise DomainError(_("演示机构没有可用的评价场地。"), code="no_site")
    taken = set(Room.objects.filter(site=site).values_list("name", flat=True))
    name = next(f"机考体验室{n}" for n in range(1, len(taken) + 2) if f"机考体验室{n}" not in taken)
    return plan.room_add(
        actor=world.admin, site=site, name=name, kind=RoomKind.COMPUTER, capacity=MAX_CANDIDATES
    )


def _practical_sessions(world: _World, batch: Batch, candidates: int) -> list[Session]:
    """Enough seats in the lathe workshop, in its first free half-days from tomorrow."""
    workshop = Room.objects.filter(
        site__institution=world.institution, name=WORKSHOPS[LATHE], is_active=True
    ).first()
    if workshop is None:
        raise DomainError(_("演示机构没有车工实训车间。"), code="no_workshop")
    minutes = world.need.practical_minutes
    zone = timezone.get_current_timezone()
    made: list[Session] = []
    for offset in range(1, 120):
        for hour in (9, 14):
            if len(made) * workshop.capacity >= candidates:
                return made
            starts_at = datetime.combine(world.today + timedelta(days=offset), time(hour), zone)
            if _room_free(workshop, starts_at, minutes):
                made.append(
                    plan.session_add(
                        actor=world.admin,
                        batch=batch,
                        component=Component.PRACTICAL,
                        room=workshop,
                        starts_at=starts_at,
                        duration_minutes=minutes,
                    )
                )
    raise DomainError(_("车工实训车间近期没有空闲时段。"), code="no_workshop_slot")


def _registry(world: _World, kind: str) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(
            institution=world.institution, kind=kind, is_active=True
        ).order_by("pk")
    )


def _busy_people(session: Session) -> set[str]:
    """ID-number indexes of staff assigned to a session overlapping ``session``."""
    nearby = StaffAssignment.objects.filter(
        session__starts_at__lt=session.ends_at,
        session__starts_at__gt=session.starts_at - timedelta(days=1),
    ).select_related("session", "staff")
    return {
        a.staff.id_number_index
        for a in nearby
        if a.session is not None and a.session.overlaps(session)
    }


def _proctors(world: _World, session: Session, exam_staff: StaffMember) -> list[StaffMember]:
    """Free proctors for the theory room (≥2 and 1 per 15 seats, national standards §1.9);
    a new proctor is registered for each one missing."""
    needed = world.need.proctors_for(session.room.capacity)
    busy = _busy_people(session)
    free = [
        m
        for m in _registry(world, StaffKind.STAFF)
        if m.pk != exam_staff.pk and m.id_number_index not in busy
    ]
    free.sort(key=lambda m: (m.title != PROCTOR_TITLE, m.pk))
    chosen = free[:needed]
    known = set(
        StaffMember.objects.filter(institution=world.institution, kind=StaffKind.STAFF).values_list(
            "id_number_index", flat=True
        )
    )  # staff_add refuses a number already on the list, active or not
    serials = (s for s in PROCTOR_SERIALS if id_index(IdType.RESIDENT, person_id(s)) not in known)
    while len(chosen) < needed:
        serial = next(serials, None)
        if serial is None:
            raise DomainError(_("演示机构的监考人员不足。"), code="no_proctor")
        chosen.append(
            registry.staff_add(
                actor=world.admin,
                institution=world.institution,
                kind=StaffKind.STAFF,
                full_name=person_name(serial),
                id_type=IdType.RESIDENT,
                id_number=person_id(serial),
                title=PROCTOR_TITLE,
            )
        )
    return chosen


def _batch(world: _World, candidates: int, starts_at: datetime, minutes: int) -> Batch:
    """A new plan, filed, approved and open for applications (opened on its first day)."""
    opens = world.today - timedelta(days=ENROLLMENT_DAYS)
    batch = plan.batch_create(
        actor=world.admin,
        institution=world.institution,
        standard_level=world.level,
        title=f"车工（五级）机考体验 {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
        planned_candidates=candidates,
        enrollment_opens=opens,
        enrollment_closes=world.today - timedelta(days=1),
    )
    theory = plan.session_add(
        actor=world.admin,
        batch=batch,
        component=Component.THEORY,
        room=_theory_room(world, starts_at, minutes, candidates),
        starts_at=starts_at,
        duration_minutes=minutes,
    )
    _practical_sessions(world, batch, candidates)
    exam_staff = next(iter(_registry(world, StaffKind.STAFF)), None)
    supervisor = next(iter(_registry(world, StaffKind.SUPERVISOR)), None)
    if exam_staff is None or supervisor is None:
        raise DomainError(_("演示机构的人员名单不完整，请重新运行 seed_demo。"), code="registry")
    assignments: list[tuple[StaffMember, str, Session | None]] = [
        (proctor, StaffRole.PROCTOR, theory) for proctor in _proctors(world, theory, exam_staff)
    ]
    examiners = _examiners(world)[: world.need.examiners_for(candidates)]
    assignments += [(member, StaffRole.EXAMINER, None) for member in examiners]
    assignments += [
        (supervisor, StaffRole.INTERNAL_SUPERVISOR, None),
        (exam_staff, StaffRole.EXAM_STAFF, None),
    ]
    for staff, role, session in assignments:
        plan.staff_assign(actor=world.admin, batch=batch, staff=staff, role=role, session=session)
    batch = workflow.batch_file(actor=world.admin, batch=batch)
    batch = workflow.batch_approve(actor=world.centre, batch=batch)
    return workflow.batch_open_enrollment(actor=world.admin, batch=batch, today=opens)


# ---------------------------------------------------------------- the candidates


def _identity(n: int) -> tuple[str, str]:
    """A checksum-valid Kunming resident ID (born 1996–2005) and a name of its gender."""
    born = date(1996, 1, 1) + timedelta(days=(n * 97) % 3650)
    body = f"{DISTRICTS[n % len(DISTRICTS)]}{born:%Y%m%d}{100 + n % 900:03d}"
    number = body + ric.calc_check_digit(body + "0")  # the argument carries a check digit
    given = MALE_NAMES if int(body[16]) % 2 else FEMALE_NAMES  # GB 11643: odd is male
    name = f"{SURNAMES[n % len(SURNAMES)]}{given[(n * 7) % len(given)]}（演示）"
    return number, name


def demo_identities(count: int) -> Iterator[tuple[str, str]]:
    """Fresh identities: numbers no account or person holds yet."""
    n = User.objects.count() + Person.objects.count()
    made = 0
    while made < count:
        n += 1
        number, name = _identity(n)
        index = id_index(IdType.RESIDENT, number)
        if User.objects.filter(id_number_index=index).exists():
            continue
        if Person.objects.filter(id_number_index=index).exists():
            continue
        made += 1
        yield number, name


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(name), content_type="application/pdf")


def demo_apply(
    today: date, batch: Batch, number: str, name: str, n: int, prefix: str = "exam"
) -> Application:
    """An account (``{prefix}{batch}_{n}``), a related job of 1–6 years with its proof,
    the pledge, submitted. Shared with the results demo."""
    system = Actor.system(f"demo_{prefix}")
    username = f"{prefix}{batch.pk}_{n:02d}"
    user = user_create(
        actor=system,
        username=username,
        password=DEMO_PASSWORD,
        full_name=name,
        id_type=IdType.RESIDENT,
        id_number=number,
    )
    membership = membership_grant(actor=system, user=user, role=Role.CANDIDATE, organisation=None)
    candidate = Actor(user=user, membership=membership)
    person = persons.person_for_user(actor=candidate)
    years = 1 + n % 6
    employer = EMPLOYERS[n % len(EMPLOYERS)]
    persons.work_record_add(
        actor=candidate,
        person=person,
        employer=employer,
        job_title="车工",
        started_on=today - timedelta(days=round(years * 365.25) + 30),
        related=True,
        occupation=batch.occupation,
    )
    application = flow.application_create(
        actor=candidate,
        person=person,
        batch=batch,
        employer=employer,
        current_job="车工",
        work_years=years,
        declared_route=0,  # the level-5 template: 1 year of related work
    )
    for kind in (EvidenceKind.ID_DOCUMENT, EvidenceKind.WORK_PROOF):
        flow.evidence_upload(
            actor=candidate, application=application, kind=kind, uploaded_file=_pdf(f"{kind}.pdf")
        )
    flow.pledge_sign(
        actor=candidate,
        application=application,
        client_address=CLIENT_ADDRESS,
        pledge_text=flow.PLEDGE_TEXT,
    )
    return flow.application_submit(actor=candidate, application=application)


# ---------------------------------------------------------------- the sitting


def _open_sitting(world: _World, batch: Batch, theory: Session) -> tuple[Sitting, list[Paper]]:
    papers = assemble(
        actor=world.admin,
        standard_level=world.level,
        forms=FORMS,
        owner=world.institution.organisation,
        title=f"车工（五级）理论知识机考体验卷 {batch.code}",
        seed=batch.code,
    )
    sealed = [paper_seal(actor=world.admin, paper=paper) for paper in papers]
    sitting = sittings.sitting_prepare(actor=world.admin, session=theory, papers=sealed)
    return sittings.sitting_open(actor=world.admin, sitting=sitting), sealed


@transaction.atomic
def demo_exam_create(
    *, candidates: int = 10, minutes: int | None = None, items: int | None = None
) -> DemoExam:
    """Build and open a theory sitting on the demo province (see the module docstring).

    ``minutes`` defaults to the plan's minimum for the level, ``items`` (the bank's size
    for the level) to twice the paper. Refuses, writing nothing, without ``seed_demo``.
    """
    world = _world()
    minutes = world.need.theory_minutes if minutes is None else minutes
    paper_items = sum(int(row["count"]) for row in TYPE_PLAN)
    items = FORMS * paper_items if items is None else items
    _check_options(world, candidates, minutes, items)
    _theory_table(world)
    spec = _blueprint(world)
    bank_size, bank_added = _bank(world, spec, items)
    starts_at = timezone.localtime().replace(second=0, microsecond=0)
    batch = _batch(world, candidates, starts_at, minutes)
    numbers: dict[int, str] = {}
    submitted: list[Application] = []
    for n, (number, name) in enumerate(demo_identities(candidates), start=1):
        application = demo_apply(world.today, batch, number, name, n)
        numbers[application.pk] = number
        submitted.append(application)
    batch = workflow.batch_close_enrollment(actor=world.admin, batch=batch)
    approved = [
        review.application_approve(actor=world.admin, application=a, note="材料齐全，符合条件")
        for a in submitted
    ]
    sessions = batch.sessions.order_by("starts_at")
    theory = sessions.get(component=Component.THEORY)
    seats_assign(actor=world.admin, session=theory)
    seats_assign(actor=world.admin, session=sessions.filter(component=Component.PRACTICAL)[0])
    sitting, papers = _open_sitting(world, batch, theory)
    return DemoExam(
        batch=batch,
        session=theory,
        sitting=sitting,
        papers=papers,
        items_per_paper=spec.total_items,
        bank_size=bank_size,
        bank_added=bank_added,
        candidates=_roster(theory, approved, numbers),
    )


def _roster(
    theory: Session, approved: list[Application], numbers: dict[int, str]
) -> list[DemoCandidate]:
    """Who sits where, with the ID numbers this run made up (no stored number is read)."""
    seats = dict(
        SeatAssignment.objects.filter(session=theory).values_list("application_id", "seat_number")
    )
    users = dict(
        Application.objects.filter(pk__in=seats).values_list("pk", "person__user__username")
    )
    rows = [
        DemoCandidate(
            full_name=a.person.full_name,
            username=users[a.pk] or "",
            admission_number=a.admission_number or "",
            id_number=numbers[a.pk],
            seat_number=seats[a.pk],
        )
        for a in approved
    ]
    return sorted(rows, key=lambda row: row.seat_number)
