"""The province's supervision parameters, editable by its officials."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import Region


def default_credit_weights() -> dict[str, int]:
    """Points per indicator (national-rules §6.4: the scheme is configurable, no national
    one exists). Negative points are deductions from 100; positive ones additions."""
    return {
        "violation_minor": -5,
        "violation_serious": -15,
        "violation_grave": -30,
        "overdue_filing": -3,
        "rectification_on_time": 5,
        "rectification_late": -10,
        "complaint_upheld": -5,
        "alert_confirmed": -4,
        "data_quality": 10,
        "batch_volume": 5,
        "certificates_queryable": 10,
    }


def default_grade_floors() -> dict[str, int]:
    """The lowest score of each grade; below C's floor is D."""
    return {"A": 90, "B": 75, "C": 60}


class SupervisionPolicy(models.Model):
    """Rules of supervision that differ by province (DESIGN.md "Rules with numbers")."""

    province = models.OneToOneField(
        Region, on_delete=models.PROTECT, primary_key=True, related_name="supervision_policy"
    )
    # 双随机: a target inspected within this many days is not drawn again (practice).
    inspection_exclusion_days = models.PositiveSmallIntegerField(
        _("同一对象抽查间隔（日）"), default=180
    )
    # 投诉举报: a reply within this many working days (practice; 信访 rules use 60 days).
    complaint_reply_working_days = models.PositiveSmallIntegerField(
        _("投诉举报答复时限（工作日）"), default=15, validators=[MinValueValidator(1)]
    )
    # An appeal (复核) is filed within this many working days of the decision (practice).
    appeal_working_days = models.PositiveSmallIntegerField(
        _("申请复核时限（工作日）"), default=15, validators=[MinValueValidator(1)]
    )
    # 特别严重: barred for several years — the years are not in the sources (national-rules §6.1).
    grave_ban_years = models.PositiveSmallIntegerField(
        _("特别严重违纪违规禁考年限"), default=3, validators=[MaxValueValidator(10)]
    )
    # Staff whose qualification is removed may not work in any evaluation for this long.
    staff_ban_years = models.PositiveSmallIntegerField(
        _("工作人员取消资格后禁入年限"), default=3, validators=[MaxValueValidator(10)]
    )
    rectification_working_days = models.PositiveSmallIntegerField(
        _("限期整改时限（工作日）"), default=20, validators=[MinValueValidator(1)]
    )
    # Early warnings.
    pass_rate_margin_points = models.PositiveSmallIntegerField(
        _("合格率高于全省同职业同等级（百分点）预警"),
        default=20,
        validators=[MaxValueValidator(100)],
    )
    pass_rate_min_candidates = models.PositiveSmallIntegerField(
        _("合格率预警最少考生数"), default=10, validators=[MinValueValidator(1)]
    )
    answer_similarity = models.DecimalField(
        _("答题雷同比例预警"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.950"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("1"))],
    )
    answer_pattern_min_items = models.PositiveSmallIntegerField(
        _("答题雷同比对最少错题数"), default=5, validators=[MinValueValidator(1)]
    )
    shared_device_candidates = models.PositiveSmallIntegerField(
        _("同一终端或地址考生数预警"), default=3, validators=[MinValueValidator(2)]
    )
    credit_weights = models.JSONField(_("信用评价指标分值"), default=default_credit_weights)
    credit_grade_floors = models.JSONField(_("信用等级分数线"), default=default_grade_floors)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("监督管理参数")
        verbose_name_plural = _("监督管理参数")

    def __str__(self) -> str:
        return f"{self.province.name} · {self._meta.verbose_name}"
