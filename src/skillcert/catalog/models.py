"""The occupational catalogue (职业分类大典 2022), work types and skill standards.

Not tenant-owned: the catalogue and the standards are public reference data that every
role reads; officials maintain them through services.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.catalog.choices import CatalogSource, OccupationTier, StandardKind, WeightTable
from skillcert.core.choices import SkillLevel


class Occupation(models.Model):
    """A node of the 大典: 大类, 中类, 小类 or 职业 (only 职业 are evaluated)."""

    code = models.CharField(_("职业编码"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    tier = models.PositiveSmallIntegerField(_("层级"), choices=OccupationTier.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # 2022 大典 markers: S 数字职业, L 绿色职业 (kept as flags, not in the name).
    is_digital = models.BooleanField(_("数字职业"), default=False)
    is_green = models.BooleanField(_("绿色职业"), default=False)
    gbm_code = models.CharField(_("GBM代码"), max_length=8, blank=True)
    definition = models.TextField(_("职业定义"), blank=True)
    tasks = models.TextField(_("主要工作任务"), blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=64, blank=True, db_index=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=CatalogSource.choices, default=CatalogSource.CSCO2022
    )
    published_by = models.CharField(_("发布文件"), max_length=128, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("职业")
        verbose_name_plural = _("职业")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WorkType(models.Model):
    """A 工种 under an occupation; the 大典 gives them no code, some standards do."""

    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="work_types")
    name = models.CharField(_("工种名称"), max_length=128)
    code = models.CharField(_("工种编码"), max_length=20, blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=64, blank=True, db_index=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=CatalogSource.choices, default=CatalogSource.PUBLISHED
    )
    published_by = models.CharField(_("发布文件"), max_length=128, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["occupation__code", "name"]
        verbose_name = _("工种")
        verbose_name_plural = _("工种")
        constraints = [
            models.UniqueConstraint(fields=["occupation", "name"], name="worktype_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.occupation.name}（{self.name}）"


class Standard(models.Model):
    """A national skill standard or a filed evaluation specification for one occupation."""

    kind = models.CharField(_("类型"), max_length=16, choices=StandardKind.choices)
    title = models.CharField(_("标准名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=64)
    year = models.PositiveSmallIntegerField(_("发布年份"))
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("职业"), on_delete=models.PROTECT, related_name="standards"
    )
    # Empty: the standard covers the whole occupation.
    work_types = models.ManyToManyField(
        WorkType, verbose_name=_("工种"), blank=True, related_name="standards"
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    is_active = models.BooleanField(_("现行有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occupation__code", "-year"]
        verbose_name = _("职业技能标准")
        verbose_name_plural = _("职业技能标准")

    def __str__(self) -> str:
        return f"{self.title}（{self.document_number}）"


class StandardLevel(models.Model):
    """What a standard says for one level: eligibility, durations, staffing (§1.8, §1.9)."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    # 申报条件: a list of routes, any of which qualifies (catalog.eligibility validates).
    eligibility_routes = models.JSONField(_("申报条件"), default=list, blank=True)
    theory_minutes = models.PositiveSmallIntegerField(_("理论知识考试时间（分钟）"), default=90)
    practical_minutes = models.PositiveSmallIntegerField(_("操作技能考核时间（分钟）"), default=120)
    review_minutes = models.PositiveSmallIntegerField(
        _("综合评审时间（分钟）"), null=True, blank=True
    )
    candidates_per_proctor = models.PositiveSmallIntegerField(
        _("监考人员配比（考生数）"), default=15
    )
    min_proctors_per_room = models.PositiveSmallIntegerField(_("每考场最少监考人员"), default=2)
    candidates_per_examiner = models.PositiveSmallIntegerField(
        _("考评人员配比（考生数）"), default=5
    )
    min_examiners = models.PositiveSmallIntegerField(_("最少考评人员"), default=3)
    min_review_panel = models.PositiveSmallIntegerField(_("综合评审最少委员"), default=3)

    class Meta:
        ordering = ["standard_id", "-level"]
        verbose_name = _("标准等级要求")
        verbose_name_plural = _("标准等级要求")
        constraints = [
            models.UniqueConstraint(fields=["standard", "level"], name="standardlevel_unique")
        ]

    def __str__(self) -> str:
        return f"{self.standard.title} · {self.get_level_display()}"

    @property
    def needs_review(self) -> bool:
        """Levels 2 and 1 add a performance review (川人社办发〔2020〕20号 附件4)."""
        return self.level <= SkillLevel.TWO


class WeightRow(models.Model):
    """One row of a 权重表 for one level: a knowledge area or function and its share."""

    standard_level = models.ForeignKey(
        StandardLevel, on_delete=models.CASCADE, related_name="weights"
    )
    table = models.CharField(_("权重表"), max_length=8, choices=WeightTable.choices)
    position = models.PositiveSmallIntegerField(_("序号"))
    code = models.CharField(_("编号"), max_length=16, blank=True)
    name = models.CharField(_("项目"), max_length=128)
    percent = models.DecimalField(
        _("比重（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["standard_level_id", "table", "position"]
        verbose_name = _("权重")
        verbose_name_plural = _("权重")
        constraints = [
            models.UniqueConstraint(
                fields=["standard_level", "table", "position"], name="weightrow_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.percent}%"
