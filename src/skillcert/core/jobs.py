"""Starting and reporting long background work through a :class:`Job` row."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from skillcert.core.actors import Actor
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
