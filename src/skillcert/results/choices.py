"""States and kinds of practical scoring and results (DESIGN.md lifecycle steps 5 and 6)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import Component

# Components scored by a panel of examiners on scoring sheets (评分表).
PANEL_COMPONENTS = frozenset({Component.PRACTICAL, Component.REVIEW})


class PanelComponent(models.TextChoices):
    """What a panel scores: the practical assessment or the performance review."""

    PRACTICAL = Component.PRACTICAL.value, _("操作技能考核")
    REVIEW = Component.REVIEW.value, _("综合评审")


class LinkKind(models.TextChoices):
    """Why an examiner may not score a candidate (回避)."""

    SELF = "self", _("本人")
    TEACHER = "teacher", _("任课教师")
    EMPLOYER = "employer", _("同一工作单位")
    RELATIVE = "relative", _("近亲属")
    OTHER = "other", _("其他利害关系")


class SheetStatus(models.TextChoices):
    """One examiner's scoring sheet for one candidate."""

    DRAFT = "draft", _("评分中")
    CONFIRMED = "confirmed", _("已签字确认")


class ScoreSource(models.TextChoices):
    EXAM = "exam", _("机考成绩")
    PANEL = "panel", _("考评组评分")
    ENTERED = "entered", _("录入成绩")


class ComponentState(models.TextChoices):
    PENDING = "pending", _("待评分")
    SCORED = "scored", _("已评分")
    RESCORE = "rescore", _("分差超限待复评")
    ABSENT = "absent", _("缺考")
    VOID = "void", _("成绩无效")


class Outcome(models.TextChoices):
    PENDING = "pending", _("待定")
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")
    ABSENT = "absent", _("缺考")
    VOID = "void", _("成绩无效")


class ResultsStatus(models.TextChoices):
    """The batch's results record: scoring → publicity → filing with the centre."""

    SCORING = "scoring", _("评分统分中")
    PUBLISHED = "published", _("公示中")
    FILED = "filed", _("已报备待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("备案通过")


class ObjectionKind(models.TextChoices):
    OBJECTION = "objection", _("公示异议")
    REVIEW = "review", _("成绩复核申请")


class ObjectionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待处理")
    UPHELD = "upheld", _("异议成立，已更正")
    REJECTED = "rejected", _("维持原成绩")


class ViolationGrade(models.TextChoices):
    """Candidate violation grades and their effect on results (DESIGN.md "Rules with
    numbers"; 技能人才评价违纪违规行为处理工作指引, 人社职司便函〔2021〕57号)."""

    DISCIPLINE = "discipline", _("违纪（取消该科目成绩）")
    CHEATING = "cheating", _("作弊（该科目成绩无效）")
    SERIOUS = "serious", _("严重违纪违规（当次全部科目成绩无效）")
    VERY_SERIOUS = "very_serious", _("特别严重违纪违规（当次全部科目成绩无效）")


# 违纪 and 作弊 void the subject; 严重 and 特别严重 void every subject of the sitting.
VOIDS_ALL = frozenset({ViolationGrade.SERIOUS, ViolationGrade.VERY_SERIOUS})


class RevocationStatus(models.TextChoices):
    """A certificate revocation the results service asked for; the certificates service
    carries it out (issue 7) and marks it done."""

    PENDING = "pending", _("待撤销证书")
    DONE = "done", _("证书已撤销")
    NOT_NEEDED = "not_needed", _("无已发证书")
