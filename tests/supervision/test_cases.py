"""Violation cases through the services: opening, and every grade's effects applied
through the owning services, with a CaseEffect and an IntegrityRecord each."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from skillcert.batches.choices import Component
from skillcert.certificates import revocation as certificate_revocation
from skillcert.certificates.choices import CertificateStatus
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.workdays import deadline
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.models import DirectoryNotice, Institution
from skillcert.results.choices import ComponentState, Outcome, ResultsStatus, RevocationStatus
from skillcert.results.models import BatchResults, CertificateRevocation, ComponentScore, Result
from skillcert.supervision import cases
from skillcert.supervision.choices import CaseGrade, CaseSource, CaseStatus, EffectKind, SubjectKind
from skillcert.supervision.models import (
    CaseEffect,
    IntegrityRecord,
    SupervisionPolicy,
    ViolationCase,
)
from skillcert.supervision.policies import policy_for
from tests.conftest import Cast, Refused
from tests.institutions.conftest import approved, build_world
from tests.supervision.builders_cases import (
    FACTS,
    approved_results,
    candidate_case,
    certificate_of,
    institution_case,
    issued,
)

pytestmark = pytest.mark.django_db


def effects(case: Any) -> list[str]:
    return list(CaseEffect.objects.filter(case=case).values_list("kind", flat=True))


def records(case: Any) -> list[str]:
    return sorted(IntegrityRecord.objects.filter(case=case).values_list("kind", flat=True))


def practical_state(application: Any) -> str:
    rows = ComponentScore.objects.filter(
        application=application, component=Component.PRACTICAL
    ).order_by("-pk")
    return str(rows.first().state)  # type: ignore[union-attr]


# --- opening -----------------------------------------------------------------------------


def test_an_official_opens_a_numbered_case(cast: Cast) -> None:
    ck = approved_results(cast)
    application = ck.passed[0]
    case = candidate_case(
        cast.actor("city_a"), application, CaseGrade.CHEATING, component=Component.THEORY
    )
    year = timezone.localdate().year
    assert re.fullmatch(rf"WG530000{year}\d{{5}}", case.number)
    assert case.status == CaseStatus.OPEN
    assert case.person == application.person
    assert case.batch == application.batch
    assert case.opened_by_label == cast.users["city_a"].display_name
    second = candidate_case(cast.actor("province"), ck.passed[1], CaseGrade.SERIOUS)
    assert int(second.number[-5:]) == int(case.number[-5:]) + 1
    assert second.component == ""
    event = AuditEvent.objects.filter(action="supervision.case_open").order_by("seq").first()
    assert event is not None
    assert event.object_id == str(case.pk)


def test_the_institution_reports_its_candidates_but_not_itself(
    cast: Cast, refused: Refused
) -> None:
    ck = approved_results(cast)
    admin = cast.actor("institution_a")
    case = candidate_case(admin, ck.passed[0], CaseGrade.MINOR, component=Component.THEORY)
    assert case.subject_kind == SubjectKind.CANDIDATE
    refused(PermissionDenied, lambda: institution_case(admin, ck.batch.institution, "rectify"))


@pytest.mark.parametrize("who", ["city_b", "education", "institution_b", "candidate", "examiner"])
def test_others_may_not_open_a_case(cast: Cast, refused: Refused, who: str) -> None:
    ck = approved_results(cast)
    refused(
        PermissionDenied,
        lambda: candidate_case(cast.actor(who), ck.passed[0], CaseGrade.SERIOUS),
    )


def test_opening_validates_grade_subject_and_component(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    official = cast.actor("city_a")
    application = ck.passed[0]
    refused(
        DomainError,
        lambda: candidate_case(official, application, CaseGrade.RECTIFY),
        code="bad_grade",
    )
    refused(
        DomainError,
        lambda: candidate_case(official, application, CaseGrade.CHEATING),
        code="component_required",
    )
    refused(
        DomainError,
        lambda: candidate_case(official, application, CaseGrade.MINOR, component="review"),
    )
    world = ck.rk.kit.world
    refused(
        DomainError,
        lambda: candidate_case(
            cast.actor("province"), application, CaseGrade.SERIOUS, institution=world.inst_b
        ),
        code="wrong_institution",
    )
    refused(
        DomainError,
        lambda: cases.case_open(
            actor=official,
            subject_kind=SubjectKind.CANDIDATE,
            institution=ck.batch.institution,
            grade=CaseGrade.SERIOUS,
            facts="  ",
            source=CaseSource.OTHER,
            application=application,
        ),
        code="facts_required",
    )
    refused(
        DomainError,
        lambda: cases.case_open(
            actor=official,
            subject_kind=SubjectKind.STAFF,
            institution=ck.batch.institution,
            grade=CaseGrade.MISCONDUCT,
            facts=FACTS,
            source=CaseSource.OTHER,
        ),
        code="staff_required",
    )


# --- candidate grades --------------------------------------------------------------------


def test_minor_voids_the_subject_and_revokes_the_issued_certificate(cast: Cast) -> None:
    ck = issued(cast)
    application = ck.passed[0]
    certificate = certificate_of(application)
    case = candidate_case(
        cast.actor("city_a"), application, CaseGrade.MINOR, component=Component.PRACTICAL
    )
    decided = cases.case_decide(actor=cast.actor("city_a"), case=case, decision="取消该科目成绩")
    assert decided.status == CaseStatus.DECIDED
    assert practical_state(application) == ComponentState.VOID
    result = Result.objects.get(application=application)
    assert result.outcome == Outcome.FAILED
    assert result.void_grade == ""  # only the subject is void
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert case.number in certificate.revoked_reason
    assert not CertificateRevocation.objects.filter(
        application=application, status=RevocationStatus.PENDING
    ).exists()
    assert effects(case) == [EffectKind.SUBJECT_VOID, EffectKind.CERTIFICATE_REVOKED]
    assert records(case) == sorted([EffectKind.SUBJECT_VOID, EffectKind.CERTIFICATE_REVOKED])
    assert decided.ban_until is None
    today = timezone.localdate()
    assert decided.appeal_due == deadline(today, policy_for("530000").appeal_working_days).due
    assert (
        IntegrityRecord.objects.filter(
            case=case, id_number_index=application.person.id_number_index
        ).count()
        == 2
    )
    # The other candidate's certificate is untouched.
    assert certificate_of(ck.passed[1]).status == CertificateStatus.VALID
    event = AuditEvent.objects.get(action="supervision.case_decide")
    assert [e["kind"] for e in event.changes["effects"]] == effects(case)


def test_cheating_before_issue_voids_the_subject_and_closes_the_revocation(cast: Cast) -> None:
    ck = approved_results(cast)
    application = ck.passed[0]
    case = candidate_case(
        cast.actor("province"), application, CaseGrade.CHEATING, component=Component.THEORY
    )
    cases.case_decide(actor=cast.actor("province"), case=case, decision="该科目成绩无效")
    rows = ComponentScore.objects.filter(application=application, component=Component.THEORY)
    assert rows.order_by("-pk").first().state == ComponentState.VOID  # type: ignore[union-attr]
    assert practical_state(application) != ComponentState.VOID
    # No certificate was issued: the revocation the results service left is closed.
    assert CertificateRevocation.objects.get(application=application).status == (
        RevocationStatus.NOT_NEEDED
    )
    assert effects(case) == [EffectKind.SUBJECT_VOID]


def test_serious_voids_everything_revokes_and_bars_until_year_end(cast: Cast) -> None:
    ck = issued(cast)
    application = ck.passed[0]
    certificate = certificate_of(application)
    official = cast.actor("city_a")
    case = candidate_case(official, application, CaseGrade.SERIOUS)
    decided = cases.case_decide(actor=official, case=case, decision="取消当次全部科目成绩")
    result = Result.objects.get(application=application)
    assert result.void_grade == "serious"
    assert result.outcome == Outcome.VOID
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    today = timezone.localdate()
    assert decided.ban_until == date(today.year, 12, 31)
    assert effects(case) == [
        EffectKind.RESULT_VOID,
        EffectKind.CERTIFICATE_REVOKED,
        EffectKind.BARRED,
    ]
    bar = IntegrityRecord.objects.get(case=case, kind=EffectKind.BARRED)
    assert bar.ends_on == date(today.year, 12, 31)
    assert bar.id_number_index == application.person.id_number_index
    assert bar.subject_kind == SubjectKind.CANDIDATE


def test_grave_bars_for_the_provinces_number_of_years(cast: Cast) -> None:
    ck = approved_results(cast)
    SupervisionPolicy.objects.update_or_create(
        province_id="530000", defaults={"grave_ban_years": 2}
    )
    application = ck.passed[1]
    case = candidate_case(cast.actor("city_a"), application, CaseGrade.GRAVE)
    decided = cases.case_decide(actor=cast.actor("city_a"), case=case, decision="替考")
    today = timezone.localdate()
    assert decided.ban_until == cases.years_later(today, 2)
    assert decided.ban_until is not None
    assert decided.ban_until.year == today.year + 2
    assert Result.objects.get(application=application).void_grade == "very_serious"
    assert effects(case) == [EffectKind.RESULT_VOID, EffectKind.BARRED]


def test_a_certificate_is_revoked_whatever_state_the_results_are_in(cast: Cast) -> None:
    ck = issued(cast)
    application = ck.passed[0]
    # The results record went back to the centre after issue: voiding leaves no pending
    # revocation, yet the issued certificate must go.
    BatchResults.objects.filter(batch=ck.batch).update(status=ResultsStatus.FILED)
    case = candidate_case(cast.actor("city_a"), application, CaseGrade.SERIOUS)
    cases.case_decide(actor=cast.actor("city_a"), case=case, decision="全部无效")
    assert not CertificateRevocation.objects.filter(application=application).exists()
    assert certificate_of(application).status == CertificateStatus.REVOKED
    assert EffectKind.CERTIFICATE_REVOKED in effects(case)


def test_a_subject_already_void_is_recorded_not_voided_twice(cast: Cast) -> None:
    ck = approved_results(cast)
    application = ck.passed[0]
    admin = cast.actor("institution_a")
    from skillcert.results.invalidation import result_void

    result_void(
        actor=admin,
        application=application,
        grade="cheating",
        reason="考场当场认定",
        component=Component.THEORY,
    )
    case = candidate_case(admin, application, CaseGrade.CHEATING, component=Component.THEORY)
    cases.case_decide(actor=cast.actor("city_a"), case=case, decision="维持")
    effect = CaseEffect.objects.get(case=case)
    assert effect.kind == EffectKind.SUBJECT_VOID
    assert "此前" in effect.detail


# --- refusals and rollback ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["institution_a", "city_b", "education", "candidate"])
def test_only_the_authority_decides(cast: Cast, refused: Refused, who: str) -> None:
    ck = approved_results(cast)
    case = candidate_case(cast.actor("city_a"), ck.passed[0], CaseGrade.SERIOUS)
    refused(
        PermissionDenied, lambda: cases.case_decide(actor=cast.actor(who), case=case, decision="x")
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not CaseEffect.objects.exists()


def test_a_decision_is_made_once_and_needs_text(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    official = cast.actor("city_a")
    case = candidate_case(official, ck.passed[0], CaseGrade.SERIOUS)
    refused(
        DomainError,
        lambda: cases.case_decide(actor=official, case=case, decision=" "),
        code="decision_required",
    )
    cases.case_decide(actor=official, case=case, decision="全部无效")
    refused(
        InvalidTransition,
        lambda: cases.case_decide(actor=official, case=case, decision="again"),
        code="not_open",
    )


def test_a_failing_effect_rolls_the_whole_decision_back(
    cast: Cast, refused: Refused, monkeypatch: pytest.MonkeyPatch
) -> None:
    ck = issued(cast)
    application = ck.passed[0]
    official = cast.actor("city_a")
    case = candidate_case(official, application, CaseGrade.SERIOUS)

    def broken(**kwargs: Any) -> None:
        raise InvalidTransition("证书服务暂不可用", code="broken")

    monkeypatch.setattr(certificate_revocation, "revocation_carry_out", broken)
    refused(
        InvalidTransition,
        lambda: cases.case_decide(actor=official, case=case, decision="全部无效"),
        code="broken",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.ban_until is None
    assert not CaseEffect.objects.filter(case=case).exists()
    assert not IntegrityRecord.objects.filter(case=case).exists()
    result = Result.objects.get(application=application)
    assert result.void_grade == ""
    assert result.outcome == Outcome.PASSED
    assert not CertificateRevocation.objects.filter(application=application).exists()
    assert certificate_of(application).status == CertificateStatus.VALID


def test_minor_needs_results_to_void(cast: Cast, refused: Refused) -> None:
    ck = approved_results(cast)
    application = ck.passed[0]
    case = candidate_case(
        cast.actor("city_a"), application, CaseGrade.MINOR, component=Component.THEORY
    )
    type(application).objects.filter(pk=application.pk).update(status="withdrawn")
    refused(
        DomainError,
        lambda: cases.case_decide(actor=cast.actor("city_a"), case=case, decision="x"),
        code="no_results",
    )


# --- institutions ------------------------------------------------------------------------


def _filed_a(cast: Cast) -> Institution:
    world = build_world(cast)
    approved(world, world.inst_a)
    world.inst_a.refresh_from_db()
    assert world.inst_a.status == DirectoryStatus.ACTIVE
    return world.inst_a


def test_rectify_sets_a_deadline_on_the_case(cast: Cast) -> None:
    institution = _filed_a(cast)
    official = cast.actor("city_a")
    case = institution_case(official, institution, CaseGrade.RECTIFY)
    decided = cases.case_decide(actor=official, case=case, decision="责令限期整改")
    due = deadline(timezone.localdate(), 20).due
    assert decided.rectification_due == due
    institution.refresh_from_db()
    assert institution.status == DirectoryStatus.ACTIVE
    record = IntegrityRecord.objects.get(case=case)
    assert record.kind == EffectKind.RECTIFICATION
    assert record.ends_on == due
    assert record.subject_name == institution.name
    assert record.id_number_index == ""


def test_an_official_confirms_the_rectification_once(cast: Cast, refused: Refused) -> None:
    institution = _filed_a(cast)
    official = cast.actor("city_a")
    case = institution_case(official, institution, CaseGrade.RECTIFY)
    refused(
        InvalidTransition,
        lambda: cases.case_rectification_confirm(actor=official, case=case),
        code="no_rectification",
    )
    cases.case_decide(actor=official, case=case, decision="责令限期整改")
    for who in ("city_b", "education", "institution_a"):
        refused(
            PermissionDenied,
            lambda who=who: cases.case_rectification_confirm(actor=cast.actor(who), case=case),
        )
    confirmed = cases.case_rectification_confirm(actor=official, case=case)
    assert confirmed.rectified_at is not None
    refused(
        InvalidTransition,
        lambda: cases.case_rectification_confirm(actor=official, case=case),
        code="already_rectified",
    )
    page = cast.client("city_a").get(reverse("supervision-case-detail", args=[case.pk]))
    assert 'id="case-rectified"' in page.content.decode()


def test_suspend_goes_through_the_directory(cast: Cast) -> None:
    institution = _filed_a(cast)
    official = cast.actor("province")
    case = institution_case(official, institution, CaseGrade.SUSPEND)
    decided = cases.case_decide(actor=official, case=case, decision="暂停认定活动")
    institution.refresh_from_db()
    assert institution.status == DirectoryStatus.SUSPENDED
    assert institution.rectification_due == decided.rectification_due
    assert DirectoryNotice.objects.filter(institution=institution, kind="suspended").exists()
    assert effects(case) == [EffectKind.SUSPENDED]


def test_revoke_removes_from_the_directory(cast: Cast) -> None:
    institution = _filed_a(cast)
    official = cast.actor("city_a")
    case = institution_case(official, institution, CaseGrade.REVOKE)
    cases.case_decide(actor=official, case=case, decision="取消备案")
    institution.refresh_from_db()
    assert institution.status == DirectoryStatus.REVOKED
    assert DirectoryNotice.objects.filter(institution=institution, kind="revoked").exists()
    assert effects(case) == [EffectKind.FILING_REVOKED]


def test_suspending_a_suspended_institution_rolls_back(cast: Cast, refused: Refused) -> None:
    institution = _filed_a(cast)
    official = cast.actor("city_a")
    first = institution_case(official, institution, CaseGrade.SUSPEND)
    cases.case_decide(actor=official, case=first, decision="暂停")
    second = institution_case(official, institution, CaseGrade.SUSPEND)
    refused(
        InvalidTransition, lambda: cases.case_decide(actor=official, case=second, decision="再停")
    )
    second.refresh_from_db()
    assert second.status == CaseStatus.OPEN
    assert second.rectification_due is None
    assert not IntegrityRecord.objects.filter(case=second).exists()


def test_rectify_refused_for_a_revoked_institution(cast: Cast, refused: Refused) -> None:
    institution = _filed_a(cast)
    official = cast.actor("city_a")
    cases.case_decide(
        actor=official,
        case=institution_case(official, institution, CaseGrade.REVOKE),
        decision="取消备案",
    )
    case = institution_case(official, institution, CaseGrade.RECTIFY)
    refused(
        InvalidTransition,
        lambda: cases.case_decide(actor=official, case=case, decision="整改"),
        code="not_listed",
    )


# --- the demo ----------------------------------------------------------------------------


def test_the_demo_decides_a_cheating_case_and_a_rectification(settings: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    from skillcert.supervision.demo_cases import CHEATING_FACTS, RECTIFY_FACTS, seed_cases_demo
    from tests.certificates.matrix_pages import keys_for_test

    keys_for_test(settings, tmp_path / "keys")
    out = io.StringIO()
    call_command("seed_demo", stdout=out)  # seed_demo runs the cases demo among the others
    assert "WG530000" in out.getvalue()
    cheating = ViolationCase.objects.get(facts=CHEATING_FACTS)
    assert cheating.status == CaseStatus.DECIDED
    assert cheating.opened_by_label != cheating.decided_by_label
    assert effects(cheating) == [EffectKind.SUBJECT_VOID]
    rows = ComponentScore.objects.filter(
        application=cheating.application, component=Component.THEORY
    ).order_by("-pk")
    assert rows.first().state == ComponentState.VOID  # type: ignore[union-attr]
    rectify = ViolationCase.objects.get(facts=RECTIFY_FACTS)
    assert rectify.rectification_due is not None
    assert effects(rectify) == [EffectKind.RECTIFICATION]
    count, events = ViolationCase.objects.count(), AuditEvent.objects.count()
    assert seed_cases_demo() is None
    assert (ViolationCase.objects.count(), AuditEvent.objects.count()) == (count, events)
