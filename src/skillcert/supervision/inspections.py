"""Random inspections (双随机一公开, 川人社办发〔2020〕20号 五(一)): plans, draws, findings,
publication.

An HR official defines a plan: which targets may be drawn (institutions, batches or
sessions, narrowed by filters) and from which pool (inspectors for kind INSPECTION,
external supervisors for EXTERNAL_SUPERVISION). ``plan_draw`` computes both populations,
leaves out targets inspected within the policy's window and records, per target, the
people who may not go there (their own organisation, its staff registry or its members).
The engine (:mod:`skillcert.supervision.draws`) runs on a seed from ``secrets``, and the
draw record keeps seed, inputs and outputs so :func:`draw_replay` reproduces it.

Assigned inspectors record a finding per spot-check item (随机抽查事项清单) with evidence
files and finish with a conclusion; the plan's results are then published (一公开).
External supervision inspections are drawn here and finished by ``external``'s services.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.batches.choices import BatchStatus, SessionStatus
from skillcert.batches.models import Batch, Session
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import RegionLevel
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import Membership, Region
from skillcert.core.uploads import checked_upload
from skillcert.core.workdays import deadline
from skillcert.institutions.choices import DirectoryStatus, InstitutionType
from skillcert.institutions.models import Institution, StaffMember
from skillcert.institutions.permissions import AUTHORITY_ROLES
from skillcert.supervision import draws
from skillcert.supervision.choices import (
    Compliance,
    Conclusion,
    InspectionStatus,
    PlanKind,
    PlanStatus,
    PoolKind,
    TargetKind,
)
from skillcert.supervision.models import (
    CheckItem,
    DrawRecord,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionEvidence,
    InspectionPlan,
    PoolMember,
)
from skillcert.supervision.permissions import supervises
from skillcert.supervision.policies import policy_for

TITLE_MAX = 128
NOTE_MAX = 2000
SUMMARY_MAX = 4000
TARGET_COUNT_MAX = 500
MEMBERS_PER_TARGET_MAX = 10
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# 检查人员 check institutions and batches against the list; 外部质量督导员 go to batches
# and sessions (人社职司便函〔2020〕53号).
TARGETS_BY_KIND: dict[str, frozenset[str]] = {
    PlanKind.INSPECTION: frozenset({TargetKind.INSTITUTION, TargetKind.BATCH}),
    PlanKind.EXTERNAL_SUPERVISION: frozenset({TargetKind.BATCH, TargetKind.SESSION}),
}
POOL_BY_KIND = {
    PlanKind.INSPECTION: PoolKind.INSPECTOR,
    PlanKind.EXTERNAL_SUPERVISION: PoolKind.EXTERNAL_SUPERVISOR,
}
# Institutions that may be drawn: those in the directory (listed, or suspended for
# rectification); unfiled, revoked and expired ones are not evaluating.
LISTED = (DirectoryStatus.ACTIVE, DirectoryStatus.SUSPENDED)
# Batches that may be drawn when no status is chosen: plans the centre has approved.
DRAWABLE_BATCH_STATUSES = tuple(
    s
    for s in BatchStatus.values
    if s not in {BatchStatus.DRAFT, BatchStatus.FILED, BatchStatus.RETURNED}
)
FILTER_KEYS = frozenset(
    {"cities", "institution_types", "batch_statuses", "occupation_codes", "from", "until"}
)

# Why a target was not drawn, as stored in ``DrawRecord.excluded_targets``.
RECENTLY_INSPECTED = "recently_inspected"
NO_ELIGIBLE_MEMBERS = "no_eligible_members"
EXCLUSION_LABELS = {
    RECENTLY_INSPECTED: gettext_lazy("近期已被抽查"),
    NO_ELIGIBLE_MEMBERS: gettext_lazy("回避后可选派人员不足"),
}


# --- who may do what ----------------------------------------------------------------------


def is_authority(actor: Actor) -> bool:
    """A province or city HR official (or the platform itself)."""
    return actor.is_platform_admin or actor.role in AUTHORITY_ROLES


def can_manage_plan(actor: Actor, plan: InspectionPlan) -> bool:
    """HR officials whose scope holds the plan (the province's, or the city that made it)."""
    if actor.is_platform_admin:
        return True
    return (
        actor.role in AUTHORITY_ROLES
        and InspectionPlan.objects.for_actor(actor).filter(pk=plan.pk).exists()
    )


def is_assigned(actor: Actor, inspection: Inspection) -> bool:
    """The actor's user is one of the inspection's drawn people, whatever their role."""
    if actor.user_id is None:
        return False
    # A member taken out of the pool no longer works on their open tasks.
    return InspectionAssignment.objects.filter(
        inspection_id=inspection.pk, member__user_id=actor.user_id, member__is_active=True
    ).exists()


def can_confirm_rectification(actor: Actor, inspection: Inspection) -> bool:
    return actor.is_platform_admin or (
        actor.role in AUTHORITY_ROLES and supervises(actor, inspection.institution)
    )


def _require_manager(actor: Actor, plan: InspectionPlan) -> None:
    if not can_manage_plan(actor, plan):
        raise PermissionDenied(_("只有组织该抽查任务的人社部门可以办理。"))


def _require_inspector(actor: Actor, inspection: Inspection) -> None:
    if not is_assigned(actor, inspection):
        raise PermissionDenied(_("只有被抽中选派到该对象的检查人员可以登记检查结果。"))


# --- plans ----------------------------------------------------------------------------------


def _clean_ids(values: Iterable[Any], what: str) -> list[int]:
    try:
        return sorted({int(v) for v in values})
    except (TypeError, ValueError) as exc:
        raise DomainError(_("%(what)s无效。") % {"what": what}, code="invalid_ids") from exc


def _clean_date(value: Any, label: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError as exc:
        raise DomainError(
            _("%(label)s不是有效日期。") % {"label": label}, code="invalid_filters"
        ) from exc


def _clean_cities(actor: Actor, province: str, cities: Iterable[str]) -> list[str]:
    chosen = sorted({str(c) for c in cities})
    known = set(
        Region.objects.filter(
            code__in=chosen, parent_id=province, level=RegionLevel.CITY
        ).values_list("code", flat=True)
    )
    if set(chosen) - known:
        raise DomainError(_("所选地市不属于本省。"), code="invalid_filters")
    own_city = actor.city_code if actor.role in AUTHORITY_ROLES else None
    if own_city:
        # 属地: a city's officials draw only among their own city's targets.
        if set(chosen) - {own_city}:
            raise DomainError(_("市级人社部门只能抽查本市的对象。"), code="city_scope")
        return [own_city]
    return chosen


def clean_filters(actor: Actor, province: str, filters: Mapping[str, Any]) -> dict[str, Any]:
    """The filters a plan keeps, checked and in a canonical form."""
    unknown = set(filters) - FILTER_KEYS
    if unknown:
        raise DomainError(
            _("未知的抽查范围条件：%(keys)s。") % {"keys": "、".join(sorted(unknown))},
            code="invalid_filters",
        )
    cleaned: dict[str, Any] = {
        "cities": _clean_cities(actor, province, filters.get("cities") or []),
        "institution_types": sorted({str(t) for t in filters.get("institution_types") or []}),
        "batch_statuses": sorted({str(s) for s in filters.get("batch_statuses") or []}),
        "occupation_codes": sorted(
            {str(c).strip() for c in filters.get("occupation_codes") or [] if str(c).strip()}
        ),
    }
    if set(cleaned["institution_types"]) - set(InstitutionType.values):
        raise DomainError(_("机构类型无效。"), code="invalid_filters")
    if set(cleaned["batch_statuses"]) - set(BatchStatus.values):
        raise DomainError(_("批次状态无效。"), code="invalid_filters")
    start = _clean_date(filters.get("from"), _("开始日期"))
    end = _clean_date(filters.get("until"), _("结束日期"))
    if start and end and start > end:
        raise DomainError(_("开始日期不能晚于结束日期。"), code="invalid_filters")
    if start:
        cleaned["from"] = start
    if end:
        cleaned["until"] = end
    return {k: v for k, v in cleaned.items() if v}


def _clean_plan(
    actor: Actor,
    province: str,
    *,
    title: str,
    kind: str,
    target_kind: str,
    target_filters: Mapping[str, Any],
    target_count: int,
    members_per_target: int,
    item_ids: Iterable[Any],
) -> tuple[dict[str, Any], list[CheckItem]]:
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise DomainError(_("请填写任务名称（不超过128字）。"), code="invalid_title")
    if kind not in PlanKind.values:
        raise DomainError(_("任务类型无效。"), code="invalid_kind")
    if target_kind not in TARGETS_BY_KIND[kind]:
        raise DomainError(_("该任务类型不能抽取此类对象。"), code="invalid_target_kind")
    if not 1 <= int(target_count) <= TARGET_COUNT_MAX:
        raise DomainError(_("抽取对象数应在1到500之间。"), code="invalid_count")
    if not 1 <= int(members_per_target) <= MEMBERS_PER_TARGET_MAX:
        raise DomainError(_("每个对象选派人数应在1到10之间。"), code="invalid_count")
    ids = _clean_ids(item_ids, _("抽查事项"))
    items = list(
        CheckItem.objects.filter(
            pk__in=ids, province_id=province, is_active=True, applies_to=target_kind
        ).order_by("code")
    )
    if len(items) != len(ids):
        raise DomainError(_("所选抽查事项不在本省适用于该对象的清单中。"), code="invalid_items")
    if kind == PlanKind.INSPECTION and not items:
        raise DomainError(_("请至少选择一个抽查事项。"), code="no_items")
    fields = {
        "title": title,
        "kind": kind,
        "target_kind": target_kind,
        "target_filters": clean_filters(actor, province, target_filters),
        "target_count": int(target_count),
        "members_per_target": int(members_per_target),
    }
    return fields, items


def _plan_changes(plan: InspectionPlan, items: list[CheckItem]) -> dict[str, Any]:
    return {
        "title": plan.title,
        "kind": plan.kind,
        "target_kind": plan.target_kind,
        "target_filters": plan.target_filters,
        "target_count": plan.target_count,
        "members_per_target": plan.members_per_target,
        "items": [i.code for i in items],
    }


@transaction.atomic
def plan_create(
    *,
    actor: Actor,
    title: str,
    kind: str,
    target_kind: str,
    target_filters: Mapping[str, Any],
    target_count: int,
    members_per_target: int,
    item_ids: Iterable[Any],
) -> InspectionPlan:
    """A draft plan of the official's province (a city's officials: their city's targets)."""
    organisation = actor.organisation
    if actor.role not in AUTHORITY_ROLES or organisation is None:
        raise PermissionDenied(_("只有省、市人社部门可以制定抽查任务。"))
    province = organisation.province_id
    fields, items = _clean_plan(
        actor,
        province,
        title=title,
        kind=kind,
        target_kind=target_kind,
        target_filters=target_filters,
        target_count=target_count,
        members_per_target=members_per_target,
        item_ids=item_ids,
    )
    plan = InspectionPlan.objects.create(
        province_id=province,
        organisation=organisation,
        created_by_label=actor.label[:128],
        **fields,
    )
    plan.items.set(items)
    audit_record(
        actor=actor,
        action="supervision.plan_create",
        obj=plan,
        organisation=organisation,
        changes=_plan_changes(plan, items),
    )
    return plan


def _locked_plan(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update().select_related("organisation").get(pk=plan.pk)


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    plan: InspectionPlan,
    title: str,
    kind: str,
    target_kind: str,
    target_filters: Mapping[str, Any],
    target_count: int,
    members_per_target: int,
    item_ids: Iterable[Any],
) -> InspectionPlan:
    """Change a plan while it is a draft; once drawn, its inputs are part of the record."""
    _require_manager(actor, plan)
    locked = _locked_plan(plan)
    if locked.status != PlanStatus.DRAFT:
        raise InvalidTransition(_("抽查任务已抽取，不能再修改。"), code="not_draft")
    fields, items = _clean_plan(
        actor,
        locked.province_id,
        title=title,
        kind=kind,
        target_kind=target_kind,
        target_filters=target_filters,
        target_count=target_count,
        members_per_target=members_per_target,
        item_ids=item_ids,
    )
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(fields))
    locked.items.set(items)
    audit_record(
        actor=actor,
        action="supervision.plan_update",
        obj=locked,
        organisation=locked.organisation,
        changes=_plan_changes(locked, items),
    )
    return locked


# --- the draw -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A drawable target and where it belongs."""

    pk: int
    institution_id: int
    organisation_id: int
    batch_id: int | None = None
    session_id: int | None = None


def _institution_filter(plan: InspectionPlan, prefix: str) -> Q:
    """The province, the plan's city (a city's plan) and the cities/types filters."""
    filters = plan.target_filters
    q = Q(**{f"{prefix}organisation__province_id": plan.province_id})
    city = plan.organisation.city_id
    if city:
        q &= Q(**{f"{prefix}organisation__city_id": city})
    if filters.get("cities"):
        q &= Q(**{f"{prefix}organisation__city_id__in": filters["cities"]})
    if filters.get("institution_types"):
        q &= Q(**{f"{prefix}type__in": filters["institution_types"]})
    return q


def _date_range(filters: Mapping[str, Any], lookup: str) -> Q:
    q = Q()
    if filters.get("from"):
        q &= Q(**{f"{lookup}__date__gte": date.fromisoformat(filters["from"])})
    if filters.get("until"):
        q &= Q(**{f"{lookup}__date__lte": date.fromisoformat(filters["until"])})
    return q


def _batches(plan: InspectionPlan) -> QuerySet[Batch]:
    filters = plan.target_filters
    batches = Batch.objects.filter(
        _institution_filter(plan, "institution__"),
        institution__status__in=LISTED,
        status__in=filters.get("batch_statuses") or DRAWABLE_BATCH_STATUSES,
    )
    if filters.get("occupation_codes"):
        batches = batches.filter(occupation__code__in=filters["occupation_codes"])
    return batches


def target_population(plan: InspectionPlan) -> list[Target]:
    """Every target the plan's filters admit, ascending by id.

    Institutions: listed ones of the province (the plan's city for a city's plan), by city,
    type and filed occupation. Batches: of listed institutions, in the chosen statuses (else
    approved and later), by occupation, with a session in the date range. Sessions: planned
    or open sessions of such batches starting in the date range."""
    filters = plan.target_filters
    if plan.target_kind == TargetKind.INSTITUTION:
        institutions = Institution.objects.filter(_institution_filter(plan, ""), status__in=LISTED)
        if filters.get("occupation_codes"):
            institutions = institutions.filter(
                filing__entries__occupation__code__in=filters["occupation_codes"],
                filing__entries__is_active=True,
            )
        rows = institutions.values_list("pk", "organisation_id").distinct().order_by("pk")
        return [Target(pk, pk, org) for pk, org in rows]
    if plan.target_kind == TargetKind.BATCH:
        batches = _batches(plan)
        if filters.get("from") or filters.get("until"):
            in_range = Session.objects.filter(_date_range(filters, "starts_at"))
            batches = batches.filter(pk__in=in_range.values("batch_id"))
        batch_rows = batches.values_list("pk", "institution_id", "institution__organisation_id")
        return [Target(pk, inst, org, batch_id=pk) for pk, inst, org in batch_rows.order_by("pk")]
    sessions = Session.objects.filter(
        _date_range(filters, "starts_at"),
        batch__in=_batches(plan),
        status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
    )
    session_rows = sessions.values_list(
        "pk", "batch_id", "batch__institution_id", "batch__institution__organisation_id"
    ).order_by("pk")
    return [
        Target(pk, inst, org, batch_id=batch, session_id=pk)
        for pk, batch, inst, org in session_rows
    ]


def recently_inspected(plan: InspectionPlan, targets: list[Target], now: datetime) -> set[int]:
    """Targets drawn by a plan of the same kind within the policy's window (practice)."""
    days = policy_for(plan.province_id).inspection_exclusion_days
    if not days or not targets:
        return set()
    lookup = {
        TargetKind.INSTITUTION: "institution_id",
        TargetKind.BATCH: "batch_id",
        TargetKind.SESSION: "session_id",
    }[TargetKind(plan.target_kind)]
    since = now - timedelta(days=days)
    recent = Inspection.objects.filter(
        plan__kind=plan.kind,
        plan__draw__drawn_at__gte=since,
        **{f"{lookup}__in": [t.pk for t in targets]},
    ).exclude(plan_id=plan.pk)
    return set(recent.values_list(lookup, flat=True))


def pool_members(plan: InspectionPlan) -> list[PoolMember]:
    """The province's active people of the plan's pool, ascending by id."""
    return list(
        PoolMember.objects.filter(
            province_id=plan.province_id, pool=POOL_BY_KIND[PlanKind(plan.kind)], is_active=True
        )
        .select_related("user")
        .order_by("pk")
    )


def member_conflicts(targets: list[Target], members: list[PoolMember]) -> dict[str, list[int]]:
    """{target id: [member ids]} who may not go there: the target's institution is their
    affiliation, or their user is on its staff registry (by account or by ID number's
    blind index) or holds a membership of it (回避, 川人社办发〔2020〕20号 五(一))."""
    if not targets or not members:
        return {}
    inst_ids = {t.institution_id for t in targets}
    org_ids = {t.organisation_id for t in targets}
    by_org: dict[int, set[int]] = defaultdict(set)
    by_inst: dict[int, set[int]] = defaultdict(set)
    users: dict[int, set[int]] = defaultdict(set)
    indexes: dict[str, set[int]] = defaultdict(set)
    for m in members:
        if m.affiliation_id:
            by_org[m.affiliation_id].add(m.pk)
        if m.user is not None:
            users[m.user.pk].add(m.pk)
            if m.user.id_number_index:
                indexes[m.user.id_number_index].add(m.pk)
    staff = StaffMember.objects.filter(institution_id__in=inst_ids).filter(
        Q(user_id__in=list(users)) | Q(id_number_index__in=list(indexes))
    )
    for inst, user, index in staff.values_list("institution_id", "user_id", "id_number_index"):
        by_inst[inst] |= users.get(user, set()) if user else set()
        by_inst[inst] |= indexes.get(index, set())
    joined = Membership.objects.filter(organisation_id__in=org_ids, user_id__in=list(users))
    for org, user in joined.values_list("organisation_id", "user_id"):
        by_org[org] |= users[user]
    conflicts: dict[str, list[int]] = {}
    for t in targets:
        blocked = by_org.get(t.organisation_id, set()) | by_inst.get(t.institution_id, set())
        if blocked:
            conflicts[str(t.pk)] = sorted(blocked)
    return conflicts


@transaction.atomic
def plan_draw(*, actor: Actor, plan: InspectionPlan) -> DrawRecord:
    """Draw the targets and their people at random, once; record everything it used."""
    _require_manager(actor, plan)
    locked = _locked_plan(plan)
    if locked.status != PlanStatus.DRAFT or DrawRecord.objects.filter(plan=locked).exists():
        raise InvalidTransition(_("该抽查任务已抽取，不能重复抽取。"), code="already_drawn")
    if locked.kind == PlanKind.INSPECTION and not locked.items.exists():
        raise DomainError(_("请先选择抽查事项。"), code="no_items")
    now = timezone.now()
    population = target_population(locked)
    recent = recently_inspected(locked, population, now)
    eligible = [t for t in population if t.pk not in recent]
    if not eligible:
        raise DomainError(_("抽查范围内没有可抽取的对象。"), code="empty_population")
    members = pool_members(locked)
    if len(members) < locked.members_per_target:
        raise DomainError(_("人员库中的在库人员不足。"), code="not_enough_members")
    conflicts = member_conflicts(eligible, members)
    seed = secrets.token_hex(16)
    target_ids, member_ids = [t.pk for t in eligible], [m.pk for m in members]
    result = draws.draw_detailed(
        seed,
        target_ids,
        member_ids,
        conflicts,
        locked.target_count,
        locked.members_per_target,
    )
    if not result.selected:
        raise DomainError(_("回避后没有可选派人员，未能抽取任何对象。"), code="nothing_drawn")
    excluded = {str(pk): RECENTLY_INSPECTED for pk in sorted(recent)}
    excluded.update({str(pk): NO_ELIGIBLE_MEMBERS for pk in result.skipped})
    record = DrawRecord.objects.create(
        plan=locked,
        algorithm=draws.DRAW_ALGORITHM,
        seed=seed,
        targets=target_ids,
        excluded_targets=excluded,
        members=member_ids,
        conflicts=draws.normalise_conflicts(conflicts),
        target_count=locked.target_count,
        members_per_target=locked.members_per_target,
        selected=result.selected,
        assignments=result.assignments,
        inputs_sha256=draws.inputs_sha256(
            seed=seed,
            targets=target_ids,
            members=member_ids,
            conflicts=conflicts,
            target_count=locked.target_count,
            members_per_target=locked.members_per_target,
        ),
        drawn_by_label=actor.label[:128],
        drawn_at=now,
    )
    by_pk = {t.pk: t for t in eligible}
    for pk in result.selected:
        target = by_pk[pk]
        inspection = Inspection.objects.create(
            plan=locked,
            institution_id=target.institution_id,
            batch_id=target.batch_id,
            session_id=target.session_id,
        )
        InspectionAssignment.objects.bulk_create(
            InspectionAssignment(inspection=inspection, member_id=member, is_lead=n == 0)
            for n, member in enumerate(result.assignments[str(pk)])
        )
    locked.status = PlanStatus.DRAWN
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="supervision.plan_draw",
        obj=locked,
        organisation=locked.organisation,
        changes={
            "seed": seed,
            "algorithm": draws.DRAW_ALGORITHM,
            "targets": len(target_ids),
            "excluded": excluded,
            "members": len(member_ids),
            "selected": result.selected,
            "assignments": result.assignments,
            "inputs_sha256": record.inputs_sha256,
        },
    )
    return record


