"""The records registry: what each batch's archive holds, for how long, and how a
record may leave it (an approved disposal list, never otherwise) — DESIGN.md step 9,
云人社函〔2023〕1号 二(三)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.archives.choices import (
    DisposalStatus,
    DossierStatus,
    RecordStatus,
    RecordType,
    RetentionClass,
)
from skillcert.batches.models import Batch
from skillcert.core.models import Job, Organisation, Region
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.models import Institution

_SCOPE = Scope(
    province="institution__organisation__province_id",
    city="institution__organisation__city_id",
    institution="institution__organisation_id",
)


class ArchiveRecord(models.Model):
    """One record type of one batch (a volume of the batch's archive) with its class,
    the date it may be disposed of (none: kept long-term), and its frozen copy."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="archive_records")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(_("档案类型"), max_length=32, choices=RecordType.choices)
    retention_class = models.CharField(_("保管期限"), max_length=16, choices=RetentionClass.choices)
    retention_years = models.PositiveSmallIntegerField(_("保存年限"), null=True, blank=True)
    archived_on = models.DateField(_("归档日期"))
    keep_until = models.DateField(_("保管至"), null=True, blank=True)  # None: 长期
    items = models.PositiveIntegerField(_("件数"), default=0)
    file = models.FileField(_("归档文件"), upload_to="archives/records/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # Where a record the system does not hold itself is kept (the video archive).
    note = models.TextField(_("存放位置及说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.KEPT
    )
    disposed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _SCOPE
    objects = ScopedManager["ArchiveRecord"]()

    class Meta:
        ordering = ["batch_id", "record_type"]
        verbose_name = _("档案记录")
        verbose_name_plural = _("档案记录")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "record_type"], name="archive_record_one_per_type"
            )
        ]
        indexes = [models.Index(fields=["status", "keep_until"])]

    def __str__(self) -> str:
        return f"{self.batch.code} · {self.get_record_type_display()}"


class LegalHold(models.Model):
    """A hold placed by an HR authority (an inquiry, a complaint, a court): no record of
    its subject is disposed of while it stands. Subject: an institution or one batch."""

    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    placed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    reason = models.TextField(_("保全原因"))
    placed_by_label = models.CharField(max_length=128)
    placed_at = models.DateTimeField(_("保全时间"), auto_now_add=True)
    released_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    released_by_label = models.CharField(max_length=128, blank=True)
    release_note = models.TextField(_("解除说明"), blank=True)

    scope: ClassVar[Scope] = _SCOPE
    objects = ScopedManager["LegalHold"]()

    class Meta:
        ordering = ["-placed_at"]
        verbose_name = _("档案保全")
        verbose_name_plural = _("档案保全")

    def __str__(self) -> str:
        return f"{self.institution} · {self.placed_at:%Y-%m-%d}"


class DisposalList(models.Model):
    """A 档案销毁清册: expired records an institution proposes to destroy; only an approval
    by the HR authority over it lets them go. The list and its lines are kept forever."""

    number = models.CharField(_("清册编号"), max_length=32, unique=True)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=DisposalStatus.choices, default=DisposalStatus.DRAFT
    )
    created_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by_label = models.CharField(max_length=128, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    executed_at = models.DateTimeField(_("销毁时间"), null=True, blank=True)
    executed_by_label = models.CharField(max_length=128, blank=True)

    scope: ClassVar[Scope] = _SCOPE
    objects = ScopedManager["DisposalList"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("档案销毁清册")
        verbose_name_plural = _("档案销毁清册")

    def __str__(self) -> str:
        return self.number


class DisposalItem(models.Model):
    """One line of a disposal list, with what the record was when it was listed."""

    disposal = models.ForeignKey(DisposalList, on_delete=models.PROTECT, related_name="items")
    record = models.ForeignKey(ArchiveRecord, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=32, choices=RecordType.choices)
    batch_code = models.CharField(max_length=32)
    keep_until = models.DateField()
    sha256 = models.CharField(max_length=64, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="disposal__institution__organisation__province_id",
        city="disposal__institution__organisation__city_id",
        institution="disposal__institution__organisation_id",
    )
    objects = ScopedManager["DisposalItem"]()

    class Meta:
        ordering = ["disposal_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["disposal", "record"], name="disposal_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.batch_code} · {self.get_record_type_display()}"


class Dossier(models.Model):
    """One batch's archive file (a zip with a signed manifest of SHA-256 hashes), built by
    a background job; ``sha256`` is the whole file's digest as the system wrote it."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="dossiers")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=16, choices=DossierStatus.choices, default=DossierStatus.BUILDING
    )
    file = models.FileField(_("档案包"), upload_to="archives/dossiers/%Y/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    entries = models.PositiveIntegerField(_("文件数"), default=0)
    created_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the build last finished a part: a build silent for long has lost its worker.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    scope: ClassVar[Scope] = _SCOPE
    objects = ScopedManager["Dossier"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("批次档案包")
        verbose_name_plural = _("批次档案包")

    def __str__(self) -> str:
        return f"{self.batch.code} · {self.created_at:%Y-%m-%d %H:%M}"
