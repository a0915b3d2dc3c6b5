"""Starting and reporting long background work through a :class:`Job` row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import Job, JobStatus, Organisation


def job_create(
    *, actor: Actor, kind: str, organisation: Organisation | None, params: dict[str, Any]
) -> Job:
    return Job.objects.create(
        kind=kind,
        organisation=organisation,
        created_by=actor.user if actor.user is not None and actor.user.pk else None,
        params=params,
    )


def job_start(job: Job, *, total: int) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, total=total, done=0, started_at=timezone.now()
    )
    job.status, job.total, job.done = JobStatus.RUNNING, total, 0


def job_progress(job: Job, *, done: int) -> None:
    """Record progress outside any surrounding transaction's visibility rules: callers
    report between chunks, so the page sees it while the work goes on."""
    Job.objects.filter(pk=job.pk).update(done=done)
    job.done = done


def job_advance(job: Job, *, by: int = 1) -> None:
    Job.objects.filter(pk=job.pk).update(done=F("done") + by)


def job_finish(
    job: Job, *, status: str, message: str = "", result: dict[str, Any] | None = None
) -> None:
    fields: dict[str, Any] = {"status": status, "message": message, "finished_at": timezone.now()}
    if result is not None:
        fields["result"] = result
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def on_commit_enqueue(task: Any, *args: Any) -> None:
    """Enqueue a django-tasks task once the current transaction commits (STYLE.md 6)."""
    transaction.on_commit(lambda: task.enqueue(*args))


@transaction.atomic
def job_result_open(*, actor: Actor, job: Job) -> str:
    """Check who may take a job's result file and audit it; returns the download name.

    Only the organisation that ran the job (or the person who started it) may: a roster's
    error report, for one, is the institution's own upload with full ID numbers.
    """
    own = actor.organisation_id is not None and actor.organisation_id == job.organisation_id
    if not (
        own or actor.is_platform_admin or (job.created_by_id and job.created_by_id == actor.user_id)
    ):
        raise PermissionDenied(_("结果文件只提供给提交任务的单位。"))
    if not job.result_file:
        raise DomainError(_("该任务没有结果文件。"), code="no_result")
    audit_record(actor=actor, action="job.result_download", obj=job, organisation=job.organisation)
    name: str = job.result.get("filename") or job.result_file.name.rsplit("/", 1)[-1]
    return name
