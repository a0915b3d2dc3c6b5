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
    ChangeStatus,
    DeliveryEvent,
    DeliveryStatus,
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
    # The certificate's bit in its institution's Bitstring Status List (revocation).
    status_index = models.PositiveIntegerField(null=True, blank=True)
    # Salt of the ID number's hash in the credential; kept so every version hashes alike.
    id_salt = models.CharField(max_length=32, blank=True)
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
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "status_index"], name="certificate_status_index_unique"
            )
        ]

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


class StatusListPublication(models.Model):
    """The signed Bitstring Status List credential an institution publishes (one list per
    issuer); re-signed whenever a certificate of the institution is revoked."""

    institution = models.OneToOneField(
        Institution, on_delete=models.PROTECT, related_name="status_list"
    )
    credential = models.JSONField()
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("证书状态列表")
        verbose_name_plural = _("证书状态列表")

    def __str__(self) -> str:
        return f"{self.institution_id} r{self.revision}"


class ChangeRequest(models.Model):
    """An application to correct (修改) or reissue (遗失补发) a certificate. Approval makes
    a new :class:`CertificateVersion`; the number is kept."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=VersionReason.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.SUBMITTED
    )
    # Corrected printed fields (e.g. holder_name, id_type), field name → new value.
    changes = models.JSONField(_("更正内容"), default=dict, blank=True)
    # A corrected ID number travels encrypted, never in ``changes``.
    new_id_number = EncryptedTextField(_("更正后的证件号码"), kind="id", blank=True)
    reason = models.TextField(_("申请理由"))
    evidence = models.FileField(_("证明材料"), upload_to="certificate_changes/%Y/%m/", blank=True)
    requested_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by_label = models.CharField(max_length=128, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    version = models.ForeignKey(
        CertificateVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    scope: ClassVar[Scope] = Scope(
        province="certificate__institution__organisation__province_id",
        city="certificate__institution__organisation__city_id",
        institution="certificate__institution__organisation_id",
        person="certificate__person__user_id",
    )
    objects = ScopedManager["ChangeRequest"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("证书修改/补发申请")
        verbose_name_plural = _("证书修改/补发申请")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=models.Q(status="submitted"),
                name="changerequest_one_open_per_certificate",
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.status}"


class OutboxMessage(models.Model):
    """A certificate record waiting for (or done with) delivery to the national/provincial
    query system (粤人社函〔2021〕76号 五(六)). Written in the transaction that changed the
    certificate; the idempotency key makes a repeated delivery harmless at the receiver."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="outbox")
    version = models.PositiveSmallIntegerField()
    event = models.CharField(max_length=16, choices=DeliveryEvent.choices)
    idempotency_key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("推送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次推送时间"))
    last_error = models.TextField(_("最近错误"), blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(_("推送成功时间"), null=True, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="certificate__institution__organisation__province_id",
        city="certificate__institution__organisation__city_id",
        institution="certificate__institution__organisation_id",
    )
    objects = ScopedManager["OutboxMessage"]()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("证书数据推送")
        verbose_name_plural = _("证书数据推送")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self) -> str:
        return self.idempotency_key
