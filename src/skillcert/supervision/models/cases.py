"""Violation cases, their effects, appeals and integrity records
(技能人才评价违纪违规行为处理工作指引, 人社职司便函〔2021〕57号; 川人社办发〔2020〕20号 五
and 六; 云人社函〔2023〕1号 三)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.models import Region
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import Institution, StaffMember
from skillcert.supervision.choices import (
    AppealStatus,
    CaseGrade,
    CaseSource,
    CaseStatus,
    EffectKind,
    SubjectKind,
)
from skillcert.supervision.models._scopes import INSTITUTION_SCOPE

_CASE_SCOPE = Scope(
    province="institution__organisation__province_id",
    city="institution__organisation__city_id",
    institution="institution__organisation_id",
    person="person__user_id",
)


class ViolationCase(models.Model):
    """A case about a candidate, a staff member or an institution. Deciding it applies
    the grade's effects through the owning services, in one transaction."""

    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    subject_kind = models.CharField(_("处理对象"), max_length=16, choices=SubjectKind.choices)
    # The institution where it happened (or the institution the case is about).
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="violation_cases"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="violation_cases"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.CharField(_("违纪违规等级"), max_length=16, choices=CaseGrade.choices)
    component = models.CharField(
        _("所涉科目"), max_length=16, choices=Component.choices, blank=True
    )
    facts = models.TextField(_("违纪违规事实"))
    basis = models.CharField(_("处理依据"), max_length=200, blank=True)
    source = models.CharField(_("线索来源"), max_length=16, choices=CaseSource.choices)
    inspection = models.ForeignKey(
        "supervision.Inspection", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    complaint = models.ForeignKey(
        "supervision.Complaint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    alert = models.ForeignKey(
        "supervision.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    decision = models.TextField(_("处理决定"), blank=True)
    ban_until = models.DateField(_("禁止参加评价至"), null=True, blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    appeal_due = models.DateField(_("申请复核截止"), null=True, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by_label = models.CharField(max_length=128, blank=True)
    opened_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _CASE_SCOPE
    objects = ScopedManager["ViolationCase"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("违纪违规案件")
        verbose_name_plural = _("违纪违规案件")

    def __str__(self) -> str:
        return self.number


class CaseEffect(models.Model):
    """One effect a decision applied (a voided result, a revoked certificate, a bar …),
    with the object it touched."""

    case = models.ForeignKey(ViolationCase, on_delete=models.PROTECT, related_name="effects")
    kind = models.CharField(_("处理措施"), max_length=24, choices=EffectKind.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=32, blank=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    applied_at = models.DateTimeField()
    lifted_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["case_id", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class IntegrityRecord(models.Model):
    """An entry of a subject's integrity record (诚信档案): people by the blind index of
    their ID number (so a bar reaches every institution and every registry row of that
    person), institutions by their row."""

    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    subject_kind = models.CharField(_("对象"), max_length=16, choices=SubjectKind.choices)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    subject_name = models.CharField(_("姓名或名称"), max_length=128)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="integrity_records"
    )
    case = models.ForeignKey(ViolationCase, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("记录类型"), max_length=24, choices=EffectKind.choices)
    summary = models.CharField(_("摘要"), max_length=200)
    starts_on = models.DateField(_("起始日期"))
    # A bar's last day; empty for records without a period.
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = INSTITUTION_SCOPE
    objects = ScopedManager["IntegrityRecord"]()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["id_number_index", "kind", "ends_on"])]
        verbose_name = _("诚信记录")
        verbose_name_plural = _("诚信记录")

    def __str__(self) -> str:
        return f"{self.subject_name} {self.get_kind_display()}"


class Appeal(models.Model):
    """A request to review a decision (复核) and its outcome."""

    case = models.ForeignKey(ViolationCase, on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField(_("复核理由"))
    filed_by_label = models.CharField(max_length=128)
    filed_at = models.DateTimeField()
    status = models.CharField(
        _("状态"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.FILED
    )
    outcome_note = models.TextField(_("复核意见"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_label = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["case_id", "pk"]

    def __str__(self) -> str:
        return f"{self.case} {self.get_status_display()}"
