"""Reads of component scores and results for pages, exports and the announcement.

A component's standing score is the row of its highest sitting (1 = first, 2 = the
retake); earlier sittings are kept and shown as retake information.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.core.masking import mask, mask_name
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.results.choices import ComponentState, Outcome, ResultsStatus
from skillcert.results.models import BatchResults, ComponentScore, Objection, Result

# --- component scores ------------------------------------------------------------------


def latest_of(rows: Iterable[ComponentScore]) -> dict[str, ComponentScore]:
    """The row of the highest sitting per component."""
    latest: dict[str, ComponentScore] = {}
    for row in rows:
        current = latest.get(row.component)
        if current is None or row.sitting_no > current.sitting_no:
            latest[row.component] = row
    return latest


def latest_scores(application: Application) -> dict[str, ComponentScore]:
    """The candidate's standing score per component (one query)."""
    return latest_of(ComponentScore.objects.filter(application=application))


def scores_by_application(batch: Batch) -> dict[int, list[ComponentScore]]:
    """Every component score row of the batch, by application, sittings in order."""
    found: dict[int, list[ComponentScore]] = defaultdict(list)
    for row in ComponentScore.objects.filter(application__batch=batch).order_by(
        "application_id", "component", "sitting_no"
    ):
        found[row.application_id].append(row)
    return found


def approved_applications(batch: Batch) -> list[Application]:
    """The candidates taking part (approved), with their person, in admission order."""
    return list(
        Application.objects.filter(batch=batch, status=ApplicationStatus.APPROVED)
        .select_related("person")
        .order_by("admission_number", "pk")
    )


def score_text(row: ComponentScore | None) -> str:
    """ "85.00" for a score that counts, else the state's label (缺考, 成绩无效, 待评分)."""
    if row is None:
        return str(ComponentState.PENDING.label)
    if row.state == ComponentState.SCORED and row.score is not None:
        return f"{row.score:.2f}"
    return str(row.get_state_display())


# --- the announcement ------------------------------------------------------------------


def announcement_row(
    application: Application, result: Result | None, scores: dict[str, ComponentScore]
) -> dict[str, Any]:
    """One masked row of the public announcement (公示名单): never a full name or ID."""
    batch = application.batch
    outcome = result.outcome if result is not None else Outcome.PENDING
    return {
        "application": application.pk,
        "admission_number": application.admission_number or "",
        "name": mask_name(application.person.full_name),
        "id": mask("id", application.person.id_number.plain),
        "occupation": batch.occupation.name,
        "work_type": batch.work_type.name if batch.work_type_id and batch.work_type else "",
        "level": str(SkillLevel(batch.level).label),
        "outcome": str(outcome),
        "outcome_label": str(Outcome(outcome).label),
        "scores": {c: score_text(scores.get(c)) for c in batch.components},
    }


# --- the staff table -------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One component of one candidate: the standing sitting and the earlier ones."""

    component: str
    label: str
    score: Decimal | None
    state: str  # ComponentState value, "" when nothing is recorded yet
    state_label: str
    sitting_no: int
    passed: bool | None  # None while the component has no final score
    is_retake: bool  # the standing row is a retake (sitting 2 or later)
    earlier: list[str] = field(default_factory=list)  # "第1次：45.00" for earlier sittings
    row: ComponentScore | None = None

    @property
    def text(self) -> str:
        return score_text(self.row) if self.row is not None else ""


@dataclass(frozen=True)
class Row:
    """One candidate's line in the batch's results table (pages and the Excel export)."""

    application: Application
    admission_number: str
    name: str
    masked_id: str
    cells: list[Cell]
    total: Decimal | None
    outcome: str
    outcome_label: str
    void_reason: str

    @property
    def scores(self) -> dict[str, Cell]:
        return {cell.component: cell for cell in self.cells}


