"""The item bank per standard and level, blueprints and assembled papers.

Items are versioned: a change to an item that a paper used makes a new version, so a
sealed paper always shows what the candidates saw.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.catalog.models import StandardLevel, WeightRow
from skillcert.core.models import Job, Organisation
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.itembank.choices import ItemStatus, ItemType, PaperStatus


class AssessmentPoint(models.Model):
    """A 鉴定点 under a knowledge area (a row of the standard's theory weight table)."""

    standard_level = models.ForeignKey(
        StandardLevel, on_delete=models.CASCADE, related_name="assessment_points"
    )
    area = models.ForeignKey(
        WeightRow, verbose_name=_("知识领域"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("鉴定点编号"), max_length=32)
    name = models.CharField(_("鉴定点"), max_length=200)
    importance = models.CharField(_("重要程度"), max_length=1, default="X")  # X core, Y, Z

    class Meta:
        ordering = ["standard_level_id", "code"]
        verbose_name = _("鉴定点")
        verbose_name_plural = _("鉴定点")
        constraints = [
            models.UniqueConstraint(fields=["standard_level", "code"], name="point_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Item(models.Model):
    """One version of an item; ``family`` ties the versions of the same item together."""

    owner = models.ForeignKey(
        Organisation, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    standard_level = models.ForeignKey(
        StandardLevel, on_delete=models.PROTECT, related_name="items"
    )
    point = models.ForeignKey(
        AssessmentPoint, verbose_name=_("鉴定点"), on_delete=models.PROTECT, related_name="items"
    )
    family = models.UUIDField(_("试题族"), db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    type = models.CharField(_("题型"), max_length=16, choices=ItemType.choices)
    stem = models.TextField(_("题干"))
    # Choice items: [{"key": "A", "text": "..."}]; true/false has none.
    options = models.JSONField(_("选项"), default=list, blank=True)
    # Keys: ["B"], ["A", "C"], ["T"] or ["F"]; short answers keep a reference answer.
    answer = models.JSONField(_("答案"), default=list)
    reference_answer = models.TextField(_("参考答案"), blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), validators=[MinValueValidator(1), MaxValueValidator(5)], default=3
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    exposure_count = models.PositiveIntegerField(_("曝光次数"), default=0)
    is_current = models.BooleanField(_("当前版本"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="owner__province_id", city="owner__city_id", institution="owner_id"
    )
    objects = ScopedManager["Item"]()

    class Meta:
        ordering = ["standard_level_id", "point_id", "id"]
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="item_unique_version"),
        ]
        indexes = [
            models.Index(
                fields=["standard_level", "status", "type", "difficulty"], name="item_draw"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.stem[:30]}"


class Blueprint(models.Model):
    """Item counts and points per type for a standard level (default: the classic paper)."""

    standard_level = models.OneToOneField(
        StandardLevel, on_delete=models.CASCADE, related_name="blueprint"
    )
    duration_minutes = models.PositiveSmallIntegerField(_("考试时长（分钟）"), default=90)
    # [{"type": "single", "count": 160, "points": "0.5"}, {"type": "true_false", ...}]
    type_plan = models.JSONField(_("题型配置"), default=list)

    class Meta:
        verbose_name = _("组卷蓝图")
        verbose_name_plural = _("组卷蓝图")

    def __str__(self) -> str:
        return f"{self.standard_level}"


class Paper(models.Model):
    """One assembled form; sealed with the SHA-256 of its content before the window opens."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    standard_level = models.ForeignKey(StandardLevel, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("试卷名称"), max_length=128)
    form_label = models.CharField(_("卷别"), max_length=8)  # A, B, C …
    assembly = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PaperStatus.choices, default=PaperStatus.ASSEMBLED
    )
    total_points = models.DecimalField(
        _("总分"), max_digits=6, decimal_places=2, default=Decimal(100)
    )
    content_sha256 = models.CharField(_("内容哈希"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("封存时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="owner__province_id", city="owner__city_id", institution="owner_id"
    )
    objects = ScopedManager["Paper"]()

    class Meta:
        ordering = ["-created_at", "form_label"]
        verbose_name = _("试卷")
        verbose_name_plural = _("试卷")

    def __str__(self) -> str:
        return f"{self.title} {self.form_label}"


class PaperItem(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="paper_items")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("题号"))
    points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["paper_id", "position"]
        verbose_name = _("试卷试题")
        verbose_name_plural = _("试卷试题")
        constraints = [
            models.UniqueConstraint(fields=["paper", "position"], name="paperitem_unique_position"),
            models.UniqueConstraint(fields=["paper", "item"], name="paperitem_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} #{self.position}"
