"""Demo applications on the enrolling demo batch, built through the services as the demo
users. Runs after the batches demo; idempotent (nothing happens once a demo batch has
applications); without an enrolling demo batch it does nothing.

A batch closed for enrollment takes no new applications (the services refuse), so the
applicants go to the first enrolling demo batch:

==================  ====================================================  =============
person              records                                               application
==================  ====================================================  =============
孙悦（演示）         candidate_a: 车工五级 certificate 2019, 5+ years work   SUBMITTED
张建华（演示）       technical-school student graduating this year,         APPROVED,
                    related major                                          diploma pending
王秀英（演示）       7 years of related work                                APPROVED
李志强（演示）       a related-major diploma, nothing uploaded yet          DRAFT
赵丽娟（演示）       6½ years of work, no work proof                        MORE_INFO
刘国庆（演示）       2 years of work                                        REJECTED
陈海燕（演示）       technical-school graduate, related major               SUBMITTED
==================  ====================================================  =============

Then the city official draws a spot check of the batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType, Role
from skillcert.core.demo import DEMO_PASSWORD, demo_id_number
from skillcert.core.models import Membership, User
from skillcert.core.services import membership_grant, user_create
from skillcert.enrollment.choices import EvidenceKind
from skillcert.enrollment.eligibility import academic_graduation_years
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import persons, review, spotchecks
from skillcert.institutions.demo import SENTINEL, minimal_pdf

CLIENT_ADDRESS = "203.0.113.10"  # TEST-NET-3: a documentation address
WORK_YEARS = {"certified_worker": 6, "long_worker": 7, "worker_no_proof": 6.5, "short_worker": 2}


@dataclass(frozen=True)
class Applicant:
    username: str
    full_name: str
    serial: int  # demo_id_number serial (candidate_a is 11 in the core demo)
    profile: str
    outcome: str


APPLICANTS = [
    Applicant("candidate_a", "孙悦（演示）", 11, "certified_worker", "submitted"),
    Applicant("demo_cand_12", "张建华（演示）", 12, "graduating_student", "approved"),
    Applicant("demo_cand_13", "王秀英（演示）", 13, "long_worker", "approved"),
    Applicant("demo_cand_14", "李志强（演示）", 14, "graduate", "draft"),
    Applicant("demo_cand_15", "赵丽娟（演示）", 15, "worker_no_proof", "more_info"),
    Applicant("demo_cand_16", "刘国庆（演示）", 16, "short_worker", "rejected"),
    Applicant("demo_cand_17", "陈海燕（演示）", 17, "graduate", "submitted"),
]


def _actor(username: str) -> Actor | None:
    found = (
        Membership.objects.select_related("user", "organisation")
        .filter(user__username=username, is_active=True)
        .first()
    )
    return Actor(user=found.user, membership=found) if found else None


def _candidate(system: Actor, spec: Applicant) -> Actor:
    existing = _actor(spec.username)
    if existing is not None:
        return existing
    user = User.objects.filter(username=spec.username).first() or user_create(
        actor=system,
        username=spec.username,
        password=DEMO_PASSWORD,
        full_name=spec.full_name,
        id_type=IdType.RESIDENT,
        id_number=demo_id_number(spec.serial),
        phone=f"1390000{spec.serial:04d}",
    )
    membership = membership_grant(actor=system, user=user, role=Role.CANDIDATE, organisation=None)
    return Actor(user=user, membership=membership)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(name), content_type="application/pdf")


class _Builder:
    def __init__(self, batch: Batch, today: date) -> None:
        self.batch = batch
        self.today = today
        self.occupation = batch.occupation

    def records(self, actor: Actor, person: Person, profile: str) -> list[str]:
        """Add the profile's records; return the evidence kinds to upload."""
        if profile == "certified_worker":
            self._work(actor, person, years=WORK_YEARS[profile])
            persons.held_certificate_add(
                actor=actor,
                person=person,
                occupation=self.occupation,
                level=5,
                number="1953000000190512345",
                issued_on=self.today.replace(year=self.today.year - 5),
                issuer="云南省职业技能鉴定中心",
            )
            return [EvidenceKind.ID_DOCUMENT, EvidenceKind.CERTIFICATE, EvidenceKind.WORK_PROOF]
        if profile == "graduating_student":
            year = min(academic_graduation_years(self.today))
            persons.student_status_add(
                actor=actor,
                person=person,
                school="麒麟技工学校（演示）",
                school_type=SchoolType.TECHNICAL_SCHOOL,
                major="数控加工（车工方向）",
                related_major=True,
                enrollment_year=year - 3,
                graduation_year=year,
                student_number=f"{year - 3}0{person.pk:04d}",
            )
            return [EvidenceKind.ID_DOCUMENT, EvidenceKind.STUDENT_PROOF]
        if profile == "graduate":
            persons.education_add(
                actor=actor,
                person=person,
                school="滇池职业技术学校（演示）",
                school_type=SchoolType.SECONDARY_VOCATIONAL,
                education_level=EducationLevel.SECONDARY,
                major="机械加工技术",
                related_major=True,
                graduated_on=self.today.replace(year=self.today.year - 1, month=6, day=30),
            )
            return [EvidenceKind.ID_DOCUMENT, EvidenceKind.DIPLOMA]
        self._work(actor, person, years=WORK_YEARS[profile])
        if profile == "worker_no_proof":
            return [EvidenceKind.ID_DOCUMENT]
        return [EvidenceKind.ID_DOCUMENT, EvidenceKind.WORK_PROOF]

    def _work(self, actor: Actor, person: Person, *, years: float) -> None:
        started = self.today - timedelta(days=round(years * 365.25))
        persons.work_record_add(
            actor=actor,
            person=person,
            employer="昆明机床厂（演示）",
            job_title="车工",
            started_on=started,
            related=True,
            occupation=self.occupation,
        )


