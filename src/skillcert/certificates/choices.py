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
