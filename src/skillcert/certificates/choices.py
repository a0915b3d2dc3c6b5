"""States and kinds of certificates and issuance runs (DESIGN.md lifecycle step 7)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CertificateStatus(models.TextChoices):
    """A certificate stays on record when revoked (云人社函〔2023〕1号 一(四))."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")


class VersionReason(models.TextChoices):
    """Why a version of a certificate was made: the first issue, a correction (修改) or
    a lost-certificate reissue (遗失补发); the number is kept, the version increments."""

    ISSUED = "issued", _("首次发证")
    CORRECTION = "correction", _("信息修改")
    REISSUE = "reissue", _("遗失补发")


class RunStatus(models.TextChoices):
    """A batch's issuance run: queued → running → done, or error (resumable)."""

    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("发证中")
    DONE = "done", _("已完成")
    ERROR = "error", _("出错中断")


# A run holding the batch: a second one waits until it has finished.
RUN_ACTIVE = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class ChangeStatus(models.TextChoices):
    """A correction or reissue application (修改/遗失补发): submitted → approved | rejected."""

    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class DeliveryEvent(models.TextChoices):
    """What an outbox message tells the national/provincial query system."""

    ISSUED = "issued", _("发证")
    CHANGED = "changed", _("变更")
    REVOKED = "revoked", _("撤销")


class DeliveryStatus(models.TextChoices):
    """An outbox message is retried until delivered; nothing is dropped."""

    PENDING = "pending", _("待推送")
    DELIVERED = "delivered", _("已推送")