# --- replay ---------------------------------------------------------------------------------


@dataclass
class ReplayReport:
    """The outcome of running a recorded draw again."""

    plan_id: int
    seed: str
    algorithm: str
    targets: int
    members: int
    excluded: int
    selected: list[int]
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences


def _target_of(inspection: Inspection, target_kind: str) -> int | None:
    if target_kind == TargetKind.BATCH:
        return inspection.batch_id
    if target_kind == TargetKind.SESSION:
        return inspection.session_id
    return inspection.institution_id


def _recorded_rows(record: DrawRecord) -> list[tuple[int | None, list[int]]]:
    """(target id, member ids lead first) of the plan's inspections, in creation order."""
    inspections = (
        Inspection.objects.filter(plan_id=record.plan_id)
        .prefetch_related("assignments")
        .order_by("pk")
    )
    rows = []
    for inspection in inspections:
        people = sorted(inspection.assignments.all(), key=lambda a: (not a.is_lead, a.pk))
        rows.append(
            (_target_of(inspection, record.plan.target_kind), [a.member_id for a in people])
        )
    return rows


def _compare_rows(record: DrawRecord, report: ReplayReport) -> None:
    rows = _recorded_rows(record)
    targets = [t for t, _people in rows]
    if targets != [int(t) for t in record.selected]:
        report.differences.append(
            f"inspection rows target {targets}, the record selected {record.selected}"
        )
    for target, people in rows:
        stored = [int(m) for m in record.assignments.get(str(target), [])]
        if people != stored:
            report.differences.append(
                f"inspection of target {target} has members {people}, the record {stored}"
            )