def _cell(batch: Batch, component: str, rows: list[ComponentScore]) -> Cell:
    label = str(Component(component).label)
    if not rows:
        return Cell(component, label, None, "", "", 0, None, False)
    rows = sorted(rows, key=lambda r: r.sitting_no)
    standing = rows[-1]
    passed: bool | None = None
    if standing.state == ComponentState.SCORED and standing.score is not None:
        passed = standing.score >= batch.pass_mark_for(component)
    elif standing.state in (ComponentState.ABSENT, ComponentState.VOID):
        passed = False
    earlier = [f"第{r.sitting_no}次：{score_text(r)}" for r in rows[:-1]]
    return Cell(
        component=component,
        label=label,
        score=standing.score,
        state=standing.state,
        state_label=str(standing.get_state_display()),
        sitting_no=standing.sitting_no,
        passed=passed,
        is_retake=standing.sitting_no > 1,
        earlier=earlier,
        row=standing,
    )


def batch_table(batch: Batch) -> list[Row]:
    """Every approved candidate with their component scores and result (3 queries).

    For staff and HR authorities (the caller checks ``permissions.can_read``): the name is
    shown in full, the ID number masked."""
    applications = approved_applications(batch)
    scores = scores_by_application(batch)
    results = {r.application_id: r for r in Result.objects.filter(application__batch=batch)}
    table: list[Row] = []
    for application in applications:
        rows = scores.get(application.pk, [])
        result = results.get(application.pk)
        outcome = result.outcome if result is not None else Outcome.PENDING
        table.append(
            Row(
                application=application,
                admission_number=application.admission_number or "",
                name=application.person.full_name,
                masked_id=mask("id", application.person.id_number.plain),
                cells=[
                    _cell(batch, c, [r for r in rows if r.component == c]) for c in batch.components
                ],
                total=result.total if result is not None else None,
                outcome=outcome,
                outcome_label=str(Outcome(outcome).label),
                void_reason=result.void_reason if result is not None else "",
            )
        )
    return table


# --- the candidate's own results -------------------------------------------------------


@dataclass(frozen=True)
class MyResult:
    """A candidate's published result in one batch, with their objections and windows."""

    application: Application
    batch: Batch
    cells: list[Cell]
    total: Decimal | None
    outcome: str
    outcome_label: str
    publicity_ends: date | None
    objections_close: date | None
    can_object: bool  # an objection to the announcement, during publicity
    can_request_review: bool  # a score review request, until the review window closes
    objections: list[Objection]


def my_results(actor: Actor, today: date | None = None) -> list[MyResult]:
    """The actor's own applications whose batch results are published (never before)."""
    if actor.user_id is None:
        return []
    day = today or timezone.localdate()
    applications = (
        Application.objects.for_actor(actor)
        .filter(
            person__user_id=actor.user_id,
            status=ApplicationStatus.APPROVED,
            batch__results__published_at__isnull=False,
        )
        .exclude(batch__results__status=ResultsStatus.SCORING)
        .select_related("batch__results", "batch__occupation", "batch__work_type", "person")
        .prefetch_related(
            "component_scores",
            Prefetch("objections", queryset=Objection.objects.order_by("-submitted_at")),
        )
        .order_by("-batch__results__published_at")
    )
    mine: list[MyResult] = []
    for application in applications:
        batch = application.batch
        published: BatchResults = batch.results  # type: ignore[attr-defined, unused-ignore]
        rows = list(application.component_scores.all())
        result = Result.objects.filter(application=application).first()
        outcome = result.outcome if result is not None else Outcome.PENDING
        mine.append(
            MyResult(
                application=application,
                batch=batch,
                cells=[
                    _cell(batch, c, [r for r in rows if r.component == c]) for c in batch.components
                ],
                total=result.total if result is not None else None,
                outcome=outcome,
                outcome_label=str(Outcome(outcome).label),
                publicity_ends=published.publicity_ends,
                objections_close=published.objections_close,
                can_object=published.publicity_ends is not None and day <= published.publicity_ends,
                can_request_review=published.objections_close is not None
                and day <= published.objections_close,
                objections=list(application.objections.all()),
            )
        )
    return mine
