"""Institution credit (信用评价): indicators read from the records, a score, a grade A–D
and the province's public ranking (川人社办发〔2020〕20号 五(二); 粤人社函〔2021〕76号 五;
national-rules §6.4: no national scheme exists, so the points are the province's policy).

Each indicator of :data:`INDICATORS` reads one institution's records over the period
(the last :data:`PERIOD_DAYS` days up to the day of computation):

* ``violation_minor`` / ``violation_serious`` / ``violation_grave`` — decided violation
  cases about the institution, its candidates or its staff, decided in the period, not
  overturned on appeal. Severity by grade: candidate MINOR and CHEATING and staff
  DERELICTION are minor; candidate SERIOUS, staff MISCONDUCT and institution RECTIFY are
  serious; candidate GRAVE, institution SUSPEND and REVOKE are grave.
* ``overdue_filing`` — batch plans filed after ``Batch.filing_due``, batch results filed
  after ``BatchResults.filing_due``, and either still unfiled after its due date; each
  counted once, in the period of its due date.
* ``rectification_on_time`` / ``rectification_late`` — rectifications ordered by an
  inspection (``Inspection.rectification_due``) or an institution case
  (``ViolationCase.rectification_due``, done when an official confirms it:
  ``rectified_at``) that fell due in the period: the share done by their due date (a bonus),
  and the number done late or not at all (a penalty).
* ``complaint_upheld`` — complaints about the institution replied in the period as upheld.
* ``alert_confirmed`` — early warnings about it closed in the period as confirmed.
* ``data_quality`` — the share of its batches whose enrollment closed in the period with
  no early warning still open on them.
* ``batch_volume`` — batches whose results were filed in the period, up to
  :data:`BATCH_VOLUME_CAP` (the renewal condition counts six batches, national-rules §8).
* ``certificates_queryable`` — the share of its certificates issued in the period whose
  every record reached the query system (no outbox message pending, one delivered;
  粤人社函〔2021〕76号 五(六)).

Score = 100 + penalties + bonuses: a penalty's points are its weight (≤ 0) times the
count, all penalties together at most −100; a bonus's points are its weight (≥ 0) times
its share (0–1); the result is clamped to 0–100 with one decimal and graded by the
province's floors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from skillcert.batches.models import Batch
from skillcert.certificates.choices import DeliveryStatus
from skillcert.certificates.models import Certificate, OutboxMessage
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import OrganisationKind
from skillcert.core.errors import DomainError, PermissionDenied, clean_or_raise
from skillcert.core.models import Organisation, Region
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.models import Institution
from skillcert.results.choices import ResultsStatus
from skillcert.results.models import BatchResults
from skillcert.supervision.choices import (
    AlertClosure,
    AlertStatus,
    AppealStatus,
    CaseGrade,
    CaseStatus,
    CreditGrade,
    SubjectKind,
)
from skillcert.supervision.models import (
    Alert,
    Appeal,
    Complaint,
    CreditScore,
    Inspection,
    SupervisionPolicy,
    ViolationCase,
)
from skillcert.supervision.permissions import is_province_official
from skillcert.supervision.policies import policy_for

PERIOD_DAYS = 365
BATCH_VOLUME_CAP = 6
WEIGHT_LIMIT = 100
PENALTY_FLOOR = Decimal(-100)
ONE_DECIMAL = Decimal("0.1")

# The institutions that are graded and ranked: those in the directory (listed or suspended).
FILED_STATUSES = (DirectoryStatus.ACTIVE, DirectoryStatus.SUSPENDED)
DECIDED_STATUSES = (CaseStatus.DECIDED, CaseStatus.APPEALED, CaseStatus.CLOSED)

MINOR_GRADES = frozenset({CaseGrade.MINOR, CaseGrade.CHEATING, CaseGrade.DERELICTION})
SERIOUS_GRADES = frozenset({CaseGrade.SERIOUS, CaseGrade.MISCONDUCT, CaseGrade.RECTIFY})
GRAVE_GRADES = frozenset({CaseGrade.GRAVE, CaseGrade.SUSPEND, CaseGrade.REVOKE})

PENALTY = "penalty"
BONUS = "bonus"


@dataclass(frozen=True)
class Reading:
    """What an indicator found: ``value`` to show (a count, or a share with None when
    there was nothing to measure) and ``factor``, what the weight is multiplied by."""

    value: int | float | None
    factor: Decimal


Measure = Callable[[Institution, date, date], Reading]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: StrOrPromise
    kind: str  # PENALTY: weight ≤ 0 per occurrence; BONUS: weight ≥ 0 times a share
    measure: Measure
    explanation: StrOrPromise


def _count(n: int) -> Reading:
    return Reading(n, Decimal(n))


def _share(part: int, whole: int) -> Reading:
    if whole == 0:
        return Reading(None, Decimal(0))
    share = Decimal(part) / Decimal(whole)
    return Reading(round(float(share), 3), share)


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _in_period(field: str, start: date, end: date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def _moment_in_period(field: str, start: date, end: date) -> Q:
    """A datetime field whose local day falls in [start, end]."""
    tz = timezone.get_current_timezone()
    lower = datetime.combine(start, datetime.min.time(), tzinfo=tz)
    upper = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return Q(**{f"{field}__gte": lower, f"{field}__lt": upper})


# --- violations ------------------------------------------------------------------------


def _decided_cases(institution: Institution, start: date, end: date) -> list[str]:
    """Grades of the cases decided in the period and not overturned on appeal."""
    overturned = Exists(Appeal.objects.filter(case=OuterRef("pk"), status=AppealStatus.UPHELD))
    return list(
        ViolationCase.objects.filter(institution=institution, status__in=DECIDED_STATUSES)
        .filter(_moment_in_period("decided_at", start, end))
        .exclude(overturned)
        .values_list("grade", flat=True)
    )


def _violations(grades: frozenset[str]) -> Measure:
    def measure(institution: Institution, start: date, end: date) -> Reading:
        return _count(sum(1 for g in _decided_cases(institution, start, end) if g in grades))

    return measure


# --- filings ---------------------------------------------------------------------------


def _overdue(rows: list[tuple[date | None, datetime | None]], end: date) -> int:
    """Rows (due, filed_at) filed after their due day, or unfiled once it has passed."""
    n = 0
    for due, filed_at in rows:
        if due is None:
            continue
        if (filed_at is not None and _local_day(filed_at) > due) or (
            filed_at is None and due < end
        ):
            n += 1
    return n


def _overdue_filings(institution: Institution, start: date, end: date) -> Reading:
    plans = list(
        Batch.objects.filter(institution=institution, filing_due__isnull=False)
        .filter(_in_period("filing_due", start, end))
        .values_list("filing_due", "filed_at")
    )
    results = list(
        BatchResults.objects.filter(batch__institution=institution, filing_due__isnull=False)
        .filter(_in_period("filing_due", start, end))
        .values_list("filing_due", "filed_at")
    )
    return _count(_overdue(plans, end) + _overdue(results, end))


# --- rectifications --------------------------------------------------------------------


def _rectifications(institution: Institution, start: date, end: date) -> tuple[int, int]:
    """(done on time, late or not done) of the rectifications due in the period; one not
    yet done whose due day is today or later is still pending and not counted."""
    rows: list[tuple[date | None, date | None]] = [
        (due, _local_day(done) if done else None)
        for due, done in Inspection.objects.filter(
            institution=institution, rectification_due__isnull=False
        )
        .filter(_in_period("rectification_due", start, end))
        .values_list("rectification_due", "rectified_at")
    ]
    cases = (
        ViolationCase.objects.filter(
            institution=institution,
            subject_kind=SubjectKind.INSTITUTION,
            status__in=DECIDED_STATUSES,
            rectification_due__isnull=False,
        )
        .filter(_in_period("rectification_due", start, end))
        .values_list("rectification_due", "rectified_at")
    )
    rows += [(due, _local_day(done) if done else None) for due, done in cases]
    on_time = late = 0
    for due, done in rows:
        if due is None:
            continue
        if done is not None and done <= due:
            on_time += 1
        elif done is not None or due < end:
            late += 1
    return on_time, late


def _rectification_on_time(institution: Institution, start: date, end: date) -> Reading:
    on_time, late = _rectifications(institution, start, end)
    return _share(on_time, on_time + late)


def _rectification_late(institution: Institution, start: date, end: date) -> Reading:
    return _count(_rectifications(institution, start, end)[1])


# --- complaints and alerts -------------------------------------------------------------


def _complaints_upheld(institution: Institution, start: date, end: date) -> Reading:
    return _count(
        Complaint.objects.filter(institution=institution, upheld=True)
        .filter(_moment_in_period("replied_at", start, end))
        .count()
    )


def _alerts_confirmed(institution: Institution, start: date, end: date) -> Reading:
    return _count(
        Alert.objects.filter(
            institution=institution, status=AlertStatus.CLOSED, closure=AlertClosure.CONFIRMED
        )
        .filter(_moment_in_period("closed_at", start, end))
        .count()
    )


# --- shares ----------------------------------------------------------------------------


def _data_quality(institution: Institution, start: date, end: date) -> Reading:
    batches = Batch.objects.filter(institution=institution).filter(
        _in_period("enrollment_closes", start, end)
    )
    open_alert = Exists(
        Alert.objects.filter(batch=OuterRef("pk")).exclude(status=AlertStatus.CLOSED)
    )
    whole = batches.count()
    return _share(batches.exclude(open_alert).count(), whole)


def _batch_volume(institution: Institution, start: date, end: date) -> Reading:
    n = (
        BatchResults.objects.filter(
            batch__institution=institution,
            status__in=[ResultsStatus.FILED, ResultsStatus.APPROVED],
        )
        .filter(_moment_in_period("filed_at", start, end))
        .count()
    )
    return Reading(n, Decimal(min(n, BATCH_VOLUME_CAP)) / Decimal(BATCH_VOLUME_CAP))


def _certificates_queryable(institution: Institution, start: date, end: date) -> Reading:
    certificates = Certificate.objects.filter(institution=institution).filter(
        _in_period("issue_date", start, end)
    )
    messages = OutboxMessage.objects.filter(certificate=OuterRef("pk"))
    queryable = certificates.filter(
        Exists(messages.filter(status=DeliveryStatus.DELIVERED)),
        ~Exists(messages.exclude(status=DeliveryStatus.DELIVERED)),
    )
    return _share(queryable.count(), certificates.count())


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "violation_minor",
            gettext_lazy("一般违纪违规"),
            PENALTY,
            _violations(MINOR_GRADES),
            gettext_lazy("考生违纪、作弊，工作人员失职，每起扣分"),
        ),
        Indicator(
            "violation_serious",
            gettext_lazy("严重违纪违规"),
            PENALTY,
            _violations(SERIOUS_GRADES),
            gettext_lazy("考生严重违纪违规、工作人员违规、机构被责令限期整改，每起扣分"),
        ),
        Indicator(
            "violation_grave",
            gettext_lazy("特别严重违纪违规"),
            PENALTY,
            _violations(GRAVE_GRADES),
            gettext_lazy("考生特别严重违纪违规、机构被暂停认定或取消备案，每起扣分"),
        ),
        Indicator(
            "overdue_filing",
            gettext_lazy("逾期报备"),
            PENALTY,
            _overdue_filings,
            gettext_lazy("认定计划或成绩超过期限报备或逾期未报备，每次扣分"),
        ),
        Indicator(
            "rectification_on_time",
            gettext_lazy("按期整改"),
            BONUS,
            _rectification_on_time,
            gettext_lazy("到期整改事项中按期完成的比例，按比例加分"),
        ),
        Indicator(
            "rectification_late",
            gettext_lazy("逾期整改"),
            PENALTY,
            _rectification_late,
            gettext_lazy("整改逾期完成或到期未完成，每项扣分"),
        ),
        Indicator(
            "complaint_upheld",
            gettext_lazy("投诉举报属实"),
            PENALTY,
            _complaints_upheld,
            gettext_lazy("经核查属实的投诉举报，每件扣分"),
        ),
        Indicator(
            "alert_confirmed",
            gettext_lazy("预警核实"),
            PENALTY,
            _alerts_confirmed,
            gettext_lazy("经核实立案处理的预警，每条扣分"),
        ),
        Indicator(
            "data_quality",
            gettext_lazy("数据质量"),
            BONUS,
            _data_quality,
            gettext_lazy("统计期内报名截止的批次中没有未办结预警的比例，按比例加分"),
        ),
        Indicator(
            "batch_volume",
            gettext_lazy("认定批次数量"),
            BONUS,
            _batch_volume,
            gettext_lazy("统计期内成绩已报备的批次数，满6个批次得满分"),
        ),
        Indicator(
            "certificates_queryable",
            gettext_lazy("证书可查询率"),
            BONUS,
            _certificates_queryable,
            gettext_lazy("统计期内发放的证书中数据已推送至查询系统的比例，按比例加分"),
        ),
    )
}


# --- scoring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessment:
    score: Decimal
    grade: str
    indicators: dict[str, dict[str, Any]]


def period_for(today: date) -> tuple[date, date]:
    return today - timedelta(days=PERIOD_DAYS), today


def grade_for(score: Decimal, floors: Mapping[str, Any]) -> str:
    """The highest grade whose floor the score reaches; below C's floor is D."""
    for grade in (CreditGrade.A, CreditGrade.B, CreditGrade.C):
        if score >= Decimal(str(floors[grade.value])):
            return grade.value
    return CreditGrade.D.value