def draw_replay(record: DrawRecord) -> ReplayReport:
    """Run the engine again on the recorded inputs; list every way the record, the rerun
    and the inspection rows disagree (none: identical)."""
    conflicts = {str(k): [int(m) for m in v] for k, v in record.conflicts.items()}
    report = ReplayReport(
        plan_id=record.plan_id,
        seed=record.seed,
        algorithm=record.algorithm,
        targets=len(record.targets),
        members=len(record.members),
        excluded=len(record.excluded_targets),
        selected=[int(t) for t in record.selected],
    )
    if record.algorithm != draws.DRAW_ALGORITHM:
        report.differences.append(f"unknown algorithm {record.algorithm!r}")
        return report
    digest = draws.inputs_sha256(
        seed=record.seed,
        targets=record.targets,
        members=record.members,
        conflicts=conflicts,
        target_count=record.target_count,
        members_per_target=record.members_per_target,
    )
    if digest != record.inputs_sha256:
        report.differences.append(
            f"inputs_sha256 is {digest}, the record says {record.inputs_sha256}"
        )
    rerun = draws.draw_detailed(
        record.seed,
        record.targets,
        record.members,
        conflicts,
        record.target_count,
        record.members_per_target,
    )
    if rerun.selected != report.selected:
        report.differences.append(f"selected: replay {rerun.selected}, record {report.selected}")
    stored = {str(k): [int(m) for m in v] for k, v in record.assignments.items()}
    if rerun.assignments != stored:
        report.differences.append(f"assignments: replay {rerun.assignments}, record {stored}")
    skipped = sorted(int(k) for k, v in record.excluded_targets.items() if v == NO_ELIGIBLE_MEMBERS)
    if sorted(rerun.skipped) != skipped:
        report.differences.append(f"skipped: replay {sorted(rerun.skipped)}, record {skipped}")
    for target, people in stored.items():
        if set(people) & set(conflicts.get(target, [])):
            report.differences.append(f"target {target} was given a conflicted member")
    _compare_rows(record, report)
    return report


