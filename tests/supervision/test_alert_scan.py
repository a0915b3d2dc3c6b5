"""The scan's upsert (new, seen again, no longer firing, closed, reopened), its one audit
event, the scheduled task and command, and the handling of an alert (assign, close)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from skillcert.batches.choices import BatchStatus
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, Region
from skillcert.supervision import alerts
from skillcert.supervision.alert_types import AlertFinding, Evidence
from skillcert.supervision.choices import AlertClosure, AlertRule, AlertSeverity, AlertStatus
from skillcert.supervision.models import Alert, SupervisionPolicy
from skillcert.supervision.tasks_alerts import scan_alerts_task
from tests.conftest import Cast, Refused
from tests.supervision.builders_alerts import AlertWorld, build_alerts

T0 = timezone.make_aware(datetime(2025, 3, 3, 2, 0))  # noqa: DTZ001 - made aware here
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)
SYSTEM = Actor.system("alerts")


@pytest.fixture
def aw(cast: Cast) -> AlertWorld:
    return build_alerts(cast)


@dataclass
class StubRule:
    """A rule whose findings the test sets."""

    findings: list[AlertFinding] = field(default_factory=list)

    def __call__(
        self, province: Region, policy: SupervisionPolicy, now: datetime
    ) -> list[AlertFinding]:
        return list(self.findings)


def finding(aw: AlertWorld, key: str = "batch:1", value: str = "2025-01-01") -> AlertFinding:
    return AlertFinding(
        rule=AlertRule.LATE_PLAN_FILING,
        key=key,
        institution_id=aw.inst_a.pk,
        batch_id=aw.enrol.batch.pk,
        title=f"测试预警 {key}",
        severity=AlertSeverity.WARNING,
        evidence=(
            Evidence(label="认定批次", object_type="batches.batch", object_id=aw.enrol.batch.pk),
            Evidence(label="报备期限", value=value),
        ),
    )


def scan(aw: AlertWorld, rule: StubRule, now: datetime) -> alerts.ScanReport:
    return alerts.alerts_scan(actor=SYSTEM, province=aw.province(), now=now, rules=[rule])


def only_alert() -> Alert:
    return Alert.objects.get()


# ---------------------------------------------------------------- the upsert


def test_a_new_finding_opens_an_alert(aw: AlertWorld) -> None:
    report = scan(aw, StubRule([finding(aw)]), T0)
    assert (report.findings, report.created, report.refreshed) == (1, 1, 0)
    alert = only_alert()
    assert alert.status == AlertStatus.OPEN
    assert alert.still_firing is True
    assert alert.first_seen_at == alert.last_seen_at == T0
    assert alert.institution == aw.inst_a
    assert alert.batch == aw.enrol.batch
    assert alert.province_id == "530000"
    assert alert.evidence[1] == {"label": "报备期限", "type": "", "id": "", "value": "2025-01-01"}


@dataclass
class TranslatedRule:
    """A rule whose title goes through gettext, as the real rules' do."""

    aw: AlertWorld

    def __call__(
        self, province: Region, policy: SupervisionPolicy, now: datetime
    ) -> list[AlertFinding]:
        return [replace(finding(self.aw), title=gettext("认定计划逾期未报备"))]


def test_titles_are_stored_in_the_deployments_language_whoever_scans(aw: AlertWorld) -> None:
    with translation.override("en"):
        assert gettext("认定计划逾期未报备") != "认定计划逾期未报备"
        alerts.alerts_scan(actor=SYSTEM, province=aw.province(), now=T0, rules=[TranslatedRule(aw)])
    assert only_alert().title == "认定计划逾期未报备"


def test_a_finding_seen_again_refreshes_the_same_alert(aw: AlertWorld) -> None:
    rule = StubRule([finding(aw)])
    scan(aw, rule, T0)
    rule.findings = [replace(finding(aw), title="新标题", severity=AlertSeverity.SERIOUS)]
    report = scan(aw, rule, T1)
    assert (report.created, report.refreshed) == (0, 1)
    alert = only_alert()
    assert alert.first_seen_at == T0
    assert alert.last_seen_at == T1
    assert alert.title == "新标题"
    assert alert.severity == AlertSeverity.SERIOUS


