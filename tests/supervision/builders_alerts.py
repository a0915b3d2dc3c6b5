"""The early-warning tests' world, on top of the enrollment one.

``build_alerts(cast)`` is ``tests.enrollment.conftest.build_enrol``: institutions A
(Kunming) and B (Qujing), 车工 with the national template's routes, an enrolling level-4
batch at each; both institutions hold an approved filing for 车工 levels 5–2 (so the
world is clean: no rule fires on it). Helpers add what a rule reads: batches in a given
state and dates (``batch``, ``session``), and a batch's results with a number of passes
and fails (``results``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from skillcert.batches.choices import BatchStatus, Component, RoomKind
from skillcert.batches.models import Batch, Room, Session
from skillcert.batches.services import plan
from skillcert.catalog.models import Standard
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import Institution
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.models import BatchResults, Result
from skillcert.supervision.alert_types import AlertFinding, Rule
from skillcert.supervision.policies import policy_for
from tests.conftest import Cast
from tests.enrollment.conftest import Enrol, build_enrol, make_batch
from tests.factories import resident_id
from tests.institutions.conftest import SYSTEM, approved
from tests.institutions.conftest import World as InstitutionsWorld

_serial = itertools.count(500)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


@dataclass
class AlertWorld:
    enrol: Enrol

    @property
    def cast(self) -> Cast:
        return self.enrol.cast

    @property
    def world(self) -> InstitutionsWorld:
        return self.enrol.world

    @property
    def inst_a(self) -> Institution:
        return self.world.inst_a

    @property
    def inst_b(self) -> Institution:
        return self.world.inst_b

    @property
    def today(self) -> date:
        return timezone.localdate()

    def province(self) -> Any:
        return self.inst_a.organisation.province

    def run(self, rule: Rule, now: datetime | None = None) -> list[AlertFinding]:
        """One rule over Yunnan as of ``now`` (default: the present)."""
        province = self.province()
        return rule(province, policy_for(province), now or timezone.now())

    def batch(
        self,
        institution: Institution | None = None,
        *,
        level: int = 4,
        status: str = BatchStatus.APPROVED,
        standard: Standard | None = None,
        **fields: Any,
    ) -> Batch:
        """A batch made through the ORM (the batch workflow is not under test), with
        ``fields`` written over the defaults."""
        batch = make_batch(
            institution or self.inst_a, standard or self.world.lathe_std, level, status
        )
        if fields:
            Batch.objects.filter(pk=batch.pk).update(**fields)
            batch.refresh_from_db()
        return batch

    def session(self, batch: Batch, day: date) -> Session:
        """A theory session in a room of the batch's institution on ``day``."""
        site = batch.institution.sites.first()
        assert site is not None, "the filing equipped the institution with a site"
        room = Room.objects.filter(site=site).first() or plan.room_add(
            actor=SYSTEM, site=site, name="301机房", kind=RoomKind.COMPUTER, capacity=30
        )
        return Session.objects.create(
            batch=batch,
            component=Component.THEORY,
            room=room,
            starts_at=at(day),
            duration_minutes=90,
        )

    def results(
        self,
        batch: Batch,
        *,
        passed: int,
        failed: int = 0,
        results_status: str = ResultsStatus.APPROVED,
        **results_fields: Any,
    ) -> BatchResults:
        """``passed`` + ``failed`` approved applications with their results, and the
        batch's results record."""
        outcomes = [Outcome.PASSED] * passed + [Outcome.FAILED] * failed
        for outcome in outcomes:
            Result.objects.create(
                application=self.application(batch, ApplicationStatus.APPROVED),
                outcome=outcome,
            )
        return BatchResults.objects.create(batch=batch, status=results_status, **results_fields)

    def application(self, batch: Batch, status: str) -> Application:
        n = next(_serial)
        person = Person.objects.create(
            full_name=f"考生{n}",
            id_type=IdType.RESIDENT,
            id_number=resident_id(serial=n % 1000),
            id_number_index=f"alerts-{n}",
        )
        return Application.objects.create(person=person, batch=batch, status=status)

    def applicant(self) -> Actor:
        return self.enrol.candidate


def build_alerts(cast: Cast) -> AlertWorld:
    enrol = build_enrol(cast)
    for institution in (enrol.world.inst_a, enrol.world.inst_b):
        approved(enrol.world, institution, enrol.world.line(5, 2))
    return AlertWorld(enrol=enrol)