# --- findings and evidence ------------------------------------------------------------------


def _locked_inspection(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update()
        .select_related("plan", "institution__organisation")
        .get(pk=inspection.pk)
    )


def _open_for_findings(actor: Actor, inspection: Inspection) -> Inspection:
    _require_inspector(actor, inspection)
    locked = _locked_inspection(inspection)
    if locked.plan.kind != PlanKind.INSPECTION:
        raise DomainError(_("外部质量督导请在督导记录中登记。"), code="not_inspection")
    if locked.status == InspectionStatus.FINISHED:
        raise InvalidTransition(_("该检查已完成，不能再修改。"), code="finished")
    return locked


@transaction.atomic
def finding_record(
    *, actor: Actor, inspection: Inspection, item: CheckItem, outcome: str, note: str
) -> Finding:
    """An assigned inspector's result for one item of the plan (upsert per item)."""
    locked = _open_for_findings(actor, inspection)
    if not locked.plan.items.filter(pk=item.pk).exists():
        raise DomainError(_("该事项不在本次抽查事项中。"), code="invalid_item")
    if outcome not in Compliance.values:
        raise DomainError(_("请选择检查结果。"), code="invalid_outcome")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(_("情况说明不能超过2000字。"), code="note_too_long")
    if outcome == Compliance.FAILS and not note:
        raise DomainError(_("不符合的事项请填写情况说明。"), code="note_required")
    finding, created = Finding.objects.update_or_create(
        inspection=locked,
        item=item,
        defaults={
            "outcome": outcome,
            "note": note,
            "recorded_by_label": actor.label[:128],
            "recorded_at": timezone.now(),
        },
    )
    if locked.status == InspectionStatus.ASSIGNED:
        locked.status = InspectionStatus.IN_PROGRESS
        locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="supervision.finding_record",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={"item": item.code, "outcome": outcome, "note": note, "created": created},
    )
    return finding