def test_an_alert_not_found_again_stays_open_but_stops_firing(aw: AlertWorld) -> None:
    rule = StubRule([finding(aw, "batch:1"), finding(aw, "batch:2")])
    scan(aw, rule, T0)
    first = Alert.objects.get(key="batch:1")
    alerts.alert_assign(
        actor=aw.cast.actor("city_a"), alert=first, assignee=aw.cast.users["province"]
    )
    rule.findings = []
    report = scan(aw, rule, T1)
    assert report.stopped == 2
    states = dict(Alert.objects.values_list("key", "status"))
    assert states == {"batch:1": AlertStatus.ASSIGNED, "batch:2": AlertStatus.OPEN}
    assert not Alert.objects.filter(still_firing=True).exists()
    assert set(Alert.objects.values_list("last_seen_at", flat=True)) == {T0}
    # Found again: firing again.
    rule.findings = [finding(aw, "batch:2")]
    scan(aw, rule, T2)
    assert Alert.objects.get(key="batch:2").still_firing is True
    assert Alert.objects.get(key="batch:1").still_firing is False


def test_a_closed_alert_found_again_with_the_same_evidence_stays_closed(aw: AlertWorld) -> None:
    rule = StubRule([finding(aw)])
    scan(aw, rule, T0)
    alerts.alert_close(
        actor=aw.cast.actor("city_a"),
        alert=only_alert(),
        closure=AlertClosure.EXPLAINED,
        note="已核实，属系统外报备",
    )
    report = scan(aw, rule, T1)
    assert report.reopened == 0
    alert = only_alert()
    assert alert.status == AlertStatus.CLOSED
    assert alert.closure == AlertClosure.EXPLAINED
    assert alert.last_seen_at == T1


def test_a_closed_alert_found_with_new_evidence_is_reopened(aw: AlertWorld) -> None:
    rule = StubRule([finding(aw)])
    scan(aw, rule, T0)
    alerts.alert_assign(
        actor=aw.cast.actor("city_a"), alert=only_alert(), assignee=aw.cast.users["city_a"]
    )
    alerts.alert_close(
        actor=aw.cast.actor("city_a"),
        alert=only_alert(),
        closure=AlertClosure.CORRECTED,
        note="已整改",
    )
    rule.findings = [finding(aw, value="2025-02-01")]
    report = scan(aw, rule, T1)
    alert = only_alert()
    assert report.reopened_ids == [alert.pk]
    assert alert.status == AlertStatus.OPEN
    assert (alert.closure, alert.closure_note, alert.closed_at) == ("", "", None)
    assert alert.assignee is None
    assert alert.evidence[1]["value"] == "2025-02-01"
    event = AuditEvent.objects.filter(action="supervision.alerts_scan").latest("seq")
    assert event.changes["reopened"] == [alert.pk]


def test_one_audit_event_per_scan_with_the_counts(aw: AlertWorld) -> None:
    before = AuditEvent.objects.count()
    scan(aw, StubRule([finding(aw, "batch:1"), finding(aw, "batch:2")]), T0)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "supervision.alerts_scan"
    assert event.object_id == "530000"
    assert event.actor_label == "alerts"
    assert event.changes["created"] == 2
    assert event.changes["by_rule"] == {AlertRule.LATE_PLAN_FILING: 2}


def test_a_rule_reporting_one_subject_twice_makes_one_alert(aw: AlertWorld) -> None:
    report = scan(aw, StubRule([finding(aw), finding(aw, value="other")]), T0)
    assert report.findings == 1
    assert only_alert().evidence[1]["value"] == "2025-01-01"


def test_the_scan_runs_the_real_rules(aw: AlertWorld) -> None:
    late = aw.batch(
        status=BatchStatus.DRAFT,
        enrollment_opens=aw.today - timedelta(days=100),
        enrollment_closes=aw.today - timedelta(days=80),
    )
    report = alerts.alerts_scan(actor=aw.cast.actor("province"), province=aw.province())
    assert report.by_rule == {AlertRule.LATE_PLAN_FILING: 1}
    alert = only_alert()
    assert (alert.rule, alert.key) == (AlertRule.LATE_PLAN_FILING, f"batch:{late.pk}")


@pytest.mark.parametrize("role", ["city_a", "education", "institution_a", "candidate"])
def test_only_the_province_scans(aw: AlertWorld, refused: Refused, role: str) -> None:
    refused(
        PermissionDenied,
        lambda: alerts.alerts_scan(actor=aw.cast.actor(role), province=aw.province()),
        code="not_province",
    )
    assert not Alert.objects.exists()


