"""Classical item statistics of a paper once all its attempts are graded.

Per paper item: difficulty p = mean points awarded / item points over every graded
attempt (a blank answer counts 0), and discrimination D = p(upper group) − p(lower
group), the groups being the top and bottom 27% of attempts by total score (Kelley's
27% rule of classical test theory). With fewer than ``MIN_ATTEMPTS`` attempts the
groups hold one or two people and D means nothing, so nothing is computed.

Items with D < 0.2 or p outside 0.2–0.9 are flagged for review (common practice).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from skillcert.batches.permissions import can_plan
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.exams.choices import GradingStatus
from skillcert.exams.grading import is_blank
from skillcert.exams.models import Answer, Attempt, ItemStatistic, Sitting
from skillcert.itembank.models import Paper, PaperItem

MIN_ATTEMPTS = 10
GROUP_SHARE = Decimal("0.27")
MIN_DISCRIMINATION = Decimal("0.2")
EASIEST = Decimal("0.9")
HARDEST = Decimal("0.2")
THOUSANDTH = Decimal("0.001")
ZERO = Decimal(0)
SYSTEM = "exam-statistics"


@dataclass(frozen=True)
class AttemptMarks:
    """One graded attempt: its total score and points awarded by paper item."""

    score: Decimal
    awarded: Mapping[int, Decimal]
    answered: frozenset[int]


@dataclass(frozen=True)
class ItemFigures:
    paper_item_id: int
    responses: int
    difficulty: Decimal
    discrimination: Decimal


def group_size(count: int) -> int:
    """27% of the attempts, rounded half up (10 attempts → 3, 30 → 8)."""
    return int((Decimal(count) * GROUP_SHARE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _p(group: Sequence[AttemptMarks], item_id: int, points: Decimal) -> Decimal:
    if not group or points <= 0:
        return ZERO
    total = sum((marks.awarded.get(item_id, ZERO) for marks in group), ZERO)
    return total / (points * len(group))


def item_figures(
    attempts: Sequence[AttemptMarks], points: Mapping[int, Decimal]
) -> list[ItemFigures]:
    """p and D per paper item. Attempts are ranked by score (ties by the order given,
    so callers pass them in a stable order); the groups are the first and last 27%."""
    ranked = sorted(attempts, key=lambda marks: -marks.score)
    size = group_size(len(ranked))
    upper, lower = ranked[:size], ranked[len(ranked) - size :]
    figures = []
    for item_id, item_points in points.items():
        p = _p(ranked, item_id, item_points)
        d = _p(upper, item_id, item_points) - _p(lower, item_id, item_points)
        figures.append(
            ItemFigures(
                paper_item_id=item_id,
                responses=sum(1 for marks in ranked if item_id in marks.answered),
                difficulty=p.quantize(THOUSANDTH, rounding=ROUND_HALF_UP),
                discrimination=d.quantize(THOUSANDTH, rounding=ROUND_HALF_UP),
            )
        )
    return figures


def needs_review(difficulty: Decimal, discrimination: Decimal) -> bool:
    """Flag an item that hardly separates strong from weak candidates, or that nearly
    everyone (or nearly no one) gets right."""
    return discrimination < MIN_DISCRIMINATION or not HARDEST <= difficulty <= EASIEST


def not_ready_reason(paper: Paper) -> str | None:
    """Why the paper's statistics cannot be computed yet, or None when they can."""
    attempts = Attempt.objects.filter(paper=paper)
    live = Sitting.objects.filter(papers=paper, opened_at__isnull=False, closed_at__isnull=True)
    if live.exists():
        return _("使用该试卷的场次尚未收卷。")
    if attempts.exclude(grading_status=GradingStatus.GRADED).exists():
        return _("该试卷尚有作答未评分完毕。")
    count = attempts.count()
    if count < MIN_ATTEMPTS:
        return _("该试卷已评分的作答只有 %(count)s 份，少于 %(minimum)s 份，不计算试题统计。") % {
            "count": count,
            "minimum": MIN_ATTEMPTS,
        }
    return None