@transaction.atomic
def evidence_upload(
    *,
    actor: Actor,
    inspection: Inspection,
    uploaded_file: UploadedFile,
    finding: Finding | None = None,
) -> InspectionEvidence:
    """A PDF, JPEG or PNG (by content), stored under a random name with its SHA-256."""
    locked = _open_for_findings(actor, inspection)
    if finding is not None and finding.inspection_id != locked.pk:
        raise DomainError(_("该检查结果不属于本次检查。"), code="invalid_finding")
    upload = checked_upload(uploaded_file, max_bytes=EVIDENCE_MAX_BYTES)
    evidence = InspectionEvidence(
        inspection=locked,
        finding=finding,
        original_name=PurePath(uploaded_file.name or "").name[-200:] or "evidence",
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        uploaded_by_label=actor.label[:128],
    )
    evidence.file.save(f"{uuid4().hex}.{upload.extension}", ContentFile(upload.data), save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action="supervision.evidence_upload",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={
            "name": evidence.original_name,
            "sha256": evidence.sha256,
            "size": evidence.size,
            "finding": finding.pk if finding else None,
        },
    )
    return evidence


# --- finishing, rectification, publication --------------------------------------------------


def missing_items(inspection: Inspection) -> list[CheckItem]:
    """The plan's items without a finding for this inspection."""
    done = Finding.objects.filter(inspection=inspection).values("item_id")
    return list(inspection.plan.items.exclude(pk__in=done).order_by("code"))


