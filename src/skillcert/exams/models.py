"""Theory exam delivery: sittings, attempts, answers, event logs, check-ins, grading.

DESIGN.md lifecycle step 4. An attempt's answers are rows created when the attempt
starts, so saving an answer is one conditional UPDATE (newer ``seq`` wins) and nothing a
server acknowledged can be overwritten by an older write or lost at time-out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Session
from skillcert.core.models import User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.enrollment.models import SeatAssignment
from skillcert.exams.choices import (
    AttemptEventKind,
    AttemptStatus,
    CheckInRole,
    GradingStatus,
    ProctorAction,
)
from skillcert.institutions.models import StaffMember
from skillcert.itembank.models import Paper, PaperItem


def _session_scope(prefix: str) -> Scope:
    base = f"{prefix}batch__institution__organisation"
    return Scope(
        province=f"{base}__province_id",
        city=f"{base}__city_id",
        institution=f"{base}_id",
    )


def _seat_scope(prefix: str) -> Scope:
    base = f"{prefix}seat__application__batch__institution__organisation"
    return Scope(
        province=f"{base}__province_id",
        city=f"{base}__city_id",
        institution=f"{base}_id",
        person=f"{prefix}seat__application__person__user_id",
    )


class Sitting(models.Model):
    """The exam side of a theory session: its papers and the proctor's opening.

    Candidates may sign in only while the sitting is open, up to ``late_entry_minutes``
    after the start (later only with a proctor's authorisation), and never after the end.
    """

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="sitting")
    papers = models.ManyToManyField(Paper, verbose_name=_("试卷"), related_name="sittings")
    late_entry_minutes = models.PositiveSmallIntegerField(
        _("迟到限入时间（分钟）"), default=30, validators=[MaxValueValidator(120)]
    )
    opened_at = models.DateTimeField(_("开考时间"), null=True, blank=True)
    opened_by_label = models.CharField(max_length=128, blank=True)
    # The common deadline: max(opening, scheduled start) + duration; attempts may extend.
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("收卷时间"), null=True, blank=True)

    scope: ClassVar[Scope] = _session_scope("session__")
    objects = ScopedManager["Sitting"]()

    class Meta:
        verbose_name = _("机考场次")
        verbose_name_plural = _("机考场次")

    def __str__(self) -> str:
        return str(self.session)


class Attempt(models.Model):
    """One candidate's sitting of one paper; the clock is the server's ``deadline``."""

    seat = models.OneToOneField(SeatAssignment, on_delete=models.PROTECT, related_name="attempt")
    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="attempts")
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="attempts")
    status = models.CharField(
        _("状态"), max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("开始作答"))
    deadline = models.DateTimeField(_("截止时间"), db_index=True)
    # While paused the clock stops: the remaining time is kept here, and resuming sets
    # a new deadline from it.
    paused_remaining_seconds = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(_("收卷时间"), null=True, blank=True)
    # The current device's token (SHA-256 of the secret the client holds). A second
    # device's sign-in needs a proctor's authorisation and replaces the token.
    token_digest = models.CharField(max_length=64, unique=True)
    relogin_authorised = models.BooleanField(default=False)
    # Whether the current token was ever used: a sign-in whose answer never arrived (a
    # lost response, a proxy time-out) may be repeated without a proctor.
    token_used = models.BooleanField(default=False)
    # Per-candidate order: PaperItem ids by display position (1-based), and for choice
    # items the option keys in display order, by position.
    item_order = models.JSONField(default=list)
    option_orders = models.JSONField(default=dict)
    grading_status = models.CharField(
        _("评分状态"),
        max_length=20,
        choices=GradingStatus.choices,
        default=GradingStatus.PENDING,
    )
    score = models.DecimalField(
        _("理论成绩"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    scope: ClassVar[Scope] = _seat_scope("")
    objects = ScopedManager["Attempt"]()

    class Meta:
        ordering = ["sitting_id", "seat__seat_number"]
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_due")]

    def __str__(self) -> str:
        return f"{self.seat} · {self.get_status_display()}"


class Answer(models.Model):
    """The candidate's answer at one display position; ``seq`` only ever grows."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField(_("题号"))
    paper_item = models.ForeignKey(PaperItem, on_delete=models.PROTECT, related_name="answers")
    # Choice items: the chosen option keys (original keys, not display letters);
    # true/false: ["T"] or ["F"]; short answers: {"text": "..."}.
    response = models.JSONField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    points_awarded = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    scope: ClassVar[Scope] = _seat_scope("attempt__")
    objects = ScopedManager["Answer"]()

    class Meta:
        ordering = ["attempt_id", "position"]
        verbose_name = _("答案")
        verbose_name_plural = _("答案")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="answer_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"


class AttemptEvent(models.Model):
    """The event log of an attempt (sign-ins, devices, focus losses, reconnects, actions)."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=16, choices=AttemptEventKind.choices)
    at = models.DateTimeField(_("时间"))
    client_address = models.GenericIPAddressField(_("终端地址"), null=True, blank=True)
    user_agent = models.CharField(_("终端"), max_length=256, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    scope: ClassVar[Scope] = _seat_scope("attempt__")
    objects = ScopedManager["AttemptEvent"]()

    class Meta:
        ordering = ["attempt_id", "at", "id"]
        verbose_name = _("作答事件")
        verbose_name_plural = _("作答事件")
        indexes = [models.Index(fields=["attempt", "kind"], name="attempt_event_kind")]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind} {self.at:%H:%M:%S}"


class Incident(models.Model):
    """A line of the session record (考场记录表): a proctor action or a free note."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="incidents")
    attempt = models.ForeignKey(
        Attempt, on_delete=models.CASCADE, null=True, blank=True, related_name="incidents"
    )
    # The seat the line is about; a late entry authorised before any attempt exists is
    # recorded with the seat alone, and the sign-in looks for it. The record outlives a
    # seat that is removed.
    seat = models.ForeignKey(
        SeatAssignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    action = models.CharField(_("操作"), max_length=16, choices=ProctorAction.choices, blank=True)
    minutes = models.PositiveSmallIntegerField(_("延时（分钟）"), null=True, blank=True)
    reason = models.TextField(_("事由"))
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    author_label = models.CharField(_("记录人"), max_length=128)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    scope: ClassVar[Scope] = _session_scope("sitting__session__")
    objects = ScopedManager["Incident"]()

    class Meta:
        ordering = ["sitting_id", "at", "id"]
        verbose_name = _("考场记录")
        verbose_name_plural = _("考场记录")

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.reason[:30]}"


class CheckIn(models.Model):
    """An arrival at a session with the browser's location (考场定位打卡,
    云人社函〔2023〕1号 三(二)); out-of-place check-ins are kept and flagged."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checkins")
    role = models.CharField(_("身份"), max_length=16, choices=CheckInRole.choices)
    seat = models.ForeignKey(
        SeatAssignment, on_delete=models.CASCADE, null=True, blank=True, related_name="checkins"
    )
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="checkins"
    )
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(_("签到时间"))
    client_address = models.GenericIPAddressField(_("终端地址"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True)
    accuracy_m = models.PositiveIntegerField(_("定位精度（米）"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("距考点（米）"), null=True, blank=True)
    # None: the browser gave no location; False: outside the site's radius.
    within_radius = models.BooleanField(_("在考点范围内"), null=True)
    recorded_by_label = models.CharField(max_length=128, blank=True)

    scope: ClassVar[Scope] = _session_scope("session__")
    objects = ScopedManager["CheckIn"]()

    class Meta:
        ordering = ["session_id", "at"]
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seat__isnull=False) | models.Q(staff__isnull=False),
                name="checkin_has_someone",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.get_role_display()} {self.at:%H:%M}"


class SubjectiveGrade(models.Model):
    """One grader's points for a short answer; two graders, blind to the candidate."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="grades")
    grader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(
        _("评分轮次"), validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    points = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    comment = models.CharField(_("评语"), max_length=200, blank=True)
    graded_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _seat_scope("answer__attempt__")
    objects = ScopedManager["SubjectiveGrade"]()

    class Meta:
        ordering = ["answer_id", "round"]
        verbose_name = _("主观题评分")
        verbose_name_plural = _("主观题评分")
        constraints = [
            models.UniqueConstraint(fields=["answer", "grader"], name="grade_one_per_grader"),
            models.UniqueConstraint(fields=["answer", "round"], name="grade_one_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} R{self.round} {self.points}"


class ItemStatistic(models.Model):
    """Classical item statistics of one paper item after grading."""

    paper_item = models.OneToOneField(PaperItem, on_delete=models.CASCADE, related_name="stats")
    responses = models.PositiveIntegerField(_("作答人数"))
    # Difficulty index p: mean points / item points (higher is easier).
    difficulty = models.DecimalField(_("难度系数"), max_digits=4, decimal_places=3)
    # Discrimination D: p(upper 27%) − p(lower 27%) by total score.
    discrimination = models.DecimalField(_("区分度"), max_digits=4, decimal_places=3)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("试题统计")
        verbose_name_plural = _("试题统计")

    def __str__(self) -> str:
        return f"{self.paper_item} p={self.difficulty} D={self.discrimination}"
