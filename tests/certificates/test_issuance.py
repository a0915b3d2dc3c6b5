"""Issuing a batch's certificates: only passed candidates, one each; diploma-pending
students held and issued later; a run that breaks off is resumed without duplicates.

The world (tests/certificates/conftest.py): four candidates, the first three passed, the
last failed; the results approved by city A's centre; institution A has site serial
000001 in Yunnan (53), the batch is a level-5 车工 batch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.certificates import issuance
from skillcert.certificates.choices import CertificateStatus, RunStatus, VersionReason
from skillcert.certificates.issuance import issuance_resume, issue_batch, issue_held
from skillcert.certificates.models import Certificate, CertificateVersion, IssuanceRun
from skillcert.certificates.selectors import (
    batch_certificates,
    certificates_for,
    held_applications,
)
from skillcert.certificates.tasks import issue_batch_task
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, JobStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.models import Institution
from skillcert.results import invalidation
from tests.certificates.conftest import CertKit
from tests.conftest import refuses

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def prefix(ck: CertKit) -> str:
    year = timezone.localdate().year % 100
    return f"Y000053000001{year:02d}5"


def issued(ck: CertKit, capture: Capture) -> IssuanceRun:
    with capture(execute=True):
        run = issue_batch(actor=ck.admin, batch=ck.batch)
    run.refresh_from_db()
    return run


class Crash(BaseException):
    """The worker process dies: nothing the run catches."""


def test_every_passed_candidate_gets_one_certificate_with_a_snapshot(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    run = issued(ck, django_capture_on_commit_callbacks)
    assert (run.status, run.total, run.done, run.held) == (RunStatus.DONE, 3, 3, 0)
    assert run.job is not None
    assert (run.job.status, run.job.done, run.job.total) == (JobStatus.SUCCEEDED, 3, 3)
    assert ck.numbers() == [f"{prefix(ck)}{n:06d}" for n in (1, 2, 3)]
    certificates = Certificate.objects.order_by("number")
    assert [c.application_id for c in certificates] == [a.pk for a in ck.passed]
    assert not Certificate.objects.filter(application__in=ck.failed).exists()
    first, candidate = certificates[0], ck.passed[0]
    person = candidate.person
    batch = ck.batch
    assert (first.holder_name, first.id_type, first.id_number) == (
        person.full_name,
        person.id_type,
        person.id_number,
    )
    assert first.id_number_index == person.id_number_index
    assert (first.occupation_code, first.occupation_name) == (
        batch.occupation.code,
        batch.occupation.name,
    )
    assert first.work_type_name == (batch.work_type.name if batch.work_type else "--")
    assert (first.level, first.institution_name) == (5, batch.institution.organisation.name)
    assert (first.status, first.version, first.issue_date) == (
        CertificateStatus.VALID,
        1,
        timezone.localdate(),
    )
    assert (first.person, first.institution, first.batch) == (person, batch.institution, batch)
    versions = CertificateVersion.objects.filter(certificate=first)
    assert [(v.version, v.reason) for v in versions] == [(1, VersionReason.ISSUED)]
    # The snapshot does not follow later edits of the person.
    person.full_name = "改名后"
    person.save(update_fields=["full_name"])
    first.refresh_from_db()
    assert first.holder_name != "改名后"
    assert batch.status == BatchStatus.CERTIFICATES_ISSUED
    actions = list(
        AuditEvent.objects.filter(action__startswith="certificates.").values_list(
            "action", flat=True
        )
    )
    assert actions.count("certificates.issue") == 3
    assert {
        "certificates.issue_start",
        "certificates.issue_finish",
        "certificates.batch_issued",
    } <= set(actions)
    event = AuditEvent.objects.filter(action="certificates.issue").order_by("pk").first()
    assert event is not None
    assert event.changes["number"] == f"{prefix(ck)}000001"
    # The batch is done: a second issuance and a second delivery of the task do nothing.
    refuses(InvalidTransition, lambda: issue_batch(actor=ck.admin, batch=ck.batch))
    issue_batch_task.enqueue(run.pk)
    assert Certificate.objects.count() == 3


def test_who_sees_the_certificates(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issued(ck, django_capture_on_commit_callbacks)
    assert batch_certificates(ck.admin, ck.batch).count() == 3
    assert certificates_for(ck.centre).count() == 3
    assert certificates_for(ck.cast.actor("province")).count() == 3
    assert certificates_for(ck.cast.actor("city_b")).count() == 0
    assert certificates_for(ck.cast.actor("institution_b")).count() == 0


@pytest.mark.parametrize("role", ["institution_b", "city_a", "province", "candidate", "examiner"])
def test_only_the_institutions_staff_issue(ck: CertKit, role: str) -> None:
    refuses(PermissionDenied, lambda: issue_batch(actor=ck.cast.actor(role), batch=ck.batch))
    assert not IssuanceRun.objects.exists()


def test_issuance_needs_approved_results_and_a_site_serial(cast: Any) -> None:
    from tests.results.conftest import build_results
    from tests.results.test_composite import computed

    rk = build_results(cast, 2)
    computed(rk, ["80", "80"], ["70", "70"])
    with pytest.raises(InvalidTransition) as refused:
        issue_batch(actor=rk.admin, batch=rk.batch)
    assert refused.value.code == "results_not_approved"
    assert not IssuanceRun.objects.exists()


def test_an_institution_without_a_site_serial_cannot_issue(ck: CertKit) -> None:
    Institution.objects.filter(pk=ck.batch.institution_id).update(site_serial="")
    with pytest.raises(DomainError) as refused:
        issue_batch(actor=ck.admin, batch=ck.batch)
    assert refused.value.code == "no_site_serial"
    assert not IssuanceRun.objects.exists()


def test_a_result_voided_before_issuance_gets_no_certificate(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    invalidation.result_void(
        actor=ck.centre, application=ck.passed[0], grade="serious", reason="查实替考。"
    )
    run = issued(ck, django_capture_on_commit_callbacks)
    assert (run.total, run.done) == (2, 2)
    assert [c.application_id for c in Certificate.objects.order_by("number")] == [
        a.pk for a in ck.passed[1:]
    ]
    assert ck.numbers()[-1].endswith("000002")


def test_diploma_pending_students_are_held_and_issued_after_verification(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    student = ck.passed[1]
    Application.objects.filter(pk=student.pk).update(diploma_pending=True)
    refuses(InvalidTransition, lambda: issue_held(actor=ck.admin, application=student))
    run = issued(ck, django_capture_on_commit_callbacks)
    assert (run.status, run.done, run.held) == (RunStatus.DONE, 2, 1)
    assert run.job is not None
    assert "暂缓" in run.job.message
    assert list(held_applications(ck.batch)) == [student]
    assert not Certificate.objects.filter(application=student).exists()
    assert ck.batch.status == BatchStatus.RESULTS_FILED  # one is still to issue
    with pytest.raises(InvalidTransition) as refused:
        issue_held(actor=ck.admin, application=student)
    assert refused.value.code == "diploma_pending"
    # The diploma is verified (enrollment's diploma_verify clears the flag).
    Application.objects.filter(pk=student.pk).update(diploma_pending=False)
    refuses(
        PermissionDenied,
        lambda: issue_held(actor=ck.cast.actor("institution_b"), application=student),
    )
    certificate = issue_held(actor=ck.admin, application=student)
    assert certificate.number == f"{prefix(ck)}000003"
    assert list(held_applications(ck.batch)) == []
    assert ck.batch.status == BatchStatus.CERTIFICATES_ISSUED
    with pytest.raises(InvalidTransition) as again:
        issue_held(actor=ck.admin, application=student)
    assert again.value.code == "already_issued"
    with pytest.raises(DomainError):
        issue_held(actor=ck.admin, application=ck.failed[0])
    assert Certificate.objects.count() == 3


def test_a_crashed_run_is_resumed_without_duplicates_or_gaps(
    ck: CertKit, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = issuance.issue_application
    calls = {"n": 0}

    def crashing(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            # Dies inside the second certificate's transaction, after its number.
            def die(*_args: Any, **_kw: Any) -> None:
                raise Crash

            with monkeypatch.context() as m:
                m.setattr(CertificateVersion.objects, "create", die)
                return real(**kwargs)
        return real(**kwargs)

    monkeypatch.setattr(issuance, "issue_application", crashing)
    # The task backend records the dead task; the run stays "running".
    with django_capture_on_commit_callbacks(execute=True):
        issue_batch(actor=ck.admin, batch=ck.batch)
    assert calls["n"] == 2
    monkeypatch.setattr(issuance, "issue_application", real)
    run = IssuanceRun.objects.get()
    assert (run.status, run.done) == (RunStatus.RUNNING, 1)
    assert ck.numbers() == [f"{prefix(ck)}000001"]  # the second rolled back
    # Still running as far as anyone can tell: neither a new run nor a resume yet.
    with pytest.raises(InvalidTransition) as active:
        issue_batch(actor=ck.admin, batch=ck.batch)
    assert active.value.code == "run_active"
    refuses(InvalidTransition, lambda: issuance_resume(actor=ck.admin, run=run))
    # No progress for longer than STALE_AFTER: it broke off and may be resumed.
    IssuanceRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - issuance.STALE_AFTER - timedelta(seconds=1)
    )
    refuses(
        PermissionDenied,
        lambda: issuance_resume(actor=ck.cast.actor("institution_b"), run=run),
    )
    with django_capture_on_commit_callbacks(execute=True):
        issuance_resume(actor=ck.admin, run=run)
    run.refresh_from_db()
    assert (run.status, run.done, run.held) == (RunStatus.DONE, 3, 0)
    assert ck.numbers() == [f"{prefix(ck)}{n:06d}" for n in (1, 2, 3)]
    assert sorted(Certificate.objects.values_list("application_id", flat=True)) == sorted(
        a.pk for a in ck.passed
    )
    assert ck.batch.status == BatchStatus.CERTIFICATES_ISSUED
    assert AuditEvent.objects.filter(action="certificates.issue").count() == 3
    assert AuditEvent.objects.filter(action="certificates.issue_resume").count() == 1
    # Running the finished run again issues nothing.
    issuance.run_issuance(run)
    assert Certificate.objects.count() == 3
    refuses(InvalidTransition, lambda: issuance_resume(actor=ck.admin, run=run))


def test_a_run_that_errors_ends_in_error_and_is_resumed(
    ck: CertKit, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = issuance.issue_application
    calls = {"n": 0}

    def failing(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(issuance, "issue_application", failing)
    with django_capture_on_commit_callbacks(execute=True):
        run = issue_batch(actor=ck.admin, batch=ck.batch)
    run.refresh_from_db()
    assert (run.status, run.done) == (RunStatus.ERROR, 2)
    assert "已发证书保留" in run.error
    assert run.job is not None
    assert run.job.status == JobStatus.ERROR
    assert ck.batch.status == BatchStatus.RESULTS_FILED
    monkeypatch.setattr(issuance, "issue_application", real)
    with django_capture_on_commit_callbacks(execute=True):
        issuance_resume(actor=ck.admin, run=run)
    run.refresh_from_db()
    assert (run.status, run.done, run.error) == (RunStatus.DONE, 3, "")
    assert ck.numbers() == [f"{prefix(ck)}{n:06d}" for n in (1, 2, 3)]
    assert ck.batch.status == BatchStatus.CERTIFICATES_ISSUED


def test_issuing_one_application_twice_returns_the_first_certificate(ck: CertKit) -> None:
    first = issuance.issue_application(actor=ck.admin, application_id=ck.passed[0].pk)
    again = issuance.issue_application(actor=ck.admin, application_id=ck.passed[0].pk)
    assert first[0] == issuance.IssueOutcome.ISSUED
    assert again == (issuance.IssueOutcome.EXISTS, first[1])
    assert issuance.issue_application(actor=ck.admin, application_id=ck.failed[0].pk) == (
        issuance.IssueOutcome.NOT_PASSED,
        None,
    )
    assert Certificate.objects.count() == 1
