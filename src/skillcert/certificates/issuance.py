"""Issuing a batch's certificates (DESIGN.md lifecycle step 7).

Once the centre has approved the batch's results (沪人社职〔2022〕102号 附件四), every
candidate whose result is 合格 gets exactly one certificate. A graduating-year student
whose diploma is not verified yet is held (listed, not issued) and issued by
``issue_held`` once the diploma is verified (云人社通〔2023〕23号).

``issue_batch`` queues an :class:`IssuanceRun`; the task (``tasks.issue_batch_task``)
runs ``run_issuance``: one transaction per certificate, so a run that breaks off loses
nothing, and a resumed run (``issuance_resume``) skips the issued ones. The application
row is locked while its certificate is made and the certificate is unique per
application, so no candidate is ever issued two. The batch becomes 证书已发放 when no
passed candidate is left without a certificate. Each certificate's first version is
rendered and signed (PDF and credential, ``artifacts.render_version``) in the
transaction that issues it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.services.common import lock_batch
from skillcert.certificates.artifacts import render_version
from skillcert.certificates.choices import RUN_ACTIVE, DeliveryEvent, RunStatus, VersionReason
from skillcert.certificates.delivery import outbox_record
from skillcert.certificates.models import (
    NO_WORK_TYPE,
    Certificate,
    CertificateVersion,
    IssuanceRun,
)
from skillcert.certificates.numbering import (
    allocate_number,
    allocate_status_index,
    certificate_prefix,
)
from skillcert.certificates.selectors import held_applications, passed_applications, to_issue
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.jobs import job_create, job_finish, job_progress, job_start, on_commit_enqueue
from skillcert.core.models import JobStatus, Membership
from skillcert.enrollment.models import Application
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.models import BatchResults, Result
from skillcert.results.permissions import can_manage
from skillcert.stats.aggregates import mark_stale

logger = logging.getLogger(__name__)

JOB_KIND = "certificates.issue"
# A running run whose heartbeat is older than this has broken off and may be resumed.
STALE_AFTER = timedelta(minutes=10)


class IssueOutcome(StrEnum):
    ISSUED = "issued"
    EXISTS = "exists"  # issued before (an earlier or a parallel run)
    HELD = "held"  # diploma not verified yet
    NOT_PASSED = "not_passed"  # the result is no longer 合格 (voided since)


def _require_approved(batch: Batch) -> None:
    results = BatchResults.objects.filter(batch=batch).first()
    if results is None or results.status != ResultsStatus.APPROVED:
        raise InvalidTransition(
            _("该批次成绩尚未经人社部门备案审核通过，不能发证。"), code="results_not_approved"
        )


def is_stale(run: IssuanceRun, now: datetime | None = None) -> bool:
    """A running run without progress for ``STALE_AFTER``: its worker died."""
    moment = now or timezone.now()
    last = run.heartbeat_at or run.started_at or run.created_at
    return run.status == RunStatus.RUNNING and moment - last > STALE_AFTER


@transaction.atomic
def issue_batch(*, actor: Actor, batch: Batch) -> IssuanceRun:
    """Queue the issuance of every passed candidate's certificate in ``batch``."""
    if not can_manage(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以发放证书。"))
    locked = lock_batch(batch)
    _require_approved(locked)
    if locked.status == BatchStatus.CERTIFICATES_ISSUED:
        raise InvalidTransition(_("该批次证书已全部发放。"), code="already_issued")
    if locked.status != BatchStatus.RESULTS_FILED:
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能发证。") % {"status": locked.get_status_display()}
        )
    # Refuses an institution without a site serial before anything is queued.
    certificate_prefix(locked.institution, timezone.localdate().year, locked.level)
    active = (
        IssuanceRun.objects.select_for_update().filter(batch=locked, status__in=RUN_ACTIVE).first()
    )
    if active is not None:
        if not is_stale(active):
            raise InvalidTransition(
                _("该批次正在发证（已发%(done)s/共%(total)s），请等待完成。")
                % {"done": active.done, "total": active.total},
                code="run_active",
            )
        _break_off(active, _("发证任务长时间无进展，已中断；新的发证任务接续发放。"))
    total = passed_applications(locked).count()
    if total == 0:
        raise DomainError(_("该批次没有成绩合格的考生，无需发证。"), code="nothing_to_issue")
    organisation = locked.institution.organisation
    job = job_create(
        actor=actor, kind=JOB_KIND, organisation=organisation, params={"batch": locked.pk}
    )
    run = IssuanceRun.objects.create(
        batch=locked,
        job=job,
        total=total,
        membership=actor.membership,
        started_by_label=actor.label[:128],
    )
    audit_record(
        actor=actor,
        action="certificates.issue_start",
        obj=run,
        organisation=organisation,
        changes={"batch": locked.pk, "total": total, "run": run.pk},
    )
    _enqueue(run)
    return run


