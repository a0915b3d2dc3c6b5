"""Early warnings (预警): computed by a scheduled scan, one row per rule and subject."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Batch
from skillcert.core.models import Region, User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import AlertClosure, AlertRule, AlertSeverity, AlertStatus


class Alert(models.Model):
    """A rule that fired for one subject. ``key`` names the subject within the rule, so a
    scan that finds it again updates the row instead of adding one."""

    rule = models.CharField(_("预警规则"), max_length=32, choices=AlertRule.choices)
    key = models.CharField(max_length=128)
    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="alerts")
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    severity = models.CharField(_("级别"), max_length=16, choices=AlertSeverity.choices)
    title = models.CharField(_("预警内容"), max_length=200)
    # [{"label": str, "type": "app_label.model", "id": int|str, "value": str}] — each
    # evidence line names the record it rests on; pages turn it into a link.
    evidence = models.JSONField(_("证据"), default=list)
    status = models.CharField(
        _("状态"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    still_firing = models.BooleanField(_("仍在触发"), default=True)
    first_seen_at = models.DateTimeField(_("首次发现"))
    last_seen_at = models.DateTimeField(_("最近发现"))
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    closure = models.CharField(
        _("办结方式"), max_length=16, choices=AlertClosure.choices, blank=True
    )
    closure_note = models.TextField(_("办结说明"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by_label = models.CharField(max_length=128, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="institution__organisation__province_id",
        city="institution__organisation__city_id",
    )
    objects = ScopedManager["Alert"]()

    class Meta:
        ordering = ["status", "-last_seen_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="alert_rule_key")]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")

    def __str__(self) -> str:
        return f"{self.get_rule_display()} · {self.title}"
