"""Practical scoring, composite results, publicity, objections and filing with the centre.

DESIGN.md lifecycle steps 5 and 6. An examiner's scores are rows of their own
(:class:`ExaminerSheet`), never edited by anyone else; a component's score is derived from
them (or from the theory attempt, or entered for a course score) and kept per sitting
(1 = first, 2 = the retake); the candidate's result is derived from the components.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.models import User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.enrollment.models import Application, Person
from skillcert.institutions.models import StaffMember
from skillcert.results.choices import (
    ComponentState,
    LinkKind,
    ObjectionKind,
    ObjectionStatus,
    Outcome,
    PanelComponent,
    ResultsStatus,
    RevocationStatus,
    ScoreSource,
    SheetStatus,
    ViolationGrade,
)

_SCORE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _batch_scope(prefix: str) -> Scope:
    base = f"{prefix}batch__institution__organisation"
    return Scope(province=f"{base}__province_id", city=f"{base}__city_id", institution=f"{base}_id")


class ScoringSheet(models.Model):
    """A scoring sheet (评分表) for one practical task or the review: items with maximum
    points. The sheets of a component add up to 100 points."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="scoring_sheets")
    component = models.CharField(_("考核科目"), max_length=16, choices=PanelComponent.choices)
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("考核项目"), max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _batch_scope("")
    objects = ScopedManager["ScoringSheet"]()

    class Meta:
        ordering = ["batch_id", "component", "position"]
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "component", "position"], name="sheet_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class SheetItem(models.Model):
    """One scoring item (评分项) with its criteria and maximum points."""

    sheet = models.ForeignKey(ScoringSheet, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("评分项"), max_length=128)
    criteria = models.TextField(_("评分标准"), blank=True)
    max_points = models.DecimalField(
        _("配分"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(100))],
    )
    # The skill weight table row (技能要求权重表) the item was derived from, if any.
    weight_code = models.CharField(_("技能要求编号"), max_length=16, blank=True)

    class Meta:
        ordering = ["sheet_id", "position"]
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "position"], name="sheetitem_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.max_points}）"


class Panel(models.Model):
    """An examiner group (考评小组) or review panel (评审委员会) for a group of candidates:
    an odd number of at least 3 members (national standards §1.9)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="panels")
    component = models.CharField(_("考核科目"), max_length=16, choices=PanelComponent.choices)
    name = models.CharField(_("名称"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _batch_scope("")
    objects = ScopedManager["Panel"]()

    class Meta:
        ordering = ["batch_id", "component", "name"]
        verbose_name = _("考评小组")
        verbose_name_plural = _("考评小组")
        constraints = [
            models.UniqueConstraint(fields=["batch", "component", "name"], name="panel_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} · {self.name}"


class PanelMember(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="panel_seats")
    is_leader = models.BooleanField(_("组长"), default=False)

    class Meta:
        ordering = ["panel_id", "-is_leader", "staff_id"]
        verbose_name = _("考评小组成员")
        verbose_name_plural = _("考评小组成员")
        constraints = [
            models.UniqueConstraint(fields=["panel", "staff"], name="panelmember_unique")
        ]

    def __str__(self) -> str:
        return self.staff.full_name


class PanelCandidate(models.Model):
    """A candidate scored by a panel; one panel per candidate and component."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="candidates")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="panel_places"
    )
    component = models.CharField(max_length=16, choices=PanelComponent.choices)

    class Meta:
        ordering = ["panel_id", "application_id"]
        verbose_name = _("考评对象")
        verbose_name_plural = _("考评对象")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "component"], name="panelcandidate_one_panel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.panel} · {self.application_id}"


