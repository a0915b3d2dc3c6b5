"""Evaluation batches (认定计划): what, where, when and by whom one evaluation happens."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import (
    BATCH_EDITABLE,
    BATCH_FROZEN,
    AssessmentMode,
    BatchStatus,
    Component,
    RoomKind,
    SessionStatus,
    StaffRole,
)
from skillcert.catalog.models import Occupation, StandardLevel, WorkType
from skillcert.core.choices import SkillLevel
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.models import Institution, Site, StaffMember

_PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]

_BATCH_SCOPE = Scope(
    province="batch__institution__organisation__province_id",
    city="batch__institution__organisation__city_id",
    institution="batch__institution__organisation_id",
)


class Room(models.Model):
    """A room at one of the institution's sites, with its capacity."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("考场名称"), max_length=64)
    kind = models.CharField(_("类型"), max_length=16, choices=RoomKind.choices)
    capacity = models.PositiveSmallIntegerField(_("座位数"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("启用"), default=True)

    scope: ClassVar[Scope] = Scope(
        province="site__institution__organisation__province_id",
        city="site__institution__organisation__city_id",
        institution="site__institution__organisation_id",
    )
    objects = ScopedManager["Room"]()

    class Meta:
        ordering = ["site_id", "name"]
        verbose_name = _("考场")
        verbose_name_plural = _("考场")
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return f"{self.site.name} {self.name}"


class Batch(models.Model):
    """One occupation (work type) × level × standard at one institution (DESIGN.md step 2)."""

    institution = models.ForeignKey(
        Institution, verbose_name=_("评价机构"), on_delete=models.PROTECT, related_name="batches"
    )
    code = models.CharField(_("批次编号"), max_length=32, unique=True)
    title = models.CharField(_("批次名称"), max_length=128)
    standard_level = models.ForeignKey(
        StandardLevel, verbose_name=_("评价依据"), on_delete=models.PROTECT, related_name="+"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("职业"), on_delete=models.PROTECT, related_name="+"
    )
    work_type = models.ForeignKey(
        WorkType,
        verbose_name=_("工种"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    mode = models.CharField(
        _("评价方式"),
        max_length=16,
        choices=AssessmentMode.choices,
        default=AssessmentMode.STANDARD,
    )
    planned_candidates = models.PositiveIntegerField(
        _("计划人数"), validators=[MinValueValidator(1)]
    )
    enrollment_opens = models.DateField(_("报名开始"))
    enrollment_closes = models.DateField(_("报名截止"))
    status = models.CharField(
        _("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT
    )
    # 川人社办发〔2020〕20号 附件4: filed within 30 working days after enrollment closes,
    # and before the first session.
    filing_due = models.DateField(_("报备期限"), null=True, blank=True)
    filing_due_provisional = models.BooleanField(default=False)
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    returned_reason = models.TextField(_("退回原因"), blank=True)
    frozen_at = models.DateTimeField(_("配置冻结时间"), null=True, blank=True)
    # Share of each component in the reported total (weights set by the institution,
    # 川人社办发〔2020〕20号 附件4); passing needs every component ≥ its pass mark.
    theory_weight = models.DecimalField(
        _("理论（或课程）权重%"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(30),
        validators=_PERCENT,
    )
    practical_weight = models.DecimalField(
        _("操作技能权重%"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(70),
        validators=_PERCENT,
    )
    review_weight = models.DecimalField(
        _("综合评审权重%"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=_PERCENT,
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("各科合格分"), default=60, validators=[MaxValueValidator(100)]
    )
    # A component whose pass mark differs from ``pass_mark``: {"review": 70}.
    component_pass_marks = models.JSONField(_("单科合格分"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="institution__organisation__province_id",
        city="institution__organisation__city_id",
        institution="institution__organisation_id",
        person="applications__person__user_id",
    )
    objects = ScopedManager["Batch"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("认定批次")
        verbose_name_plural = _("认定批次")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def needs_review(self) -> bool:
        """Levels 2 and 1 add a performance review (川人社办发〔2020〕20号 附件4)."""
        return self.level <= SkillLevel.TWO

    @property
    def components(self) -> list[str]:
        """The components a candidate must pass, in order."""
        first = Component.COURSE if self.mode == AssessmentMode.PROCESS else Component.THEORY
        parts: list[str] = [first, Component.PRACTICAL]
        return [*parts, Component.REVIEW] if self.needs_review else parts

    def pass_mark_for(self, component: str) -> Decimal:
        """The pass mark of one component (each is scored out of 100 and must pass on its
        own, 川人社办发〔2020〕20号 附件4)."""
        return Decimal(self.component_pass_marks.get(component, self.pass_mark))

    def weight_for(self, component: str) -> Decimal:
        """The component's share of the reported total; the course score takes theory's."""
        if component == Component.PRACTICAL:
            return self.practical_weight
        if component == Component.REVIEW:
            return self.review_weight
        return self.theory_weight

    @property
    def scheduled_components(self) -> list[str]:
        """The components sat in a session: a course score (过程考核, 沪人社职〔2022〕102号
        附件 二(二)) comes from the school's own course exam, not from a session."""
        return [c for c in self.components if c != Component.COURSE]

    @property
    def is_editable(self) -> bool:
        """Draft or returned: the institution may change the whole plan."""
        return self.status in BATCH_EDITABLE

    @property
    def is_frozen(self) -> bool:
        """A session has opened: the configuration may no longer change (DESIGN.md step 4)."""
        return self.frozen_at is not None or self.status in BATCH_FROZEN


class Session(models.Model):
    """A scheduled sitting (场次) of one component in one room."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="sessions")
    component = models.CharField(_("考核科目"), max_length=16, choices=Component.choices)
    room = models.ForeignKey(
        Room, verbose_name=_("考场"), on_delete=models.PROTECT, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"), validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )

    scope: ClassVar[Scope] = _BATCH_SCOPE
    objects = ScopedManager["Session"]()

    class Meta:
        ordering = ["batch_id", "starts_at"]
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        # Double-booking checks look up a room's sessions by time.
        indexes = [models.Index(fields=["room", "starts_at"], name="session_room_time")]

    def __str__(self) -> str:
        start = timezone.localtime(self.starts_at)
        return f"{self.get_component_display()} {start:%Y-%m-%d %H:%M} {self.room.name}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def overlaps(self, other: Session) -> bool:
        return self.starts_at < other.ends_at and other.starts_at < self.ends_at


class StaffAssignment(models.Model):
    """A registry member's role in a batch, for one session or the whole batch."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("职责"), max_length=24, choices=StaffRole.choices)
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )

    scope: ClassVar[Scope] = _BATCH_SCOPE
    objects = ScopedManager["StaffAssignment"]()

    class Meta:
        ordering = ["batch_id", "role"]
        verbose_name = _("人员安排")
        verbose_name_plural = _("人员安排")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "staff", "role", "session"],
                name="assignment_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff.full_name} · {self.get_role_display()}"
