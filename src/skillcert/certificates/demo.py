"""Issued certificates on the demo province (run by ``seed_demo`` after the results demo).

Every step goes through the services, as the demo school's admin, its three examiners
(made by the results demo) and the Kunming HR official:

1. 车工 level 5 at 滇池职业技术学校（演示）: enrollment T−40 … T−27, theory at 08:00 and
   the practical at 10:00 on T−26, filed and approved; four candidates apply and are
   approved; both sessions are opened and closed on their day;
2. theory scores are entered as from a paper test, the examiners score the practical;
   统分, publication on T−25, filing with the centre on T−24 and, the publicity period
   long over, the centre's approval;
3. 发放证书: the run is queued and carried out in place (the demo does not wait for a
   task worker), so three certificates are issued with their signed PDFs and credentials;
   the fourth candidate failed the theory part and gets none;
4. the second certificate is reissued after a loss (遗失补发, version 2) and the third is
   revoked for a violation found after issue (云人社函〔2023〕1号 一(四)).

The deployment CA is made when missing, as ``manage.py certificates_ca`` would.
Idempotent: once the batch exists nothing happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from skillcert.batches.choices import Component, StaffRole
from skillcert.batches.demo import WORKSHOPS
from skillcert.batches.models import Batch, Room, Session
from skillcert.batches.services import plan, workflow
from skillcert.catalog.models import StandardLevel
from skillcert.certificates import changes, issuance, keys, revocation
from skillcert.certificates.choices import VersionReason
from skillcert.certificates.models import Certificate, IssuanceRun
from skillcert.certificates.tokens import verification_url
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.core.demo import demo_actor
from skillcert.core.errors import DomainError
from skillcert.core.models import Membership
from skillcert.enrollment.models import Application
from skillcert.enrollment.seating import seats_assign
from skillcert.enrollment.services import review
from skillcert.exams.demo import demo_apply, demo_identities
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.demo import SENTINEL
from skillcert.institutions.models import Institution, StaffMember
from skillcert.results import composite, filing, panels, publication, sheets
from skillcert.results.choices import PanelComponent
from skillcert.results.demo import EXAMINERS, LATHE, demo_score

TITLE = "车工（五级）认定（证书发放演示）"
# Days before today of each step (the publicity period ends long before today).
OPENS, CLOSES, SESSIONS, PUBLISHED, FILED = 40, 27, 26, 25, 24
# Theory score and the three examiners' shares of each practical item (per cent).
PLAN: list[tuple[int, tuple[int, int, int]]] = [
    (86, (88, 90, 86)),
    (78, (80, 82, 79)),
    (90, (75, 74, 77)),
    (52, (85, 86, 84)),  # fails theory
]
REISSUED, REVOKED = 1, 2  # indexes in PLAN


@dataclass(frozen=True)
class DemoCertificates:
    batch: Batch
    candidates: list[str]  # usernames, in PLAN order
    verification_url: str  # of the first candidate's certificate


def _day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _examiners(institution: Institution) -> list[tuple[Actor, StaffMember]]:
    """The results demo's three examiners, with their registry entries."""
    found: list[tuple[Actor, StaffMember]] = []
    for username, _name, _serial in EXAMINERS:
        membership = (
            Membership.objects.select_related("user")
            .filter(
                user__username=username,
                role=Role.EXAMINER,
                organisation=institution.organisation,
                is_active=True,
            )
            .first()
        )
        member = StaffMember.objects.filter(
            institution=institution, user__username=username, is_active=True
        ).first()
        if membership is None or member is None:
            raise DomainError("the results demo's examiners are missing: run it first")
        found.append((Actor(user=membership.user, membership=membership), member))
    return found


def _batch(
    institution: Institution, admin: Actor, centre: Actor, examiners: list[StaffMember]
) -> Batch:
    opens, session_day = _day(OPENS), _day(SESSIONS)
    batch = plan.batch_create(
        actor=admin,
        institution=institution,
        standard_level=StandardLevel.objects.get(
            standard__is_demo=True, standard__occupation__code=LATHE, level=5
        ),
        title=TITLE,
        planned_candidates=len(PLAN),
        enrollment_opens=opens,
        enrollment_closes=_day(CLOSES),
    )
    rooms = {room.name: room for room in Room.objects.filter(site__institution=institution)}
    theory = plan.session_add(
        actor=admin, batch=batch, component=Component.THEORY, room=rooms["302机房"],
        starts_at=_at(session_day, 8), duration_minutes=batch.standard_level.theory_minutes,
    )  # fmt: skip
    plan.session_add(
        actor=admin, batch=batch, component=Component.PRACTICAL, room=rooms[WORKSHOPS[LATHE]],
        starts_at=_at(session_day, 10), duration_minutes=batch.standard_level.practical_minutes,
    )  # fmt: skip
    staff = StaffMember.objects.filter(institution=institution, is_active=True).order_by("pk")
    for proctor in staff.filter(kind=StaffKind.STAFF)[1:3]:
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
    batch = workflow.batch_file(actor=admin, batch=batch, today=opens)
    batch = workflow.batch_approve(actor=centre, batch=batch)
    return workflow.batch_open_enrollment(actor=admin, batch=batch, today=opens)