@transaction.atomic
def issuance_resume(*, actor: Actor, run: IssuanceRun) -> IssuanceRun:
    """Queue again a run that broke off (error, or running without progress for
    ``STALE_AFTER``); it skips the certificates already issued."""
    if not can_manage(actor, run.batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以发放证书。"))
    locked = IssuanceRun.objects.select_for_update().get(pk=run.pk)
    if locked.status == RunStatus.DONE:
        raise InvalidTransition(_("该发证任务已完成。"), code="run_done")
    if locked.status == RunStatus.QUEUED or (
        locked.status == RunStatus.RUNNING and not is_stale(locked)
    ):
        raise InvalidTransition(_("该发证任务正在进行，请等待完成。"), code="run_active")
    before = locked.status
    locked.status, locked.error, locked.finished_at = RunStatus.QUEUED, "", None
    locked.membership = actor.membership
    locked.save(update_fields=["status", "error", "finished_at", "membership"])
    audit_record(
        actor=actor,
        action="certificates.issue_resume",
        obj=locked,
        organisation=run.batch.institution.organisation,
        changes={"status": [before, RunStatus.QUEUED], "done": locked.done},
    )
    _enqueue(locked)
    return locked


def _enqueue(run: IssuanceRun) -> None:
    from skillcert.certificates.tasks import issue_batch_task  # the task module imports this one

    on_commit_enqueue(issue_batch_task, run.pk)


def _break_off(run: IssuanceRun, message: str) -> None:
    IssuanceRun.objects.filter(pk=run.pk).update(
        status=RunStatus.ERROR, error=message, finished_at=timezone.now()
    )


def claim_run(run_id: int) -> IssuanceRun | None:
    """Take a queued run for this worker (queued → running); None if another took it."""
    now = timezone.now()
    claimed = IssuanceRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, heartbeat_at=now
    )
    if not claimed:
        return None
    run = IssuanceRun.objects.select_related("batch", "job", "membership__user").get(pk=run_id)
    if run.started_at is None:
        IssuanceRun.objects.filter(pk=run_id).update(started_at=now)
        run.started_at = now
    return run


def run_issuance(run: IssuanceRun) -> IssuanceRun:
    """Issue the certificates of a claimed (running) run, one transaction each, and
    record progress after each. Refusals and breakdowns end the run in ERROR with a
    message; it can be resumed."""
    batch = run.batch
    try:
        actor = _actor(run)
        pending = list(to_issue(batch).values_list("pk", flat=True))
        if run.job is not None:
            job_start(run.job, total=run.total)
        issued = Certificate.objects.filter(batch=batch).count()
        held = 0
        _progress(run, issued, held)
        for application_id in pending:
            outcome, _certificate = issue_application(
                actor=actor, application_id=application_id, run=run
            )
            if outcome == IssueOutcome.HELD:
                held += 1
            elif outcome in (IssueOutcome.ISSUED, IssueOutcome.EXISTS):
                issued += 1
            _progress(run, issued, held)
        _finish(actor, run)
    except DomainError as exc:
        _fail(run, str(exc.message))
    except Exception:
        logger.exception("certificate issuance run %s broke", run.pk)
        _fail(run, _("发证时发生系统错误，已发证书保留；请稍后继续发证或联系管理员。"))
    run.refresh_from_db()
    return run


def _progress(run: IssuanceRun, issued: int, held: int) -> None:
    IssuanceRun.objects.filter(pk=run.pk).update(
        done=issued, held=held, heartbeat_at=timezone.now()
    )
    run.done, run.held = issued, held
    if run.job is not None:
        job_progress(run.job, done=issued)


def _fail(run: IssuanceRun, message: str) -> None:
    _break_off(run, message)
    if run.job is not None:
        job_finish(run.job, status=JobStatus.ERROR, message=message)


def _finish(actor: Actor, run: IssuanceRun) -> None:
    batch = run.batch
    with transaction.atomic():
        locked = IssuanceRun.objects.select_for_update().get(pk=run.pk)
        issued = Certificate.objects.filter(batch=batch).count()
        held = held_applications(batch).count()
        locked.status, locked.finished_at = RunStatus.DONE, timezone.now()
        locked.done, locked.held = issued, held
        locked.save(update_fields=["status", "finished_at", "done", "held"])
        completed = _complete_batch(actor, batch)
        audit_record(
            actor=actor,
            action="certificates.issue_finish",
            obj=locked,
            organisation=batch.institution.organisation,
            changes={"issued": issued, "held": held, "batch_completed": completed},
        )
    if run.job is not None:
        message = _("已发放%(n)s本证书。") % {"n": issued}
        if held:
            message += _("%(held)s名应届毕业生待核验毕业证书，暂缓发证。") % {"held": held}
        job_finish(
            run.job,
            status=JobStatus.SUCCEEDED,
            message=message,
            result={"run": run.pk, "issued": issued, "held": held},
        )


def _complete_batch(actor: Actor, batch: Batch) -> bool:
    """证书已发放 once no passed candidate is left without a certificate."""
    locked = lock_batch(batch)
    if locked.status != BatchStatus.RESULTS_FILED or to_issue(locked).exists():
        return False
    locked.status = BatchStatus.CERTIFICATES_ISSUED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="certificates.batch_issued",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={"status": [BatchStatus.RESULTS_FILED, BatchStatus.CERTIFICATES_ISSUED]},
    )
    return True


