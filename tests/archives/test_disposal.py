"""Disposal lists: expired, unheld records; the authority's approval; execution that
re-checks and removes what each type removes. Disposal without approval is impossible."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from openpyxl import load_workbook

from skillcert.archives import disposal, holds
from skillcert.archives.choices import DisposalStatus, RecordStatus, RetentionClass
from skillcert.archives.guard import ArchivedRecordDeletion
from skillcert.archives.models import ArchiveRecord, DisposalItem, DisposalList, Dossier
from skillcert.archives.purge import purge
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.exams.models import Answer, Attempt, AttemptEvent, CheckIn
from skillcert.results.models import Result
from tests.archives.builders_records import DISPOSAL_DAY, ArchiveKit, archived, in_savepoint
from tests.conftest import Cast, Refused

Capture = Callable[..., Any]
AFTER_DATA = date(2026, 1, 2)  # the data records are due too


@pytest.fixture
def kit(cast: Cast) -> ArchiveKit:
    return archived(cast)


def exam_rows(kit: ArchiveKit) -> tuple[int, int, int, int]:
    batch = kit.batch
    return (
        Answer.objects.filter(attempt__sitting__session__batch=batch).count(),
        AttemptEvent.objects.filter(attempt__sitting__session__batch=batch).count(),
        CheckIn.objects.filter(session__batch=batch).count(),
        Attempt.objects.filter(sitting__session__batch=batch).count(),
    )


def statuses(kit: ArchiveKit) -> dict[str, str]:
    return {t: r.status for t, r in kit.records().items()}


def test_the_list_holds_the_expired_process_records(kit: ArchiveKit) -> None:
    listed = kit.listed()
    assert listed.status == DisposalStatus.DRAFT
    assert listed.number == f"XH2024-{kit.batch.institution.pk:04d}-0001"
    lines = list(listed.items.all())
    rows = kit.records()
    process = {t for t, r in rows.items() if r.retention_class == RetentionClass.PROCESS}
    assert {line.record_type for line in lines} == process
    for line in lines:
        assert line.batch_code == kit.batch.code
        assert line.sha256 == rows[line.record_type].sha256
        assert rows[line.record_type].status == RecordStatus.LISTED
    for record in rows.values():
        if record.retention_class != RetentionClass.PROCESS:
            assert record.status == RecordStatus.KEPT


def test_long_term_records_are_never_listed(kit: ArchiveKit) -> None:
    listed = kit.listed(date(2099, 1, 1))
    classes = {r.retention_class for r in ArchiveRecord.objects.filter(status="listed")}
    assert RetentionClass.LONG_TERM not in classes
    assert listed.items.count() == sum(
        1 for r in kit.records().values() if r.retention_class != RetentionClass.LONG_TERM
    )


def test_nothing_before_the_period_ends(kit: ArchiveKit, refused: Refused) -> None:
    refused(DomainError, lambda: kit.listed(date(2023, 12, 31)), code="nothing_expired")
    assert not DisposalList.objects.exists()


def test_chosen_records_must_be_disposable(kit: ArchiveKit, refused: Refused) -> None:
    rows = kit.records()
    institution = kit.batch.institution
    refused(
        DomainError,
        lambda: disposal.disposal_create(
            actor=kit.admin,
            institution=institution,
            record_ids=[rows["applications"].pk],
            today=DISPOSAL_DAY,
        ),
        code="not_disposable",
    )
    listed = disposal.disposal_create(
        actor=kit.admin,
        institution=institution,
        record_ids=[rows["signin_sheets"].pk],
        today=DISPOSAL_DAY,
    )
    assert [i.record_type for i in listed.items.all()] == ["signin_sheets"]
    # Listed once: not again.
    refused(
        DomainError,
        lambda: disposal.disposal_create(
            actor=kit.admin,
            institution=institution,
            record_ids=[rows["signin_sheets"].pk],
            today=DISPOSAL_DAY,
        ),
        code="not_disposable",
    )
    second = kit.listed()
    assert second.number.endswith("-0002")
    assert "signin_sheets" not in {i.record_type for i in second.items.all()}


@pytest.mark.parametrize("role", ["city_a", "province", "institution_b", "examiner"])
def test_only_the_institutions_admin_draws_up_a_list(
    kit: ArchiveKit, refused: Refused, role: str
) -> None:
    actor = kit.cast.actor(role)
    institution = kit.batch.institution
    refused(
        PermissionDenied,
        lambda: disposal.disposal_create(actor=actor, institution=institution, today=DISPOSAL_DAY),
    )
    assert not DisposalList.objects.exists()


def test_the_full_flow_removes_what_each_type_removes(kit: ArchiveKit) -> None:
    before = exam_rows(kit)
    assert min(before[:3]) > 0
    results = Result.objects.filter(application__batch=kit.batch).count()
    approved = kit.approved(AFTER_DATA)
    assert approved.status == DisposalStatus.APPROVED
    done = disposal.disposal_execute(actor=kit.admin, disposal=approved, today=AFTER_DATA)
    assert done.status == DisposalStatus.EXECUTED
    assert done.executed_at is not None
    rows = kit.records()
    for record_type, record in rows.items():
        if record.retention_class == RetentionClass.LONG_TERM:
            assert record.status == RecordStatus.KEPT
            assert record.file
        else:
            assert record.status == RecordStatus.DISPOSED, record_type
            assert record.disposed_at is not None
            assert not record.file
    answers, events, checkins, attempts = exam_rows(kit)
    # Electronic data and sign-ins go; the attempts and results (basis of the
    # certificates) stay.
    assert (answers, events, checkins) == (0, 0, 0)
    assert attempts == before[3]
    assert Result.objects.filter(application__batch=kit.batch).count() == results
    assert done.items.count() == sum(
        1 for r in rows.values() if r.retention_class != RetentionClass.LONG_TERM
    )
    actions = list(
        AuditEvent.objects.filter(action__startswith="archives.disposal").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "archives.disposal_create",
        "archives.disposal_submit",
        "archives.disposal_decide",
        "archives.disposal_execute",
    ]


def test_execution_deletes_the_inventory_files_after_commit(
    kit: ArchiveKit, django_capture_on_commit_callbacks: Capture
) -> None:
    approved = kit.approved()
    record = kit.records()["signin_sheets"]
    name, storage = record.file.name, record.file.storage
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        disposal.disposal_execute(actor=kit.admin, disposal=approved, today=DISPOSAL_DAY)
    assert not storage.exists(name)


def test_the_batch_dossier_files_are_cleared(
    kit: ArchiveKit, django_capture_on_commit_callbacks: Capture
) -> None:
    batch = kit.batch
    dossier = Dossier(
        batch=batch, institution=batch.institution, status="ready", created_by_label="测试"
    )
    dossier.file.save("dossier.zip", ContentFile(b"PK zip"), save=False)
    dossier.save()
    name = dossier.file.name
    approved = kit.approved()
    with django_capture_on_commit_callbacks(execute=True):
        disposal.disposal_execute(actor=kit.admin, disposal=approved, today=DISPOSAL_DAY)
    dossier.refresh_from_db()
    assert not dossier.file
    assert dossier.message
    assert not dossier.file.storage.exists(name)
    assert Dossier.objects.filter(pk=dossier.pk).exists()


def test_rejection_needs_a_note_and_returns_the_records(kit: ArchiveKit, refused: Refused) -> None:
    listed = disposal.disposal_submit(actor=kit.admin, disposal=kit.listed())
    refused(
        DomainError,
        lambda: disposal.disposal_decide(actor=kit.city, disposal=listed, approve=False),
        code="note_required",
    )
    rejected = disposal.disposal_decide(
        actor=kit.city, disposal=listed, approve=False, note="签到表涉及在办投诉，暂缓销毁"
    )
    assert rejected.status == DisposalStatus.REJECTED
    assert set(statuses(kit).values()) == {RecordStatus.KEPT}
    # The rejected records may be listed again later.
    assert kit.listed().items.count() == listed.items.count()


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_an_undecided_list_may_be_withdrawn(
    kit: ArchiveKit, refused: Refused, submitted: bool
) -> None:
    listed = kit.listed()
    if submitted:
        listed = disposal.disposal_submit(actor=kit.admin, disposal=listed)
    before = listed.status
    withdrawn = disposal.disposal_withdraw(actor=kit.admin, disposal=listed)
    assert withdrawn.status == DisposalStatus.WITHDRAWN
    assert set(statuses(kit).values()) == {RecordStatus.KEPT}
    event = AuditEvent.objects.get(action="archives.disposal_withdraw")
    assert event.changes["status"] == [before, DisposalStatus.WITHDRAWN]
    # The list and its lines stay; nothing more happens to it.
    assert withdrawn.items.count() == listed.items.count()
    for call in (
        lambda: disposal.disposal_submit(actor=kit.admin, disposal=withdrawn),
        lambda: disposal.disposal_decide(actor=kit.city, disposal=withdrawn, approve=True),
        lambda: disposal.disposal_execute(actor=kit.admin, disposal=withdrawn, today=AFTER_DATA),
        lambda: disposal.disposal_withdraw(actor=kit.admin, disposal=withdrawn),
    ):
        refused(InvalidTransition, call)
    # The records may be listed again.
    assert kit.listed().items.count() == listed.items.count()


def test_a_decided_list_cannot_be_withdrawn(kit: ArchiveKit, refused: Refused) -> None:
    approved = kit.approved()
    refused(
        InvalidTransition, lambda: disposal.disposal_withdraw(actor=kit.admin, disposal=approved)
    )
    approved.refresh_from_db()
    assert approved.status == DisposalStatus.APPROVED
    assert RecordStatus.LISTED in statuses(kit).values()


@pytest.mark.parametrize("role", ["city_a", "province", "institution_b", "examiner"])
def test_only_the_institutions_admin_withdraws(
    kit: ArchiveKit, refused: Refused, role: str
) -> None:
    listed = disposal.disposal_submit(actor=kit.admin, disposal=kit.listed())
    actor = kit.cast.actor(role)
    refused(PermissionDenied, lambda: disposal.disposal_withdraw(actor=actor, disposal=listed))
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.SUBMITTED
    assert RecordStatus.LISTED in statuses(kit).values()


@pytest.mark.parametrize("role", ["institution_a", "city_b", "institution_b", "education"])
def test_only_the_authority_over_the_institution_decides(
    kit: ArchiveKit, refused: Refused, role: str
) -> None:
    listed = disposal.disposal_submit(actor=kit.admin, disposal=kit.listed())
    actor = kit.cast.actor(role)
    refused(
        PermissionDenied,
        lambda: disposal.disposal_decide(actor=actor, disposal=listed, approve=True),
    )
    listed.refresh_from_db()
    assert listed.status == DisposalStatus.SUBMITTED


def test_the_province_may_decide(kit: ArchiveKit) -> None:
    listed = disposal.disposal_submit(actor=kit.admin, disposal=kit.listed())
    decided = disposal.disposal_decide(
        actor=kit.cast.actor("province"), disposal=listed, approve=True
    )
    assert decided.status == DisposalStatus.APPROVED


def test_disposal_without_approval_is_impossible(kit: ArchiveKit, refused: Refused) -> None:
    """Every path to destruction without an approved list is refused and changes nothing:
    executing a draft, a submitted or a rejected list, deciding twice, deleting archived
    rows or the records themselves."""
    before_rows, before_status = exam_rows(kit), statuses(kit)

    def execute(listed: DisposalList) -> object:
        return disposal.disposal_execute(actor=kit.admin, disposal=listed, today=AFTER_DATA)

    draft = kit.listed(AFTER_DATA)
    refused(InvalidTransition, lambda: execute(draft))
    submitted = disposal.disposal_submit(actor=kit.admin, disposal=draft)
    refused(InvalidTransition, lambda: execute(submitted))
    refused(InvalidTransition, lambda: disposal.disposal_submit(actor=kit.admin, disposal=draft))
    rejected = disposal.disposal_decide(
        actor=kit.city, disposal=submitted, approve=False, note="不同意"
    )
    refused(InvalidTransition, lambda: execute(rejected))
    refused(
        InvalidTransition,
        lambda: disposal.disposal_decide(actor=kit.city, disposal=rejected, approve=True),
    )
    for call in (
        CheckIn.objects.filter(session__batch=kit.batch).delete,
        Answer.objects.filter(attempt__sitting__session__batch=kit.batch).delete,
        ArchiveRecord.objects.filter(batch=kit.batch, retention_class="long_term").delete,
    ):
        refused(ArchivedRecordDeletion, in_savepoint(call))
    # An approved list by someone other than the institution's admin: refused too.
    refused(PermissionDenied, lambda: disposal.disposal_execute(actor=kit.city, disposal=rejected))
    assert exam_rows(kit) == before_rows
    assert statuses(kit) == before_status
    assert not ArchiveRecord.objects.filter(status=RecordStatus.DISPOSED).exists()
    with pytest.raises(RuntimeError):
        purge("signin_sheets", kit.batch)
    with pytest.raises(ValueError, match="long-term"):
        purge("applications", kit.batch)


def test_a_hold_placed_after_approval_stops_execution(kit: ArchiveKit, refused: Refused) -> None:
    approved = kit.approved()
    holds.hold_place(
        actor=kit.city, institution=kit.batch.institution, batch=kit.batch, reason="投诉核查"
    )
    before = exam_rows(kit), statuses(kit)
    refused(
        InvalidTransition,
        lambda: disposal.disposal_execute(actor=kit.admin, disposal=approved, today=DISPOSAL_DAY),
        code="held",
    )
    assert (exam_rows(kit), statuses(kit)) == before
    approved.refresh_from_db()
    assert approved.status == DisposalStatus.APPROVED


def test_execution_before_the_end_of_the_period_is_refused(
    kit: ArchiveKit, refused: Refused
) -> None:
    approved = kit.approved()
    refused(
        InvalidTransition,
        lambda: disposal.disposal_execute(
            actor=kit.admin, disposal=approved, today=date(2023, 6, 1)
        ),
        code="not_disposable",
    )
    assert not ArchiveRecord.objects.filter(status=RecordStatus.DISPOSED).exists()


def test_the_list_exports_as_excel(kit: ArchiveKit) -> None:
    listed = kit.listed()
    book = load_workbook(io.BytesIO(disposal.disposal_workbook(listed)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "批次编号", "档案类型")
    lines = [r for r in rows[1:] if isinstance(r[0], int)]
    assert len(lines) == DisposalItem.objects.filter(disposal=listed).count()
    assert {r[1] for r in lines} == {kit.batch.code}
    assert any(r[1] == listed.number for r in rows)