def _marks(paper: Paper) -> list[AttemptMarks]:
    awarded: dict[int, dict[int, Decimal]] = defaultdict(dict)
    answered: dict[int, set[int]] = defaultdict(set)
    rows = Answer.objects.filter(attempt__paper=paper).values_list(
        "attempt_id", "paper_item_id", "points_awarded", "response"
    )
    for attempt_id, item_id, points, response in rows.iterator(chunk_size=5000):
        awarded[attempt_id][item_id] = points or ZERO
        if not is_blank(response):
            answered[attempt_id].add(item_id)
    scores = Attempt.objects.filter(paper=paper).order_by("pk").values_list("pk", "score")
    return [
        AttemptMarks(
            score=score or ZERO,
            awarded=awarded[attempt_id],
            answered=frozenset(answered[attempt_id]),
        )
        for attempt_id, score in scores
    ]


def paper_statistics_write(*, actor: Actor, paper: Paper) -> list[ItemStatistic]:
    """Compute and store the statistics of a ready paper (callers checked readiness)."""
    points = dict(
        PaperItem.objects.filter(paper=paper).order_by("position").values_list("pk", "points")
    )
    marks = _marks(paper)
    written = []
    with transaction.atomic():
        for figures in item_figures(marks, points):
            stat, _created = ItemStatistic.objects.update_or_create(
                paper_item_id=figures.paper_item_id,
                defaults={
                    "responses": figures.responses,
                    "difficulty": figures.difficulty,
                    "discrimination": figures.discrimination,
                },
            )
            written.append(stat)
        audit_record(
            actor=actor,
            action="exams.paper.statistics",
            obj=paper,
            changes={"attempts": len(marks), "items": len(written)},
            organisation=actor.organisation or paper.owner,
        )
    return written


def item_statistics_compute(*, actor: Actor, sitting: Sitting) -> int:
    """The institution's staff compute the statistics of the sitting's papers; returns
    how many papers were computed, and refuses with the reason when none was ready."""
    if not can_plan(actor, sitting.session.batch.institution):
        raise PermissionDenied(_("只有本机构的管理员或考务人员可以计算试题统计。"))
    reasons: list[str] = []
    computed = 0
    for paper in sitting.papers.order_by("form_label"):
        reason = not_ready_reason(paper)
        if reason is None:
            paper_statistics_write(actor=actor, paper=paper)
            computed += 1
        else:
            reasons.append(f"{paper.form_label}：{reason}")
    if not computed:
        raise DomainError("；".join(reasons) or _("该场次没有试卷。"), code="not_ready")
    return computed


def schedule_statistics(paper_id: int) -> None:
    """After commit, compute the paper's statistics if it is ready by then."""
    transaction.on_commit(lambda: paper_statistics_task.enqueue(paper_id))


@task()
def paper_statistics_task(paper_id: int) -> bool:
    paper = Paper.objects.filter(pk=paper_id).select_related("owner").first()
    if paper is None or not_ready_reason(paper) is not None:
        return False
    paper_statistics_write(actor=Actor.system(SYSTEM), paper=paper)
    return True


@dataclass(frozen=True)
class ItemRow:
    paper_item: PaperItem
    stat: ItemStatistic | None

    @property
    def flagged(self) -> bool:
        if self.stat is None:
            return False
        return needs_review(self.stat.difficulty, self.stat.discrimination)


@dataclass(frozen=True)
class PaperStats:
    paper: Paper
    attempts: int
    rows: list[ItemRow]
    not_ready: str | None

    @property
    def computed_at(self) -> datetime | None:
        return max((row.stat.computed_at for row in self.rows if row.stat), default=None)


def sitting_item_statistics(sitting: Sitting) -> list[PaperStats]:
    """The statistics of the sitting's papers for the page (call it on a sitting found
    through ``Sitting.objects.for_actor``)."""
    papers = list(sitting.papers.order_by("form_label"))
    items = (
        PaperItem.objects.filter(paper__in=papers)
        .select_related("item", "stats")
        .order_by("paper_id", "position")
    )
    by_paper: dict[int, list[ItemRow]] = defaultdict(list)
    for paper_item in items:
        stat = getattr(paper_item, "stats", None)
        by_paper[paper_item.paper_id].append(ItemRow(paper_item=paper_item, stat=stat))
    return [
        PaperStats(
            paper=paper,
            attempts=Attempt.objects.filter(paper=paper).count(),
            rows=by_paper[paper.pk],
            not_ready=not_ready_reason(paper),
        )
        for paper in papers
    ]
