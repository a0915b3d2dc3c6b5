"""States and kinds of exam delivery (DESIGN.md lifecycle step 4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("作答中")
    PAUSED = "paused", _("已暂停")  # by a proctor; the clock stops
    SUBMITTED = "submitted", _("已交卷")  # by the candidate
    TIMED_OUT = "timed_out", _("到时收卷")  # closed by the server at the deadline
    TERMINATED = "terminated", _("已终止")  # by a proctor, with a reason


OPEN_ATTEMPT = frozenset({AttemptStatus.IN_PROGRESS, AttemptStatus.PAUSED})
CLOSED_ATTEMPT = frozenset(
    {AttemptStatus.SUBMITTED, AttemptStatus.TIMED_OUT, AttemptStatus.TERMINATED}
)


class GradingStatus(models.TextChoices):
    PENDING = "pending", _("待评分")  # the attempt is open
    AWAITING_GRADERS = "awaiting_graders", _("待人工评分")  # subjective items remain
    GRADED = "graded", _("已评分")


class AttemptEventKind(models.TextChoices):
    """What the per-attempt event log records (kept for later early-warning rules)."""

    LOGIN = "login", _("登录")
    RELOGIN = "relogin", _("再次登录")
    RECONNECT = "reconnect", _("重新连接")
    FOCUS_LOST = "focus_lost", _("离开考试页面")
    FOCUS_BACK = "focus_back", _("返回考试页面")
    SUBMIT = "submit", _("交卷")
    TIMEOUT = "timeout", _("到时收卷")
    PROCTOR = "proctor", _("监考操作")


# Kinds the exam page may report itself; the rest are written by the server.
CLIENT_EVENT_KINDS = frozenset(
    {AttemptEventKind.RECONNECT, AttemptEventKind.FOCUS_LOST, AttemptEventKind.FOCUS_BACK}
)


class ProctorAction(models.TextChoices):
    AUTHORISE = "authorise", _("授权登录")  # a second device, or a late entry
    PAUSE = "pause", _("暂停")
    RESUME = "resume", _("恢复")
    EXTEND = "extend", _("延时")
    TERMINATE = "terminate", _("终止考试")
    REOPEN = "reopen", _("重新开放")


class CheckInRole(models.TextChoices):
    CANDIDATE = "candidate", _("考生")
    STAFF = "staff", _("考务/考评人员")