def complete_plan_if_done(plan_id: int) -> bool:
    """A drawn plan whose inspections are all finished is complete. The plan row is locked
    before the others are counted, so the last of two inspections finishing at once sees
    the other's commit and completes the plan."""
    plan = InspectionPlan.objects.select_for_update().get(pk=plan_id)
    if plan.status != PlanStatus.DRAWN:
        return False
    if plan.inspections.exclude(status=InspectionStatus.FINISHED).exists():
        return False
    plan.status = PlanStatus.COMPLETED
    plan.save(update_fields=["status"])
    return True


@transaction.atomic
def inspection_finish(
    *, actor: Actor, inspection: Inspection, conclusion: str, summary: str
) -> Inspection:
    """Conclude the inspection once every item is recorded; 限期整改 sets the deadline
    (川人社办发〔2020〕20号 六(五); working days from the province's policy)."""
    locked = _open_for_findings(actor, inspection)
    if conclusion not in Conclusion.values:
        raise DomainError(_("请选择检查结论。"), code="invalid_conclusion")
    summary = (summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise DomainError(_("请填写检查情况（不超过4000字）。"), code="summary_required")
    if missing := missing_items(locked):
        raise DomainError(
            _("尚有事项未登记检查结果：%(items)s。")
            % {"items": "、".join(i.code for i in missing)},
            code="findings_missing",
        )
    fails = Finding.objects.filter(inspection=locked, outcome=Compliance.FAILS).exists()
    if conclusion == Conclusion.PASSED and fails:
        raise DomainError(
            _("有不符合的事项，结论不能为“未发现问题”。"), code="conclusion_contradicts"
        )
    now = timezone.now()
    locked.conclusion, locked.summary = conclusion, summary
    locked.status = InspectionStatus.FINISHED
    locked.finished_at, locked.finished_by_label = now, actor.label[:128]
    if conclusion == Conclusion.RECTIFY:
        days = policy_for(locked.plan.province_id).rectification_working_days
        locked.rectification_due = deadline(timezone.localdate(now), days).due
    locked.save(
        update_fields=[
            "conclusion",
            "summary",
            "status",
            "finished_at",
            "finished_by_label",
            "rectification_due",
        ]
    )
    if complete_plan_if_done(locked.plan_id):
        locked.plan.status = PlanStatus.COMPLETED
    audit_record(
        actor=actor,
        action="supervision.inspection_finish",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={
            "conclusion": conclusion,
            "summary": summary,
            "rectification_due": locked.rectification_due,
        },
    )
    return locked


@transaction.atomic
def rectification_confirm(*, actor: Actor, inspection: Inspection) -> Inspection:
    """The HR authority over the institution records that the rectification is done."""
    if not can_confirm_rectification(actor, inspection):
        raise PermissionDenied(_("只有属地人社部门可以确认整改完成。"))
    locked = _locked_inspection(inspection)
    if locked.conclusion != Conclusion.RECTIFY or locked.status != InspectionStatus.FINISHED:
        raise InvalidTransition(_("该检查没有整改要求。"), code="no_rectification")
    if locked.rectified_at is not None:
        raise InvalidTransition(_("已确认整改完成。"), code="already_rectified")
    locked.rectified_at = timezone.now()
    locked.save(update_fields=["rectified_at"])
    audit_record(
        actor=actor,
        action="supervision.rectification_confirm",
        obj=locked,
        organisation=locked.institution.organisation,
        changes={
            "rectified_at": locked.rectified_at,
            "due": locked.rectification_due,
            "on_time": locked.rectification_due is None
            or timezone.localdate(locked.rectified_at) <= locked.rectification_due,
        },
    )
    return locked


@transaction.atomic
def plan_publish(*, actor: Actor, plan: InspectionPlan) -> InspectionPlan:
    """Publish the results of an inspection plan whose inspections are all finished (一公开)."""
    _require_manager(actor, plan)
    locked = _locked_plan(plan)
    if locked.kind != PlanKind.INSPECTION:
        raise DomainError(_("外部质量督导选派任务不在此公开。"), code="not_publishable")
    if locked.status not in (PlanStatus.DRAWN, PlanStatus.COMPLETED):
        raise InvalidTransition(_("只有已抽取并检查完成的任务可以公开。"), code="not_drawn")
    unfinished = locked.inspections.exclude(status=InspectionStatus.FINISHED).count()
    if unfinished:
        raise DomainError(_("还有%(n)d个对象未完成检查。") % {"n": unfinished}, code="unfinished")
    locked.status, locked.published_at = PlanStatus.PUBLISHED, timezone.now()
    locked.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        action="supervision.plan_publish",
        obj=locked,
        organisation=locked.organisation,
        changes={"inspections": locked.inspections.count()},
    )
    return locked
