"""The province's inspector pool, its external supervisors and its spot-check list
(川人社办发〔2020〕20号 五(一): 监管对象数据库、质量督导数据库、随机抽查事项清单)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.models import Organisation, Region, User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.supervision.choices import PoolKind, TargetKind


class PoolMember(models.Model):
    """Someone the province may draw: an inspector (检查人员) or an external quality
    supervisor (外部质量督导员, 人社职司便函〔2020〕53号)."""

    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    pool = models.CharField(_("人员库"), max_length=24, choices=PoolKind.choices)
    full_name = models.CharField(_("姓名"), max_length=64)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="pool_memberships"
    )
    # Their own organisation: never drawn for it (conflict of interest).
    affiliation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在单位"),
    )
    employer = models.CharField(_("工作单位"), max_length=128, blank=True)
    # 外督 card (Jiangxi example): R + 2-digit province + 2-digit year + 4-digit serial.
    card_number = models.CharField(_("督导员证号"), max_length=16, blank=True)
    is_active = models.BooleanField(_("在库"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="province_id", city="affiliation__city_id", person="user_id"
    )
    objects = ScopedManager["PoolMember"]()

    class Meta:
        ordering = ["province_id", "pool", "pk"]
        verbose_name = _("检查督导人员")
        verbose_name_plural = _("检查督导人员")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.get_pool_display()}）"


class CheckItem(models.Model):
    """One line of the 随机抽查事项清单: what is checked, on what basis, how."""

    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("事项编号"), max_length=16)
    title = models.CharField(_("抽查事项"), max_length=200)
    basis = models.CharField(_("依据"), max_length=200)
    method = models.CharField(_("检查方式"), max_length=200, blank=True)
    applies_to = models.CharField(_("抽查对象"), max_length=16, choices=TargetKind.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    # Not scoped: the list is public (一公开); selectors filter by province.

    class Meta:
        ordering = ["province_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="checkitem_code_unique")
        ]
        verbose_name = _("随机抽查事项")
        verbose_name_plural = _("随机抽查事项")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
