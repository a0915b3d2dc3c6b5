"""Regions (GB/T 2260) and the organisation tree: province → city → institution."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.choices import (
    CITY_KINDS,
    PROVINCE_KINDS,
    OrganisationKind,
    RegionLevel,
    ScopeLevel,
)
from skillcert.core.scoping import Scope, ScopedManager


class Region(models.Model):
    """A province or prefecture-level city, keyed by its six-digit GB/T 2260 code."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("级别"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        if self.name == "市辖区" and self.parent is not None:
            return f"{self.parent.name}市辖区"
        return self.name

    @property
    def province_prefix(self) -> str:
        """The two digits that stand for the province (e.g. 53 Yunnan)."""
        return self.code[:2]


class Organisation(models.Model):
    """An authority (HR department, appraisal centre, education department) or an institution.

    ``province`` and ``city`` are copied from the tree so scoping is one indexed filter.
    """

    name = models.CharField(_("名称"), max_length=128)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    province = models.ForeignKey(
        Region, verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+"
    )
    city = models.ForeignKey(
        Region,
        verbose_name=_("地市"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="province_id", city="city_id", institution="pk", person="memberships__user_id"
    )
    objects = ScopedManager["Organisation"]()

    class Meta:
        ordering = ["province_id", "city_id", "kind", "name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "city", "name"],
                name="org_unique_name",
                violation_error_message=_("该地区已存在同名单位。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        if self.kind in PROVINCE_KINDS:
            return ScopeLevel.PROVINCE
        if self.kind in CITY_KINDS:
            return ScopeLevel.CITY
        return ScopeLevel.INSTITUTION

    def clean(self) -> None:
        if self.province_id and self.province.level != RegionLevel.PROVINCE:
            raise ValidationError({"province": _("必须选择省级行政区划。")})
        if self.kind in PROVINCE_KINDS:
            if self.city_id:
                raise ValidationError({"city": _("省级单位不属于某个地市。")})
            return
        city, parent = self.city, self.parent
        if city is None:
            raise ValidationError({"city": _("地市级单位和评价机构必须选择所在地市。")})
        if city.parent_id != self.province_id:
            raise ValidationError({"city": _("所选地市不属于该省份。")})
        if parent is not None and parent.province_id != self.province_id:
            raise ValidationError({"parent": _("上级单位必须在同一省份。")})
