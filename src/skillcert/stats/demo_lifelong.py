"""Training records for the demo's candidates (run by ``seed_demo`` after the certificates
demo), so 我的技能档案 shows training beside certificates and results.

Recorded through ``training_record_add`` as the demo school's admin: 孙悦（演示）
(candidate_a) and the certificate demo's candidates each get a finished course and the
first of them one still running. Idempotent: a course already recorded is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from skillcert.catalog.models import Occupation
from skillcert.certificates.demo import TITLE as CERTIFICATES_TITLE
from skillcert.core.demo import demo_actor
from skillcert.core.errors import DomainError
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.demo import SENTINEL
from skillcert.institutions.models import Institution
from skillcert.results.demo import LATHE
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.models import TrainingRecord
from skillcert.stats.training import training_record_add


@dataclass(frozen=True)
class DemoCourse:
    course: str
    hours: int
    started_days_ago: int
    ended_days_ago: int | None
    outcome: str
    certificate_prefix: str = ""


FINISHED_COURSE = DemoCourse(
    "车工（五级）职业技能培训", 120, 120, 60, TrainingOutcome.COMPLETED, "PX"
)
RUNNING_COURSE = DemoCourse("数控车床编程与操作提升培训", 80, 20, None, TrainingOutcome.IN_PROGRESS)


def _day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


def _demo_persons(institution: Institution) -> list[Person]:
    found: list[Person] = []
    own = Person.objects.filter(user__username="candidate_a").first()
    if own is not None:
        found.append(own)
    applications = (
        Application.objects.filter(batch__institution=institution, batch__title=CERTIFICATES_TITLE)
        .select_related("person")
        .order_by("pk")
    )
    found += [a.person for a in applications if a.person not in found]
    return found


def _add(institution: Institution, person: Person, course: DemoCourse, serial: int) -> bool:
    started = _day(course.started_days_ago)
    if TrainingRecord.objects.filter(
        person=person, institution=institution, course=course.course, started_on=started
    ).exists():
        return False
    ended = _day(course.ended_days_ago) if course.ended_days_ago is not None else None
    number = (
        f"{course.certificate_prefix}{started:%Y}{serial:04d}" if course.certificate_prefix else ""
    )
    training_record_add(
        actor=demo_actor("inst_a_admin"),
        name=person.full_name,
        id_type=person.id_type,
        id_number=person.id_number.plain,
        course=course.course,
        hours=course.hours,
        started_on=started,
        ended_on=ended,
        outcome=course.outcome,
        occupation=Occupation.objects.filter(code=LATHE).first(),
        level=5,
        certificate_number=number,
    )
    return True


@transaction.atomic
def seed_lifelong_demo() -> int:
    """Add the demo's training records; returns how many were added (0 when present)."""
    institution = Institution.objects.filter(organisation__name=SENTINEL).first()
    if institution is None:
        raise DomainError("the demo institution is missing: run the institutions demo first")
    added = 0
    for serial, person in enumerate(_demo_persons(institution), start=1):
        added += _add(institution, person, FINISHED_COURSE, serial)
        if serial == 1:
            added += _add(institution, person, RUNNING_COURSE, serial)
    return added
