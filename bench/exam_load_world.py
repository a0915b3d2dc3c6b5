"""The exam load benchmark's world: an open theory sitting with N seated candidates.

Import only after ``django.setup()``. Two steps, each run in a child process of
``bench/exam_load.py`` on its own database:

* :func:`build_template` — once per run, on a database later used as a template: the
  migrations, the demo province (``seed_demo``, the catalogue and the institutions demo,
  all through the services), then at 滇池职业技术学校（演示）, which the demo files for
  车工 levels 5–4, a pool of proctors and 车工-qualified examiners large enough for the
  biggest scenario (``registry.staff_add`` / ``qualification_set``), an item bank for
  车工 level 5 (``items_create_many``, reviewed and activated one by one) and the classic
  200-item paper assembled from it (``assemble``: 160 single choices + 40 true/false,
  0.5 point each, 90 minutes) and sealed (``paper_seal``).
* :func:`build_sitting` — per scenario, on a copy of the template: a batch planned,
  staffed, filed, approved and opened for enrollment through the batch services; its
  theory session starts now in a computer room with N seats (one proctor per 15 seats,
  national standards §1.9), the practical tomorrow. N candidates with valid resident ID
  numbers are inserted with ``bulk_create`` as the services would leave them after
  applying, signing the pledge, submitting and being approved: ``Person`` rows with the
  ID number encrypted and its blind index (the model field and ``id_index``), approved
  ``Application`` rows with admission numbers in ``allocate_admission_number``'s format
  (batch code + 4-digit serial, in order). Then ``seats_assign``, ``sitting_prepare`` and
  ``sitting_open`` — the services again.

What the bulk insert skips, because no exam code reads it: the eligibility engine's
per-route results, evidence files and the per-application audit events.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric

from skillcert.batches.choices import Component, RoomKind, StaffRole
from skillcert.batches.models import Batch, Session
from skillcert.batches.services import plan, workflow
from skillcert.batches.validation.context import Requirements
from skillcert.catalog.demo import seed_catalog_demo
from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType
from skillcert.core.demo import seed_demo
from skillcert.core.identifiers import validate_id
from skillcert.core.models import Membership
from skillcert.core.personal import id_index
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.seating import seats_assign
from skillcert.enrollment.services.applications import pledge_sha256
from skillcert.exams import sittings
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.demo import SENTINEL, seed_institutions_demo
from skillcert.institutions.models import Institution, Site, StaffMember
from skillcert.institutions.scope import province_policy
from skillcert.institutions.services import registry
from skillcert.itembank.assembly import assemble, paper_seal
from skillcert.itembank.blueprint import DIFFICULTIES, blueprint_for, difficulty_split
from skillcert.itembank.choices import ItemType
from skillcert.itembank.models import AssessmentPoint, Paper
from skillcert.itembank.services import (
    ItemContent,
    assessment_point_add,
    item_activate,
    item_review,
    items_create_many,
)

LATHE = "6-18-01-01"  # 车工
LEVEL = 5
CANDIDATE_AREA = "530111"  # 昆明市官渡区: bench candidates
STAFF_AREA = "530112"  # 昆明市西山区: bench staff (the demo uses 530102)
PROCTOR_TITLE = "监考教师（基准测试）"
EXAMINER_TITLE = "考评员（基准测试）"
SITE = "机房考场"  # the demo school's computer-room site
WORKSHOP_SITE = "实训楼A区"
PAPER_TITLE = "车工（五级）理论知识试卷（基准测试）"
BANK_MARGIN = 0.25  # items beyond what one form needs, per cell
CHUNK = 1000

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力林斌宇浩凯鹏飞婷雪琳"

T = TypeVar("T")


def step(log: Callable[[str], None], label: str, call: Callable[[], T]) -> T:
    started = time.perf_counter()
    result = call()
    log(f"  {label}: {time.perf_counter() - started:.1f} s")
    return result


# ---------------------------------------------------------------- people


def resident_ids(area: str, first_birth: date, count: int) -> Iterator[str]:
    """``count`` distinct, checksum-valid resident ID numbers: 500 a birth day."""
    for n in range(count):
        birth = first_birth + timedelta(days=n // 500)
        body = f"{area}{birth:%Y%m%d}{n % 500 + 1:03d}"
        yield body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


def full_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def demo_login(username: str) -> Actor:
    found = (
        Membership.objects.select_related("user", "organisation")
        .filter(user__username=username, is_active=True)
        .get()
    )
    return Actor(user=found.user, membership=found)


def school() -> Institution:
    return Institution.objects.select_related("organisation").get(organisation__name=SENTINEL)


def lathe_level() -> StandardLevel:
    return StandardLevel.objects.select_related("standard").get(
        standard__is_demo=True, standard__occupation__code=LATHE, level=LEVEL
    )


def staff_needed(
    institution: Institution, level: StandardLevel, candidates: int
) -> tuple[int, int]:
    """(proctors, examiners) a plan for ``candidates`` in one room needs (§1.9)."""
    probe = Batch(institution=institution, standard_level=level, level=LEVEL)
    need = Requirements.of(probe, province_policy(institution.organisation.province_id))
    return need.proctors_for(candidates), need.examiners_for(candidates)


# ---------------------------------------------------------------- the template


def build_template(max_candidates: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Migrations, the demo, a staff pool for ``max_candidates`` and a sealed paper."""
    step(log, "migrate", lambda: call_command("migrate", verbosity=0))
    step(log, "demo province, catalogue, institutions", _seed)
    institution, level = school(), lathe_level()
    admin = demo_login("inst_a_admin")
    proctors, examiners = staff_needed(institution, level, max_candidates)
    step(
        log,
        f"{proctors} proctors, {examiners} examiners",
        lambda: _staff(admin, institution, proctors, examiners),
    )
    items = step(log, "item bank", lambda: _bank(admin, institution, level))
    paper = step(log, "paper assembled and sealed", lambda: _paper(admin, institution, level))
    return {"proctors": proctors, "examiners": examiners, "bank_items": items, "paper": paper.pk}


