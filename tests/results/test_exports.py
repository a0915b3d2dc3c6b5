"""The archive exports: the results sheet (Excel, read back with openpyxl) and the score
sheets (PDF, read back with pdftotext as a reader would).

The scores are written as rows here (``scored_world``), so the exports are tested on
exactly known data, independent of the scoring services.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.enrollment.models import Application
from skillcert.results import exports
from skillcert.results.choices import (
    ComponentState,
    Outcome,
    PanelComponent,
    ScoreSource,
    SheetStatus,
)
from skillcert.results.models import (
    ComponentScore,
    ExaminerSheet,
    Panel,
    PanelCandidate,
    PanelMember,
    Result,
    ScoringSheet,
    SheetItem,
)
from tests.core.test_pdf import pdf_fonts, pdf_text
from tests.results.conftest import ResultsKit

# Points of examiners 0, 1, 2 for candidate 0 on the three items (40 + 30 on the first
# sheet, 30 on the second): totals 82.5, 78.0, 90.0 → mean 83.50, spread 12.00.
POINTS = [
    ("36.5", "22.0", "24.0"),
    ("31.0", "23.5", "23.5"),
    ("38.0", "26.0", "26.0"),
]
TOTALS = ["82.50", "78.00", "90.00"]


@dataclass
class ScoredWorld:
    rk: ResultsKit
    batch: Batch
    sheets: list[ScoringSheet]
    panel: Panel


def _signature(index: int) -> str:
    return (f"{index:x}" * 64)[:64]


def scored_world(rk: ResultsKit) -> ScoredWorld:
    """Two practical sheets scored by three examiners for candidate 0 (flagged: spread 12),
    theory scores for everyone, candidate 1 absent in practical, candidate 2 passed after a
    practical retake, candidate 3 voided; results stored."""
    batch = rk.assessed()
    first = ScoringSheet.objects.create(
        batch=batch, component=PanelComponent.PRACTICAL, position=1, title="车削阶梯轴"
    )
    second = ScoringSheet.objects.create(
        batch=batch, component=PanelComponent.PRACTICAL, position=2, title="安全文明生产"
    )
    items = [
        SheetItem.objects.create(sheet=first, position=1, title="尺寸精度", max_points=40),
        SheetItem.objects.create(sheet=first, position=2, title="表面粗糙度", max_points=30),
        SheetItem.objects.create(sheet=second, position=1, title="安全操作规范", max_points=30),
    ]
    panel = Panel.objects.create(batch=batch, component=PanelComponent.PRACTICAL, name="第一组")
    for i, staff in enumerate(rk.examiners):
        PanelMember.objects.create(panel=panel, staff=staff, is_leader=i == 0)
    for application in rk.candidates:
        PanelCandidate.objects.create(
            panel=panel, application=application, component=PanelComponent.PRACTICAL
        )
    target = rk.candidates[0]
    now = timezone.now()
    for e, staff in enumerate(rk.examiners):
        for sheet, sheet_items in ((first, items[:2]), (second, items[2:])):
            points = {str(item.pk): POINTS[e][items.index(item)] for item in sheet_items}
            ExaminerSheet.objects.create(
                application=target,
                sheet=sheet,
                examiner=staff,
                points=points,
                total=sum((Decimal(p) for p in points.values()), Decimal(0)),
                status=SheetStatus.CONFIRMED,
                confirmed_at=now,
                signature=_signature(e + 10 * sheet.position),
            )
    theory = [Decimal("85.00"), Decimal("72.50"), Decimal("64.00"), Decimal("90.00")]
    for application, score in zip(rk.candidates, theory, strict=True):
        ComponentScore.objects.create(
            application=application,
            component=Component.THEORY,
            state=ComponentState.SCORED,
            source=ScoreSource.EXAM,
            score=score,
        )
    c0, c1, c2, c3 = rk.candidates
    ComponentScore.objects.create(
        application=c0,
        component=Component.PRACTICAL,
        state=ComponentState.RESCORE,
        source=ScoreSource.PANEL,
        score=Decimal("83.50"),
        spread=Decimal("12.00"),
    )
    ComponentScore.objects.create(
        application=c1,
        component=Component.PRACTICAL,
        state=ComponentState.ABSENT,
        source=ScoreSource.PANEL,
    )
    ComponentScore.objects.create(
        application=c2,
        component=Component.PRACTICAL,
        state=ComponentState.SCORED,
        source=ScoreSource.PANEL,
        score=Decimal("52.00"),
    )
    ComponentScore.objects.create(
        application=c2,
        component=Component.PRACTICAL,
        sitting_no=2,
        state=ComponentState.SCORED,
        source=ScoreSource.PANEL,
        score=Decimal("71.00"),
    )
    ComponentScore.objects.create(
        application=c3,
        component=Component.PRACTICAL,
        state=ComponentState.VOID,
        source=ScoreSource.PANEL,
        void_grade="cheating",
        void_reason='=HYPERLINK("x") 夹带资料',
    )
    Result.objects.create(application=c0, outcome=Outcome.PENDING)
    Result.objects.create(application=c1, outcome=Outcome.FAILED, total=Decimal("21.75"))
    Result.objects.create(application=c2, outcome=Outcome.PASSED, total=Decimal("68.90"))
    Result.objects.create(application=c3, outcome=Outcome.FAILED, total=Decimal("27.00"))
    return ScoredWorld(rk=rk, batch=batch, sheets=[first, second], panel=panel)


@pytest.fixture
def world(rk: ResultsKit) -> ScoredWorld:
    return scored_world(rk)


def _sheet(data: bytes) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(data))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def _by_admission(rows: list[tuple[object, ...]], application: Application) -> tuple[object, ...]:
    [row] = [r for r in rows[1:] if r[1] == application.admission_number]
    return row


def test_results_sheet_has_a_row_per_candidate_with_each_component(world: ScoredWorld) -> None:
    rows = _sheet(exports.results_workbook(world.batch))
    header = rows[0]
    assert header == (
        "序号", "准考证号", "姓名", "证件号码", "职业（工种）", "等级",
        "理论知识考试", "操作技能考核", "补考科目", "加权总分", "认定结果", "备注",
    )  # fmt: skip
    assert len(rows) == 1 + len(world.rk.candidates)
    c0, c1, c2, c3 = world.rk.candidates
    row = _by_admission(rows, c0)
    assert row[2] == c0.person.full_name
    assert row[6] == 85
    assert row[7] == "分差超限待复评"
    assert row[10] == "待定"
    row = _by_admission(rows, c1)
    assert (row[6], row[7], row[9], row[10]) == (72.5, "缺考", 21.75, "不合格")
    # The retake's score is the one that counts, and the row says it was a retake.
    row = _by_admission(rows, c2)
    assert (row[7], row[8], row[9], row[10]) == (71, "操作技能考核", 68.9, "合格")
    row = _by_admission(rows, c3)
    assert row[7] == "成绩无效"


def test_results_sheet_masks_id_numbers(world: ScoredWorld) -> None:
    rows = _sheet(exports.results_workbook(world.batch))
    for application in world.rk.candidates:
        full = world.rk.exam.id_numbers[application.pk]
        row = _by_admission(rows, application)
        assert row[3] == full[:6] + "*" * 8 + full[-4:]
        assert all(full not in str(cell) for r in rows for cell in r)


def test_results_sheet_neutralises_formulas(world: ScoredWorld) -> None:
    rows = _sheet(exports.results_workbook(world.batch))
    note = _by_admission(rows, world.rk.candidates[3])[11]
    # The note starts with the component's label, so it is plain text either way; a
    # cell that itself starts with "=" is quoted.
    assert isinstance(note, str)
    assert "夹带资料" in note
    book = load_workbook(io.BytesIO(exports.results_workbook(world.batch)))
    assert all(
        not (isinstance(c.value, str) and c.value.startswith("="))
        for row in book.active.iter_rows()
        for c in row
    )
    Result.objects.filter(application=world.rk.candidates[3]).update(void_reason="=1+1")
    note = _by_admission(_sheet(exports.results_workbook(world.batch)), world.rk.candidates[3])[11]
    assert isinstance(note, str)
    assert note.startswith("'=1+1")


def test_score_sheets_pdf_has_chinese_text_and_every_examiners_points(world: ScoredWorld) -> None:
    data = exports.score_sheets_pdf(world.batch)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    flat = text.replace(" ", "")
    assert "职业技能等级认定评分记录表" in flat
    assert "车削阶梯轴" in flat
    assert "安全文明生产" in flat
    assert "尺寸精度" in flat
    target = world.rk.candidates[0]
    assert target.person.full_name in flat
    for staff in world.rk.examiners:
        assert staff.full_name in flat
    # Each examiner's points on each item, their totals, the mean, spread and flag.
    for points in POINTS:
        for value in points:
            assert f"{Decimal(value):.2f}" in text
    assert "各考评员总分：" + "、".join(TOTALS) in flat
    assert "平均分：83.50" in flat
    assert "分差：12.00" in flat
    assert "分差超限，须复评" in flat
    # Signature digests and sign times.
    for digest in (_signature(10), _signature(22)):
        assert digest[:32] in flat
        assert digest[32:] in flat
    assert f"{timezone.localtime():%Y-%m-%d}" in flat
    # Theory lines, a retake and an absent candidate.
    assert "理论知识考试：85.00（机考成绩）" in flat
    assert "首次52.00（考评组评分）；补考71.00（考评组评分）" in flat
    assert "缺考" in flat


def test_score_sheets_pdf_embeds_the_font_and_masks_ids(world: ScoredWorld) -> None:
    data = exports.score_sheets_pdf(world.batch)
    fonts = pdf_fonts(data)
    assert fonts
    assert all(f["emb"] == "yes" for f in fonts)
    flat = pdf_text(data).replace(" ", "")
    for application in world.rk.candidates:
        full = world.rk.exam.id_numbers[application.pk]
        assert full not in flat
        assert full[:6] + "*" * 8 + full[-4:] in flat


def test_a_superseded_round_is_printed_with_its_own_mean(world: ScoredWorld) -> None:
    target = world.rk.candidates[0]
    # A re-scoring round: the component score now belongs to round 2, still unscored.
    ComponentScore.objects.filter(application=target, component=Component.PRACTICAL).update(
        round=2, state=ComponentState.PENDING, score=None, spread=None
    )
    flat = pdf_text(exports.score_sheets_pdf(world.batch)).replace(" ", "")
    assert "第1轮评分" in flat
    assert "平均分：83.50" in flat
    assert "分差超限，已复评，本轮不计分" in flat


def test_empty_batch_exports(rk: ResultsKit) -> None:
    Application.objects.filter(batch=rk.batch).update(status="withdrawn")
    rows = _sheet(exports.results_workbook(rk.batch))
    assert len(rows) == 1
    assert "没有审核通过的考生" in pdf_text(exports.score_sheets_pdf(rk.batch)).replace(" ", "")
