"""Early warnings (预警, 云人社函〔2023〕1号 三): the scan that runs every rule and keeps one
:class:`Alert` per rule and subject, and the officials' handling (assign, close).

The scan upserts by (rule, key): a new finding opens an alert; one seen again refreshes
it; an alert no longer found keeps its status but reads "no longer firing" until
someone closes it. A closed alert found again stays closed unless its evidence changed,
in which case it is reopened (the audit event lists it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import Membership, Region, User
from skillcert.institutions.models import Institution
from skillcert.supervision.alert_rules_exams import (
    answer_patterns,
    geofence_signins,
    shared_devices,
)
from skillcert.supervision.alert_rules_records import (
    certificates_without_result,
    eligibility_mismatches,
    late_plan_filings,
    late_results_filings,
    out_of_scope_batches,
    pass_rates,
)
from skillcert.supervision.alert_types import AlertFinding, Rule
from skillcert.supervision.choices import AlertClosure, AlertStatus
from skillcert.supervision.models import Alert, SupervisionPolicy
from skillcert.supervision.permissions import (
    AUTHORITY_ROLES,
    is_province_official,
    supervises,
)
from skillcert.supervision.policies import policy_for

# Every early-warning rule the scan runs (DESIGN.md lifecycle step 8).
RULES: tuple[Rule, ...] = (
    late_plan_filings,
    late_results_filings,
    out_of_scope_batches,
    pass_rates,
    answer_patterns,
    shared_devices,
    geofence_signins,
    eligibility_mismatches,
    certificates_without_result,
)
OPEN_STATES = frozenset({AlertStatus.OPEN, AlertStatus.ASSIGNED})


@dataclass
class ScanReport:
    """What one scan of one province did."""

    province: str
    findings: int = 0
    created: int = 0
    refreshed: int = 0
    stopped: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    reopened_ids: list[int] = field(default_factory=list)

    @property
    def reopened(self) -> int:
        return len(self.reopened_ids)

    def as_json(self) -> dict[str, Any]:
        return {
            "findings": self.findings,
            "created": self.created,
            "refreshed": self.refreshed,
            "reopened": self.reopened_ids,
            "stopped": self.stopped,
            "by_rule": dict(sorted(self.by_rule.items())),
        }


def can_scan(actor: Actor, province: Region) -> bool:
    """The province's own officials (and the system's scheduled scan)."""
    if actor.is_platform_admin:
        return True
    return is_province_official(actor) and actor.province_code == province.code


def can_handle(actor: Actor, alert: Alert) -> bool:
    """Officials over the alert's institution (属地) assign and close it."""
    if actor.is_platform_admin:
        return True
    return actor.role in AUTHORITY_ROLES and supervises(actor, alert.institution)


def run_rules(
    province: Region, policy: SupervisionPolicy, now: datetime, rules: Sequence[Rule] = RULES
) -> list[AlertFinding]:
    """Every rule's findings, the first of each (rule, key) kept."""
    seen: dict[tuple[str, str], AlertFinding] = {}
    for rule in rules:
        for finding in rule(province, policy, now):
            seen.setdefault((str(finding.rule), finding.key), finding)
    return list(seen.values())


def _evidence_json(finding: AlertFinding) -> list[dict[str, object]]:
    # Round-trip so that what is compared is what the JSON column gives back.
    data: list[dict[str, object]] = json.loads(
        json.dumps([line.as_json() for line in finding.evidence], default=str, ensure_ascii=False)
    )
    return data


def alerts_scan(
    *,
    actor: Actor,
    province: Region,
    now: datetime | None = None,
    rules: Sequence[Rule] = RULES,
) -> ScanReport:
    """Run the rules over ``province`` and upsert the alerts; one audit event with counts."""
    if not can_scan(actor, province):
        raise PermissionDenied(_("只有本省人社部门可以运行预警扫描。"), code="not_province")
    moment = now or timezone.now()
    policy_for(province)  # stored with the defaults on first use
    with transaction.atomic():
        # One scan per province at a time: the policy row is the province's lock.
        policy = SupervisionPolicy.objects.select_for_update().get(pk=province.code)
        # Titles and evidence are stored: in the deployment's language, whoever scans.
        with translation.override(settings.LANGUAGE_CODE):
            findings = run_rules(province, policy, moment, rules)
        report = _upsert(province, findings, moment)
        audit_record(
            actor=actor, action="supervision.alerts_scan", obj=province, changes=report.as_json()
        )
    return report


def _upsert(province: Region, findings: list[AlertFinding], now: datetime) -> ScanReport:
    report = ScanReport(province=province.code, findings=len(findings))
    report.by_rule = dict(Counter(str(f.rule) for f in findings))
    existing = {
        (a.rule, a.key): a
        for a in Alert.objects.select_for_update().filter(
            rule__in={str(f.rule) for f in findings}, key__in={f.key for f in findings}
        )
    }
    seen: set[int] = set()
    for finding in findings:
        alert = existing.get((str(finding.rule), finding.key))
        if alert is None:
            seen.add(_create(province, finding, now).pk)
            report.created += 1
            continue
        seen.add(alert.pk)
        if _refresh(alert, finding, now):
            report.reopened_ids.append(alert.pk)
        report.refreshed += 1
    # Not found this time: still open (or closed) but no longer firing.
    report.stopped = (
        Alert.objects.filter(province=province, still_firing=True)
        .exclude(pk__in=seen)
        .update(still_firing=False)
    )
    return report