def _seed() -> None:
    seed_demo()
    seed_catalog_demo()
    seed_institutions_demo()


def _staff(admin: Actor, institution: Institution, proctors: int, examiners: int) -> None:
    rng = random.Random(15)
    numbers = resident_ids(STAFF_AREA, date(1986, 3, 1), proctors + examiners)
    lathe = lathe_level().standard.occupation
    for _n in range(proctors):
        registry.staff_add(
            actor=admin,
            institution=institution,
            kind=StaffKind.STAFF,
            full_name=full_name(rng),
            id_type=IdType.RESIDENT,
            id_number=next(numbers),
            title=PROCTOR_TITLE,
        )
    for _n in range(examiners):
        member = registry.staff_add(
            actor=admin,
            institution=institution,
            kind=StaffKind.EXAMINER,
            full_name=full_name(rng),
            id_type=IdType.RESIDENT,
            id_number=next(numbers),
            title=EXAMINER_TITLE,
            skill_level=3,  # an examiner holds a level above the ones they assess
        )
        registry.qualification_set(
            actor=admin, member=member, occupation=lathe, work_type=None, highest_level=4
        )


def _bank(admin: Actor, institution: Institution, level: StandardLevel) -> int:
    """Enough active items in every (area, type, difficulty) cell for one classic form."""
    spec = blueprint_for(level)
    rng = random.Random(5)
    rows: list[tuple[AssessmentPoint, ItemContent]] = []
    for area in spec.areas:
        row = level.weights.get(pk=area.id)
        points = [
            assessment_point_add(
                actor=admin,
                standard_level=level,
                area=row,
                code=f"{area.position}.{n}",
                name=f"{area.name}鉴定点{n}",
            )
            for n in (1, 2, 3, 4)
        ]
        for plan_row in spec.types:
            split = difficulty_split(spec.counts[(area.id, plan_row.type)])
            for difficulty in DIFFICULTIES:
                need = split[difficulty]
                for n in range(need + math.ceil(need * BANK_MARGIN)):
                    stem = f"{area.name}（{plan_row.label}，难度{difficulty}）第{n + 1}题：（ ）。"
                    rows.append((points[n % 4], _content(plan_row.type, stem, difficulty, rng)))
    org = institution.organisation
    items = items_create_many(actor=admin, owner=org, rows=rows)
    for item in items:
        item_activate(actor=admin, item=item_review(actor=admin, item=item))
    return len(items)


