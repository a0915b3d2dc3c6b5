"""The deletion guard: rows of an archived batch leave only inside a disposal; the archive's
registers never leave. Rows of batches that are not archived delete as before."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from skillcert.archives.guard import ArchivedRecordDeletion, disposal_context
from skillcert.archives.models import ArchiveRecord, DisposalItem
from skillcert.batches.models import Session
from skillcert.certificates.models import Certificate
from skillcert.enrollment.models import Application
from skillcert.exams.models import Answer, Attempt, AttemptEvent, CheckIn
from skillcert.results.models import ComponentScore
from tests.archives.builders_records import ArchiveKit, archived, in_savepoint, issued
from tests.conftest import Cast, Refused


@pytest.fixture
def kit(cast: Cast) -> ArchiveKit:
    return archived(cast)


def counts(kit: ArchiveKit) -> tuple[int, ...]:
    batch = kit.batch
    return (
        Answer.objects.filter(attempt__sitting__session__batch=batch).count(),
        AttemptEvent.objects.filter(attempt__sitting__session__batch=batch).count(),
        CheckIn.objects.filter(session__batch=batch).count(),
        ComponentScore.objects.filter(application__batch=batch).count(),
        Application.objects.filter(batch=batch).count(),
        ArchiveRecord.objects.filter(batch=batch).count(),
    )


def test_deleting_a_row_of_an_archived_batch_is_refused(kit: ArchiveKit, refused: Refused) -> None:
    before = counts(kit)
    checkin = CheckIn.objects.filter(session__batch=kit.batch).first()
    assert checkin is not None
    error = refused(ArchivedRecordDeletion, in_savepoint(checkin.delete), code="archived")
    assert "已归档" in str(error.message)
    assert counts(kit) == before


def test_queryset_deletes_are_refused(kit: ArchiveKit, refused: Refused) -> None:
    before = counts(kit)
    batch = kit.batch
    for rows in (
        Answer.objects.filter(attempt__sitting__session__batch=batch),
        AttemptEvent.objects.filter(attempt__sitting__session__batch=batch),
        ComponentScore.objects.filter(application__batch=batch),
    ):
        assert rows.exists()
        refused(ArchivedRecordDeletion, in_savepoint(rows.delete))
    assert counts(kit) == before


def test_cascades_are_refused(kit: ArchiveKit, refused: Refused) -> None:
    """Deleting an attempt would cascade to its answers and events: all refused."""
    before = counts(kit)
    attempt = Attempt.objects.filter(sitting__session__batch=kit.batch).first()
    assert attempt is not None
    refused(ArchivedRecordDeletion, in_savepoint(attempt.delete))
    session = Session.objects.filter(batch=kit.batch, sitting__isnull=False).first()
    assert session is not None
    # The session cascades to its check-ins (refused before any PROTECT is even looked at).
    with pytest.raises(Exception):  # noqa: B017, PT011 - refused by the guard or a PROTECT
        with transaction.atomic():
            session.delete()
    assert counts(kit) == before


def test_the_certificates_stay(kit: ArchiveKit, refused: Refused) -> None:
    certificate = Certificate.objects.filter(batch=kit.batch).first()
    assert certificate is not None
    error = refused(Exception, in_savepoint(certificate.delete))
    assert isinstance(error, ArchivedRecordDeletion | ProtectedError)
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_archive_records_are_never_deleted(kit: ArchiveKit, refused: Refused) -> None:
    record = ArchiveRecord.objects.filter(batch=kit.batch).first()
    assert record is not None
    refused(ArchivedRecordDeletion, in_savepoint(record.delete), code="kept_forever")
    with disposal_context():
        refused(ArchivedRecordDeletion, in_savepoint(record.delete), code="kept_forever")
        refused(
            ArchivedRecordDeletion,
            in_savepoint(ArchiveRecord.objects.all().delete),
            code="kept_forever",
        )
    assert ArchiveRecord.objects.filter(batch=kit.batch).count() == 20


def test_disposal_lines_are_never_deleted(kit: ArchiveKit, refused: Refused) -> None:
    listed = kit.listed()
    refused(
        ArchivedRecordDeletion, in_savepoint(DisposalItem.objects.filter(disposal=listed).delete)
    )
    # The list itself: its lines PROTECT it, and the guard refuses it too.
    error = refused(Exception, in_savepoint(listed.delete))
    assert isinstance(error, ArchivedRecordDeletion | ProtectedError)
    with disposal_context():
        refused(ArchivedRecordDeletion, in_savepoint(listed.items.all().delete))
    assert DisposalItem.objects.filter(disposal=listed).count() > 0


def test_inside_a_disposal_the_rows_may_go(kit: ArchiveKit) -> None:
    rows = CheckIn.objects.filter(session__batch=kit.batch)
    assert rows.exists()
    with disposal_context():
        rows.delete()
    assert not rows.exists()


def test_rows_of_batches_not_archived_delete_as_before(cast: Cast) -> None:
    kit = issued(cast)
    checkins = CheckIn.objects.filter(session__batch=kit.batch)
    assert checkins.count() == 3
    checkins.delete()
    attempt = Attempt.objects.filter(sitting__session__batch=kit.batch).first()
    assert attempt is not None
    attempt_id = attempt.pk
    assert Answer.objects.filter(attempt_id=attempt_id).exists()
    attempt.delete()
    assert not Answer.objects.filter(attempt_id=attempt_id).exists()
    assert not checkins.exists()
