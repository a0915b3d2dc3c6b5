"""Background work for enrollment: the roster import.

``import_roster_task`` loads its :class:`Job` by id and runs ``roster_import``; a job
that has already started is left alone, so running the task twice is harmless. The job
page polls ``done``/``total``: the rows checked, then the rows written.
"""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError
from skillcert.core.jobs import job_finish, job_progress, job_start
from skillcert.core.models import Job, JobStatus, Membership
from skillcert.enrollment.roster.importer import (
    REPORT_LANGUAGE,
    RosterOutcome,
    RosterProgress,
    report_name,
    roster_import,
)

logger = logging.getLogger(__name__)


@task()
def import_roster_task(job_id: int) -> None:
    """Run the roster import of job ``job_id`` (queued by ``roster_job_create``)."""
    job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return  # already run, or gone
    run_roster_job(job)


def run_roster_job(job: Job) -> None:
    """Import the job's file; the job ends SUCCEEDED, FAILED (with the report) or ERROR.

    Messages are Chinese, like the report: the worker has no user language."""
    with override(REPORT_LANGUAGE):
        _run(job)


def _run(job: Job) -> None:
    job_start(job, total=0)
    file_name = str(job.params.get("file_name") or "roster.xlsx")
    progress = JobProgress(job)
    try:
        batch = Batch.objects.select_related("standard_level", "institution__organisation").get(
            pk=job.params["batch"]
        )
        with job.input_file.open("rb") as handle:
            data = handle.read()
        outcome = roster_import(
            actor=_actor(job),
            batch=batch,
            data=data,
            file_name=file_name,
            progress=progress,
        )
    except DomainError as exc:
        job_finish(job, status=JobStatus.FAILED, message=str(exc.message))
        return
    except Exception:
        logger.exception("roster import job %s broke", job.pk)
        job_finish(
            job,
            status=JobStatus.ERROR,
            message=_("导入时发生系统错误，没有写入任何数据。请稍后重试或联系管理员。"),
        )
        return
    finally:
        progress.close()
    _finish(job, outcome, file_name)


def _finish(job: Job, outcome: RosterOutcome, file_name: str) -> None:
    if outcome.report is not None:
        _finish_with_report(job, outcome, report_name(file_name), outcome.report)
        return
    counts = outcome.counts
    assert counts is not None  # noqa: S101 - a clean, non-dry-run import wrote its counts
    job_progress(job, done=job.total)
    job_finish(
        job,
        status=JobStatus.SUCCEEDED,
        message=_(
            "已导入 %(rows)s 名考生：新登记人员 %(new)s 人，已登记人员 %(old)s 人，"
            "学籍信息 %(statuses)s 条。报名申请为草稿，待考生签署承诺书后提交。"
        )
        % {
            "rows": counts.rows,
            "new": counts.persons_created,
            "old": counts.persons_existing,
            "statuses": counts.student_statuses,
        },
        result={**counts.as_dict(), "sha256": outcome.sha256},
    )


def _finish_with_report(job: Job, outcome: RosterOutcome, name: str, report: bytes) -> None:
    job.result_file.save(name, ContentFile(report), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    job_finish(
        job,
        status=JobStatus.FAILED,
        message=_(
            "名册有 %(n)s 处错误（涉及 %(rows)s 行），没有写入任何数据。"
            "请下载标出错误的文件，修改后重新上传。"
        )
        % {"n": len(outcome.errors), "rows": outcome.error_rows},
        result={
            "rows": outcome.rows,
            "errors": len(outcome.errors),
            "error_rows": outcome.error_rows,
            "filename": name,
        },
    )


def _actor(job: Job) -> Actor:
    """The uploader, acting through the membership they uploaded with."""
    membership_id = job.params.get("membership")
    if membership_id:
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(pk=membership_id, is_active=True)
            .first()
        )
        if membership is None:
            raise DomainError(_("上传名册的人员已不在该机构任职，导入未执行。"))
        return Actor(user=membership.user, membership=membership)
    if job.created_by is not None:
        return Actor(user=job.created_by)
    return Actor.system("import_roster")


class JobProgress(RosterProgress):
    """Reports to the job row: total = rows × 2 (checked, then written).

    Rows written are reported from inside the import's transaction, where an update of
    the job row would stay invisible until the end. On PostgreSQL the count goes through
    a second connection that commits at once; SQLite allows one writer, so there the bar
    waits at "checked" until the write commits.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self.rows = 0
        self.side: BaseDatabaseWrapper | None = None

    def read(self, rows: int) -> None:
        self.rows = rows
        Job.objects.filter(pk=self.job.pk).update(total=rows * 2)
        self.job.total = rows * 2

    def checked(self, done: int) -> None:
        job_progress(self.job, done=done)

    def written(self, done: int) -> None:
        if connection.vendor == "postgresql":
            self._report_aside(self.rows + done)

    def _report_aside(self, done: int) -> None:
        table = Job._meta.db_table
        try:
            if self.side is None:
                self.side = connection.copy()
                self.side.connect()
                self.side.set_autocommit(True)
            with self.side.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET done = %s WHERE id = %s", [done, self.job.pk])  # noqa: S608 - the model's table name
        except DatabaseError:
            logger.warning("roster job %s: progress not reported", self.job.pk, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None