def _content(kind: str, stem: str, difficulty: int, rng: random.Random) -> ItemContent:
    if kind == ItemType.TRUE_FALSE:
        return ItemContent(type=kind, stem=stem, answer=[rng.choice("TF")], difficulty=difficulty)
    options = [{"key": key, "text": f"选项{key}"} for key in "ABCD"]
    answer = sorted(rng.sample("ABCD", 2 if kind == ItemType.MULTIPLE else 1))
    return ItemContent(type=kind, stem=stem, options=options, answer=answer, difficulty=difficulty)


def _paper(admin: Actor, institution: Institution, level: StandardLevel) -> Paper:
    (paper,) = assemble(
        actor=admin,
        standard_level=level,
        forms=1,
        owner=institution.organisation,
        title=PAPER_TITLE,
        seed="exam-load",
    )
    return paper_seal(actor=admin, paper=paper)


# ---------------------------------------------------------------- one scenario's sitting


def build_sitting(candidates: int, log: Callable[[str], None]) -> dict[str, Any]:
    """A batch with an open theory sitting and ``candidates`` seated, approved candidates.

    Returns the credentials, ``[[admission number, ID number], ...]`` in seat order."""
    institution, level = school(), lathe_level()
    admin, official = demo_login("inst_a_admin"), demo_login("km_official")
    today = timezone.localdate()
    batch = step(
        log,
        "batch planned, filed, approved",
        lambda: _batch(admin, official, institution, level, candidates, today),
    )
    session = batch.sessions.get(component=Component.THEORY)
    credentials = step(
        log, f"{candidates} approved candidates", lambda: _candidates(admin, batch, candidates)
    )
    step(log, "batch closed for enrollment, seats", lambda: _seats(admin, batch, session))
    paper = Paper.objects.get(title=PAPER_TITLE)
    sitting = step(log, "sitting prepared and opened", lambda: _open(admin, session, paper))
    return {
        "batch": batch.code,
        "session": session.pk,
        "sitting": sitting.pk,
        "paper_items": paper.paper_items.count(),
        "ends_at": sitting.ends_at.isoformat() if sitting.ends_at else "",
        "credentials": credentials,
    }


def _batch(
    admin: Actor,
    official: Actor,
    institution: Institution,
    level: StandardLevel,
    candidates: int,
    today: date,
) -> Batch:
    opens, closes = today - timedelta(days=20), today - timedelta(days=1)
    batch = plan.batch_create(
        actor=admin,
        institution=institution,
        standard_level=level,
        title=f"车工（五级）机考基准测试 {candidates}人",
        planned_candidates=candidates,
        enrollment_opens=opens,
        enrollment_closes=closes,
    )
    computer = plan.room_add(
        actor=admin,
        site=Site.objects.get(institution=institution, name=SITE),
        name=f"基准测试机房{candidates}座",
        kind=RoomKind.COMPUTER,
        capacity=candidates,
    )
    workshop = plan.room_add(
        actor=admin,
        site=Site.objects.get(institution=institution, name=WORKSHOP_SITE),
        name=f"基准测试车间{candidates}座",
        kind=RoomKind.WORKSHOP,
        capacity=candidates,
    )
    now = timezone.localtime().replace(second=0, microsecond=0)
    theory = plan.session_add(
        actor=admin,
        batch=batch,
        component=Component.THEORY,
        room=computer,
        starts_at=now,
        duration_minutes=level.theory_minutes,
    )
    plan.session_add(
        actor=admin,
        batch=batch,
        component=Component.PRACTICAL,
        room=workshop,
        starts_at=datetime.combine(today + timedelta(days=1), now.time(), tzinfo=now.tzinfo),
        duration_minutes=level.practical_minutes,
    )
    _assign_staff(admin, batch, theory, candidates)
    batch = workflow.batch_file(actor=admin, batch=batch)
    batch = workflow.batch_approve(actor=official, batch=batch)
    return workflow.batch_open_enrollment(actor=admin, batch=batch, today=opens)