class ExaminerLink(models.Model):
    """A declared relation between an examiner and a person that bars the examiner from
    scoring that person (回避: own teacher, employer, relative)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="examiner_links")
    kind = models.CharField(_("关系"), max_length=16, choices=LinkKind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    declared_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="staff__institution__organisation__province_id",
        city="staff__institution__organisation__city_id",
        institution="staff__institution__organisation_id",
    )
    objects = ScopedManager["ExaminerLink"]()

    class Meta:
        ordering = ["staff_id", "person_id"]
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [
            models.UniqueConstraint(fields=["staff", "person"], name="examinerlink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff.full_name} · {self.get_kind_display()}"


class ExaminerSheet(models.Model):
    """One examiner's scores on one sheet for one candidate, in one scoring round of one
    sitting. Only that examiner writes it; confirming signs it (the digest of its
    content) and it never changes again. A re-scoring is a new round."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="examiner_sheets"
    )
    sheet = models.ForeignKey(ScoringSheet, on_delete=models.PROTECT, related_name="scores")
    examiner = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="scored_sheets"
    )
    sitting_no = models.PositiveSmallIntegerField(_("考核次数"), default=1)
    round = models.PositiveSmallIntegerField(_("评分轮次"), default=1)
    # {"<SheetItem pk>": "7.5"}: points per item, as decimal strings.
    points = models.JSONField(_("各项得分"), default=dict)
    total = models.DecimalField(_("小计"), max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    comment = models.CharField(_("评语"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    # SHA-256 over the canonical sheet content and the examiner: the confirmation.
    signature = models.CharField(_("签名摘要"), max_length=64, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="application__batch__institution__organisation__province_id",
        city="application__batch__institution__organisation__city_id",
        institution="application__batch__institution__organisation_id",
        person="examiner__user_id",
    )
    objects = ScopedManager["ExaminerSheet"]()

    class Meta:
        ordering = ["application_id", "sheet_id", "round", "examiner_id"]
        verbose_name = _("考评员评分")
        verbose_name_plural = _("考评员评分")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "sheet", "examiner", "sitting_no", "round"],
                name="examinersheet_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.examiner.full_name} · {self.round}"


class ComponentScore(models.Model):
    """A candidate's score in one component at one sitting (1 = first, 2 = retake)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="component_scores"
    )
    component = models.CharField(_("考核科目"), max_length=16, choices=Component.choices)
    sitting_no = models.PositiveSmallIntegerField(_("考核次数"), default=1)
    state = models.CharField(
        _("状态"), max_length=16, choices=ComponentState.choices, default=ComponentState.PENDING
    )
    source = models.CharField(_("来源"), max_length=16, choices=ScoreSource.choices)
    score = models.DecimalField(
        _("成绩"), max_digits=5, decimal_places=2, null=True, blank=True, validators=_SCORE
    )
    # Panel components: the scoring round the score comes from, the examiners' spread
    # (highest minus lowest total) and whether the spread was accepted after re-scoring.
    round = models.PositiveSmallIntegerField(default=1)
    spread = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    spread_accepted_note = models.CharField(max_length=200, blank=True)
    void_grade = models.CharField(
        _("违纪违规等级"), max_length=16, choices=ViolationGrade.choices, blank=True
    )
    void_reason = models.TextField(_("无效原因"), blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[Scope] = Scope(
        province="application__batch__institution__organisation__province_id",
        city="application__batch__institution__organisation__city_id",
        institution="application__batch__institution__organisation_id",
        person="application__person__user_id",
    )
    objects = ScopedManager["ComponentScore"]()

    class Meta:
        ordering = ["application_id", "component", "sitting_no"]
        verbose_name = _("科目成绩")
        verbose_name_plural = _("科目成绩")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "component", "sitting_no"], name="componentscore_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} {self.score}"


class Result(models.Model):
    """The candidate's composite result in the batch (DESIGN.md step 6): passed only when
    every required component reaches its pass mark; the weighted total is for reporting."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="result")
    outcome = models.CharField(
        _("结果"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    total = models.DecimalField(
        _("加权总分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    void_grade = models.CharField(
        _("违纪违规等级"), max_length=16, choices=ViolationGrade.choices, blank=True
    )
    void_reason = models.TextField(_("无效原因"), blank=True)
    computed_at = models.DateTimeField(_("统分时间"), auto_now=True)

    scope: ClassVar[Scope] = Scope(
        province="application__batch__institution__organisation__province_id",
        city="application__batch__institution__organisation__city_id",
        institution="application__batch__institution__organisation_id",
        person="application__person__user_id",
    )
    objects = ScopedManager["Result"]()

    class Meta:
        ordering = ["application_id"]
        verbose_name = _("认定成绩")
        verbose_name_plural = _("认定成绩")

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_outcome_display()}"


class BatchResults(models.Model):
    """The batch's results: publicity (公示), objections window, filing with the centre."""

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="results")
    status = models.CharField(
        _("状态"), max_length=16, choices=ResultsStatus.choices, default=ResultsStatus.SCORING
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    # Provincial practice: 5 working days of publicity; review requests within 15.
    publicity_ends = models.DateField(_("公示截止"), null=True, blank=True)
    objections_close = models.DateField(_("复核申请截止"), null=True, blank=True)
    # 沪人社职〔2022〕102号 附件四: filed within 5 working days after the last session.
    filing_due = models.DateField(_("备案期限"), null=True, blank=True)
    deadlines_provisional = models.BooleanField(default=False)
    # The announcement as published: rows with masked identities, frozen at publication.
    announcement = models.JSONField(_("公示名单"), default=list, blank=True)
    filed_at = models.DateTimeField(_("报备时间"), null=True, blank=True)
    filed_by_label = models.CharField(max_length=128, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by_label = models.CharField(max_length=128, blank=True)
    returned_reason = models.TextField(_("退回原因"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope: ClassVar[Scope] = _batch_scope("")
    objects = ScopedManager["BatchResults"]()

    class Meta:
        ordering = ["-published_at", "batch_id"]
        verbose_name = _("批次成绩")
        verbose_name_plural = _("批次成绩")

    def __str__(self) -> str:
        return f"{self.batch.code} {self.get_status_display()}"


class Objection(models.Model):
    """An objection to the announcement or a score review request (复核), with its
    handling: a review checks omissions and sums, it does not re-mark."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=ObjectionKind.choices)
    component = models.CharField(
        _("考核科目"), max_length=16, choices=Component.choices, blank=True
    )
    text = models.TextField(_("事由"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_label = models.CharField(max_length=128)
    status = models.CharField(
        _("状态"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.SUBMITTED
    )
    omission_found = models.BooleanField(_("存在漏评"), default=False)
    sum_error_found = models.BooleanField(_("存在合分、登分错误"), default=False)
    response = models.TextField(_("处理意见"), blank=True)
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by_label = models.CharField(max_length=128, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="application__batch__institution__organisation__province_id",
        city="application__batch__institution__organisation__city_id",
        institution="application__batch__institution__organisation_id",
        person="application__person__user_id",
    )
    objects = ScopedManager["Objection"]()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("异议与复核")
        verbose_name_plural = _("异议与复核")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application_id}"


class CertificateRevocation(models.Model):
    """A certificate to revoke because its result was voided (云人社函〔2023〕1号 一(四)).

    Written by the results service in the voiding transaction; the certificates service
    carries it out and marks it done. Until then it is listed as a pending step."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="revocations"
    )
    reason = models.TextField(_("原因"))
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=RevocationStatus.choices,
        default=RevocationStatus.PENDING,
    )
    requested_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="application__batch__institution__organisation__province_id",
        city="application__batch__institution__organisation__city_id",
        institution="application__batch__institution__organisation_id",
        person="application__person__user_id",
    )
    objects = ScopedManager["CertificateRevocation"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("证书撤销事项")
        verbose_name_plural = _("证书撤销事项")

    def __str__(self) -> str:
        return f"{self.application_id} {self.get_status_display()}"
