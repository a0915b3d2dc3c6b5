"""The enrollment tests' world on top of the institutions' one.

``enrol.batch`` is an enrolling 车工 level-4 batch at institution A (Kunming) whose
standard carries the national template's routes; ``enrol.batch_b`` the same at
institution B (Qujing). ``enrol.candidate`` is the cast's candidate; ``new_candidate()``
makes more. Batches are made through the ORM: the batch workflow is not under test here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.catalog.eligibility import national_template
from skillcert.catalog.models import Standard, StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.enrollment.choices import EvidenceKind
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import persons
from skillcert.institutions.demo import minimal_pdf
from skillcert.institutions.models import Institution
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory
from tests.institutions.conftest import World, build_world

_codes = itertools.count(1)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def with_template(standard: Standard) -> None:
    """Give every level of ``standard`` the national template's routes."""
    for row in StandardLevel.objects.filter(standard=standard):
        row.eligibility_routes = national_template(row.level)
        row.save(update_fields=["eligibility_routes"])


def make_batch(
    institution: Institution,
    standard: Standard,
    level: int = 4,
    status: str = BatchStatus.ENROLLING,
) -> Batch:
    today = timezone.localdate()
    return Batch.objects.create(
        institution=institution,
        code=f"T{next(_codes):06d}",
        title=f"测试批次{level}级",
        standard_level=StandardLevel.objects.get(standard=standard, level=level),
        occupation=standard.occupation,
        level=level,
        planned_candidates=30,
        enrollment_opens=today - timedelta(days=7),
        enrollment_closes=today + timedelta(days=14),
        status=status,
    )


def new_candidate(name: str = "") -> Actor:
    user = UserFactory(**({"full_name": name} if name else {}))
    membership = MembershipFactory(user=user, role=Role.CANDIDATE, organisation=None)
    return Actor(user=user, membership=membership)


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


def png(name: str = "照片.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def years_ago(years: int, months: int = 0, today: date | None = None) -> date:
    day = today or timezone.localdate()
    month = day.month - months
    year = day.year - years
    while month < 1:
        month += 12
        year -= 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


@dataclass
class Enrol:
    cast: Cast
    world: World
    batch: Batch
    batch_b: Batch

    @property
    def candidate(self) -> Actor:
        return self.cast.actor("candidate")

    @property
    def staff(self) -> Actor:
        return self.cast.actor("institution_a")

    @property
    def staff_b(self) -> Actor:
        return self.cast.actor("institution_b")

    def person(self, actor: Actor | None = None) -> Person:
        actor = actor or self.candidate
        return persons.person_for_user(actor=actor)

    def worker(self, actor: Actor, *, years: int = 7) -> Person:
        """A person with ``years`` of related work up to today."""
        person = self.person(actor)
        persons.work_record_add(
            actor=actor,
            person=person,
            employer="昆明机床厂",
            job_title="车工",
            started_on=years_ago(years),
        )
        return person

    def draft(self, actor: Actor | None = None, batch: Batch | None = None) -> Application:
        actor = actor or self.candidate
        return flow.application_create(
            actor=actor, person=self.person(actor), batch=batch or self.batch, declared_route=1
        )

    def submitted(
        self,
        actor: Actor | None = None,
        *,
        years: int = 7,
        kinds: tuple[str, ...] = (EvidenceKind.WORK_PROOF,),
        batch: Batch | None = None,
    ) -> Application:
        """Applied, evidenced, pledged and submitted by the candidate themself."""
        actor = actor or self.candidate
        person = self.worker(actor, years=years)
        application = flow.application_create(
            actor=actor, person=person, batch=batch or self.batch, declared_route=1
        )
        for kind in kinds:
            flow.evidence_upload(
                actor=actor, application=application, kind=kind, uploaded_file=pdf()
            )
        sign(actor, application)
        return flow.application_submit(actor=actor, application=application)


def sign(actor: Actor, application: Application, address: str = "192.0.2.7") -> Application:
    return flow.pledge_sign(
        actor=actor,
        application=application,
        client_address=address,
        pledge_text=flow.PLEDGE_TEXT,
    )


def build_enrol(cast: Cast) -> Enrol:
    world = build_world(cast)
    with_template(world.lathe_std)
    return Enrol(
        cast=cast,
        world=world,
        batch=make_batch(world.inst_a, world.lathe_std),
        batch_b=make_batch(world.inst_b, world.lathe_std),
    )


@pytest.fixture
def enrol(cast: Cast) -> Enrol:
    return build_enrol(cast)
