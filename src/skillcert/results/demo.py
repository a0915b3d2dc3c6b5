"""A batch with published results on the demo province (run by ``seed_demo``).

Every step goes through the services, as the demo school's admin, its examiners and the
Kunming HR official:

1. 车工 level 5 at 滇池职业技术学校（演示）: enrollment T−20 … T−1, theory at 08:00 and the
   practical at 10:00 today, filed (late by construction) and approved; six candidates
   apply and are approved;
2. both sessions are opened and closed on their day (the batch is 考核结束); theory scores
   are entered as from a paper test, one candidate is absent from both parts;
3. the practical sheet comes from the standard's skill weight table; three examiners
   (``examiner_a``, ``examiner_a2``, ``examiner_a3``; the demo password) form one panel
   and score everyone; one examiner's outlier flags a candidate, who is re-scored;
4. 统分 and publication; one candidate asks for a score review, left for the school to
   handle. Filing with the centre is left to do (due five working days after the day).

Outcomes: four pass, one fails theory with a high practical score (a weighted total
above 60 that does not pass), one is absent. Idempotent: once the batch exists nothing
happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from skillcert.batches.choices import Component, StaffRole
from skillcert.batches.demo import WORKSHOPS
from skillcert.batches.models import Batch, Room, Session
from skillcert.batches.services import plan, workflow
from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType, Role
from skillcert.core.demo import DEMO_PASSWORD, demo_actor, demo_id_number
from skillcert.core.errors import DomainError
from skillcert.core.models import Membership, User
from skillcert.core.services import membership_grant, user_create
from skillcert.enrollment.models import Application
from skillcert.enrollment.seating import seats_assign
from skillcert.enrollment.services import review
from skillcert.exams.demo import demo_apply, demo_identities
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.demo import SENTINEL
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.services import registry
from skillcert.results import composite, objections, panels, publication, scoring, sheets
from skillcert.results.choices import ComponentState, ObjectionKind, PanelComponent
from skillcert.results.models import ComponentScore, ScoringSheet

TITLE = "2026年车工（五级）认定（成绩公示演示）"
LATHE = "6-18-01-01"
EXAMINERS = (
    ("examiner_a", "周杰（演示）", None),  # the core demo's login
    ("examiner_a2", "钱立新（演示）", 31),
    ("examiner_a3", "郑春梅（演示）", 32),
)
# Theory score and the three examiners' shares of each practical item (per cent); None:
# absent. The fourth candidate's third examiner is far off in round 1 (re-scored).
PLAN: list[tuple[int | None, tuple[int, int, int] | None]] = [
    (88, (90, 86, 88)),
    (76, (80, 78, 82)),
    (92, (70, 72, 68)),
    (71, (85, 83, 55)),
    (55, (95, 94, 96)),  # fails theory; the weighted total is 83.0
    (None, None),
]
RESCORED = 3  # index in PLAN


@dataclass(frozen=True)
class DemoResults:
    batch: Batch
    candidates: list[str]  # usernames, in PLAN order


def _at(hour: int) -> datetime:
    return datetime.combine(
        timezone.localdate(), time(hour), tzinfo=timezone.get_current_timezone()
    )


def _examiner_actors(institution: Institution, admin: Actor) -> list[tuple[Actor, StaffMember]]:
    """Three of the school's examiners with accounts (created on first use)."""
    members = list(
        StaffMember.objects.filter(
            institution=institution, kind=StaffKind.EXAMINER, is_active=True,
            qualifications__occupation__code=LATHE,
        ).distinct().order_by("pk")[: len(EXAMINERS)]
    )  # fmt: skip
    if len(members) < len(EXAMINERS):
        raise DomainError("the demo school has fewer than three lathe examiners")
    system = Actor.system("seed_demo")
    made: list[tuple[Actor, StaffMember]] = []
    for (username, full_name, serial), member in zip(EXAMINERS, members, strict=True):
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=system,
                username=username,
                password=DEMO_PASSWORD,
                full_name=full_name,
                id_type=IdType.RESIDENT,
                id_number=demo_id_number(serial or 0),
            )
        membership = Membership.objects.filter(
            user=user, role=Role.EXAMINER, organisation=institution.organisation
        ).first() or membership_grant(
            actor=system, user=user, role=Role.EXAMINER, organisation=institution.organisation
        )
        if member.user_id != user.pk:
            member = registry.staff_account_link(actor=admin, member=member, user=user)
        made.append((Actor(user=user, membership=membership), member))
    return made


