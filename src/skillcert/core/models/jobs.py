"""A persisted row for long background work (imports, assembly, issuance, exports).

The page polls it for a progress bar; the task updates it. STYLE.md 6.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.models.organisations import Organisation
from skillcert.core.models.users import User
from skillcert.core.scoping import Scope, ScopedManager


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("未通过")  # the work ran and refused its input (e.g. a roster with errors)
    ERROR = "error", _("出错")  # the work itself broke; the message says what happened


JOB_FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.ERROR})


class Job(models.Model):
    """Long work with progress: ``done`` of ``total`` steps, a message and a result file."""

    kind = models.CharField(_("任务类型"), max_length=64)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    input_file = models.FileField(upload_to="jobs/input/%Y/%m/", blank=True)
    result_file = models.FileField(upload_to="jobs/result/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="organisation__province_id",
        city="organisation__city_id",
        institution="organisation_id",
        person="created_by_id",
    )
    objects = ScopedManager["Job"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status in JOB_FINISHED:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in JOB_FINISHED
