"""Institution credit: each indicator moves the score the configured way, grades at the
floors, ranking and ties, history, idempotent recompute, policy validation, refusals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from skillcert.certificates.choices import DeliveryStatus
from skillcert.certificates.models import OutboxMessage
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.institutions.choices import DirectoryStatus
from skillcert.results.choices import ResultsStatus
from skillcert.supervision import credit
from skillcert.supervision.cases import case_rectification_confirm
from skillcert.supervision.choices import (
    AlertClosure,
    AlertStatus,
    AppealStatus,
    CaseGrade,
    CaseStatus,
    SubjectKind,
)
from skillcert.supervision.models import Appeal, CreditScore
from skillcert.supervision.models.policy import default_credit_weights, default_grade_floors
from skillcert.supervision.policies import policy_for
from skillcert.supervision.tasks_credit import recompute_credit_task
from tests.certificates.matrix_pages import issued_world
from tests.conftest import Cast, Refused
from tests.institutions.conftest import another_institution
from tests.supervision.builders_credit import (
    TODAY,
    CreditWorld,
    at,
    credit_world,
    days_ago,
    indicator,
)


@pytest.fixture
def cw(cast: Cast) -> CreditWorld:
    return credit_world(cast)


def recompute(cw: CreditWorld, today: Any = TODAY) -> int:
    return credit.credit_recompute(actor=cw.official, province=cw.province, today=today)


def current(institution: Any) -> CreditScore:
    return CreditScore.objects.get(institution=institution, is_current=True)


def score_of(cw: CreditWorld, institution: Any) -> Decimal:
    recompute(cw)
    return current(institution).score


def test_every_weight_has_an_indicator() -> None:
    assert set(credit.INDICATORS) == set(default_credit_weights())


def test_a_clean_institution_scores_100_grade_a(cw: CreditWorld) -> None:
    assert recompute(cw) == 2
    row = current(cw.inst_a)
    assert (row.score, row.grade) == (Decimal("100.0"), "A")
    assert (row.period_start, row.period_end) == (TODAY - timedelta(days=365), TODAY)
    assert row.indicators["violation_minor"] == {"value": 0, "points": 0.0}
    assert str(row.indicators["violation_minor"]["points"]) == "0.0"  # not −0.0
    # Nothing to measure: no share, no bonus.
    assert row.indicators["certificates_queryable"] == {"value": None, "points": 0.0}


# --- violations ------------------------------------------------------------------------

SEVERITY = [
    (SubjectKind.CANDIDATE, CaseGrade.MINOR, "violation_minor", Decimal("95.0")),
    (SubjectKind.CANDIDATE, CaseGrade.CHEATING, "violation_minor", Decimal("95.0")),
    (SubjectKind.STAFF, CaseGrade.DERELICTION, "violation_minor", Decimal("95.0")),
    (SubjectKind.CANDIDATE, CaseGrade.SERIOUS, "violation_serious", Decimal("85.0")),
    (SubjectKind.STAFF, CaseGrade.MISCONDUCT, "violation_serious", Decimal("85.0")),
    (SubjectKind.INSTITUTION, CaseGrade.RECTIFY, "violation_serious", Decimal("85.0")),
    (SubjectKind.CANDIDATE, CaseGrade.GRAVE, "violation_grave", Decimal("70.0")),
    (SubjectKind.INSTITUTION, CaseGrade.SUSPEND, "violation_grave", Decimal("70.0")),
    (SubjectKind.INSTITUTION, CaseGrade.REVOKE, "violation_grave", Decimal("70.0")),
]


@pytest.mark.parametrize(("kind", "grade", "code", "expected"), SEVERITY)
def test_each_decided_case_deducts_by_its_severity(
    cw: CreditWorld, kind: str, grade: str, code: str, expected: Decimal
) -> None:
    cw.case(cw.inst_a, grade, subject_kind=kind)
    assert score_of(cw, cw.inst_a) == expected
    assert indicator(cw.inst_a, code)["value"] == 1
    assert current(cw.inst_b).score == Decimal("100.0")


def test_open_old_and_overturned_cases_do_not_count(cw: CreditWorld) -> None:
    cw.case(cw.inst_a, CaseGrade.GRAVE, status=CaseStatus.OPEN)
    cw.case(cw.inst_a, CaseGrade.GRAVE, decided_on=days_ago(400))
    overturned = cw.case(cw.inst_a, CaseGrade.GRAVE, status=CaseStatus.CLOSED)
    Appeal.objects.create(
        case=overturned,
        grounds="理由",
        filed_by_label="测试",
        filed_at=at(days_ago(5)),
        status=AppealStatus.UPHELD,
    )
    rejected = cw.case(cw.inst_a, CaseGrade.SERIOUS, status=CaseStatus.CLOSED)
    Appeal.objects.create(
        case=rejected,
        grounds="理由",
        filed_by_label="测试",
        filed_at=at(days_ago(5)),
        status=AppealStatus.REJECTED,
    )
    assert score_of(cw, cw.inst_a) == Decimal("85.0")
    assert indicator(cw.inst_a, "violation_grave")["value"] == 0


def test_penalties_are_capped_at_100_and_bonuses_still_count(cw: CreditWorld) -> None:
    for _n in range(5):
        cw.case(cw.inst_a, CaseGrade.GRAVE)  # −150 before the cap
    batch = cw.batch(cw.inst_a)  # clean batch: data quality 100 %
    assert score_of(cw, cw.inst_a) == Decimal("10.0")
    assert current(cw.inst_a).grade == "D"
    assert indicator(cw.inst_a, "violation_grave")["points"] == -150.0
    batch.delete()
    assert score_of(cw, cw.inst_a) == Decimal("0.0")


# --- filings ---------------------------------------------------------------------------


def test_late_and_missing_filings_deduct_per_occurrence(cw: CreditWorld) -> None:
    due = days_ago(20)
    cw.batch(cw.inst_a, filing_due=due, filed_at=at(due))  # on its due day: on time
    cw.batch(cw.inst_a, filing_due=due, filed_at=at(due + timedelta(days=1)))  # late
    cw.batch(cw.inst_a, filing_due=due)  # never filed
    cw.batch(cw.inst_a, filing_due=TODAY + timedelta(days=3))  # not yet due
    late_results = cw.batch(cw.inst_a)
    cw.results(late_results, filing_due=due, filed_at=at(due + timedelta(days=2)))
    cw.results(cw.batch(cw.inst_a), filing_due=due, filed_at=None, status=ResultsStatus.PUBLISHED)
    entry = indicator_after(cw, "overdue_filing")
    assert entry["value"] == 4
    assert entry["points"] == -12.0


def indicator_after(cw: CreditWorld, code: str) -> dict[str, Any]:
    recompute(cw)
    return indicator(cw.inst_a, code)


# --- rectifications --------------------------------------------------------------------


def test_rectification_on_time_adds_by_share_and_late_deducts(cw: CreditWorld) -> None:
    cw.case(cw.inst_a, CaseGrade.GRAVE)  # −30, so that bonuses show
    due = days_ago(30)
    cw.inspection(cw.inst_a, rectification_due=due, rectified_on=due)
    assert score_of(cw, cw.inst_a) == Decimal("75.0")  # 100 − 30 + 5 (share 1.0)
    assert indicator(cw.inst_a, "rectification_on_time") == {"value": 1.0, "points": 5.0}
    cw.inspection(cw.inst_a, rectification_due=due, rectified_on=due + timedelta(days=1))
    cw.inspection(cw.inst_a, rectification_due=due)  # never done
    cw.inspection(cw.inst_a, rectification_due=TODAY + timedelta(days=5))  # still pending
    recompute(cw)
    assert indicator(cw.inst_a, "rectification_late") == {"value": 2, "points": -20.0}
    assert indicator(cw.inst_a, "rectification_on_time")["value"] == pytest.approx(0.333)
    # 100 − 30 − 20 + 5 × 1/3
    assert current(cw.inst_a).score == Decimal("51.7")


def test_a_case_rectification_counts_once_an_official_confirms_it(
    cw: CreditWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    due = days_ago(10)
    case = cw.case(
        cw.inst_a,
        CaseGrade.RECTIFY,
        subject_kind=SubjectKind.INSTITUTION,
        decided_on=days_ago(40),
        rectification_due=due,
    )
    assert indicator_after(cw, "rectification_late")["value"] == 1
    # The official confirms the rectification (整改验收) on its due day.
    monkeypatch.setattr(timezone, "now", lambda: at(due))
    case_rectification_confirm(actor=cw.official, case=case)
    monkeypatch.undo()
    assert indicator_after(cw, "rectification_late")["value"] == 0
    assert indicator(cw.inst_a, "rectification_on_time")["value"] == 1.0


# --- complaints and alerts -------------------------------------------------------------


def test_upheld_complaints_deduct(cw: CreditWorld) -> None:
    cw.complaint(cw.inst_a, upheld=True)
    cw.complaint(cw.inst_a, upheld=False)
    cw.complaint(cw.inst_a, upheld=True, replied_on=days_ago(500))
    assert score_of(cw, cw.inst_a) == Decimal("95.0")
    assert indicator(cw.inst_a, "complaint_upheld")["value"] == 1


def test_confirmed_alerts_deduct(cw: CreditWorld) -> None:
    cw.confirmed_alert(cw.inst_a)
    cw.alert(
        cw.inst_a, status=AlertStatus.CLOSED, closure=AlertClosure.EXPLAINED, closed_on=days_ago(2)
    )
    cw.alert(cw.inst_a)  # still open
    assert score_of(cw, cw.inst_a) == Decimal("96.0")
    assert indicator(cw.inst_a, "alert_confirmed")["value"] == 1


# --- shares ----------------------------------------------------------------------------


def test_data_quality_is_the_share_of_batches_without_open_alerts(cw: CreditWorld) -> None:
    cw.case(cw.inst_a, CaseGrade.GRAVE)
    flagged = cw.batch(cw.inst_a)
    cw.batch(cw.inst_a)
    cw.alert(cw.inst_a, batch=flagged)
    assert indicator_after(cw, "data_quality") == {"value": 0.5, "points": 5.0}
    assert current(cw.inst_a).score == Decimal("75.0")
    flagged.alerts.update(status=AlertStatus.CLOSED)
    assert indicator_after(cw, "data_quality") == {"value": 1.0, "points": 10.0}


def test_batch_volume_scales_to_its_cap(cw: CreditWorld) -> None:
    cw.case(cw.inst_a, CaseGrade.GRAVE)
    for _n in range(3):
        cw.results(cw.batch(cw.inst_a, closes=days_ago(500)), filed_at=at(days_ago(8)))
    cw.results(
        cw.batch(cw.inst_a, closes=days_ago(500)),
        filed_at=at(days_ago(8)),
        status=ResultsStatus.RETURNED,
    )
    assert indicator_after(cw, "batch_volume") == {"value": 3, "points": 2.5}
    for _n in range(5):
        cw.results(cw.batch(cw.inst_a, closes=days_ago(500)), filed_at=at(days_ago(8)))
    assert indicator_after(cw, "batch_volume") == {"value": 8, "points": 5.0}


def test_certificates_queryable_is_the_share_delivered(cast: Cast) -> None:
    ck = issued_world(cast, passed=2, failed=0)
    institution = ck.batch.institution
    institution.status = DirectoryStatus.ACTIVE
    institution.save(update_fields=["status"])
    province = institution.organisation.province
    today = timezone.localdate()
    credit.credit_recompute(actor=cast.actor("province"), province=province, today=today)
    assert indicator(institution, "certificates_queryable") == {"value": 0.0, "points": 0.0}
    first = OutboxMessage.objects.filter(certificate__batch=ck.batch).order_by("pk").first()
    assert first is not None
    OutboxMessage.objects.filter(pk=first.pk).update(status=DeliveryStatus.DELIVERED)
    credit.credit_recompute(actor=cast.actor("province"), province=province, today=today)
    assert indicator(institution, "certificates_queryable") == {"value": 0.5, "points": 5.0}


# --- weights and grades ----------------------------------------------------------------


def test_the_configured_weights_apply(cw: CreditWorld) -> None:
    cw.case(cw.inst_a, CaseGrade.MINOR)
    policy = policy_for(cw.province)
    weights = {**policy.credit_weights, "violation_minor": -22}
    credit.credit_policy_update(
        actor=cw.official, policy=policy, weights=weights, floors={"A": 95, "B": 80, "C": 70}
    )
    assert score_of(cw, cw.inst_a) == Decimal("78.0")
    assert current(cw.inst_a).grade == "C"


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100.0", "A"),
        ("90.0", "A"),
        ("89.9", "B"),
        ("75.0", "B"),
        ("74.9", "C"),
        ("60.0", "C"),
        ("59.9", "D"),
        ("0.0", "D"),
    ],
)
def test_grades_at_the_floors(score: str, grade: str) -> None:
    assert credit.grade_for(Decimal(score), default_grade_floors()) == grade


# --- ranking, history, idempotency -----------------------------------------------------


def test_ranks_by_score_then_name(cw: CreditWorld) -> None:
    third = cw.third()  # 机构1xx: sorts before 机构A
    cw.case(cw.inst_b, CaseGrade.MINOR)
    assert recompute(cw) == 3
    ranks = {s.institution_id: s.rank for s in CreditScore.objects.filter(is_current=True)}
    assert ranks == {third.pk: 1, cw.inst_a.pk: 2, cw.inst_b.pk: 3}


def test_only_listed_institutions_of_the_province_are_scored(cw: CreditWorld) -> None:
    recompute(cw)
    elsewhere = another_institution("510100")  # Chengdu, Sichuan
    cw.listed(elsewhere)
    cw.listed(cw.inst_b, DirectoryStatus.REVOKED)
    assert recompute(cw, TODAY + timedelta(days=1)) == 1
    assert not CreditScore.objects.filter(institution=elsewhere).exists()
    # The revoked institution keeps its history but leaves the ranking.
    assert not CreditScore.objects.filter(institution=cw.inst_b, is_current=True).exists()
    assert CreditScore.objects.filter(institution=cw.inst_b).count() == 1
    cw.listed(cw.inst_b, DirectoryStatus.SUSPENDED)
    assert recompute(cw, TODAY + timedelta(days=2)) == 2


def test_history_is_kept_and_only_the_latest_is_current(cw: CreditWorld) -> None:
    recompute(cw, TODAY - timedelta(days=1))
    cw.case(cw.inst_a, CaseGrade.SERIOUS)
    recompute(cw)
    rows = list(CreditScore.objects.filter(institution=cw.inst_a).order_by("computed_on"))
    assert [(r.computed_on, r.score, r.is_current) for r in rows] == [
        (TODAY - timedelta(days=1), Decimal("100.0"), False),
        (TODAY, Decimal("85.0"), True),
    ]


def test_recomputing_on_the_same_day_replaces_the_row(cw: CreditWorld) -> None:
    events = AuditEvent.objects.filter(action="supervision.credit_recompute")
    recompute(cw)
    first = current(cw.inst_a)
    cw.case(cw.inst_a, CaseGrade.MINOR)
    recompute(cw)
    assert CreditScore.objects.filter(institution=cw.inst_a).count() == 1
    again = current(cw.inst_a)
    assert (again.pk, again.score) == (first.pk, Decimal("95.0"))
    assert events.count() == 2
    assert events.last().changes["scored"] == 2  # type: ignore[union-attr]


def test_the_task_and_the_command_recompute_every_province(cw: CreditWorld) -> None:
    elsewhere = another_institution("510100")
    cw.listed(elsewhere)
    assert recompute_credit_task.call() == 3
    assert CreditScore.objects.filter(is_current=True).count() == 3
    call_command("recompute_credit", "--date", TODAY.isoformat(), "--province", "530000")
    assert CreditScore.objects.filter(computed_on=TODAY).count() == 2
    event = AuditEvent.objects.filter(action="supervision.credit_recompute").last()
    assert event is not None
    assert event.actor_label == "credit"
    with pytest.raises(CommandError):
        call_command("recompute_credit", "--date", "30/06/2025")
    with pytest.raises(CommandError):
        call_command("recompute_credit", "--province", "110000")


# --- policy ----------------------------------------------------------------------------

BAD_WEIGHTS = [
    ({"unknown": -1}, "unknown_indicator"),
    ({"violation_minor": None}, "unknown_indicator"),
    ({"violation_minor": 3}, "wrong_sign"),
    ({"data_quality": -1}, "wrong_sign"),
    ({"violation_grave": -101}, "out_of_range"),
    ({"batch_volume": 2.5}, "not_a_number"),
    ({"batch_volume": "2.5"}, "not_a_number"),
    ({"batch_volume": True}, "not_a_number"),
]


@pytest.mark.parametrize(("change", "code"), BAD_WEIGHTS)
def test_invalid_weights_are_refused(
    cw: CreditWorld, refused: Refused, change: dict[str, Any], code: str
) -> None:
    policy = policy_for(cw.province)
    weights: dict[str, Any] = {**policy.credit_weights, **change}
    if change.get("violation_minor", 0) is None:
        del weights["violation_minor"]
    refused(
        DomainError,
        lambda: credit.credit_policy_update(
            actor=cw.official, policy=policy, weights=weights, floors=default_grade_floors()
        ),
        code=code,
    )
    policy.refresh_from_db()
    assert policy.credit_weights == default_credit_weights()


@pytest.mark.parametrize(
    ("floors", "code"),
    [
        ({"A": 90, "B": 75}, "unknown_grade"),
        ({"A": 90, "B": 90, "C": 60}, "floors_order"),
        ({"A": 70, "B": 75, "C": 60}, "floors_order"),
        ({"A": 101, "B": 75, "C": 60}, "out_of_range"),
        ({"A": "x", "B": 75, "C": 60}, "not_a_number"),
    ],
)
def test_invalid_floors_are_refused(
    cw: CreditWorld, refused: Refused, floors: dict[str, Any], code: str
) -> None:
    policy = policy_for(cw.province)
    refused(
        DomainError,
        lambda: credit.credit_policy_update(
            actor=cw.official, policy=policy, weights=policy.credit_weights, floors=floors
        ),
        code=code,
    )


def test_a_valid_policy_is_saved_and_audited(cw: CreditWorld) -> None:
    policy = policy_for(cw.province)
    weights = {**policy.credit_weights, "complaint_upheld": "-8"}
    credit.credit_policy_update(
        actor=cw.official, policy=policy, weights=weights, floors={"A": 92, "B": 80, "C": 65}
    )
    policy.refresh_from_db()
    assert policy.credit_weights["complaint_upheld"] == -8
    assert policy.credit_grade_floors == {"A": 92, "B": 80, "C": 65}
    event = AuditEvent.objects.get(action="supervision.credit_policy_update")
    assert event.changes["before"]["weights"]["complaint_upheld"] == -5
    assert event.province_code == "530000"


def test_other_parameters_are_validated_and_audited(cw: CreditWorld, refused: Refused) -> None:
    policy = policy_for(cw.province)
    credit.supervision_policy_update(
        actor=cw.official, policy=policy, values={"inspection_exclusion_days": 90}
    )
    policy.refresh_from_db()
    assert policy.inspection_exclusion_days == 90
    assert AuditEvent.objects.filter(action="supervision.policy_update").count() == 1
    refused(
        DomainError,
        lambda: credit.supervision_policy_update(
            actor=cw.official, policy=policy, values={"answer_similarity": Decimal("0.1")}
        ),
    )
    refused(
        DomainError,
        lambda: credit.supervision_policy_update(
            actor=cw.official, policy=policy, values={"credit_weights": {}}
        ),
        code="unknown",
    )


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["city_a", "education", "institution_a", "candidate", "anonymous"])
def test_only_provincial_officials_recompute_and_set_rules(
    cw: CreditWorld, refused: Refused, role: str
) -> None:
    actor = cw.cast.actor(role)
    refused(
        PermissionDenied,
        lambda: credit.credit_recompute(actor=actor, province=cw.province, today=TODAY),
    )
    assert not CreditScore.objects.exists()
    policy = policy_for(cw.province)
    refused(
        PermissionDenied,
        lambda: credit.credit_policy_update(
            actor=actor,
            policy=policy,
            weights=policy.credit_weights,
            floors=policy.credit_grade_floors,
        ),
    )
    refused(
        PermissionDenied,
        lambda: credit.supervision_policy_update(
            actor=actor, policy=policy, values={"inspection_exclusion_days": 1}
        ),
    )


def test_a_provincial_official_of_another_province_is_refused(
    cw: CreditWorld, refused: Refused
) -> None:
    from skillcert.core.models import Region

    sichuan = Region.objects.get(code="510000")
    refused(
        PermissionDenied,
        lambda: credit.credit_recompute(actor=cw.official, province=sichuan, today=TODAY),
    )


def test_the_demo_scores_yunnan_once(cw: CreditWorld) -> None:
    from skillcert.core.choices import Role
    from skillcert.core.models import Membership, User
    from skillcert.supervision.demo_credit import seed_credit_demo

    Membership.objects.create(
        user=User.objects.create(username="yn_official", full_name="演示官员"),
        role=Role.PROVINCE_OFFICIAL,
        organisation=cw.cast.orgs["province_hr"],
    )
    line = seed_credit_demo()
    assert line is not None
    assert "2" in line
    assert CreditScore.objects.filter(is_current=True).count() == 2
    events = AuditEvent.objects.count()
    assert seed_credit_demo() is None
    assert AuditEvent.objects.count() == events
