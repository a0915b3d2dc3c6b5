"""Background assembly of parallel papers (one progress step per form).

``assembly_start`` creates the :class:`Job` (with a fixed random seed, so the run can be
reproduced) and queues ``assemble_papers_task`` once the transaction commits. The task
runs a queued job once; the job ends SUCCEEDED with the paper ids, FAILED with the
bank's shortage message, or ERROR.
"""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from skillcert.catalog.models import StandardLevel
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.jobs import job_create, job_finish, job_progress, job_start, on_commit_enqueue
from skillcert.core.models import Job, JobStatus, Membership, Organisation
from skillcert.itembank.assembly import MAX_FORMS, assemble
from skillcert.itembank.models import PaperItem

logger = logging.getLogger(__name__)

JOB_KIND = "itembank.assemble"
MESSAGE_LANGUAGE = "zh-hans"


@transaction.atomic
def assembly_start(
    *,
    actor: Actor,
    standard_level: StandardLevel,
    forms: int,
    owner: Organisation,
    title: str,
) -> Job:
    """Queue the assembly of ``forms`` papers of ``standard_level`` for ``owner``."""
    if not (actor.is_platform_admin or actor.organisation_id == owner.pk):
        raise PermissionDenied(_("只能为本单位组卷。"))
    if not 1 <= forms <= MAX_FORMS:
        raise DomainError(_("卷数应为1至%(max)s。") % {"max": MAX_FORMS})
    if not title.strip():
        raise DomainError(_("请填写试卷名称。"))
    job = job_create(
        actor=actor,
        kind=JOB_KIND,
        organisation=owner,
        params={
            "standard_level": standard_level.pk,
            "forms": forms,
            "owner": owner.pk,
            "title": title.strip(),
            "seed": secrets.randbits(63),
            "membership": actor.membership.pk if actor.membership is not None else None,
            "system": actor.system_label,
        },
    )
    audit_record(
        actor=actor,
        action="paper.assembly_start",
        obj=job,
        organisation=owner,
        changes={"standard_level": standard_level.pk, "forms": forms},
    )
    on_commit_enqueue(assemble_papers_task, job.pk)
    return job


@task()
def assemble_papers_task(job_id: int) -> None:
    """Run the assembly of job ``job_id`` (queued by ``assembly_start``)."""
    claimed = Job.objects.filter(pk=job_id, kind=JOB_KIND, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING
    )
    if not claimed:
        return  # already run (or running), or gone
    job = Job.objects.get(pk=job_id)
    with override(MESSAGE_LANGUAGE):
        run_assembly_job(job)


def run_assembly_job(job: Job) -> None:
    params = job.params
    forms = int(params["forms"])
    job_start(job, total=forms)
    try:
        papers = assemble(
            actor=_actor(job),
            standard_level=StandardLevel.objects.get(pk=params["standard_level"]),
            forms=forms,
            owner=Organisation.objects.get(pk=params["owner"]),
            title=str(params["title"]),
            seed=params["seed"],
            job=job,
            progress=lambda done: job_progress(job, done=done),
        )
    except DomainError as exc:
        job_finish(job, status=JobStatus.FAILED, message=str(exc.message))
        return
    except Exception:
        logger.exception("paper assembly job %s broke", job.pk)
        job_finish(
            job,
            status=JobStatus.ERROR,
            message=_("组卷时发生系统错误，没有生成试卷。请稍后重试或联系管理员。"),
        )
        return
    shared = (
        PaperItem.objects.filter(paper__in=papers)
        .values("item")
        .annotate(forms=Count("id"))
        .filter(forms__gt=1)
        .count()
    )
    message = _("已生成%(n)s套试卷。") % {"n": len(papers)}
    if shared:
        message += _("题库试题不够各卷互不重复，各卷之间共用%(shared)s道试题。") % {
            "shared": shared
        }
    job_finish(
        job,
        status=JobStatus.SUCCEEDED,
        message=message,
        result={"papers": [paper.pk for paper in papers], "shared_items": shared},
    )


def _actor(job: Job) -> Actor:
    """The person who started the job, through the membership they used."""
    membership_id = job.params.get("membership")
    if membership_id:
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(pk=membership_id, is_active=True)
            .first()
        )
        if membership is None:
            raise DomainError(_("发起组卷的人员已不在该单位任职，组卷未执行。"))
        return Actor(user=membership.user, membership=membership)
    if job.params.get("system"):
        return Actor.system(str(job.params["system"]))
    if job.created_by is not None:
        return Actor(user=job.created_by)
    return Actor.system("assemble_papers")