def issue_application(
    *,
    actor: Actor,
    application_id: int,
    run: IssuanceRun | None = None,
    today: date | None = None,
) -> tuple[IssueOutcome, Certificate | None]:
    """Issue one application's certificate in a transaction of its own (a savepoint when
    called inside one). The application row is locked first, so two issuers of the same
    candidate take turns and the second finds the certificate."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related(
                "person",
                "batch__institution__organisation",
                "batch__occupation",
                "batch__work_type",
            )
            .get(pk=application_id)
        )
        existing = Certificate.objects.filter(application_id=application_id).first()
        if existing is not None:
            return IssueOutcome.EXISTS, existing
        # Locked as result_void locks it: a voiding waits, or sees the certificate.
        outcome = (
            Result.objects.select_for_update()
            .filter(application=application)
            .values_list("outcome", flat=True)
            .first()
        )
        if outcome != Outcome.PASSED:
            return IssueOutcome.NOT_PASSED, None
        if application.diploma_pending:
            return IssueOutcome.HELD, None
        institution = application.batch.institution
        day = today or timezone.localdate()
        certificate = new_certificate(application, day=day, label=actor.label)
        version = CertificateVersion.objects.create(
            certificate=certificate,
            version=1,
            reason=VersionReason.ISSUED,
            created_by_label=actor.label[:128],
        )
        # The signed PDF and credential, in this transaction: no certificate without them.
        render_version(version)
        audit_record(
            actor=actor,
            action="certificates.issue",
            obj=certificate,
            organisation=institution.organisation,
            changes={
                "number": certificate.number,
                "application": application.pk,
                "version": 1,
                "run": run.pk if run is not None else None,
            },
        )
        # 粤人社函〔2021〕76号 五(六): the query system learns of it through the outbox.
        outbox_record(certificate, DeliveryEvent.ISSUED)
    return IssueOutcome.ISSUED, certificate


def new_certificate(application: Application, *, day: date, label: str) -> Certificate:
    """The certificate row of ``application`` issued on ``day``: its number, status-list
    bit and the snapshot of the printed facts. Inside the issuing transaction."""
    batch, person = application.batch, application.person
    institution = batch.institution
    mark_stale(batch.pk)  # DESIGN.md step 10: the batch's statistics are rebuilt
    return Certificate.objects.create(
        number=allocate_number(institution, day.year, batch.level),
        application=application,
        batch=batch,
        person=person,
        institution=institution,
        holder_name=person.full_name,
        id_type=person.id_type,
        id_number=person.id_number,
        id_number_index=person.id_number_index,
        occupation_code=batch.occupation.code,
        occupation_name=batch.occupation.name,
        work_type_name=batch.work_type.name if batch.work_type else NO_WORK_TYPE,
        level=batch.level,
        institution_name=institution.organisation.name,
        issue_date=day,
        issued_by_label=label[:128],
        status_index=allocate_status_index(institution),
        id_salt=secrets.token_hex(16),
    )


@transaction.atomic
def issue_held(*, actor: Actor, application: Application) -> Certificate:
    """Issue a held certificate once the candidate's diploma has been verified."""
    batch = application.batch
    if not can_manage(actor, batch):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以发放证书。"))
    _require_approved(batch)
    if batch.status not in (BatchStatus.RESULTS_FILED, BatchStatus.CERTIFICATES_ISSUED):
        raise InvalidTransition(
            _("该批次状态为“%(status)s”，不能发证。") % {"status": batch.get_status_display()}
        )
    if not IssuanceRun.objects.filter(batch=batch).exists():
        raise InvalidTransition(_("请先发放该批次的证书。"), code="no_run")
    fresh = Application.objects.get(pk=application.pk)
    if fresh.diploma_pending:
        raise InvalidTransition(
            _("该考生的毕业证书尚未核验，证书暂缓发放。"), code="diploma_pending"
        )
    outcome, certificate = issue_application(actor=actor, application_id=application.pk)
    if outcome == IssueOutcome.EXISTS and certificate is not None:
        raise InvalidTransition(
            _("该考生已发证，证书编号%(number)s。") % {"number": certificate.number},
            code="already_issued",
        )
    if outcome != IssueOutcome.ISSUED or certificate is None:
        raise DomainError(_("该考生成绩不合格或已认定无效，不能发证。"), code="not_passed")
    _complete_batch(actor, batch)
    return certificate


def _actor(run: IssuanceRun) -> Actor:
    """The person who started (or resumed) the run, through the membership they used."""
    if run.membership_id is not None:
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(pk=run.membership_id, is_active=True)
            .first()
        )
        if membership is None:
            raise DomainError(
                _("发起发证的人员已不在该单位任职，发证未执行；请由在职人员继续发证。")
            )
        return Actor(user=membership.user, membership=membership)
    return Actor.system(run.started_by_label or "issue_certificates")
