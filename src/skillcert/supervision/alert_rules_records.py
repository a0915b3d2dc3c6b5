"""Early-warning rules over the records (plans, results, scope, pass rates, eligibility,
certificates). Each rule reads one province as of ``now`` and returns an
:class:`~skillcert.supervision.alert_types.AlertFinding` per subject that fires.

Findings must be stable while nothing changes: their evidence names dates and records,
never "days overdue", so that a closed alert is reopened only when its facts change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.batches.validation import local_day, plan_filing_due
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.core.choices import SkillLevel
from skillcert.core.models import ProvincePolicy, Region
from skillcert.enrollment.choices import APPLICATION_IN_PLAY, ApplicationStatus
from skillcert.enrollment.eligibility import RouteResult, holds_any
from skillcert.enrollment.models import Application
from skillcert.enrollment.services.applications import evaluate_application
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.models import Filing, ScopeEntry
from skillcert.institutions.scope import level_cap, province_policy, subject_label, within_cap
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.filing import NOT_FILED
from skillcert.results.filing import filing_due as results_filing_due
from skillcert.results.models import BatchResults, Result
from skillcert.supervision.alert_types import AlertFinding, Evidence
from skillcert.supervision.choices import AlertRule, AlertSeverity
from skillcert.supervision.models import SupervisionPolicy

BATCH = "batches.batch"
SESSION = "batches.session"
APPLICATION = "enrollment.application"
CERTIFICATE = "certificates.certificate"
INSTITUTION = "institutions.institution"
RESULTS = "results.batchresults"

# Plans not yet with the centre (a returned one must be filed again).
PLAN_UNFILED = frozenset({BatchStatus.DRAFT, BatchStatus.RETURNED})
# Batches whose results were published: their pass rate is final enough to compare.
RESULTS_OUT = frozenset(
    {
        BatchStatus.RESULTS_PUBLISHED,
        BatchStatus.RESULTS_FILED,
        BatchStatus.CERTIFICATES_ISSUED,
        BatchStatus.ARCHIVED,
    }
)
# Batches still to be carried out: the institution must be listed to carry them out.
BATCH_LIVE = frozenset(
    {
        BatchStatus.FILED,
        BatchStatus.APPROVED,
        BatchStatus.ENROLLING,
        BatchStatus.ENROLLMENT_CLOSED,
        BatchStatus.IN_PROGRESS,
    }
)
# Candidates with an outcome count in a pass rate; a voided result counts as not passed.
DECIDED = (Outcome.PASSED, Outcome.FAILED, Outcome.VOID)
HUNDRED = Decimal(100)


def _batches(province: Region) -> QuerySet[Batch]:
    return Batch.objects.filter(institution__organisation__province_id=province.code)


def _batch_line(batch: Batch) -> Evidence:
    return Evidence(label=_("认定批次"), object_type=BATCH, object_id=batch.pk, value=str(batch))


def _day(value: datetime) -> date:
    return timezone.localdate(value)


# ---------------------------------------------------------------- late plan filings


def late_plan_filings(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """A plan not filed after its due date, or filed after it (川人社办发〔2020〕20号 附件4
    (一): within 30 working days after enrollment closes and before the first session)."""
    today = _day(now)
    found: list[AlertFinding] = []
    batches = _batches(province).select_related("institution__organisation")
    for batch in batches.prefetch_related("sessions"):
        due = batch.filing_due or _plan_due(batch)
        if batch.status in PLAN_UNFILED:
            if today <= due:
                continue
            title = _("认定计划 %(code)s 逾期未报备（报备期限 %(due)s）")
            severity = AlertSeverity.WARNING
            filed = _("未报备")
        elif batch.filed_at is not None and _day(batch.filed_at) > due:
            title = _("认定计划 %(code)s 逾期报备（报备期限 %(due)s）")
            severity = AlertSeverity.NOTICE
            filed = _day(batch.filed_at).isoformat()
        else:
            continue
        found.append(
            AlertFinding(
                rule=AlertRule.LATE_PLAN_FILING,
                key=f"batch:{batch.pk}",
                institution_id=batch.institution_id,
                batch_id=batch.pk,
                title=title % {"code": batch.code, "due": due.isoformat()},
                severity=severity,
                evidence=(
                    _batch_line(batch),
                    Evidence(label=_("报备期限"), value=due.isoformat()),
                    Evidence(label=_("报备时间"), value=filed),
                ),
            )
        )
    return found


def _plan_due(batch: Batch) -> date:
    """The due date of a plan never filed: as ``batch_file`` would fix it."""
    sessions = sorted(batch.sessions.all(), key=lambda s: s.starts_at)
    return plan_filing_due(batch, local_day(sessions[0]) if sessions else None).due


# ---------------------------------------------------------------- late results filings


def late_results_filings(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """Results not filed with the centre after their due date, or filed after it
    (沪人社职〔2022〕102号 附件四: within 5 working days after the last session)."""
    today = _day(now)
    found: list[AlertFinding] = []
    rows = BatchResults.objects.filter(
        batch__institution__organisation__province_id=province.code
    ).select_related("batch__institution__organisation")
    for results in rows:
        batch = results.batch
        due = results.filing_due or results_filing_due(batch)[0]
        if results.status in NOT_FILED and results.filed_at is None:
            if today <= due:
                continue
            title = _("批次 %(code)s 成绩逾期未备案（备案期限 %(due)s）")
            severity = AlertSeverity.WARNING
            filed = _("未报备")
        elif results.filed_at is not None and _day(results.filed_at) > due:
            title = _("批次 %(code)s 成绩逾期备案（备案期限 %(due)s）")
            severity = AlertSeverity.NOTICE
            filed = _day(results.filed_at).isoformat()
        elif results.status in NOT_FILED and today > due:
            # Returned by the centre and not filed again in time.
            title = _("批次 %(code)s 成绩被退回后逾期未重新备案（备案期限 %(due)s）")
            severity = AlertSeverity.WARNING
            filed = _("已退回")
        else:
            continue
        found.append(
            AlertFinding(
                rule=AlertRule.LATE_RESULTS_FILING,
                key=f"batch:{batch.pk}",
                institution_id=batch.institution_id,
                batch_id=batch.pk,
                title=title % {"code": batch.code, "due": due.isoformat()},
                severity=severity,
                evidence=(
                    _batch_line(batch),
                    Evidence(
                        label=_("批次成绩"),
                        object_type=RESULTS,
                        object_id=results.pk,
                        value=results.get_status_display(),
                    ),
                    Evidence(label=_("备案期限"), value=due.isoformat()),
                    Evidence(label=_("报备时间"), value=filed),
                ),
            )
        )
    # Assessed, or sessions over, and no results at all (统分 never run): the worst case.
    unscored = Batch.objects.filter(
        institution__organisation__province_id=province.code,
        status__in=[BatchStatus.IN_PROGRESS, BatchStatus.ASSESSED],
        results__isnull=True,
    ).select_related("institution__organisation")
    for batch in unscored:
        due = results_filing_due(batch)[0]
        if today <= due:
            continue
        found.append(
            AlertFinding(
                rule=AlertRule.LATE_RESULTS_FILING,
                key=f"batch:{batch.pk}",
                institution_id=batch.institution_id,
                batch_id=batch.pk,
                title=_("批次 %(code)s 考核结束后逾期未统分备案（备案期限 %(due)s）")
                % {"code": batch.code, "due": due.isoformat()},
                severity=AlertSeverity.WARNING,
                evidence=(
                    _batch_line(batch),
                    Evidence(label=_("备案期限"), value=due.isoformat()),
                    Evidence(label=_("报备时间"), value=_("未统分")),
                ),
            )
        )
    return found


# ---------------------------------------------------------------- out of scope


def out_of_scope_batches(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """A batch filed and not yet assessed that its filing does not cover: occupation, work
    type, standard or level outside the active scope entries, over the school type's level
    cap, sessions outside the filing's validity, or a batch still to be carried out by an
    institution that is not listed (suspended, revoked, expired)
    (川人社办发〔2020〕20号 五; 沪人社职〔2022〕102号 附件 一(三))."""
    found: list[AlertFinding] = []
    # Judged while the batch is to be carried out or under way: a batch finished while
    # its institution was listed is not out of scope because the filing changed later
    # (a revocation or a renewal); the scan runs daily, so a live problem was caught live.
    batches = (
        _batches(province)
        .filter(status__in=BATCH_LIVE)
        .select_related(
            "institution__organisation", "occupation", "work_type", "standard_level__standard"
        )
        .prefetch_related("sessions")
    )
    filings = {
        f.institution_id: f
        for f in Filing.objects.filter(
            institution__organisation__province_id=province.code
        ).prefetch_related("entries")
    }
    rules = province_policy(province.code)
    for batch in batches:
        problems = _scope_problems(batch, filings.get(batch.institution_id), rules)
        if not problems:
            continue
        subject = subject_label(batch.occupation, batch.work_type, batch.level)
        found.append(
            AlertFinding(
                rule=AlertRule.OUT_OF_SCOPE,
                key=f"batch:{batch.pk}",
                institution_id=batch.institution_id,
                batch_id=batch.pk,
                title=_("批次 %(code)s（%(subject)s）超出备案范围或有效期")
                % {"code": batch.code, "subject": subject},
                severity=AlertSeverity.SERIOUS,
                evidence=(_batch_line(batch), *problems),
            )
        )
    return found


def _scope_problems(batch: Batch, filing: Filing | None, rules: ProvincePolicy) -> list[Evidence]:
    institution = batch.institution

    def inst_line(label: str, value: str) -> Evidence:
        return Evidence(label=label, object_type=INSTITUTION, object_id=institution.pk, value=value)

    if filing is None:
        return [inst_line(_("机构未备案"), institution.name)]
    problems: list[Evidence] = []
    if not _entry_covers(batch, filing.entries.all()):
        problems.append(
            Evidence(
                label=_("不在有效备案范围内"),
                value=f"{subject_label(batch.occupation, batch.work_type, batch.level)} · "
                f"{batch.standard_level.standard}",
            )
        )
    cap = level_cap(institution.type, rules)
    if cap is not None and not within_cap(batch.level, cap):
        problems.append(
            inst_line(
                _("超过院校类型等级上限"),
                f"{institution.get_type_display()} ≤ {SkillLevel(cap).label}",
            )
        )
    for session in sorted(batch.sessions.all(), key=lambda s: s.starts_at):
        day = local_day(session)
        if day > filing.valid_until or day < filing.valid_from:
            problems.append(
                Evidence(
                    label=_("场次不在备案有效期内"),
                    object_type=SESSION,
                    object_id=session.pk,
                    value=_("%(day)s（有效期 %(start)s 至 %(end)s）")
                    % {
                        "day": day.isoformat(),
                        "start": filing.valid_from.isoformat(),
                        "end": filing.valid_until.isoformat(),
                    },
                )
            )
    if batch.status in BATCH_LIVE and institution.status != DirectoryStatus.ACTIVE:
        problems.append(inst_line(_("机构目录状态"), institution.get_status_display()))
    return problems


def _entry_covers(batch: Batch, entries: Iterable[ScopeEntry]) -> bool:
    """An active entry for the occupation (the whole occupation or the batch's work type),
    the batch's standard and level."""
    for entry in entries:
        if not entry.is_active or entry.occupation_id != batch.occupation_id:
            continue
        if entry.work_type_id is not None and entry.work_type_id != batch.work_type_id:
            continue
        if entry.standard_id == batch.standard_level.standard_id and entry.covers(batch.level):
            return True
    return False


# ---------------------------------------------------------------- pass rates


@dataclass
class _Tally:
    passed: int = 0
    total: int = 0

    def rate(self) -> Decimal:
        return (Decimal(self.passed) * HUNDRED / Decimal(self.total)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


def pass_rates(province: Region, policy: SupervisionPolicy, now: datetime) -> list[AlertFinding]:
    """A batch whose pass rate is more than ``pass_rate_margin_points`` above the rate of
    the province's other batches of the same occupation and level (云人社函〔2023〕1号 三).
    Both the batch and the others need ``pass_rate_min_candidates`` with an outcome."""
    rows = (
        Result.objects.filter(
            application__batch__institution__organisation__province_id=province.code,
            application__batch__status__in=RESULTS_OUT,
            outcome__in=DECIDED,
        )
        .values("application__batch_id")
        .annotate(
            passed=Count("pk", filter=Q(outcome=Outcome.PASSED)),
            total=Count("pk"),
        )
    )
    tallies = {r["application__batch_id"]: _Tally(r["passed"], r["total"]) for r in rows}
    batches = {
        b.pk: b
        for b in _batches(province)
        .filter(pk__in=tallies)
        .select_related("occupation", "work_type", "institution")
    }
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for pk, batch in batches.items():
        groups[(batch.occupation_id, batch.level)].append(pk)
    minimum = policy.pass_rate_min_candidates
    margin = Decimal(policy.pass_rate_margin_points)
    found: list[AlertFinding] = []
    for members in groups.values():
        for pk in members:
            own = tallies[pk]
            others = _Tally(
                sum(tallies[o].passed for o in members if o != pk),
                sum(tallies[o].total for o in members if o != pk),
            )
            if own.total < minimum or others.total < minimum:
                continue
            if own.rate() - others.rate() > margin:
                found.append(_pass_rate_finding(batches[pk], own, others, margin))
    return found


def _pass_rate_finding(batch: Batch, own: _Tally, others: _Tally, margin: Decimal) -> AlertFinding:
    subject = subject_label(batch.occupation, batch.work_type, batch.level)
    return AlertFinding(
        rule=AlertRule.PASS_RATE,
        key=f"batch:{batch.pk}",
        institution_id=batch.institution_id,
        batch_id=batch.pk,
        title=_("批次 %(code)s 合格率 %(rate)s%% 高于全省同职业同等级 %(norm)s%%")
        % {"code": batch.code, "rate": own.rate(), "norm": others.rate()},
        severity=AlertSeverity.WARNING,
        evidence=(
            _batch_line(batch),
            Evidence(label=_("本批次合格率"), value=f"{own.rate()}%（{own.passed}/{own.total}）"),
            Evidence(
                label=_("全省同职业同等级其他批次合格率"),
                value=f"{others.rate()}%（{others.passed}/{others.total}）· {subject}",
            ),
            Evidence(label=_("预警阈值（百分点）"), value=str(margin)),
        ),
    )


# ---------------------------------------------------------------- eligibility


def eligibility_mismatches(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """A submitted or approved application whose declared route (申报条件) the eligibility
    engine rejects on the day it was checked (云人社函〔2023〕1号 二(一)); with no route
    declared, one that meets no route at all. The engine is the enrollment app's."""
    applications = (
        Application.objects.filter(
            batch__institution__organisation__province_id=province.code,
            status__in=sorted(APPLICATION_IN_PLAY),
        )
        .select_related("person", "batch__standard_level__standard", "batch__occupation")
        .prefetch_related(
            "evidence",
            "person__education",
            "person__student_statuses",
            "person__work_history",
            "person__certificates_held",
        )
    )
    found: list[AlertFinding] = []
    for application in applications:
        on_date = application.eligibility_checked_on or _checked_day(application, now)
        results = evaluate_application(application, on_date)
        reasons = _declared_reasons(application.declared_route, results)
        if reasons is None:
            continue
        found.append(_eligibility_finding(application, on_date, reasons))
    return found


def _checked_day(application: Application, now: datetime) -> date:
    return _day(application.submitted_at) if application.submitted_at else _day(now)


def _declared_reasons(declared: int | None, results: list[RouteResult]) -> list[str] | None:
    """Why the declared route fails, or None when it holds."""
    if declared is None:
        if holds_any(results):
            return None
        return [_("未申报条件，且不符合任何申报条件")]
    chosen = next((r for r in results if r.index == declared), None)
    if chosen is None:
        return [_("申报的条件（第%(n)s项）不存在") % {"n": declared + 1}]
    if chosen.holds:
        return None
    return [f"{chosen.label}：{reason}" for reason in chosen.reasons]


def _eligibility_finding(
    application: Application, on_date: date, reasons: list[str]
) -> AlertFinding:
    batch = application.batch
    approved = application.status == ApplicationStatus.APPROVED
    return AlertFinding(
        rule=AlertRule.ELIGIBILITY,
        key=f"application:{application.pk}",
        institution_id=batch.institution_id,
        batch_id=batch.pk,
        title=_("%(name)s 报名 %(code)s 的申报条件核验不符（%(status)s）")
        % {
            "name": application.person.full_name,
            "code": batch.code,
            "status": application.get_status_display(),
        },
        severity=AlertSeverity.WARNING if approved else AlertSeverity.NOTICE,
        evidence=(
            Evidence(
                label=_("报名申请"),
                object_type=APPLICATION,
                object_id=application.pk,
                value=f"{application.person.full_name} · {application.get_status_display()}",
            ),
            _batch_line(batch),
            Evidence(label=_("核验日期"), value=on_date.isoformat()),
            *(Evidence(label=_("不符原因"), value=reason) for reason in reasons),
        ),
    )


# ---------------------------------------------------------------- certificates


def certificates_without_result(
    province: Region, policy: SupervisionPolicy, now: datetime
) -> list[AlertFinding]:
    """A valid certificate whose application has no passed, non-void result, or whose
    batch's results the centre has not approved (云人社函〔2023〕1号 一(四))."""
    # The database narrows the certificates to suspects (a few among many); the checks
    # below decide. The announcement and eligibility JSON are never needed here.
    suspect = (
        Q(application__result__isnull=True)
        | Q(batch__results__isnull=True)
        | ~Q(application__result__outcome=Outcome.PASSED)
        | ~Q(application__result__void_grade="")
        | ~Q(batch__results__status=ResultsStatus.APPROVED)
    )
    certificates = (
        Certificate.objects.filter(
            suspect,
            institution__organisation__province_id=province.code,
            status=CertificateStatus.VALID,
        )
        .select_related("batch", "application__result", "batch__results")
        .defer("batch__results__announcement", "application__eligibility")
        .order_by("pk")
    )
    found: list[AlertFinding] = []
    for certificate in certificates:
        problems = _certificate_problems(certificate)
        if not problems:
            continue
        found.append(
            AlertFinding(
                rule=AlertRule.CERTIFICATE_WITHOUT_RESULT,
                key=f"certificate:{certificate.pk}",
                institution_id=certificate.institution_id,
                batch_id=certificate.batch_id,
                title=_("证书 %(number)s（%(name)s）无已备案的合格成绩")
                % {"number": certificate.number, "name": certificate.holder_name},
                severity=AlertSeverity.SERIOUS,
                evidence=(
                    Evidence(
                        label=_("证书"),
                        object_type=CERTIFICATE,
                        object_id=certificate.pk,
                        value=certificate.number,
                    ),
                    Evidence(
                        label=_("报名申请"),
                        object_type=APPLICATION,
                        object_id=certificate.application_id,
                        value=certificate.holder_name,
                    ),
                    *problems,
                ),
            )
        )
    return found


def _certificate_problems(certificate: Certificate) -> list[Evidence]:
    problems: list[Evidence] = []
    result = getattr(certificate.application, "result", None)
    if result is None:
        problems.append(Evidence(label=_("认定成绩"), value=_("无成绩记录")))
    elif result.outcome != Outcome.PASSED or result.void_grade:
        problems.append(Evidence(label=_("认定成绩"), value=result.get_outcome_display()))
    batch_results = getattr(certificate.batch, "results", None)
    if batch_results is None:
        problems.append(Evidence(label=_("批次成绩备案"), value=_("无成绩备案")))
    elif batch_results.status != ResultsStatus.APPROVED:
        problems.append(
            Evidence(
                label=_("批次成绩备案"),
                object_type=RESULTS,
                object_id=batch_results.pk,
                value=batch_results.get_status_display(),
            )
        )
    return problems
