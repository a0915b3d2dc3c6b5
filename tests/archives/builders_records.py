"""The archive records tests' world.

``issued(cast)`` is institution A's batch with issued certificates (two passed, one
failed; tests/certificates/matrix_pages.py ``issued_world``). ``exam_traces(ck)`` adds the
theory exam's electronic traces the results world does not make (an attempt with answers
and its login event for each seated candidate, and their sign-ins). ``archived(cast)`` archives the
batch on ``ARCHIVED_ON`` (1 March 2020): process records are kept until 31 December 2023,
data records until 31 December 2025, so on ``DISPOSAL_DAY`` (1 June 2024) the process
records are due and the data records are not.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from skillcert.archives import disposal, records
from skillcert.archives.models import ArchiveRecord, DisposalList
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import AttemptEventKind, CheckInRole
from skillcert.exams.models import Answer, Attempt, AttemptEvent, CheckIn
from skillcert.itembank.models import PaperItem
from tests.certificates.conftest import CertKit
from tests.certificates.matrix_pages import issued_world
from tests.conftest import Cast

ARCHIVED_ON = date(2020, 3, 1)
DISPOSAL_DAY = date(2024, 6, 1)
PROCESS_UNTIL = date(2023, 12, 31)
DATA_UNTIL = date(2025, 12, 31)


@dataclass
class ArchiveKit:
    ck: CertKit

    @property
    def cast(self) -> Cast:
        return self.ck.cast

    @property
    def batch(self) -> Batch:
        batch = self.ck.batch
        batch.refresh_from_db()
        return batch

    @property
    def admin(self) -> Actor:
        return self.cast.actor("institution_a")

    @property
    def city(self) -> Actor:
        return self.cast.actor("city_a")

    def records(self) -> dict[str, ArchiveRecord]:
        return {r.record_type: r for r in ArchiveRecord.objects.filter(batch=self.ck.batch)}

    def archive(self, on: date = ARCHIVED_ON) -> list[ArchiveRecord]:
        return records.batch_archive(actor=self.admin, batch=self.ck.batch, today=on)

    def listed(self, day: date = DISPOSAL_DAY) -> DisposalList:
        institution = self.ck.batch.institution
        return disposal.disposal_create(actor=self.admin, institution=institution, today=day)

    def approved(self, day: date = DISPOSAL_DAY) -> DisposalList:
        listed = disposal.disposal_submit(actor=self.admin, disposal=self.listed(day))
        return disposal.disposal_decide(actor=self.city, disposal=listed, approve=True)


def exam_traces(ck: CertKit) -> int:
    """Each seated theory candidate's attempt with an answer per paper item, a login event
    and a sign-in; the number of attempts made."""
    seats = SeatAssignment.objects.filter(
        session__batch=ck.batch, session__sitting__isnull=False
    ).select_related("session__sitting")
    now = timezone.now()
    made = 0
    for seat in seats:
        sitting = seat.session.sitting
        paper = sitting.papers.order_by("pk").first()
        assert paper is not None
        attempt = Attempt.objects.create(
            seat=seat,
            sitting=sitting,
            paper=paper,
            started_at=now - timedelta(minutes=90),
            deadline=now,
            token_digest=secrets.token_hex(32),
        )
        items = PaperItem.objects.filter(paper=paper).order_by("position")
        Answer.objects.bulk_create(
            Answer(attempt=attempt, position=i.position, paper_item=i, response=["A"], seq=1)
            for i in items
        )
        AttemptEvent.objects.create(attempt=attempt, kind=AttemptEventKind.LOGIN, at=now)
        CheckIn.objects.create(session=seat.session, role=CheckInRole.CANDIDATE, seat=seat, at=now)
        made += 1
    return made


def issued(cast: Cast, *, traces: bool = True) -> ArchiveKit:
    ck = issued_world(cast)
    if traces:
        exam_traces(ck)
    return ArchiveKit(ck=ck)


def archived(cast: Cast, *, on: date = ARCHIVED_ON) -> ArchiveKit:
    kit = issued(cast)
    kit.archive(on)
    return kit


def in_savepoint(call: Callable[[], object]) -> Callable[[], object]:
    """Django deletes inside ``atomic(savepoint=False)``: a refused deletion breaks the
    enclosing transaction (the test's) unless it runs in a savepoint of its own."""

    def run() -> object:
        with transaction.atomic():
            return call()

    return run
