"""Helpers of the scoring tests: ready sheets, a valid panel and examiners who score."""

from __future__ import annotations

from decimal import Decimal

from skillcert.catalog.choices import WeightTable
from skillcert.catalog.models import WeightRow
from skillcert.enrollment.models import Application
from skillcert.results import panels, scoring, sheets
from skillcert.results.models import ExaminerSheet, Panel, ScoringSheet
from tests.results.conftest import ResultsKit

# One practical sheet of 100 points: 40 + 30 + 30.
ITEMS = [
    ("工件尺寸精度", Decimal(40), "每超差0.01mm扣2分"),
    ("表面粗糙度", Decimal(30), "Ra达不到要求扣分"),
    ("安全文明生产", Decimal(30), ""),
]


def skill_weights(rk: ResultsKit, rows: list[tuple[str, str, Decimal]]) -> None:
    """The batch's standard level gets a skill weight table (code, name, percent)."""
    for n, (code, name, percent) in enumerate(rows, 1):
        WeightRow.objects.create(
            standard_level=rk.batch.standard_level,
            table=WeightTable.SKILL,
            position=n,
            code=code,
            name=name,
            percent=percent,
        )


def ready_sheet(rk: ResultsKit, component: str = "practical") -> ScoringSheet:
    return sheets.sheet_create(
        actor=rk.admin, batch=rk.batch, component=component, title="车削零件", items=ITEMS
    )


def ready_panel(
    rk: ResultsKit, *, members: int = 3, candidates: list[Application] | None = None
) -> Panel:
    """A practical panel of the first ``members`` examiners with the candidates."""
    panel = panels.panel_create(
        actor=rk.admin, batch=rk.batch, component="practical", name="第一组"
    )
    for n, member in enumerate(rk.examiners[:members]):
        panels.member_add(actor=rk.admin, panel=panel, staff=member, is_leader=n == 0)
    chosen = rk.candidates if candidates is None else candidates
    if chosen:
        panels.candidates_assign(actor=rk.admin, panel=panel, applications=chosen)
    return panel


def split(total: Decimal) -> list[Decimal]:
    """Points per ITEMS item adding up to ``total`` (filled in order)."""
    left, out = total, []
    for _title, full, _criteria in ITEMS:
        part = min(full, left)
        out.append(part)
        left -= part
    assert left == 0
    return out


def score(
    rk: ResultsKit,
    index: int,
    panel: Panel,
    application: Application,
    total: Decimal | int,
    *,
    confirm: bool = True,
    sitting_no: int = 1,
) -> ExaminerSheet:
    """Examiner ``index`` scores ``total`` on the single sheet (and signs it)."""
    actor = rk.examiner(index)
    sheet = ScoringSheet.objects.get(batch=rk.batch, component=panel.component)
    own = scoring.examiner_sheet(
        actor=actor, panel=panel, application=application, sheet=sheet, sitting_no=sitting_no
    )
    items = list(sheet.items.order_by("position"))
    points = dict(zip([i.pk for i in items], split(Decimal(total)), strict=True))
    own = scoring.sheet_save(actor=actor, examiner_sheet=own, points=points)
    if confirm:
        own = scoring.sheet_confirm(actor=actor, examiner_sheet=own)
    return own
