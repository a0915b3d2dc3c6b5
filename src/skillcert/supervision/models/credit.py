"""Institution credit scores and grades (川人社办发〔2020〕20号 五(二) 信用评价;
粤人社函〔2021〕76号 五: 评价机构排名公示)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import CreditGrade
from skillcert.supervision.models._scopes import INSTITUTION_SCOPE


class CreditScore(models.Model):
    """One computation of an institution's credit; the latest per institution is current,
    the earlier ones are its history."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="credit_scores"
    )
    computed_on = models.DateField(_("评价日期"))
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    score = models.DecimalField(_("信用分"), max_digits=5, decimal_places=1)
    grade = models.CharField(_("信用等级"), max_length=1, choices=CreditGrade.choices)
    # {indicator code: {"value": number, "points": number}}
    indicators = models.JSONField(_("指标明细"), default=dict)
    rank = models.PositiveIntegerField(_("全省排名"), null=True, blank=True)
    is_current = models.BooleanField(default=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = INSTITUTION_SCOPE
    objects = ScopedManager["CreditScore"]()

    class Meta:
        ordering = ["-computed_on", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "computed_on"], name="credit_once_a_day")
        ]
        indexes = [models.Index(fields=["is_current", "rank"])]
        verbose_name = _("信用评价")
        verbose_name_plural = _("信用评价")

    def __str__(self) -> str:
        return f"{self.institution} {self.computed_on} {self.grade}"
