"""Aggregates kept up to date batch by batch, student coverage, and training records
for the lifelong skill record (DESIGN.md step 10; 粤人社函〔2021〕76号 五(二))."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Batch
from skillcert.catalog.models import Occupation
from skillcert.core.choices import SkillLevel
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.enrollment.models import Person
from skillcert.institutions.models import Institution
from skillcert.stats.choices import TrainingOutcome


class BatchStat(models.Model):
    """A batch's counts for one month: results decided that month and certificates
    issued that month, with the dimensions copied so a dashboard groups without joins.
    Rebuilt from the records whenever the batch is marked stale (never hand-edited)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    province_code = models.CharField(max_length=6)
    city_code = models.CharField(max_length=6, blank=True)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    institution_type = models.CharField(max_length=32)
    occupation_code = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField(choices=SkillLevel.choices)
    # Results (one per application that reached results) decided in the month.
    results = models.PositiveIntegerField(default=0)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    void = models.PositiveIntegerField(default=0)
    # Certificates issued in the month, and how many of them are valid / revoked now.
    certificates = models.PositiveIntegerField(default=0)
    certificates_valid = models.PositiveIntegerField(default=0)
    certificates_revoked = models.PositiveIntegerField(default=0)
    # Of the certificates, those whose holder was a student of the graduating year.
    student_certificates = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[Scope] = Scope(
        province="province_code",
        city="city_code",
        institution="institution__organisation_id",
    )
    objects = ScopedManager["BatchStat"]()

    class Meta:
        verbose_name = _("批次统计")
        verbose_name_plural = _("批次统计")
        constraints = [
            models.UniqueConstraint(fields=["batch", "month"], name="batch_stat_one_per_month")
        ]
        indexes = [
            models.Index(fields=["province_code", "month"]),
            models.Index(fields=["province_code", "occupation_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.month:%Y-%m}"


class StaleBatch(models.Model):
    """A batch whose counts must be rebuilt: written in the transaction that changed it
    (cheap, no contention on the aggregate rows), drained by the refresh task."""

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.batch_id}"


class StudentCoverage(models.Model):
    """Graduating students of one school and major in one year, from the education
    department's registry, and how many of them hold a valid certificate
    (云人社通〔2023〕23号 应评尽评; 沪人社职〔2022〕102号 80% of majors)."""

    province_code = models.CharField(max_length=6)
    city_code = models.CharField(max_length=6, blank=True)
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    school = models.CharField(_("学校"), max_length=128)
    major_code = models.CharField(_("专业代码"), max_length=16, blank=True)
    major = models.CharField(_("专业"), max_length=128)
    graduating = models.PositiveIntegerField(_("毕业生人数"), default=0)
    certified = models.PositiveIntegerField(_("取得证书人数"), default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[Scope] = Scope(province="province_code", city="city_code")
    objects = ScopedManager["StudentCoverage"]()

    class Meta:
        verbose_name = _("学生取证覆盖")
        verbose_name_plural = _("学生取证覆盖")
        constraints = [
            models.UniqueConstraint(
                fields=["province_code", "graduation_year", "school", "major_code", "major"],
                name="student_coverage_one_per_major",
            )
        ]

    def __str__(self) -> str:
        return f"{self.graduation_year} {self.school} {self.major}"


class TrainingRecord(models.Model):
    """A training course a person took at an institution (培训记录), for the lifelong
    skill record (技能银行账户, 粤人社函〔2021〕76号 五(二))."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_records")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    course = models.CharField(_("培训项目"), max_length=128)
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(
        _("等级"), choices=SkillLevel.choices, null=True, blank=True
    )
    hours = models.PositiveSmallIntegerField(_("学时"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    outcome = models.CharField(
        _("培训结果"),
        max_length=16,
        choices=TrainingOutcome.choices,
        default=TrainingOutcome.IN_PROGRESS,
    )
    certificate_number = models.CharField(_("培训合格证书编号"), max_length=64, blank=True)
    recorded_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="institution__organisation__province_id",
        city="institution__organisation__city_id",
        institution="institution__organisation_id",
        person="person__user_id",
    )
    objects = ScopedManager["TrainingRecord"]()

    class Meta:
        ordering = ["person_id", "-started_on"]
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")

    def __str__(self) -> str:
        return f"{self.course} ({self.started_on})"