def _batch(
    institution: Institution,
    admin: Actor,
    centre: Actor,
    count: int,
    examiners: list[StaffMember],
) -> Batch:
    today = timezone.localdate()
    opens = today - timedelta(days=20)
    batch = plan.batch_create(
        actor=admin,
        institution=institution,
        standard_level=StandardLevel.objects.get(
            standard__is_demo=True, standard__occupation__code=LATHE, level=5
        ),
        title=TITLE,
        planned_candidates=count,
        enrollment_opens=opens,
        enrollment_closes=today - timedelta(days=1),
    )
    rooms = {room.name: room for room in Room.objects.filter(site__institution=institution)}
    theory = plan.session_add(
        actor=admin, batch=batch, component=Component.THEORY, room=rooms["302机房"],
        starts_at=_at(8), duration_minutes=batch.standard_level.theory_minutes,
    )  # fmt: skip
    plan.session_add(
        actor=admin, batch=batch, component=Component.PRACTICAL, room=rooms[WORKSHOPS[LATHE]],
        starts_at=_at(10), duration_minutes=batch.standard_level.practical_minutes,
    )  # fmt: skip
    staff = StaffMember.objects.filter(institution=institution, is_active=True).order_by("pk")
    proctors = staff.filter(kind=StaffKind.STAFF)[1:3]
    for proctor in proctors:
        plan.staff_assign(
            actor=admin, batch=batch, staff=proctor, role=StaffRole.PROCTOR, session=theory
        )
    roles = [
        (staff.filter(kind=StaffKind.STAFF).first(), StaffRole.EXAM_STAFF),
        (staff.filter(kind=StaffKind.SUPERVISOR).first(), StaffRole.INTERNAL_SUPERVISOR),
    ]
    roles += [(member, StaffRole.EXAMINER) for member in examiners]
    for member, role in roles:
        if member is None:
            raise DomainError("the demo school's registry is incomplete")
        plan.staff_assign(actor=admin, batch=batch, staff=member, role=role)
    batch = workflow.batch_file(actor=admin, batch=batch)
    batch = workflow.batch_approve(actor=centre, batch=batch)
    return workflow.batch_open_enrollment(actor=admin, batch=batch, today=opens)


def _hold_sessions(admin: Actor, batch: Batch) -> Batch:
    for session in Session.objects.filter(batch=batch).order_by("starts_at"):
        workflow.session_open(actor=admin, session=session)
        workflow.session_close(actor=admin, session=session)
    batch.refresh_from_db()
    return batch


def demo_score(
    examiners: list[tuple[Actor, StaffMember]],
    sheet: ScoringSheet,
    application: Application,
    shares: tuple[int, int, int],
) -> None:
    """Each examiner scores ``application`` at their share (%) of every item's maximum."""
    panel = application.panel_places.get(component=Component.PRACTICAL).panel
    items = list(sheet.items.order_by("position"))
    for (actor, _member), share in zip(examiners, shares, strict=True):
        own = scoring.examiner_sheet(actor=actor, panel=panel, application=application, sheet=sheet)
        points = {
            item.pk: (item.max_points * share / 100 * 2).quantize(Decimal(1)) / 2 for item in items
        }
        scoring.sheet_save(actor=actor, examiner_sheet=own, points=points)
        scoring.sheet_confirm(actor=actor, examiner_sheet=own)


@transaction.atomic
def seed_results_demo() -> DemoResults | None:
    """Build the batch described in the module docstring; None when it already exists."""
    institution = Institution.objects.filter(organisation__name=SENTINEL).first()
    if institution is None:
        raise DomainError("the demo institution is missing: run the institutions demo first")
    if Batch.objects.filter(institution=institution, title=TITLE).exists():
        return None
    admin, centre = demo_actor("inst_a_admin"), demo_actor("km_official")
    examiners = _examiner_actors(institution, admin)
    batch = _batch(institution, admin, centre, len(PLAN), [member for _a, member in examiners])
    applications = [
        demo_apply(timezone.localdate(), batch, number, name, n, prefix="result")
        for n, (number, name) in enumerate(demo_identities(len(PLAN)), start=1)
    ]
    batch = workflow.batch_close_enrollment(actor=admin, batch=batch)
    applications = [
        review.application_approve(actor=admin, application=a, note="材料齐全，符合条件")
        for a in applications
    ]
    seats_assign(actor=admin, session=batch.sessions.get(component=Component.THEORY))
    batch = _hold_sessions(admin, batch)

    sheet = sheets.sheet_from_weights(actor=admin, batch=batch)
    panel = panels.panel_create(
        actor=admin, batch=batch, component=PanelComponent.PRACTICAL, name="第一考评组"
    )
    for n, (_actor, member) in enumerate(examiners):
        panels.member_add(actor=admin, panel=panel, staff=member, is_leader=n == 0)
    present = [a for a, (theory, _s) in zip(applications, PLAN, strict=True) if theory is not None]
    panels.candidates_assign(actor=admin, panel=panel, applications=present)

    for index, (application, (theory, shares)) in enumerate(zip(applications, PLAN, strict=True)):
        if theory is None or shares is None:
            for component in (Component.THEORY, Component.PRACTICAL):
                composite.component_absent(
                    actor=admin, application=application, component=component
                )
            continue
        composite.component_enter(
            actor=admin,
            application=application,
            component=Component.THEORY,
            score=Decimal(theory),
            note="纸笔考试成绩录入",
        )
        demo_score(examiners, sheet, application, shares)
        if index == RESCORED:
            flagged = ComponentScore.objects.get(
                application=application, component=Component.PRACTICAL
            )
            assert flagged.state == ComponentState.RESCORE  # noqa: S101 - demo invariant
            scoring.rescore_open(
                actor=admin,
                application=application,
                component=Component.PRACTICAL,
                reason="第三位考评员评分与其他两位相差超过阈值，考评组复评。",
            )
            demo_score(examiners, sheet, application, (84, 83, 82))

    composite.results_compute(actor=admin, batch=batch)
    publication.results_publish(actor=admin, batch=batch)
    asker = applications[1]
    candidate = Membership.objects.get(user=asker.person.user, role=Role.CANDIDATE)
    objections.objection_submit(
        actor=Actor(user=candidate.user, membership=candidate),
        application=asker,
        kind=ObjectionKind.REVIEW,
        component=Component.PRACTICAL,
        text="本人对操作技能考核成绩有疑问，申请复核是否存在漏评或合分错误。",
    )
    batch.refresh_from_db()
    usernames = [a.person.user.username if a.person.user else "" for a in applications]
    return DemoResults(batch=batch, candidates=usernames)
