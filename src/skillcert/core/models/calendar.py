"""The State Council holiday schedule, entered as data for each year.

A loaded year overrides the chinese-calendar library, which knows years only up to
its release; see core.workdays.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidaySchedule(models.Model):
    """One year's official schedule (国务院办公厅关于节假日安排的通知)."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    source = models.CharField(_("依据文件"), max_length=200)
    loaded_at = models.DateTimeField(_("录入时间"), auto_now=True)
    loaded_by_label = models.CharField(_("录入人"), max_length=128, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self) -> str:
        return f"{self.year} · {self.source}"


class HolidayDay(models.Model):
    """A day the schedule changes: a holiday off work, or a weekend made a working day (调休)."""

    schedule = models.ForeignKey(HolidaySchedule, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("节日"), max_length=32, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
