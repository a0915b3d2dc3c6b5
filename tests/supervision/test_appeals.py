"""Appeals (复核) and closing: who may appeal, within the window, one at a time; an upheld
appeal lifts the bar and the records but restores no result or certificate."""

from __future__ import annotations

import pytest
from django.utils import timezone

from skillcert.certificates.choices import CertificateStatus
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.enrollment.services import applications as flow
from skillcert.results.models import Result
from skillcert.supervision import cases, integrity
from skillcert.supervision.choices import AppealStatus, CaseGrade, CaseStatus
from skillcert.supervision.models import CaseEffect, IntegrityRecord, ViolationCase
from tests.certificates.conftest import CertKit
from tests.conftest import Cast, Refused
from tests.enrollment.conftest import sign
from tests.supervision.builders_cases import (
    after_window,
    approved_results,
    candidate_case,
    certificate_of,
    enrolling_batch_b,
    institution_case,
    issued,
)

pytestmark = pytest.mark.django_db


def decided(cast: Cast, ck: CertKit, grade: str = CaseGrade.SERIOUS) -> ViolationCase:
    official = cast.actor("city_a")
    case = candidate_case(official, ck.passed[0], grade)
    return cases.case_decide(actor=official, case=case, decision="取消当次全部科目成绩")


def test_an_upheld_appeal_lifts_the_bar_but_restores_nothing(cast: Cast) -> None:
    ck = issued(cast)
    case = decided(cast, ck)
    candidate = cast.actor("candidate")
    appeal = cases.appeal_file(actor=candidate, case=case, grounds="本人未使用手机，监控可证明。")
    case.refresh_from_db()
    assert case.status == CaseStatus.APPEALED
    assert appeal.status == AppealStatus.FILED
    index = ck.passed[0].person.id_number_index
    today = timezone.localdate()
    assert integrity.active_bar(index, on=today) is not None

    done = cases.appeal_decide(
        actor=cast.actor("province"), appeal=appeal, upheld=True, note="证据不足，撤销处理。"
    )
    assert done.status == AppealStatus.UPHELD
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert integrity.active_bar(index, on=today) is None
    assert not IntegrityRecord.objects.filter(case=case, lifted_at__isnull=True).exists()
    assert not CaseEffect.objects.filter(case=case, lifted_at__isnull=True).exists()
    # Results and certificates stay as they are.
    assert Result.objects.get(application=ck.passed[0]).void_grade == "serious"
    assert certificate_of(ck.passed[0]).status == CertificateStatus.REVOKED
    # The person may apply again.
    batch = enrolling_batch_b(ck)
    application = flow.application_create(
        actor=candidate, person=ck.passed[0].person, batch=batch, declared_route=1
    )
    sign(candidate, application)
    flow.application_submit(actor=candidate, application=application)


def test_a_rejected_appeal_keeps_the_bar(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    case = decided(cast, ck)
    appeal = cases.appeal_file(actor=cast.actor("candidate"), case=case, grounds="处理过重")
    refused(
        DomainError,
        lambda: cases.appeal_decide(
            actor=cast.actor("city_a"), appeal=appeal, upheld=False, note=""
        ),
        code="note_required",
    )
    cases.appeal_decide(actor=cast.actor("city_a"), appeal=appeal, upheld=False, note="维持")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED
    assert integrity.active_bar(ck.passed[0].person.id_number_index, on=timezone.localdate())
    refused(
        InvalidTransition,
        lambda: cases.appeal_file(actor=cast.actor("candidate"), case=case, grounds="再次申请"),
    )
    refused(
        InvalidTransition,
        lambda: cases.appeal_decide(
            actor=cast.actor("city_a"), appeal=appeal, upheld=True, note="x"
        ),
        code="not_filed",
    )


@pytest.mark.parametrize("who", ["examiner", "institution_a", "city_a", "institution_b"])
def test_only_the_subject_appeals(cast: Cast, refused: Refused, who: str) -> None:
    ck = approved_results(cast)
    case = decided(cast, ck)
    refused(
        PermissionDenied, lambda: cases.appeal_file(actor=cast.actor(who), case=case, grounds="x")
    )


def test_a_candidate_may_not_appeal_someone_elses_case(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    official = cast.actor("city_a")
    other = candidate_case(official, ck.passed[1], CaseGrade.SERIOUS)
    cases.case_decide(actor=official, case=other, decision="全部无效")
    refused(
        PermissionDenied,
        lambda: cases.appeal_file(actor=cast.actor("candidate"), case=other, grounds="x"),
    )


def test_late_and_second_appeals_are_refused(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    case = decided(cast, ck)
    candidate = cast.actor("candidate")
    refused(
        DomainError,
        lambda: cases.appeal_file(
            actor=candidate, case=case, grounds="迟到的申请", today=after_window(case)
        ),
        code="appeal_late",
    )
    assert case.appeal_due is not None
    cases.appeal_file(actor=candidate, case=case, grounds="最后一天", today=case.appeal_due)
    refused(
        InvalidTransition,
        lambda: cases.appeal_file(actor=candidate, case=case, grounds="再来一次"),
        code="appeal_open",
    )


@pytest.mark.parametrize("who", ["institution_a", "city_b", "education", "candidate"])
def test_only_the_authority_decides_appeals(cast: Cast, refused: Refused, who: str) -> None:
    ck = approved_results(cast)
    case = decided(cast, ck)
    appeal = cases.appeal_file(actor=cast.actor("candidate"), case=case, grounds="理由")
    refused(
        PermissionDenied,
        lambda: cases.appeal_decide(actor=cast.actor(who), appeal=appeal, upheld=True, note="x"),
    )
    assert integrity.active_bar(ck.passed[0].person.id_number_index, on=timezone.localdate())


def test_an_open_case_cannot_be_appealed(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    case = candidate_case(cast.actor("city_a"), ck.passed[0], CaseGrade.SERIOUS)
    refused(
        InvalidTransition,
        lambda: cases.appeal_file(actor=cast.actor("candidate"), case=case, grounds="x"),
        code="not_decided",
    )


def test_the_institution_admin_appeals_an_institution_case(cast: Cast) -> None:
    ck = approved_results(cast)
    institution = ck.batch.institution
    official = cast.actor("city_a")
    case = institution_case(official, institution, CaseGrade.RECTIFY)
    cases.case_decide(actor=official, case=case, decision="限期整改")
    appeal = cases.appeal_file(actor=cast.actor("institution_a"), case=case, grounds="已整改")
    assert appeal.filed_by_label == cast.users["institution_a"].display_name


def test_closing_waits_for_the_appeal_window(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    case = decided(cast, ck)
    official = cast.actor("city_a")
    refused(
        DomainError,
        lambda: cases.case_close(actor=official, case=case),
        code="appeal_window_open",
    )
    refused(
        PermissionDenied,
        lambda: cases.case_close(actor=cast.actor("city_b"), case=case, today=after_window(case)),
    )
    closed = cases.case_close(actor=official, case=case, today=after_window(case))
    assert closed.status == CaseStatus.CLOSED
    # The bar stays after closing.
    assert integrity.active_bar(ck.passed[0].person.id_number_index, on=timezone.localdate())
    refused(
        InvalidTransition,
        lambda: cases.case_close(actor=official, case=case, today=after_window(case)),
        code="not_decided",
    )
