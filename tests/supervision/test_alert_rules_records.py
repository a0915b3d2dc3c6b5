"""Each record rule fires on data built to trigger it and stays silent on clean data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.models import Filing, Institution
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.models import BatchResults, Result
from skillcert.supervision.alert_rules_records import (
    certificates_without_result,
    eligibility_mismatches,
    late_plan_filings,
    late_results_filings,
    out_of_scope_batches,
    pass_rates,
)
from skillcert.supervision.alert_types import AlertFinding
from skillcert.supervision.choices import AlertRule, AlertSeverity
from skillcert.supervision.policies import policy_for
from tests.certificates.matrix_pages import issued_world
from tests.conftest import Cast
from tests.enrollment.conftest import new_candidate
from tests.institutions.conftest import another_institution
from tests.supervision.builders_alerts import AlertWorld, at, build_alerts

RECORD_RULES = (
    late_plan_filings,
    late_results_filings,
    out_of_scope_batches,
    pass_rates,
    eligibility_mismatches,
    certificates_without_result,
)


@pytest.fixture
def aw(cast: Cast) -> AlertWorld:
    return build_alerts(cast)


def keys(findings: list[AlertFinding]) -> list[str]:
    return sorted(f.key for f in findings)


def labels(finding: AlertFinding) -> list[str]:
    return [line.label for line in finding.evidence]


@pytest.mark.django_db
def test_the_clean_world_fires_no_rule(aw: AlertWorld) -> None:
    for rule in RECORD_RULES:
        assert aw.run(rule) == [], rule.__name__


# ---------------------------------------------------------------- late plan filings


@pytest.mark.django_db
def test_a_plan_not_filed_after_its_due_date_fires(aw: AlertWorld) -> None:
    late = aw.batch(
        status=BatchStatus.DRAFT,
        enrollment_opens=aw.today - timedelta(days=100),
        enrollment_closes=aw.today - timedelta(days=80),
    )
    aw.batch(status=BatchStatus.DRAFT)  # enrollment still to come: not due
    [finding] = aw.run(late_plan_filings)
    assert finding.rule == AlertRule.LATE_PLAN_FILING
    assert finding.key == f"batch:{late.pk}"
    assert finding.batch_id == late.pk
    assert finding.institution_id == aw.inst_a.pk
    assert finding.severity == AlertSeverity.WARNING
    assert "逾期未报备" in finding.title
    assert finding.evidence[0].object_type == "batches.batch"
    assert finding.evidence[0].object_id == late.pk


@pytest.mark.django_db
def test_a_draft_fires_only_once_its_due_date_has_passed(aw: AlertWorld) -> None:
    draft = aw.batch(status=BatchStatus.DRAFT)
    assert aw.run(late_plan_filings) == []
    later = timezone.now() + timedelta(days=200)
    assert keys(aw.run(late_plan_filings, later)) == [f"batch:{draft.pk}"]


@pytest.mark.django_db
def test_a_returned_plan_keeps_its_due_date(aw: AlertWorld) -> None:
    returned = aw.batch(status=BatchStatus.RETURNED, filing_due=aw.today - timedelta(days=1))
    assert keys(aw.run(late_plan_filings)) == [f"batch:{returned.pk}"]


@pytest.mark.django_db
def test_a_plan_filed_after_its_due_date_fires_as_a_notice(aw: AlertWorld) -> None:
    due = aw.today - timedelta(days=10)
    late = aw.batch(status=BatchStatus.FILED, filing_due=due, filed_at=at(due + timedelta(days=3)))
    aw.batch(status=BatchStatus.FILED, filing_due=due, filed_at=at(due))  # on the day: on time
    [finding] = aw.run(late_plan_filings)
    assert finding.key == f"batch:{late.pk}"
    assert finding.severity == AlertSeverity.NOTICE
    assert (due + timedelta(days=3)).isoformat() in [line.value for line in finding.evidence]


# ---------------------------------------------------------------- late results filings


@pytest.mark.django_db
def test_results_not_filed_after_their_due_date_fire(aw: AlertWorld) -> None:
    late = aw.batch(status=BatchStatus.RESULTS_PUBLISHED)
    aw.results(
        late,
        passed=1,
        results_status=ResultsStatus.PUBLISHED,
        filing_due=aw.today - timedelta(days=1),
    )
    pending = aw.batch(status=BatchStatus.RESULTS_PUBLISHED)
    aw.results(pending, passed=1, results_status=ResultsStatus.PUBLISHED, filing_due=aw.today)
    [finding] = aw.run(late_results_filings)
    assert finding.rule == AlertRule.LATE_RESULTS_FILING
    assert finding.key == f"batch:{late.pk}"
    assert finding.severity == AlertSeverity.WARNING
    assert "results.batchresults" in [line.object_type for line in finding.evidence]


@pytest.mark.django_db
def test_results_filed_late_fire_and_on_time_stay_silent(aw: AlertWorld) -> None:
    due = aw.today - timedelta(days=20)
    late = aw.batch(status=BatchStatus.RESULTS_FILED)
    aw.results(late, passed=1, filing_due=due, filed_at=at(due + timedelta(days=2)))
    on_time = aw.batch(status=BatchStatus.RESULTS_FILED)
    aw.results(on_time, passed=1, filing_due=due, filed_at=at(due - timedelta(days=2)))
    [finding] = aw.run(late_results_filings)
    assert finding.key == f"batch:{late.pk}"
    assert finding.severity == AlertSeverity.NOTICE


@pytest.mark.django_db
def test_results_returned_and_not_filed_again_in_time_fire(aw: AlertWorld) -> None:
    due = aw.today - timedelta(days=20)
    returned = aw.batch(status=BatchStatus.RESULTS_PUBLISHED)
    aw.results(
        returned,
        passed=1,
        results_status=ResultsStatus.RETURNED,
        filing_due=due,
        filed_at=at(due - timedelta(days=1)),
    )
    assert keys(aw.run(late_results_filings)) == [f"batch:{returned.pk}"]
    BatchResults.objects.filter(batch=returned).update(status=ResultsStatus.FILED)
    assert aw.run(late_results_filings) == []


# ---------------------------------------------------------------- out of scope


@pytest.mark.django_db
def test_a_batch_outside_the_filed_occupations_fires(aw: AlertWorld) -> None:
    outside = aw.batch(standard=aw.world.electric_std, level=4)
    aw.batch(standard=aw.world.electric_std, level=4, status=BatchStatus.DRAFT)  # not yet filed
    aw.batch(level=3)  # 车工 3级: within 5–2
    [finding] = aw.run(out_of_scope_batches)
    assert finding.rule == AlertRule.OUT_OF_SCOPE
    assert finding.key == f"batch:{outside.pk}"
    assert finding.severity == AlertSeverity.SERIOUS
    assert "不在有效备案范围内" in labels(finding)


@pytest.mark.django_db
def test_a_batch_above_the_filed_levels_fires(aw: AlertWorld) -> None:
    above = aw.batch(level=1)
    assert keys(aw.run(out_of_scope_batches)) == [f"batch:{above.pk}"]


@pytest.mark.django_db
def test_a_scope_entry_made_inactive_no_longer_covers(aw: AlertWorld) -> None:
    filing = Filing.objects.get(institution=aw.inst_b)
    filing.entries.update(is_active=False)
    # batch_b is institution B's enrolling 车工 batch.
    assert keys(aw.run(out_of_scope_batches)) == [f"batch:{aw.enrol.batch_b.pk}"]


@pytest.mark.django_db
def test_a_session_after_the_filing_expires_fires(aw: AlertWorld) -> None:
    filing = Filing.objects.get(institution=aw.inst_a)
    inside = aw.batch()
    aw.session(inside, filing.valid_until)
    outside = aw.batch()
    session = aw.session(outside, filing.valid_until + timedelta(days=1))
    [finding] = aw.run(out_of_scope_batches)
    assert finding.key == f"batch:{outside.pk}"
    line = next(e for e in finding.evidence if e.object_type == "batches.session")
    assert line.object_id == session.pk


@pytest.mark.django_db
def test_a_suspended_institution_with_a_batch_to_carry_out_fires(aw: AlertWorld) -> None:
    done = aw.batch(status=BatchStatus.RESULTS_FILED)
    Institution.objects.filter(pk=aw.inst_a.pk).update(status=DirectoryStatus.SUSPENDED)
    found = aw.run(out_of_scope_batches)
    # The enrolling batch must stop; the finished one was carried out while listed.
    assert keys(found) == [f"batch:{aw.enrol.batch.pk}"]
    assert f"batch:{done.pk}" not in keys(found)
    assert "机构目录状态" in labels(found[0])


@pytest.mark.django_db
def test_an_unfiled_institution_with_a_batch_fires(aw: AlertWorld) -> None:
    unfiled = another_institution("530300")
    batch = aw.batch(unfiled)
    [finding] = aw.run(out_of_scope_batches)
    assert finding.key == f"batch:{batch.pk}"
    assert finding.institution_id == unfiled.pk
    assert labels(finding)[1] == "机构未备案"


# ---------------------------------------------------------------- pass rates


def _rated(aw: AlertWorld, passed: int, failed: int, level: int = 4) -> int:
    batch = aw.batch(status=BatchStatus.RESULTS_FILED, level=level)
    aw.results(batch, passed=passed, failed=failed)
    return batch.pk


@pytest.mark.django_db
def test_a_pass_rate_far_above_the_province_fires(aw: AlertWorld) -> None:
    high = _rated(aw, 10, 0)
    _rated(aw, 5, 5)
    _rated(aw, 5, 5)
    [finding] = aw.run(pass_rates)
    assert finding.rule == AlertRule.PASS_RATE
    assert finding.key == f"batch:{high}"
    values = [line.value for line in finding.evidence]
    assert "100.0%（10/10）" in values
    assert any(v.startswith("50.0%（10/20）") for v in values)


@pytest.mark.django_db
def test_pass_rates_within_the_margin_stay_silent(aw: AlertWorld) -> None:
    _rated(aw, 7, 3)
    _rated(aw, 6, 4)
    _rated(aw, 6, 4)
    assert aw.run(pass_rates) == []


@pytest.mark.django_db
def test_the_margin_comes_from_the_policy(aw: AlertWorld) -> None:
    _rated(aw, 10, 0)
    _rated(aw, 5, 5)
    _rated(aw, 5, 5)
    policy = policy_for(aw.province())
    policy.pass_rate_margin_points = 50  # 100 − 50 is not more than 50
    policy.save(update_fields=["pass_rate_margin_points"])
    assert aw.run(pass_rates) == []


@pytest.mark.django_db
def test_small_batches_and_other_levels_are_not_compared(aw: AlertWorld) -> None:
    _rated(aw, 9, 0)  # 9 candidates: below the minimum of 10
    _rated(aw, 10, 0, level=3)  # no other level-3 batch to compare with
    _rated(aw, 5, 5)
    _rated(aw, 5, 5)
    assert aw.run(pass_rates) == []


@pytest.mark.django_db
def test_voided_results_count_as_not_passed(aw: AlertWorld) -> None:
    high = _rated(aw, 10, 0)
    _rated(aw, 5, 5)
    _rated(aw, 5, 5)
    Result.objects.filter(application__batch_id=high, outcome=Outcome.PASSED).filter(
        pk__in=Result.objects.filter(application__batch_id=high).values("pk")[:4]
    ).update(outcome=Outcome.VOID)
    assert aw.run(pass_rates) == []  # 6/10 against 50%


# ---------------------------------------------------------------- eligibility


@pytest.mark.django_db
def test_an_application_whose_declared_route_fails_fires(aw: AlertWorld) -> None:
    aw.enrol.submitted(years=7)  # 6 years needed: holds
    short = aw.enrol.submitted(new_candidate("王短"), years=2)
    [finding] = aw.run(eligibility_mismatches)
    assert finding.rule == AlertRule.ELIGIBILITY
    assert finding.key == f"application:{short.pk}"
    assert finding.severity == AlertSeverity.NOTICE
    assert finding.evidence[0].object_type == "enrollment.application"
    reasons = [line.value for line in finding.evidence if line.label == "不符原因"]
    assert reasons
    assert "相关工作年限不足" in reasons[0]


@pytest.mark.django_db
def test_an_approved_mismatch_is_a_warning_and_a_draft_is_not_checked(aw: AlertWorld) -> None:
    short = aw.enrol.submitted(new_candidate(), years=2)
    Application.objects.filter(pk=short.pk).update(status=ApplicationStatus.APPROVED)
    other = new_candidate()
    aw.enrol.worker(other, years=2)
    aw.enrol.draft(other)  # a draft with the same problem: not yet in play
    [finding] = aw.run(eligibility_mismatches)
    assert finding.key == f"application:{short.pk}"
    assert finding.severity == AlertSeverity.WARNING


@pytest.mark.django_db
def test_a_declared_route_that_does_not_exist_fires(aw: AlertWorld) -> None:
    application = aw.enrol.submitted(years=7)
    assert aw.run(eligibility_mismatches) == []
    Application.objects.filter(pk=application.pk).update(declared_route=9)
    [finding] = aw.run(eligibility_mismatches)
    assert "第10项" in finding.evidence[-1].value


# ---------------------------------------------------------------- certificates


@pytest.mark.django_db
def test_certificates_with_approved_passed_results_are_silent_until_one_is_voided(
    cast: Cast,
) -> None:
    ck = issued_world(cast)
    province = ck.batch.institution.organisation.province
    policy = policy_for(province)
    assert certificates_without_result(province, policy, timezone.now()) == []
    Result.objects.filter(application=ck.passed[0]).update(
        outcome=Outcome.VOID, void_grade="serious"
    )
    [finding] = certificates_without_result(province, policy, timezone.now())
    certificate = Certificate.objects.get(application=ck.passed[0])
    assert finding.rule == AlertRule.CERTIFICATE_WITHOUT_RESULT
    assert finding.key == f"certificate:{certificate.pk}"
    assert finding.severity == AlertSeverity.SERIOUS
    assert finding.evidence[0].object_id == certificate.pk
    # Revoked, as the voiding asks: silent again.
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.REVOKED)
    assert certificates_without_result(province, policy, timezone.now()) == []


@pytest.mark.django_db
def test_certificates_of_a_batch_whose_results_are_not_approved_fire(cast: Cast) -> None:
    ck = issued_world(cast)
    province = ck.batch.institution.organisation.province
    BatchResults.objects.filter(batch=ck.batch).update(status=ResultsStatus.RETURNED)
    found = certificates_without_result(province, policy_for(province), timezone.now())
    numbers = Certificate.objects.filter(batch=ck.batch).values_list("pk", flat=True)
    assert keys(found) == sorted(f"certificate:{pk}" for pk in numbers)
    assert len(found) == 2
    assert all("批次成绩备案" in labels(f) for f in found)
