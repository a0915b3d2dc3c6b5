"""The institution's review: one by one, and in bulk all or nothing."""

from __future__ import annotations

from typing import Any

import pytest

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus, ReviewDecision
from skillcert.enrollment.models import Application
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import review
from skillcert.enrollment.services.review import BulkReviewRefused
from tests.enrollment.conftest import Enrol, new_candidate, sign


def test_approval_assigns_the_admission_number(enrol: Enrol) -> None:
    application = review.application_approve(
        actor=enrol.staff, application=enrol.submitted(), note="符合"
    )
    assert application.status == ApplicationStatus.APPROVED
    assert application.admission_number == f"{enrol.batch.code}0001"
    assert application.reviewed_by_label == enrol.staff.label
    second = review.application_approve(
        actor=enrol.staff, application=enrol.submitted(new_candidate())
    )
    assert second.admission_number == f"{enrol.batch.code}0002"
    event = AuditEvent.objects.filter(action="application.approve").first()
    assert event is not None
    assert event.changes["before"] == {"status": "submitted"}


@pytest.mark.parametrize("role", ["institution_b", "city_a", "province", "candidate", "examiner"])
def test_only_the_batch_staff_review(enrol: Enrol, refused: Any, role: str) -> None:
    application = enrol.submitted(new_candidate())
    refused(
        PermissionDenied,
        lambda: review.application_approve(actor=enrol.cast.actor(role), application=application),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_a_draft_cannot_be_reviewed(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    refused(
        InvalidTransition,
        lambda: review.application_approve(actor=enrol.staff, application=application),
        "invalid_state",
    )


def test_review_waits_for_the_batch_state(enrol: Enrol, refused: Any) -> None:
    application = enrol.submitted()
    Batch.objects.filter(pk=enrol.batch.pk).update(status=BatchStatus.IN_PROGRESS)
    refused(
        InvalidTransition,
        lambda: review.application_approve(actor=enrol.staff, application=application),
        "batch_state",
    )
    Batch.objects.filter(pk=enrol.batch.pk).update(status=BatchStatus.ENROLLMENT_CLOSED)
    review.application_approve(actor=enrol.staff, application=application)


def test_approving_an_ineligible_application_needs_a_note(enrol: Enrol, refused: Any) -> None:
    application = enrol.submitted(years=2)
    assert not application.eligible
    refused(
        DomainError,
        lambda: review.application_approve(actor=enrol.staff, application=application),
        "note_required",
    )
    done = review.application_approve(
        actor=enrol.staff, application=application, note="另有相关职业工作证明，经核实符合"
    )
    assert done.status == ApplicationStatus.APPROVED


def test_rejection_needs_a_reason(enrol: Enrol, refused: Any) -> None:
    application = enrol.submitted()
    refused(
        DomainError,
        lambda: review.application_reject(actor=enrol.staff, application=application, reason=" "),
        "required",
    )
    done = review.application_reject(
        actor=enrol.staff, application=application, reason="工作年限证明无单位盖章"
    )
    assert (done.status, done.review_note) == (ApplicationStatus.REJECTED, "工作年限证明无单位盖章")
    assert done.admission_number is None


def test_asking_for_more_sends_it_back_for_a_new_pledge(enrol: Enrol) -> None:
    application = review.application_request_more(
        actor=enrol.staff, application=enrol.submitted(), note="请补充学历证书"
    )
    assert application.status == ApplicationStatus.MORE_INFO
    assert application.pledge_signed_at is None
    assert application.pledge_text_sha256 == ""
    # Enrollment closed meanwhile: the resubmission asked for is still accepted.
    Batch.objects.filter(pk=enrol.batch.pk).update(status=BatchStatus.ENROLLMENT_CLOSED)
    sign(enrol.candidate, application)
    again = flow.application_submit(actor=enrol.candidate, application=application)
    assert again.status == ApplicationStatus.SUBMITTED


# ---------------------------------------------------------------- bulk


def _submitted(enrol: Enrol, n: int) -> list[Application]:
    return [enrol.submitted(new_candidate()) for _ in range(n)]


def test_bulk_approval(enrol: Enrol) -> None:
    apps = _submitted(enrol, 3)
    outcomes = review.applications_review_bulk(
        actor=enrol.staff,
        batch=enrol.batch,
        ids=[a.pk for a in apps],
        decision=ReviewDecision.APPROVE,
        note="",
    )
    assert [(o.application_id, o.ok, o.status) for o in outcomes] == [
        (a.pk, True, ApplicationStatus.APPROVED) for a in apps
    ]
    numbers = sorted(Application.objects.values_list("admission_number", flat=True))
    assert numbers == [f"{enrol.batch.code}{i:04d}" for i in (1, 2, 3)]


def test_bulk_review_is_all_or_nothing(enrol: Enrol, refused: Any) -> None:
    apps = _submitted(enrol, 2)
    draft = enrol.draft(new_candidate())
    other_batch = enrol.submitted(new_candidate(), batch=enrol.batch_b)
    ids = [apps[0].pk, draft.pk, apps[1].pk, other_batch.pk]
    error = refused(
        BulkReviewRefused,
        lambda: review.applications_review_bulk(
            actor=enrol.staff,
            batch=enrol.batch,
            ids=ids,
            decision=ReviewDecision.APPROVE,
            note="",
        ),
        "bulk_refused",
    )
    assert [(o.application_id, o.ok) for o in error.outcomes] == [
        (apps[0].pk, True),
        (draft.pk, False),
        (apps[1].pk, True),
        (other_batch.pk, False),
    ]
    assert error.outcomes[1].message == "报名申请当前状态为“草稿”，不能审核通过。"
    assert error.outcomes[3].message == "不是该批次的报名申请。"
    assert str(error.message) == "2 份申请无法按此决定处理，全部未作更改。"
    statuses = set(Application.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == {ApplicationStatus.SUBMITTED, ApplicationStatus.DRAFT}
    assert not Application.objects.filter(admission_number__isnull=False).exists()


def test_bulk_rejection_needs_the_reason_for_each(enrol: Enrol, refused: Any) -> None:
    apps = _submitted(enrol, 2)
    error = refused(
        BulkReviewRefused,
        lambda: review.applications_review_bulk(
            actor=enrol.staff,
            batch=enrol.batch,
            ids=[a.pk for a in apps],
            decision=ReviewDecision.REJECT,
            note="",
        ),
    )
    assert {o.message for o in error.outcomes} == {"请填写不通过的原因。"}
    review.applications_review_bulk(
        actor=enrol.staff,
        batch=enrol.batch,
        ids=[a.pk for a in apps],
        decision=ReviewDecision.REJECT,
        note="名额已满",
    )
    assert set(Application.objects.values_list("status", flat=True)) == {"rejected"}


def test_bulk_review_by_others_is_refused(enrol: Enrol, refused: Any) -> None:
    apps = _submitted(enrol, 1)
    refused(
        PermissionDenied,
        lambda: review.applications_review_bulk(
            actor=enrol.staff_b,
            batch=enrol.batch,
            ids=[apps[0].pk],
            decision=ReviewDecision.APPROVE,
            note="",
        ),
    )
    refused(
        DomainError,
        lambda: review.applications_review_bulk(
            actor=enrol.staff, batch=enrol.batch, ids=[], decision="approve", note=""
        ),
        "nothing_selected",
    )
