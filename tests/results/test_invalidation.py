"""Voiding results per the violation ladder, at any stage; after approval a pending
certificate revocation is recorded for a candidate who had passed."""

from __future__ import annotations

from datetime import date

import pytest

from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.results import filing, invalidation
from skillcert.results.choices import ComponentState, Outcome, RevocationStatus, ViolationGrade
from skillcert.results.models import BatchResults, CertificateRevocation, ComponentScore
from tests.conftest import refuses
from tests.results.conftest import ResultsKit
from tests.results.test_composite import computed, result_of
from tests.results.test_objections import DURING, own
from tests.results.test_publication import published

pytestmark = pytest.mark.django_db

AFTER_PUBLICITY = date(2024, 10, 11)


def states(application: object) -> dict[str, tuple[str, str]]:
    return {
        r.component: (r.state, r.void_grade)
        for r in ComponentScore.objects.filter(application=application)
    }


@pytest.mark.parametrize("grade", [ViolationGrade.DISCIPLINE, ViolationGrade.CHEATING])
def test_discipline_and_cheating_void_the_subject(rk: ResultsKit, grade: str) -> None:
    computed(rk, ["80"] * 4, ["80"] * 4)
    application = rk.candidates[0]
    result = invalidation.result_void(
        actor=rk.admin,
        application=application,
        grade=grade,
        reason="理论考试中夹带资料。",
        component="theory",
    )
    assert states(application) == {
        "theory": (ComponentState.VOID, grade),
        "practical": (ComponentState.SCORED, ""),
    }
    theory = ComponentScore.objects.get(application=application, component="theory")
    assert theory.void_reason == "理论考试中夹带资料。"
    assert theory.score is not None  # kept as evidence, but it no longer counts
    assert (result.outcome, result.total, result.void_grade) == (Outcome.FAILED, 56, "")
    assert not CertificateRevocation.objects.exists()  # before publication: nothing issued
    event = AuditEvent.objects.get(action="results.void")
    assert event.changes["components"] == {"theory": "80.00"}
    assert event.changes["certificate_revocation"] is None
    refuses(
        InvalidTransition,
        lambda: invalidation.result_void(
            actor=rk.admin, application=application, grade=grade, reason="再次", component="theory"
        ),
        "already_void",
    )


@pytest.mark.parametrize("grade", [ViolationGrade.SERIOUS, ViolationGrade.VERY_SERIOUS])
def test_serious_violations_void_every_subject_and_the_result(rk: ResultsKit, grade: str) -> None:
    computed(rk, ["80"] * 4, ["80", "80", "80", None])
    application = rk.candidates[3]  # not scored in practical yet: a void row is made
    result = invalidation.result_void(
        actor=rk.centre, application=application, grade=grade, reason="替考。"
    )
    assert states(application) == {
        "theory": (ComponentState.VOID, grade),
        "practical": (ComponentState.VOID, grade),
    }
    assert (result.outcome, result.void_grade, result.void_reason) == (
        Outcome.VOID,
        grade,
        "替考。",
    )
    refuses(
        InvalidTransition,
        lambda: invalidation.result_void(
            actor=rk.admin, application=application, grade=grade, reason="再次"
        ),
        "already_void",
    )


def test_a_subject_must_be_named_and_a_reason_given(rk: ResultsKit) -> None:
    application = rk.candidates[0]
    refuses(
        DomainError,
        lambda: invalidation.result_void(
            actor=rk.admin, application=application, grade="discipline", reason="违纪"
        ),
        "component_required",
    )
    refuses(
        DomainError,
        lambda: invalidation.result_void(
            actor=rk.admin, application=application, grade="serious", reason=" "
        ),
        "reason_required",
    )
    refuses(
        DomainError,
        lambda: invalidation.result_void(
            actor=rk.admin, application=application, grade="minor", reason="x"
        ),
        "bad_grade",
    )
    refuses(
        DomainError,
        lambda: invalidation.result_void(
            actor=rk.admin,
            application=application,
            grade="cheating",
            reason="x",
            component="review",
        ),
        "not_a_component",
    )


@pytest.mark.parametrize("role", ["institution_b", "city_b", "candidate", "examiner"])
def test_outsiders_cannot_void(rk: ResultsKit, role: str) -> None:
    application = own(rk, 0)
    refuses(
        PermissionDenied,
        lambda: invalidation.result_void(
            actor=rk.cast.actor(role), application=application, grade="serious", reason="x"
        ),
    )
    assert not ComponentScore.objects.exists()


def test_voiding_after_approval_records_a_pending_certificate_revocation(
    rk: ResultsKit,
) -> None:
    published(rk)  # candidates 0 and 3 passed, 1 and 2 failed
    filing.results_file(actor=rk.admin, batch=rk.batch, today=DURING)
    filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY)
    passed, failed = rk.candidates[0], rk.candidates[1]
    result = invalidation.result_void(
        actor=rk.centre,
        application=passed,
        grade=ViolationGrade.VERY_SERIOUS,
        reason="发证后查实伪造学历证明。",
    )
    assert result.outcome == Outcome.VOID
    revocation = CertificateRevocation.objects.get()
    assert (revocation.application, revocation.status, revocation.reason) == (
        passed,
        RevocationStatus.PENDING,
        "发证后查实伪造学历证明。",
    )
    assert revocation.requested_by_label == rk.centre.label
    event = AuditEvent.objects.get(action="results.void")
    assert event.changes["certificate_revocation"] == revocation.pk
    assert event.changes["certificate_revocation_status"] == "pending"
    assert event.changes["outcome"] == ["passed", "void"]
    # The announcement shows the voided result.
    row = BatchResults.objects.get().announcement[0]
    assert row["outcome"] == "void"
    assert row["scores"] == {"theory": "成绩无效", "practical": "成绩无效"}
    # A candidate who had failed holds no certificate: nothing to revoke.
    invalidation.result_void(actor=rk.admin, application=failed, grade="serious", reason="作弊")
    assert CertificateRevocation.objects.count() == 1
    assert result_of(failed).outcome == Outcome.VOID
    assert list(invalidation.pending_revocations(rk.admin)) == [revocation]
    assert list(invalidation.pending_revocations(rk.centre)) == [revocation]
    assert list(invalidation.pending_revocations(rk.cast.actor("city_b"))) == []
    assert list(invalidation.pending_revocations(rk.cast.actor("institution_b"))) == []


def test_voiding_one_subject_after_approval_revokes_a_passed_candidates_certificate(
    rk: ResultsKit,
) -> None:
    published(rk)
    filing.results_file(actor=rk.admin, batch=rk.batch, today=DURING)
    filing.results_approve(actor=rk.centre, batch=rk.batch, today=AFTER_PUBLICITY)
    invalidation.result_void(
        actor=rk.admin,
        application=rk.candidates[3],
        grade="cheating",
        reason="操作技能考核由他人代做。",
        component="practical",
    )
    assert result_of(rk.candidates[3]).outcome == Outcome.FAILED
    assert CertificateRevocation.objects.get().status == RevocationStatus.PENDING
