"""The credit tests' world: the institutions' world (tests/institutions/conftest.py) with
institutions A (Kunming) and B (Qujing) listed in the directory, and helpers that write
the records an indicator reads straight through the ORM (the services that normally
write cases, complaints, alerts and inspections belong to other parts of supervision).

Everything is dated around ``TODAY``; ``credit_recompute`` is called with ``today=TODAY``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from skillcert.batches.models import Batch
from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.models import Region
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.models import Institution
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults
from skillcert.supervision.choices import (
    AlertClosure,
    AlertRule,
    AlertSeverity,
    AlertStatus,
    CaseSource,
    CaseStatus,
    ComplaintKind,
    ComplaintStatus,
    PlanKind,
    PlanStatus,
    SubjectKind,
    TargetKind,
)
from skillcert.supervision.models import (
    Alert,
    Complaint,
    Inspection,
    InspectionPlan,
    ViolationCase,
)
from tests.conftest import Cast
from tests.institutions.conftest import World, another_institution, build_world

TODAY = date(2025, 6, 30)
_serial = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    """An aware datetime on ``day`` in the project's time zone."""
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


@dataclass
class CreditWorld:
    cast: Cast
    world: World

    @property
    def inst_a(self) -> Institution:
        return self.world.inst_a

    @property
    def inst_b(self) -> Institution:
        return self.world.inst_b

    @property
    def province(self) -> Region:
        return Region.objects.get(code="530000")

    @property
    def official(self) -> Actor:
        return self.cast.actor("province")

    def listed(self, institution: Institution, status: str = DirectoryStatus.ACTIVE) -> None:
        Institution.objects.filter(pk=institution.pk).update(status=status)

    def third(self) -> Institution:
        """Another listed institution of the province (Kunming), outside the cast."""
        inst = another_institution("530100")
        self.listed(inst)
        return inst

    # --- records the indicators read ----------------------------------------------------

    def batch(
        self,
        institution: Institution,
        *,
        filing_due: date | None = None,
        filed_at: datetime | None = None,
        closes: date | None = None,
    ) -> Batch:
        n = next(_serial)
        closes = closes or days_ago(30)
        return Batch.objects.create(
            institution=institution,
            code=f"XY{n:06d}",
            title=f"信用测试批次{n}",
            standard_level=StandardLevel.objects.get(standard=self.world.lathe_std, level=5),
            occupation=self.world.lathe,
            level=5,
            planned_candidates=10,
            enrollment_opens=closes - timedelta(days=10),
            enrollment_closes=closes,
            filing_due=filing_due,
            filed_at=filed_at,
        )

    def results(
        self,
        batch: Batch,
        *,
        filing_due: date | None = None,
        filed_at: datetime | None = None,
        status: str = ResultsStatus.APPROVED,
    ) -> BatchResults:
        return BatchResults.objects.create(
            batch=batch, status=status, filing_due=filing_due, filed_at=filed_at
        )

    def case(
        self,
        institution: Institution,
        grade: str,
        *,
        subject_kind: str = SubjectKind.CANDIDATE,
        decided_on: date | None = None,
        status: str = CaseStatus.DECIDED,
        rectification_due: date | None = None,
    ) -> ViolationCase:
        decided = decided_on or days_ago(10)
        return ViolationCase.objects.create(
            number=f"WG530000{next(_serial):08d}",
            province=self.province,
            subject_kind=subject_kind,
            institution=institution,
            grade=grade,
            facts="信用测试案件事实。",
            source=CaseSource.SUPERVISION,
            status=status,
            decided_at=at(decided) if status != CaseStatus.OPEN else None,
            rectification_due=rectification_due,
            opened_by_label="测试",
        )

    def complaint(
        self, institution: Institution, *, upheld: bool | None, replied_on: date | None = None
    ) -> Complaint:
        replied = replied_on or days_ago(5)
        return Complaint.objects.create(
            tracking_number=f"TS{next(_serial):010d}",
            province=self.province,
            kind=ComplaintKind.COMPLAINT,
            institution=institution,
            subject_text=institution.name,
            content="信用测试投诉内容。",
            status=ComplaintStatus.REPLIED,
            handler=self.cast.orgs["city_a"],
            received_at=at(replied - timedelta(days=20)),
            due_on=replied,
            reply="已核查。",
            upheld=upheld,
            replied_at=at(replied),
        )

    def alert(
        self,
        institution: Institution,
        *,
        batch: Batch | None = None,
        status: str = AlertStatus.OPEN,
        closure: str = "",
        closed_on: date | None = None,
    ) -> Alert:
        n = next(_serial)
        seen = at(days_ago(20))
        closed = at(closed_on) if closed_on else None
        return Alert.objects.create(
            rule=AlertRule.LATE_RESULTS_FILING,
            key=f"credit:{n}",
            province=self.province,
            institution=institution,
            batch=batch,
            severity=AlertSeverity.WARNING,
            title="信用测试预警",
            status=status,
            first_seen_at=seen,
            last_seen_at=seen,
            closure=closure,
            closed_at=closed,
        )

    def confirmed_alert(self, institution: Institution, closed_on: date | None = None) -> Alert:
        return self.alert(
            institution,
            status=AlertStatus.CLOSED,
            closure=AlertClosure.CONFIRMED,
            closed_on=closed_on or days_ago(3),
        )

    def inspection(
        self,
        institution: Institution,
        *,
        rectification_due: date | None,
        rectified_on: date | None = None,
    ) -> Inspection:
        plan = InspectionPlan.objects.create(
            province=self.province,
            organisation=self.cast.orgs["province_hr"],
            kind=PlanKind.INSPECTION,
            title=f"信用测试抽查{next(_serial)}",
            target_kind=TargetKind.INSTITUTION,
            target_count=1,
            status=PlanStatus.COMPLETED,
            created_by_label="测试",
        )
        return Inspection.objects.create(
            plan=plan,
            institution=institution,
            rectification_due=rectification_due,
            rectified_at=at(rectified_on) if rectified_on else None,
        )


def credit_world(cast: Cast) -> CreditWorld:
    """Institutions A and B listed (ACTIVE) in the directory, nothing on record."""
    cw = CreditWorld(cast=cast, world=build_world(cast))
    cw.listed(cw.inst_a)
    cw.listed(cw.inst_b)
    return cw


def indicator(institution: Institution, code: str) -> dict[str, Any]:
    """The current score's entry for ``code``."""
    score = institution.credit_scores.get(is_current=True)
    entry: dict[str, Any] = score.indicators[code]
    return entry