def test_the_task_and_the_command(aw: AlertWorld) -> None:
    aw.batch(status=BatchStatus.RETURNED, filing_due=aw.today - timedelta(days=1))
    result = scan_alerts_task.enqueue()
    assert result.return_value == 1
    assert only_alert().rule == AlertRule.LATE_PLAN_FILING
    out = io.StringIO()
    call_command("scan_alerts", "--province", "530000", stdout=out)
    assert out.getvalue().startswith("530000: 1 finding(s), 0 new")
    assert Alert.objects.count() == 1


# ---------------------------------------------------------------- assign and close


@pytest.fixture
def alert(aw: AlertWorld) -> Alert:
    scan(aw, StubRule([finding(aw)]), T0)
    return only_alert()


def test_the_city_assigns_to_an_official_in_scope(aw: AlertWorld, alert: Alert) -> None:
    done = alerts.alert_assign(
        actor=aw.cast.actor("city_a"), alert=alert, assignee=aw.cast.users["province"]
    )
    assert done.status == AlertStatus.ASSIGNED
    assert done.assignee == aw.cast.users["province"]
    assert done.assigned_at is not None
    event = AuditEvent.objects.latest("seq")
    assert event.action == "supervision.alert_assign"
    assert event.changes["after"]["assignee"] == aw.cast.users["province"].pk


@pytest.mark.parametrize("role", ["city_b", "education", "institution_a", "examiner"])
def test_only_officials_over_the_institution_assign(
    aw: AlertWorld, alert: Alert, refused: Refused, role: str
) -> None:
    refused(
        PermissionDenied,
        lambda: alerts.alert_assign(
            actor=aw.cast.actor(role), alert=alert, assignee=aw.cast.users["city_a"]
        ),
        code="not_authority",
    )


@pytest.mark.parametrize("assignee", ["city_b", "education", "institution_a"])
def test_the_assignee_must_be_an_official_over_the_institution(
    aw: AlertWorld, alert: Alert, refused: Refused, assignee: str
) -> None:
    refused(
        DomainError,
        lambda: alerts.alert_assign(
            actor=aw.cast.actor("province"), alert=alert, assignee=aw.cast.users[assignee]
        ),
        code="assignee_out_of_scope",
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_closing_needs_a_note_and_a_closure(aw: AlertWorld, alert: Alert, refused: Refused) -> None:
    city = aw.cast.actor("city_a")
    refused(
        DomainError,
        lambda: alerts.alert_close(actor=city, alert=alert, closure="confirmed", note="  "),
        code="note_required",
    )
    refused(
        DomainError,
        lambda: alerts.alert_close(actor=city, alert=alert, closure="nope", note="说明"),
        code="closure_invalid",
    )
    refused(
        PermissionDenied,
        lambda: alerts.alert_close(
            actor=aw.cast.actor("city_b"), alert=alert, closure="confirmed", note="说明"
        ),
        code="not_authority",
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_a_closed_alert_is_closed_once(aw: AlertWorld, alert: Alert, refused: Refused) -> None:
    city = aw.cast.actor("city_a")
    closed = alerts.alert_close(
        actor=city, alert=alert, closure=AlertClosure.CONFIRMED, note=" 已立案 "
    )
    assert closed.status == AlertStatus.CLOSED
    assert closed.closure_note == "已立案"
    assert closed.closed_by_label == city.label
    assert AuditEvent.objects.latest("seq").action == "supervision.alert_close"
    refused(
        InvalidTransition,
        lambda: alerts.alert_close(actor=city, alert=alert, closure="confirmed", note="再次"),
        code="alert_closed",
    )
    refused(
        InvalidTransition,
        lambda: alerts.alert_assign(actor=city, alert=alert, assignee=aw.cast.users["city_a"]),
        code="alert_closed",
    )


# ---------------------------------------------------------------- the demo


@pytest.mark.django_db
def test_the_demo_scan_finds_the_late_plan_and_runs_once() -> None:
    from skillcert.batches.demo import seed_batches_demo
    from skillcert.catalog.demo import seed_catalog_demo
    from skillcert.core.demo import seed_demo
    from skillcert.institutions.demo import seed_institutions_demo
    from skillcert.supervision.demo_alerts import seed_alerts_demo

    seed_demo()
    seed_catalog_demo()
    seed_institutions_demo()
    seed_batches_demo()
    line = seed_alerts_demo()
    assert line is not None
    assert AlertRule.LATE_PLAN_FILING in line
    late = Alert.objects.get(rule=AlertRule.LATE_PLAN_FILING)
    assert late.batch is not None
    assert "电工" in late.batch.title
    events = AuditEvent.objects.count()
    assert seed_alerts_demo() is None
    assert AuditEvent.objects.count() == events
