"""Importing a roster: who may, when, and the check-everything-then-write-or-report flow.

``roster_import`` is the one entry point for the background task and the command line:
read the file (parse), check every cell (validate), then either write everything in one
transaction (commit) or return the uploaded workbook with the bad cells marked
(annotate). ``roster_job_create`` stores an upload on a :class:`Job` and enqueues the
task once the upload is committed.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.jobs import job_create, on_commit_enqueue
from skillcert.core.models import Job
from skillcert.enrollment.permissions import is_batch_staff
from skillcert.enrollment.roster.annotate import annotate_workbook
from skillcert.enrollment.roster.columns import drop_down_lists
from skillcert.enrollment.roster.commit import RosterCounts, roster_commit
from skillcert.enrollment.roster.parse import read_roster, sniff
from skillcert.enrollment.roster.validate import CellError, RosterValidator
from skillcert.institutions.permissions import AUTHORITY_ROLES

JOB_KIND = "roster_import"
# Reports are always Chinese: they are official working documents, like the sheet itself.
REPORT_LANGUAGE = "zh-hans"


class RosterProgress:
    """Hooks for a progress bar; this default reports nowhere."""

    def read(self, rows: int) -> None:
        """The file was read: ``rows`` data rows will be checked (and then written)."""

    def checked(self, done: int) -> None:
        """``done`` rows checked so far."""

    def written(self, done: int) -> None:
        """``done`` rows written so far, inside the import's transaction."""


@dataclass
class RosterOutcome:
    """What an import did: the counts when written, or every error and the marked file."""

    rows: int
    sha256: str
    errors: list[CellError] = field(default_factory=list)
    report: bytes | None = None
    counts: RosterCounts | None = None
    dry_run: bool = False

    @property
    def is_clean(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def can_import_roster(actor: Actor, batch: Batch) -> bool:
    """The staff of the batch's own institution (and the system) import its rosters."""
    return is_batch_staff(actor, batch)


def can_export_roster(actor: Actor, batch: Batch) -> bool:
    """Its staff and the HR authorities over it; callers have scoped ``batch`` already."""
    return can_import_roster(actor, batch) or actor.role in AUTHORITY_ROLES


def ensure_importable(batch: Batch) -> None:
    """Rosters are imported while the batch is enrolling, and only against known routes."""
    if batch.status != BatchStatus.ENROLLING:
        raise InvalidTransition(
            _("只有“报名中”的批次可以导入名册（本批次：%(status)s）。")
            % {"status": batch.get_status_display()}
        )
    if not batch.standard_level.eligibility_routes:
        raise DomainError(_("本批次的评价标准尚未录入申报条件，暂不能导入名册。"))


def roster_import(
    *,
    actor: Actor,
    batch: Batch,
    data: bytes,
    file_name: str,
    dry_run: bool = False,
    progress: RosterProgress | None = None,
    today: datetime.date | None = None,
) -> RosterOutcome:
    """Check the whole file; write it in one transaction only if every cell is right.

    Raises :class:`RosterFileError` for a file that is not a readable roster and
    ``DomainError`` when the actor or the batch does not allow an import.
    """
    progress = progress or RosterProgress()
    with translation.override(REPORT_LANGUAGE):
        if not can_import_roster(actor, batch):
            raise PermissionDenied(_("只有本机构的工作人员可以导入名册。"))
        ensure_importable(batch)
        outcome = RosterOutcome(rows=0, sha256=hashlib.sha256(data).hexdigest(), dry_run=dry_run)
        sheet = read_roster(data)
        outcome.rows = len(sheet.rows)
        progress.read(outcome.rows)
        today = today or timezone.localdate()
        validator = RosterValidator(batch=batch, sheet=sheet, today=today)
        check = validator.run(progress=progress.checked)
        if not check.is_clean:
            outcome.errors = check.errors
            outcome.report = annotate_workbook(
                data=data,
                sheet=sheet,
                errors=check.errors,
                lists=drop_down_lists(len(validator.routes)),
            )
            return outcome
        del sheet, validator  # the checked rows are all the commit needs
        if not dry_run:
            outcome.counts = roster_commit(
                actor=actor,
                batch=batch,
                check=check,
                file_name=file_name,
                sha256=outcome.sha256,
                progress=progress.written,
                today=today,
            )
        return outcome


def roster_job_create(*, actor: Actor, batch: Batch, file_name: str, data: bytes) -> Job:
    """Keep an uploaded roster on a job and run the import in the background."""
    from skillcert.enrollment.tasks import import_roster_task  # the task imports this module

    if not can_import_roster(actor, batch):
        raise PermissionDenied(_("只有本机构的工作人员可以导入名册。"))
    ensure_importable(batch)
    sniff(data)  # an unreadable file is refused at once, not after a trip to the queue
    with transaction.atomic():
        job = job_create(
            actor=actor,
            kind=JOB_KIND,
            organisation=batch.institution.organisation,
            params={
                "batch": batch.pk,
                "membership": actor.membership.pk if actor.membership else None,
                "file_name": file_name,
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
        job.input_file.save(file_name or "roster.xlsx", ContentFile(data), save=True)
        on_commit_enqueue(import_roster_task, job.pk)
    return job


def report_name(file_name: str) -> str:
    """``名册.xlsx`` → ``名册_错误报告.xlsx``."""
    stem = file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem[: -len(".xlsx")] if stem.lower().endswith(".xlsx") else stem
    return f"{stem or 'roster'}_错误报告.xlsx"
