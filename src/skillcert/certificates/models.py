"""Certificates (DESIGN.md lifecycle step 7): numbers, versions, issuance runs.

A :class:`Certificate` is a snapshot of what is printed (人社鉴发〔2021〕1号): the
holder's name and ID, occupation, work type, level, the institution's filed name and the
issue date, taken when it is issued, so later edits of the person or catalogue never change
an issued certificate. Corrections and reissues add a :class:`CertificateVersion`; the
number stays. An :class:`IssuanceRun` records the background issuance of a batch.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Batch
from skillcert.certificates.choices import (
    RUN_ACTIVE,
    CertificateStatus,
    RunStatus,
    VersionReason,
)
from skillcert.core.choices import IdType, SkillLevel
from skillcert.core.fields import EncryptedTextField
from skillcert.core.models import Job, Membership
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import Institution

NO_WORK_TYPE = "--"  # 人社鉴发〔2021〕1号: the work type reads "--" when there is none


class Certificate(models.Model):
    """One 职业技能等级证书: one per application (an application belongs to one batch)."""

    # 人社鉴发〔2019〕2号: 22 characters, see ``certificates.numbering``.
    number = models.CharField(_("证书编号"), max_length=22, unique=True)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="certificate"
    )
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="certificates")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="certificates"
    )
    # The printed facts, frozen at issue.
    holder_name = models.CharField(_("姓名"), max_length=64)
    id_type = models.CharField(_("证件类型"), max_length=32, choices=IdType.choices)
    id_number = EncryptedTextField(_("证件号码"), kind="id")
    id_number_index = models.CharField(max_length=64, db_index=True)
    occupation_code = models.CharField(_("职业编码"), max_length=16)
    occupation_name = models.CharField(_("职业名称"), max_length=128)
    work_type_name = models.CharField(_("工种"), max_length=128, default=NO_WORK_TYPE)
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    institution_name = models.CharField(_("评价机构"), max_length=200)
    issue_date = models.DateField(_("发证日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    version = models.PositiveSmallIntegerField(_("当前版本"), default=1)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.TextField(_("撤销原因"), blank=True)
    issued_by_label = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="institution__organisation__province_id",
        city="institution__organisation__city_id",
        institution="institution__organisation_id",
        person="person__user_id",
    )
    objects = ScopedManager["Certificate"]()

    class Meta:
        ordering = ["number"]
        verbose_name = _("职业技能等级证书")
        verbose_name_plural = _("职业技能等级证书")
        indexes = [models.Index(fields=["batch", "number"], name="certificate_batch_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.holder_name}"


class CertificateVersion(models.Model):
    """Every version of a certificate is kept; a newer one supersedes the earlier PDF."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveSmallIntegerField(_("版本"))
    reason = models.CharField(_("原因"), max_length=16, choices=VersionReason.choices)
    note = models.TextField(_("说明"), blank=True)
    # Filled by the PDF and credential work once rendered and signed.
    pdf = models.FileField(_("电子证书"), upload_to="certificates/%Y/%m/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    credential = models.JSONField(_("可验证凭证"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by_label = models.CharField(max_length=128, blank=True)
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="certificate__institution__organisation__province_id",
        city="certificate__institution__organisation__city_id",
        institution="certificate__institution__organisation_id",
        person="certificate__person__user_id",
    )
    objects = ScopedManager["CertificateVersion"]()

    class Meta:
        ordering = ["certificate_id", "version"]
        verbose_name = _("证书版本")
        verbose_name_plural = _("证书版本")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "version"], name="certversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} v{self.version}"


class IssuanceRun(models.Model):
    """The background issuance of a batch's certificates, with its progress. One
    transaction per certificate: a run that broke off is resumed and skips what it issued."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="issuance_runs")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("合格人数"), default=0)
    done = models.PositiveIntegerField(_("已发证"), default=0)
    # Graduating-year students whose diploma is not verified yet (云人社通〔2023〕23号).
    held = models.PositiveIntegerField(_("待核验毕业证书暂缓发证"), default=0)
    error = models.TextField(_("错误信息"), blank=True)
    # Who started it: the task acts through this membership (or as the system label).
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Bumped after every certificate: a running run that stops moving has broken off.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="batch__institution__organisation__province_id",
        city="batch__institution__organisation__city_id",
        institution="batch__institution__organisation_id",
    )
    objects = ScopedManager["IssuanceRun"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("发证任务")
        verbose_name_plural = _("发证任务")
        constraints = [
            models.UniqueConstraint(
                fields=["batch"],
                condition=models.Q(status__in=sorted(RUN_ACTIVE)),
                name="issuancerun_one_active_per_batch",
            )
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.get_status_display()} {self.done}/{self.total}"
