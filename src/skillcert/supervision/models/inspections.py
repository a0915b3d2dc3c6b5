"""双随机一公开: a plan, its recorded draw, the inspections drawn and what they found
(川人社办发〔2020〕20号 五(一); 人社职司便函〔2020〕53号 for external supervisors)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Batch, Session
from skillcert.core.models import Organisation, Region, User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import (
    Compliance,
    Conclusion,
    InspectionStatus,
    NoteKind,
    PlanKind,
    PlanStatus,
    SupervisionMode,
    TargetKind,
)
from skillcert.supervision.models._scopes import AUTHORITY_SCOPE
from skillcert.supervision.models.pool import CheckItem, PoolMember


class InspectionPlan(models.Model):
    """One random task: the target pool (filters), the people pool, the draw, the results.

    ``kind`` says whether inspectors check institutions or batches against the spot-check
    list, or external supervisors are sent to batches or sessions."""

    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    kind = models.CharField(_("任务类型"), max_length=24, choices=PlanKind.choices)
    title = models.CharField(_("任务名称"), max_length=128)
    target_kind = models.CharField(_("抽查对象"), max_length=16, choices=TargetKind.choices)
    # What may be drawn: {"cities": [...], "institution_types": [...], "batch_statuses":
    # [...], "occupation_codes": [...], "from": "YYYY-MM-DD", "until": "YYYY-MM-DD"}.
    target_filters = models.JSONField(_("抽查对象范围"), default=dict, blank=True)
    target_count = models.PositiveSmallIntegerField(_("抽取对象数"))
    members_per_target = models.PositiveSmallIntegerField(_("每个对象选派人数"), default=2)
    items = models.ManyToManyField(
        CheckItem, blank=True, related_name="+", verbose_name=_("抽查事项")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    scope: ClassVar[Scope] = AUTHORITY_SCOPE
    objects = ScopedManager["InspectionPlan"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")

    def __str__(self) -> str:
        return self.title


class DrawRecord(models.Model):
    """Everything a draw used and produced: ``manage.py replay_draw <plan id>`` runs the
    same algorithm on the stored inputs and must produce the stored outputs."""

    plan = models.OneToOneField(InspectionPlan, on_delete=models.PROTECT, related_name="draw")
    algorithm = models.CharField(max_length=16)
    seed = models.CharField(max_length=64)
    # Inputs, in the order the algorithm reads them.
    targets = models.JSONField(default=list)  # eligible target ids, ascending
    excluded_targets = models.JSONField(default=dict)  # {id: reason} (recently inspected, …)
    members = models.JSONField(default=list)  # active pool member ids, ascending
    conflicts = models.JSONField(default=dict)  # {target id: [member ids it may not get]}
    target_count = models.PositiveSmallIntegerField()
    members_per_target = models.PositiveSmallIntegerField()
    # Outputs.
    selected = models.JSONField(default=list)  # target ids in draw order
    assignments = models.JSONField(default=dict)  # {target id: [member ids]}
    inputs_sha256 = models.CharField(max_length=64)
    drawn_by_label = models.CharField(max_length=128)
    drawn_at = models.DateTimeField()

    class Meta:
        verbose_name = _("抽取记录")
        verbose_name_plural = _("抽取记录")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.seed[:8]}"


class Inspection(models.Model):
    """One drawn target: an institution, a batch or a session, and its people."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.PROTECT, related_name="inspections")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="inspections"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    mode = models.CharField(
        _("督导方式"), max_length=16, choices=SupervisionMode.choices, blank=True
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=InspectionStatus.choices,
        default=InspectionStatus.ASSIGNED,
    )
    conclusion = models.CharField(
        _("检查结论"), max_length=16, choices=Conclusion.choices, blank=True
    )
    summary = models.TextField(_("检查情况"), blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    finished_by_label = models.CharField(max_length=128, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="institution__organisation__province_id",
        city="institution__organisation__city_id",
        institution="institution__organisation_id",
        person="assignments__member__user_id",
    )
    objects = ScopedManager["Inspection"]()

    class Meta:
        ordering = ["plan_id", "pk"]
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")

    def __str__(self) -> str:
        return f"{self.plan} · {self.institution}"


class InspectionAssignment(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(PoolMember, on_delete=models.PROTECT, related_name="assignments")
    is_lead = models.BooleanField(_("组长"), default=False)

    class Meta:
        ordering = ["inspection_id", "-is_lead", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "member"], name="inspection_member_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.member}"


class Finding(models.Model):
    """An inspector's result for one spot-check item."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("检查结果"), max_length=8, choices=Compliance.choices)
    note = models.TextField(_("情况说明"), blank=True)
    recorded_by_label = models.CharField(max_length=128)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["inspection_id", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="finding_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.item_id} {self.outcome}"


class InspectionEvidence(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="evidence")
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="inspections/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by_label = models.CharField(max_length=128)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection_id", "pk"]

    def __str__(self) -> str:
        return self.original_name


class SupervisionNote(models.Model):
    """A line of the session's 考场记录表 kept by an external supervisor."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="supervision_notes"
    )
    kind = models.CharField(_("记录类型"), max_length=16, choices=NoteKind.choices)
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("记录内容"))
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    author_label = models.CharField(_("记录人"), max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["inspection_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.inspection_id} {self.kind} {self.at:%H:%M}"