def _assign_staff(admin: Actor, batch: Batch, theory: Session, candidates: int) -> None:
    proctors, examiners = staff_needed(batch.institution, batch.standard_level, candidates)
    pool = StaffMember.objects.filter(institution=batch.institution, is_active=True)
    chosen = [
        *((m, StaffRole.PROCTOR, theory) for m in pool.filter(title=PROCTOR_TITLE)[:proctors]),
        *((m, StaffRole.EXAMINER, None) for m in pool.filter(title=EXAMINER_TITLE)[:examiners]),
        (
            pool.filter(kind=StaffKind.SUPERVISOR).order_by("pk")[0],
            StaffRole.INTERNAL_SUPERVISOR,
            None,
        ),
        (pool.filter(kind=StaffKind.STAFF, title="考务专员")[0], StaffRole.EXAM_STAFF, None),
    ]
    if len(chosen) < proctors + examiners + 2:
        raise SystemExit("the template's staff pool is too small for this scenario")
    for member, role, session in chosen:
        plan.staff_assign(actor=admin, batch=batch, staff=member, role=role, session=session)


def _candidates(admin: Actor, batch: Batch, count: int) -> list[list[str]]:
    """Persons and approved applications as the services leave them (see the module doc)."""
    rng = random.Random(count)
    numbers = list(resident_ids(CANDIDATE_AREA, date(1998, 1, 1), count))
    now = timezone.now()
    label = admin.label[:128]
    pledge = pledge_sha256()
    with transaction.atomic():
        for start in range(0, count, CHUNK):
            chunk = numbers[start : start + CHUNK]
            people = []
            for number in chunk:
                facts = validate_id(IdType.RESIDENT, number)
                people.append(
                    Person(
                        full_name=full_name(rng),
                        id_type=IdType.RESIDENT,
                        id_number=facts.number,
                        id_number_index=id_index(IdType.RESIDENT, facts.number),
                        gender=facts.gender,
                        birth_date=facts.birth_date,
                    )
                )
            Person.objects.bulk_create(people)
            Application.objects.bulk_create(
                Application(
                    person=person,
                    batch=batch,
                    status=ApplicationStatus.APPROVED,
                    work_years=6,
                    declared_route=0,
                    eligible=True,
                    eligibility_checked_on=batch.enrollment_closes,
                    pledge_signed_at=now,
                    pledge_client_address="127.0.0.1",
                    pledge_text_sha256=pledge,
                    submitted_at=now,
                    reviewed_at=now,
                    reviewed_by_label=label,
                    # allocate_admission_number's format: the batch code + a serial
                    admission_number=f"{batch.code}{start + n + 1:04d}",
                )
                for n, person in enumerate(people)
            )
    return [[f"{batch.code}{n + 1:04d}", number] for n, number in enumerate(numbers)]


def _seats(admin: Actor, batch: Batch, session: Session) -> None:
    batch = workflow.batch_close_enrollment(actor=admin, batch=batch)
    seats_assign(actor=admin, session=session)


def _open(admin: Actor, session: Session, paper: Paper) -> Any:
    sitting = sittings.sitting_prepare(actor=admin, session=session, papers=[paper])
    return sittings.sitting_open(actor=admin, sitting=sitting)