def _enrol(admin: Actor, batch: Batch) -> list[Application]:
    applications = [
        demo_apply(_day(OPENS), batch, number, name, n, prefix="cert")
        for n, (number, name) in enumerate(demo_identities(len(PLAN)), start=1)
    ]
    workflow.batch_close_enrollment(actor=admin, batch=batch)
    approved = [
        review.application_approve(actor=admin, application=a, note="材料齐全，符合条件")
        for a in applications
    ]
    batch.refresh_from_db()
    seats_assign(actor=admin, session=batch.sessions.get(component=Component.THEORY))
    for session in Session.objects.filter(batch=batch).order_by("starts_at"):
        workflow.session_open(actor=admin, session=session, today=_day(SESSIONS))
        workflow.session_close(actor=admin, session=session)
    return approved


def _results(
    admin: Actor,
    centre: Actor,
    batch: Batch,
    applications: list[Application],
    examiners: list[tuple[Actor, StaffMember]],
) -> None:
    batch.refresh_from_db()
    sheet = sheets.sheet_from_weights(actor=admin, batch=batch)
    panel = panels.panel_create(
        actor=admin, batch=batch, component=PanelComponent.PRACTICAL, name="第一考评组"
    )
    for n, (_actor, member) in enumerate(examiners):
        panels.member_add(actor=admin, panel=panel, staff=member, is_leader=n == 0)
    panels.candidates_assign(actor=admin, panel=panel, applications=applications)
    for application, (theory, shares) in zip(applications, PLAN, strict=True):
        composite.component_enter(
            actor=admin,
            application=application,
            component=Component.THEORY,
            score=Decimal(theory),
            note="纸笔考试成绩录入",
        )
        demo_score(examiners, sheet, application, shares)
    composite.results_compute(actor=admin, batch=batch)
    publication.results_publish(actor=admin, batch=batch, today=_day(PUBLISHED))
    filing.results_file(actor=admin, batch=batch, today=_day(FILED))
    filing.results_approve(actor=centre, batch=batch)


def _issue(admin: Actor, batch: Batch) -> IssuanceRun:
    """Queue the run and carry it out here (the queued task then finds it done)."""
    run = issuance.issue_batch(actor=admin, batch=batch)
    claimed = issuance.claim_run(run.pk)
    if claimed is None:
        raise DomainError("the demo's issuance run was taken by another worker")
    return issuance.run_issuance(claimed)


def _reissue_and_revoke(admin: Actor, centre: Actor, applications: list[Application]) -> None:
    lost = Certificate.objects.get(application=applications[REISSUED])
    holder = Membership.objects.get(user=lost.person.user, role=Role.CANDIDATE)
    request = changes.change_request_submit(
        actor=Actor(user=holder.user, membership=holder),
        certificate=lost,
        kind=VersionReason.REISSUE,
        reason="纸质打印件遗失，申请补发电子证书。",
    )
    changes.change_request_decide(
        actor=admin, request=request, approve=True, note="情况属实，予以补发。"
    )
    revoked = Certificate.objects.get(application=applications[REVOKED])
    revocation.certificate_revoke(
        actor=centre, certificate=revoked, reason="发证后查实替考，成绩无效，撤销证书。"
    )


@transaction.atomic
def seed_certificates_demo() -> DemoCertificates | None:
    """Build the batch described in the module docstring; None when it already exists."""
    institution = Institution.objects.filter(organisation__name=SENTINEL).first()
    if institution is None:
        raise DomainError("the demo institution is missing: run the institutions demo first")
    if Batch.objects.filter(institution=institution, title=TITLE).exists():
        return None
    keys.ensure_ca()
    admin, centre = demo_actor("inst_a_admin"), demo_actor("km_official")
    examiners = _examiners(institution)
    batch = _batch(institution, admin, centre, [member for _a, member in examiners])
    applications = _enrol(admin, batch)
    _results(admin, centre, batch, applications, examiners)
    run = _issue(admin, batch)
    if run.done != sum(1 for theory, _s in PLAN if theory >= 60):
        raise DomainError(f"the demo's issuance run ended {run.status}: {run.error}")
    _reissue_and_revoke(admin, centre, applications)
    batch.refresh_from_db()
    first = Certificate.objects.get(application=applications[0])
    usernames = [a.person.user.username if a.person.user else "" for a in applications]
    return DemoCertificates(
        batch=batch,
        candidates=usernames,
        verification_url=verification_url(first.number, first.version),
    )
