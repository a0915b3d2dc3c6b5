"""Archiving a batch: one record per type with its class, years and keep-until date; the
video's location; expired records."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from skillcert.archives import records
from skillcert.archives.choices import RecordStatus, RecordType, RetentionClass
from skillcert.archives.models import ArchiveRecord
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch, StaffAssignment
from skillcert.certificates.models import Certificate
from skillcert.core.errors import InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, ProvincePolicy
from skillcert.enrollment.models import Application
from skillcert.exams.models import Attempt, CheckIn
from tests.archives.builders_records import (
    ARCHIVED_ON,
    DATA_UNTIL,
    PROCESS_UNTIL,
    ArchiveKit,
    archived,
    issued,
)
from tests.conftest import Cast, Refused


@pytest.fixture
def kit(cast: Cast) -> ArchiveKit:
    return issued(cast)


def test_keep_until_runs_from_the_next_first_of_january() -> None:
    assert records.keep_until(date(2024, 1, 1), 3) == date(2027, 12, 31)
    assert records.keep_until(date(2024, 12, 31), 3) == date(2027, 12, 31)
    assert records.keep_until(date(2024, 6, 1), 5) == date(2029, 12, 31)
    assert records.keep_until(date(2024, 6, 1), None) is None


def test_archiving_makes_one_record_per_type_and_archives_the_batch(kit: ArchiveKit) -> None:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    made = kit.archive()
    assert len(made) == len(RecordType)
    assert kit.batch.status == BatchStatus.ARCHIVED
    rows = kit.records()
    assert set(rows) == set(RecordType.values)
    for record in rows.values():
        assert record.archived_on == ARCHIVED_ON
        assert record.status == RecordStatus.KEPT
        assert record.institution_id == kit.batch.institution_id
    assert rows["applications"].retention_class == RetentionClass.LONG_TERM
    assert rows["applications"].keep_until is None
    assert rows["applications"].retention_years is None
    assert (rows["video"].retention_years, rows["video"].keep_until) == (5, DATA_UNTIL)
    assert (rows["signin_sheets"].retention_years, rows["signin_sheets"].keep_until) == (
        3,
        PROCESS_UNTIL,
    )
    events = AuditEvent.objects.filter(pk__gt=last).values_list("action", flat=True)
    assert list(events) == ["archives.batch_archive"]


def test_items_are_counted_from_the_records(kit: ArchiveKit) -> None:
    kit.archive()
    batch = kit.batch
    rows = kit.records()
    applications = Application.objects.filter(batch=batch).count()
    assert applications == 3
    assert rows["applications"].items == applications
    assert rows["candidate_roster"].items == applications
    assert rows["certified_roster"].items == Certificate.objects.filter(batch=batch).count() == 2
    assert rows["certificate_summary"].items == 2
    assert (
        rows["electronic_data"].items
        == Attempt.objects.filter(sitting__session__batch=batch).count()
    )
    assert rows["signin_sheets"].items == CheckIn.objects.filter(session__batch=batch).count()
    assert rows["signin_sheets"].items == 3
    examiners = (
        StaffAssignment.objects.filter(batch=batch, role__in=["examiner", "review_panel"])
        .values("staff_id")
        .distinct()
        .count()
    )
    assert rows["examiner_roster"].items == examiners >= 3
    assert rows["plan_notice"].items == 1
    assert rows["results_notice"].items == 1
    assert rows["violation_records"].items == 0


def test_each_record_has_a_frozen_inventory_with_its_digest(kit: ArchiveKit) -> None:
    kit.archive()
    record = kit.records()["certified_roster"]
    data = record.file.read()
    assert hashlib.sha256(data).hexdigest() == record.sha256
    inventory = json.loads(data)
    assert inventory["batch"] == kit.batch.code
    assert sorted(inventory["ids"]) == sorted(
        Certificate.objects.filter(batch=kit.batch).values_list("pk", flat=True)
    )
    assert inventory["items"] == record.items


def test_the_province_policy_sets_the_years(kit: ArchiveKit) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"retention_data_years": 6, "retention_process_years": 4}
    )
    kit.archive(date(2021, 5, 4))
    rows = kit.records()
    assert rows["electronic_data"].keep_until == date(2027, 12, 31)
    assert rows["score_sheets"].keep_until == date(2025, 12, 31)
    assert rows["score_sheets"].retention_years == 4


def test_archiving_twice_is_refused(kit: ArchiveKit, refused: Refused) -> None:
    kit.archive()
    refused(InvalidTransition, kit.archive, code="already_archived")
    assert ArchiveRecord.objects.filter(batch=kit.batch).count() == len(RecordType)


@pytest.mark.parametrize("role", ["institution_b", "city_a", "province", "candidate", "examiner"])
def test_only_the_institutions_staff_archive(kit: ArchiveKit, refused: Refused, role: str) -> None:
    actor = kit.cast.actor(role)
    refused(PermissionDenied, lambda: records.batch_archive(actor=actor, batch=kit.batch))
    assert not ArchiveRecord.objects.filter(batch=kit.batch).exists()
    assert kit.batch.status == BatchStatus.CERTIFICATES_ISSUED


def test_a_batch_before_issuance_is_not_archived(kit: ArchiveKit, refused: Refused) -> None:
    Batch.objects.filter(pk=kit.batch.pk).update(status=BatchStatus.RESULTS_PUBLISHED)
    refused(InvalidTransition, kit.archive, code="not_archivable")
    assert not ArchiveRecord.objects.filter(batch=kit.batch).exists()


def test_results_filed_with_passed_candidates_waits_for_issuance(
    kit: ArchiveKit, refused: Refused
) -> None:
    Batch.objects.filter(pk=kit.batch.pk).update(status=BatchStatus.RESULTS_FILED)
    refused(InvalidTransition, kit.archive, code="not_archivable")


def test_results_filed_with_nobody_passed_is_archived(cast: Cast) -> None:
    from tests.certificates.conftest import build_issuable

    ck = build_issuable(cast, passed=0, failed=2)
    assert ck.batch.status == BatchStatus.RESULTS_FILED
    made = records.batch_archive(actor=cast.actor("institution_a"), batch=ck.batch)
    assert len(made) == len(RecordType)
    assert {r.record_type: r.items for r in made}["certified_roster"] == 0


def test_video_register_records_where_the_video_is_kept(cast: Cast, refused: Refused) -> None:
    kit = archived(cast)
    note = "监控录像保存于学校录像服务器NVR-03。"
    record = records.video_register(actor=kit.admin, batch=kit.batch, note=note)
    assert record.note == note
    assert AuditEvent.objects.filter(action="archives.video_register").count() == 1
    refused(
        PermissionDenied,
        lambda: records.video_register(actor=kit.city, batch=kit.batch, note="x"),
    )
    refused(
        Exception,
        lambda: records.video_register(actor=kit.admin, batch=kit.batch, note="  "),
        code="note_required",
    )
    assert kit.records()["video"].note == note


def test_video_register_before_archiving_is_refused(kit: ArchiveKit, refused: Refused) -> None:
    refused(
        InvalidTransition,
        lambda: records.video_register(actor=kit.admin, batch=kit.batch, note="机房"),
        code="not_archived",
    )


def test_expired_records_are_the_kept_limited_ones_past_their_date(cast: Cast) -> None:
    kit = archived(cast)
    institution = kit.batch.institution
    assert not records.expired_records(institution, date(2023, 12, 31)).exists()
    due = records.expired_records(institution, date(2024, 1, 1))
    assert {r.retention_class for r in due} == {RetentionClass.PROCESS}
    assert due.count() == sum(
        1 for r in kit.records().values() if r.retention_class == RetentionClass.PROCESS
    )
    later = records.expired_records(institution, date(2026, 1, 1))
    assert RetentionClass.LONG_TERM not in {r.retention_class for r in later}
    assert later.count() == sum(
        1 for r in kit.records().values() if r.retention_class != RetentionClass.LONG_TERM
    )
