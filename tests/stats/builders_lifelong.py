"""The lifelong record's test world, built through the services.

``build_lifelong(cast)`` issues institution A's batch (tests/certificates: two passed, one
failed; the cast candidate is the first passed candidate's person) and adds:

- a finished course at institution A (Kunming) and one still running at institution B
  (Qujing) for the cast candidate's person, so each region holds part of their record;
- a course at A for ``other`` (the second passed candidate), who has nothing at B;
- a certificate the candidate declares (HeldCertificate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from skillcert.certificates.models import Certificate
from skillcert.core.actors import Actor
from skillcert.enrollment.models import HeldCertificate, Person
from skillcert.enrollment.services.persons import held_certificate_add
from skillcert.institutions.models import Institution
from skillcert.results.models import Result
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.models import TrainingRecord
from skillcert.stats.training import training_record_add
from tests.certificates.conftest import CertKit
from tests.certificates.matrix_pages import issued_world
from tests.conftest import Cast

COURSE_A = "车工技能提升培训"
COURSE_B = "数控车床编程培训"
COURSE_OTHER = "安全生产培训"


@dataclass
class LifelongWorld:
    ck: CertKit
    person: Person  # the cast candidate's
    other: Person
    certificate: Certificate
    result: Result
    training_a: TrainingRecord
    training_b: TrainingRecord
    other_training: TrainingRecord
    held: HeldCertificate

    @property
    def cast(self) -> Cast:
        return self.ck.cast

    def id_number(self, person: Person) -> str:
        return person.id_number.plain


def add_course(
    actor: Actor,
    person: Person,
    course: str,
    *,
    started_on: date = date(2024, 3, 1),
    ended_on: date | None = date(2024, 4, 30),
    outcome: str = TrainingOutcome.COMPLETED,
    certificate_number: str = "",
) -> TrainingRecord:
    return training_record_add(
        actor=actor,
        name=person.full_name,
        id_type=person.id_type,
        id_number=person.id_number.plain,
        course=course,
        hours=40,
        started_on=started_on,
        ended_on=ended_on,
        outcome=outcome,
        certificate_number=certificate_number,
    )


def institution(cast: Cast, name: str) -> Institution:
    return Institution.objects.get(organisation=cast.orgs[name])


def build_lifelong(cast: Cast) -> LifelongWorld:
    ck = issued_world(cast)
    person = ck.passed[0].person
    other = ck.passed[1].person
    training_a = add_course(
        cast.actor("institution_a"), person, COURSE_A, certificate_number="PX2024-001"
    )
    training_b = add_course(
        cast.actor("institution_b"),
        person,
        COURSE_B,
        started_on=date(2024, 6, 1),
        ended_on=None,
        outcome=TrainingOutcome.IN_PROGRESS,
    )
    other_training = add_course(cast.actor("institution_a"), other, COURSE_OTHER)
    held = held_certificate_add(
        actor=cast.actor("candidate"),
        person=person,
        occupation=ck.batch.occupation,
        level=5,
        number="S000053000000191000123",
        issued_on=date(2019, 6, 30),
        issuer="某职业技能鉴定所",
    )
    return LifelongWorld(
        ck=ck,
        person=person,
        other=other,
        certificate=Certificate.objects.get(application=ck.passed[0]),
        result=Result.objects.get(application=ck.passed[0]),
        training_a=training_a,
        training_b=training_b,
        other_training=other_training,
        held=held,
    )
