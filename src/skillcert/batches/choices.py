"""States and kinds of evaluation batches (DESIGN.md lifecycle step 2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # the institution is planning it
    FILED = "filed", _("已报备")  # filed with the centre, waiting for its decision
    RETURNED = "returned", _("已退回")  # the centre returned it; editable again
    APPROVED = "approved", _("已同意")  # the centre approved the plan
    ENROLLING = "enrolling", _("报名中")  # candidates apply
    ENROLLMENT_CLOSED = "enrollment_closed", _("报名结束")
    IN_PROGRESS = "in_progress", _("考核中")  # a session is live: configuration frozen
    ASSESSED = "assessed", _("考核结束")
    RESULTS_PUBLISHED = "results_published", _("成绩公示")
    RESULTS_FILED = "results_filed", _("成绩已备案")
    CERTIFICATES_ISSUED = "certificates_issued", _("证书已发放")
    ARCHIVED = "archived", _("已归档")


BATCH_EDITABLE = frozenset({BatchStatus.DRAFT, BatchStatus.RETURNED})
# Once a session is live the plan's configuration may not change (DESIGN.md step 4).
BATCH_FROZEN = frozenset(
    {
        BatchStatus.IN_PROGRESS,
        BatchStatus.ASSESSED,
        BatchStatus.RESULTS_PUBLISHED,
        BatchStatus.RESULTS_FILED,
        BatchStatus.CERTIFICATES_ISSUED,
        BatchStatus.ARCHIVED,
    }
)


class AssessmentMode(models.TextChoices):
    """How the batch is assessed (川人社办发〔2020〕20号 附件4; 沪人社职〔2022〕102号)."""

    STANDARD = "standard", _("理论知识考试＋操作技能考核")
    PROCESS = "process", _("过程考核（课程成绩替代理论考试）")
    COMPETITION = "competition", _("职业技能竞赛")


class Component(models.TextChoices):
    """An assessed part; each is scored out of 100 with its own pass mark."""

    THEORY = "theory", _("理论知识考试")
    COURSE = "course", _("课程考试成绩")
    PRACTICAL = "practical", _("操作技能考核")
    REVIEW = "review", _("综合评审")


class RoomKind(models.TextChoices):
    COMPUTER = "computer", _("机考考场")
    CLASSROOM = "classroom", _("笔试考场")
    WORKSHOP = "workshop", _("实操考场")
    MEETING = "meeting", _("评审室")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("已安排")
    OPEN = "open", _("已开考")  # live: candidates may sign in; the batch is frozen
    CLOSED = "closed", _("已结束")


class StaffRole(models.TextChoices):
    """What a registry member does in a batch (national standards §1.9)."""

    EXAM_STAFF = "exam_staff", _("考务人员")
    PROCTOR = "proctor", _("监考人员")
    EXAMINER = "examiner", _("考评人员")
    REVIEW_PANEL = "review_panel", _("综合评审委员")
    INTERNAL_SUPERVISOR = "internal_supervisor", _("内部质量督导员")