def _route_for(application: Application, today: date) -> int | None:
    """The first route the engine finds holding, else the route by work years."""
    results = flow.evaluate_application(application, today)
    holding = next((r.index for r in results if r.holds), None)
    if holding is not None:
        return holding
    routes = application.batch.standard_level.eligibility_routes or []
    return next((i for i, r in enumerate(routes) if "work_years" in r), None)


def _apply(builder: _Builder, candidate: Actor, spec: Applicant) -> Application:
    person = persons.person_for_user(actor=candidate)
    kinds = builder.records(candidate, person, spec.profile)
    application = flow.application_create(
        actor=candidate,
        person=person,
        batch=builder.batch,
        employer="昆明机床厂（演示）" if "worker" in spec.profile else "麒麟技工学校（演示）",
        current_job="车工",
        work_years=int(WORK_YEARS.get(spec.profile, 0)),
    )
    for kind in kinds:
        flow.evidence_upload(
            actor=candidate, application=application, kind=kind, uploaded_file=_pdf(f"{kind}.pdf")
        )
    application = flow.application_update(
        actor=candidate,
        application=application,
        employer=application.employer,
        current_job=application.current_job,
        work_years=application.work_years,
        declared_route=_route_for(application, builder.today),
    )
    if spec.outcome == "draft":
        return application
    flow.pledge_sign(
        actor=candidate,
        application=application,
        client_address=CLIENT_ADDRESS,
        pledge_text=flow.PLEDGE_TEXT,
    )
    return flow.application_submit(actor=candidate, application=application)


def _decide(staff: Actor, application: Application, outcome: str) -> None:
    if outcome == "approved":
        review.application_approve(actor=staff, application=application, note="材料齐全，符合条件")
    elif outcome == "rejected":
        review.application_reject(
            actor=staff,
            application=application,
            reason="相关工作年限不足6年，且未取得五级/初级工证书，不符合四级申报条件。",
        )
    elif outcome == "more_info":
        review.application_request_more(
            actor=staff, application=application, note="请补充上传单位出具的工作年限证明。"
        )


@transaction.atomic
def seed_enrollment_demo() -> list[Application]:
    """Applicants in every review state on each enrolling demo batch; a no-op for batches
    that already have applications, and without enrolling demo batches."""
    staff, official = _actor("inst_a_admin"), _actor("km_official")
    demo_batches = Batch.objects.filter(institution__organisation__name=SENTINEL)
    batch = (
        demo_batches.filter(status=BatchStatus.ENROLLING)
        .select_related("occupation", "standard_level", "institution__organisation")
        .order_by("pk")
        .first()
    )
    if staff is None or official is None or batch is None:
        return []  # the batches demo has not run (or has no enrolling batch)
    if Application.objects.filter(batch__in=demo_batches).exists():
        return []
    builder = _Builder(batch, timezone.localdate())
    system = Actor.system("seed_demo")
    made: list[Application] = []
    for spec in APPLICANTS:
        application = _apply(builder, _candidate(system, spec), spec)
        _decide(staff, application, spec.outcome)
        made.append(application)
    spotchecks.spot_check_draw(actor=official, batch=batch, share_percent=30)
    return made
