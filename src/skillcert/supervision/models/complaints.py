"""Complaints and reports from the public (投诉举报; 川人社办发〔2020〕20号 五(三))."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.fields import EncryptedTextField
from skillcert.core.models import Organisation, Region, User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import ComplaintKind, ComplaintStatus


class Complaint(models.Model):
    """A complaint or report with its tracking number (a random code: numbers cannot be
    guessed from each other), its handling and its reply."""

    tracking_number = models.CharField(_("查询编号"), max_length=20, unique=True)
    province = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=ComplaintKind.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    subject_text = models.CharField(_("被投诉举报对象"), max_length=200)
    content = models.TextField(_("投诉举报内容"))
    complainant_name = models.CharField(_("姓名"), max_length=64, blank=True)  # may be anonymous
    complainant_phone = EncryptedTextField(_("联系电话"), kind="phone", blank=True)
    complainant_phone_index = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    # The authority handling it (the institution's city by default) and the official.
    handler = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    assignee = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(_("受理时间"))
    due_on = models.DateField(_("答复期限"))
    due_provisional = models.BooleanField(default=False)
    reply = models.TextField(_("答复意见"), blank=True)
    upheld = models.BooleanField(_("投诉举报属实"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by_label = models.CharField(max_length=128, blank=True)

    scope: ClassVar[Scope] = Scope(province="province_id", city="handler__city_id")
    objects = ScopedManager["Complaint"]()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")

    def __str__(self) -> str:
        # Not the tracking number: it is the complainant's key to the status page.
        return f"{self.get_kind_display()} #{self.pk}"


class ComplaintFile(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="complaints/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["complaint_id", "pk"]

    def __str__(self) -> str:
        return self.original_name