def assess(
    institution: Institution, start: date, end: date, policy: SupervisionPolicy
) -> Assessment:
    """The institution's score, grade and indicator breakdown for the period."""
    weights = policy.credit_weights
    penalties, bonuses = Decimal(0), Decimal(0)
    breakdown: dict[str, dict[str, Any]] = {}
    for code, indicator in INDICATORS.items():
        reading = indicator.measure(institution, start, end)
        points = Decimal(str(weights.get(code, 0))) * reading.factor
        if indicator.kind == PENALTY:
            penalties += points
        else:
            bonuses += points
        breakdown[code] = {
            "value": reading.value,
            # + 0.0 turns a deduction of nothing (−0.0) into 0.0.
            "points": float(points.quantize(ONE_DECIMAL, ROUND_HALF_UP)) + 0.0,
        }
    raw = Decimal(100) + max(PENALTY_FLOOR, penalties) + bonuses
    score = min(Decimal(100), max(Decimal(0), raw)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    return Assessment(score, grade_for(score, policy.credit_grade_floors), breakdown)


def can_recompute(actor: Actor, province: Region) -> bool:
    return actor.is_platform_admin or (
        is_province_official(actor) and actor.province_code == province.code
    )


def _province_organisation(province: Region) -> Organisation | None:
    return (
        Organisation.objects.filter(kind=OrganisationKind.PROVINCE_HR, province=province)
        .order_by("pk")
        .first()
    )


def credit_recompute(*, actor: Actor, province: Region, today: date | None = None) -> int:
    """Score every filed institution of the province as of ``today``: one CreditScore each
    (run twice on a day, the day's row is replaced), the earlier rows become history,
    ranks 1..n by score (highest first) then name. Returns how many were scored."""
    if not can_recompute(actor, province):
        raise PermissionDenied(_("只有省级人社部门可以计算信用评价。"))
    today = today or timezone.localdate()
    start, end = period_for(today)
    policy = policy_for(province)
    with transaction.atomic():
        # The policy row serialises the province's runs (the daily task and the button).
        policy = SupervisionPolicy.objects.select_for_update().get(pk=policy.pk)
        province_rows = CreditScore.objects.filter(institution__organisation__province=province)
        institutions = list(
            Institution.objects.filter(organisation__province=province, status__in=FILED_STATUSES)
            .select_related("organisation")
            .order_by("pk")
        )
        assessed = [(i, assess(i, start, end, policy)) for i in institutions]
        assessed.sort(key=lambda pair: (-pair[1].score, pair[0].organisation.name, pair[0].pk))
        kept: list[int] = []
        for rank, (institution, result) in enumerate(assessed, start=1):
            row, _created = CreditScore.objects.update_or_create(
                institution=institution,
                computed_on=today,
                defaults={
                    "period_start": start,
                    "period_end": end,
                    "score": result.score,
                    "grade": result.grade,
                    "indicators": result.indicators,
                    "rank": rank,
                    "is_current": True,
                },
            )
            kept.append(row.pk)
        # Earlier days are history; institutions no longer filed leave the ranking.
        retired = (
            province_rows.filter(is_current=True).exclude(pk__in=kept).update(is_current=False)
        )
        audit_record(
            actor=actor,
            action="supervision.credit_recompute",
            obj=policy,
            organisation=actor.organisation or _province_organisation(province),
            changes={
                "computed_on": today.isoformat(),
                "period": [start.isoformat(), end.isoformat()],
                "scored": len(kept),
                "retired": retired,
                "grades": {
                    g: sum(1 for _i, r in assessed if r.grade == g) for g in CreditGrade.values
                },
            },
        )
    return len(kept)


# --- the province's policy -------------------------------------------------------------


def can_edit_policy(actor: Actor, policy: SupervisionPolicy) -> bool:
    return actor.is_platform_admin or (
        is_province_official(actor) and actor.province_code == policy.province_id
    )


def _whole_number(value: object, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise DomainError(_("%(label)s应为整数。") % {"label": label}, code="not_a_number")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError as exc:
        raise DomainError(_("%(label)s应为整数。") % {"label": label}, code="not_a_number") from exc
    if number != number.to_integral_value():
        raise DomainError(_("%(label)s应为整数。") % {"label": label}, code="not_a_number")
    return int(number)


def clean_weights(weights: Mapping[str, object]) -> dict[str, int]:
    """Every indicator once, whole points within ±100; deductions ≤ 0, additions ≥ 0."""
    unknown = sorted(set(weights) - set(INDICATORS))
    missing = sorted(set(INDICATORS) - set(weights))
    if unknown or missing:
        raise DomainError(
            _("信用评价指标不完整或有未知指标：%(codes)s")
            % {"codes": "、".join(unknown + missing)},
            code="unknown_indicator",
        )
    cleaned: dict[str, int] = {}
    for code, indicator in INDICATORS.items():
        label = str(indicator.label)
        points = _whole_number(weights[code], label)
        if abs(points) > WEIGHT_LIMIT:
            raise DomainError(
                _("%(label)s的分值应在−100至100之间。") % {"label": label}, code="out_of_range"
            )
        if indicator.kind == PENALTY and points > 0:
            raise DomainError(
                _("%(label)s是扣分指标，分值不能为正数。") % {"label": label}, code="wrong_sign"
            )
        if indicator.kind == BONUS and points < 0:
            raise DomainError(
                _("%(label)s是加分指标，分值不能为负数。") % {"label": label}, code="wrong_sign"
            )
        cleaned[code] = points
    return cleaned


def clean_floors(floors: Mapping[str, object]) -> dict[str, int]:
    """Floors of A, B and C, each 0–100, A above B above C."""
    if set(floors) != {"A", "B", "C"}:
        raise DomainError(_("请设定A、B、C三级的分数线。"), code="unknown_grade")
    cleaned = {g: _whole_number(floors[g], _("%(g)s级分数线") % {"g": g}) for g in "ABC"}
    if any(not 0 <= v <= WEIGHT_LIMIT for v in cleaned.values()):
        raise DomainError(_("分数线应在0至100之间。"), code="out_of_range")
    if not cleaned["A"] > cleaned["B"] > cleaned["C"]:
        raise DomainError(_("分数线应为A级高于B级、B级高于C级。"), code="floors_order")
    return cleaned


def credit_policy_update(
    *,
    actor: Actor,
    policy: SupervisionPolicy,
    weights: Mapping[str, object],
    floors: Mapping[str, object],
) -> SupervisionPolicy:
    """Set the province's indicator points and grade floors (provincial officials)."""
    if not can_edit_policy(actor, policy):
        raise PermissionDenied(_("只有本省省级人社部门可以修改信用评价规则。"))
    new_weights, new_floors = clean_weights(weights), clean_floors(floors)
    with transaction.atomic():
        locked = SupervisionPolicy.objects.select_for_update().get(pk=policy.pk)
        before = {"weights": locked.credit_weights, "floors": locked.credit_grade_floors}
        locked.credit_weights, locked.credit_grade_floors = new_weights, new_floors
        locked.save(update_fields=["credit_weights", "credit_grade_floors", "updated_at"])
        audit_record(
            actor=actor,
            action="supervision.credit_policy_update",
            obj=locked,
            organisation=actor.organisation or _province_organisation(locked.province),
            changes={"before": before, "after": {"weights": new_weights, "floors": new_floors}},
        )
    return locked


# The other parameters of the same page (periods, time limits, warning thresholds).
POLICY_FIELDS = tuple(
    f.name
    for f in SupervisionPolicy._meta.get_fields()
    if getattr(f, "editable", False)
    and f.name not in {"province", "updated_at", "credit_weights", "credit_grade_floors"}
)


def supervision_policy_update(
    *, actor: Actor, policy: SupervisionPolicy, values: Mapping[str, Any]
) -> SupervisionPolicy:
    """Set the province's other supervision parameters (provincial officials); only the
    fields in :data:`POLICY_FIELDS`, validated by the model."""
    if not can_edit_policy(actor, policy):
        raise PermissionDenied(_("只有本省省级人社部门可以修改监督管理参数。"))
    unknown = sorted(set(values) - set(POLICY_FIELDS))
    if unknown:
        raise DomainError(_("未知参数：%(names)s") % {"names": "、".join(unknown)}, code="unknown")
    with transaction.atomic():
        locked = SupervisionPolicy.objects.select_for_update().get(pk=policy.pk)
        before = {name: getattr(locked, name) for name in values}
        for name, value in values.items():
            setattr(locked, name, value)
        clean_or_raise(locked)
        locked.save(update_fields=[*values, "updated_at"])
        audit_record(
            actor=actor,
            action="supervision.policy_update",
            obj=locked,
            organisation=actor.organisation or _province_organisation(locked.province),
            changes={"before": before, "after": dict(values)},
        )
    return locked