def _create(province: Region, finding: AlertFinding, now: datetime) -> Alert:
    return Alert.objects.create(
        rule=finding.rule,
        key=finding.key,
        province=province,
        institution_id=finding.institution_id,
        batch_id=finding.batch_id,
        severity=finding.severity,
        title=finding.title[:200],
        evidence=_evidence_json(finding),
        status=AlertStatus.OPEN,
        still_firing=True,
        first_seen_at=now,
        last_seen_at=now,
    )


def _refresh(alert: Alert, finding: AlertFinding, now: datetime) -> bool:
    """Refresh a found alert; returns whether a closed one was reopened (new evidence)."""
    evidence = _evidence_json(finding)
    reopen = alert.status == AlertStatus.CLOSED and evidence != alert.evidence
    alert.last_seen_at = now
    alert.still_firing = True
    alert.title = finding.title[:200]
    alert.severity = finding.severity
    alert.evidence = evidence
    alert.institution_id = finding.institution_id
    alert.batch_id = finding.batch_id
    fields = [
        "last_seen_at",
        "still_firing",
        "title",
        "severity",
        "evidence",
        "institution",
        "batch",
    ]
    if reopen:
        alert.status = AlertStatus.OPEN
        alert.assignee = None
        alert.assigned_at = None
        alert.closure = ""
        alert.closure_note = ""
        alert.closed_at = None
        alert.closed_by_label = ""
        fields += [
            "status",
            "assignee",
            "assigned_at",
            "closure",
            "closure_note",
            "closed_at",
            "closed_by_label",
        ]
    alert.save(update_fields=fields)
    return reopen


# ---------------------------------------------------------------- handling


def assignable_officials(institution: Institution) -> list[User]:
    """Officials whose scope holds the institution: its province's and its city's."""
    org = institution.organisation
    memberships = (
        Membership.objects.filter(is_active=True, role__in=sorted(AUTHORITY_ROLES))
        .filter(organisation__province_id=org.province_id)
        .select_related("user", "organisation")
        .order_by("role", "user__username")
    )
    users: dict[int, User] = {}
    for membership in memberships:
        official = Actor(user=membership.user, membership=membership)
        if membership.user.is_active and supervises(official, institution):
            users.setdefault(membership.user.pk, membership.user)
    return list(users.values())


def _lock(alert: Alert) -> Alert:
    return (
        Alert.objects.select_for_update()
        .select_related("institution__organisation")
        .get(pk=alert.pk)
    )


def alert_assign(*, actor: Actor, alert: Alert, assignee: User) -> Alert:
    """Hand an open alert to an official in scope for checking (核查)."""
    if not can_handle(actor, alert):
        raise PermissionDenied(_("只有属地人社部门可以分派预警。"), code="not_authority")
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status not in OPEN_STATES:
            raise InvalidTransition(_("预警已办结，不能分派。"), code="alert_closed")
        if assignee not in assignable_officials(locked.institution):
            raise DomainError(
                _("只能分派给对该机构有监管职责的人社部门工作人员。"), code="assignee_out_of_scope"
            )
        before = {"status": locked.status, "assignee": locked.assignee_id}
        locked.status = AlertStatus.ASSIGNED
        locked.assignee = assignee
        locked.assigned_at = timezone.now()
        locked.save(update_fields=["status", "assignee", "assigned_at"])
        audit_record(
            actor=actor,
            action="supervision.alert_assign",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={
                "before": before,
                "after": {"status": locked.status, "assignee": assignee.pk},
                "assignee_label": assignee.display_name,
            },
        )
    return locked


def alert_close(*, actor: Actor, alert: Alert, closure: str, note: str) -> Alert:
    """Close an alert with how it ended (立案、核实无问题、已整改) and a note."""
    if not can_handle(actor, alert):
        raise PermissionDenied(_("只有属地人社部门可以办结预警。"), code="not_authority")
    if closure not in AlertClosure.values:
        raise DomainError(_("请选择办结方式。"), code="closure_invalid")
    text = note.strip()
    if not text:
        raise DomainError(_("请填写办结说明。"), code="note_required")
    with transaction.atomic():
        locked = _lock(alert)
        if locked.status not in OPEN_STATES:
            raise InvalidTransition(_("预警已办结。"), code="alert_closed")
        before = locked.status
        locked.status = AlertStatus.CLOSED
        locked.closure = closure
        locked.closure_note = text
        locked.closed_at = timezone.now()
        locked.closed_by_label = actor.label[:128]
        locked.save(
            update_fields=["status", "closure", "closure_note", "closed_at", "closed_by_label"]
        )
        audit_record(
            actor=actor,
            action="supervision.alert_close",
            obj=locked,
            organisation=locked.institution.organisation,
            changes={
                "before": {"status": before},
                "after": {"status": locked.status, "closure": closure},
                "note": text,
            },
        )
    return locked
