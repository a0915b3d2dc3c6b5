"""Archive exports of a batch's results: the results sheet (成绩汇总表, Excel) and the score
sheets (评分记录表, PDF) that HR authorities read and the archive keeps for ≥ 3 years
(云人社函〔2023〕1号 二(三)).

Both read the stored rows directly (the caller has already checked that the actor may
read the batch); ID numbers are printed masked, never in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Spacer

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core import pdf
from skillcert.core.choices import SkillLevel
from skillcert.core.excel import workbook_bytes
from skillcert.core.fields import Protected
from skillcert.core.masking import mask
from skillcert.enrollment.models import Application
from skillcert.institutions.models import StaffMember
from skillcert.results import selectors
from skillcert.results.choices import PANEL_COMPONENTS, ComponentState, ScoreSource, SheetStatus
from skillcert.results.models import (
    ComponentScore,
    ExaminerSheet,
    PanelCandidate,
    PanelMember,
    ScoringSheet,
)

SCORE_SHEETS_TITLE = "职业技能等级认定评分记录表"
_CENT = Decimal("0.01")
RESULTS_TITLE = "成绩汇总表"


def masked_id(value: object) -> str:
    """The masked ID number of a person (``530102********1234``); never the whole."""
    if isinstance(value, Protected):
        return value.masked
    return mask("id", str(value)) if value else ""


def occupation_label(batch: Batch) -> str:
    """``车工`` or ``车工（数控车工）``."""
    name = batch.occupation.name
    return f"{name}（{batch.work_type.name}）" if batch.work_type is not None else name


def _fmt(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _score_cell(score: ComponentScore | None) -> object:
    """A number when scored, otherwise what stands in its place (缺考, 成绩无效, …)."""
    if score is None:
        return "—"
    if score.state == ComponentState.SCORED and score.score is not None:
        return score.score
    return score.get_state_display()


# ---------------------------------------------------------------------------------------
# Results sheet (Excel)


def results_headers(batch: Batch) -> list[str]:
    labels = dict(Component.choices)
    return [
        "序号",
        "准考证号",
        "姓名",
        "证件号码",
        "职业（工种）",
        "等级",
        *(str(labels[c]) for c in batch.components),
        "补考科目",
        "加权总分",
        "认定结果",
        "备注",
    ]


def results_rows(batch: Batch) -> list[list[object]]:
    """One row per approved candidate (the staff page's table): each required component's
    standing score (or its state), the retaken components, the weighted total (reporting
    only) and the outcome."""
    occupation = occupation_label(batch)
    level = str(SkillLevel(batch.level).label)
    rows: list[list[object]] = []
    for number, row in enumerate(selectors.batch_table(batch), start=1):
        notes = [
            f"{cell.label}：{cell.row.void_reason or cell.row.note}"
            for cell in row.cells
            if cell.row is not None and (cell.row.void_reason or cell.row.note)
        ]
        notes += [f"{cell.label}{text}" for cell in row.cells for text in cell.earlier]
        if row.void_reason:
            notes.insert(0, row.void_reason)
        rows.append(
            [
                number,
                row.admission_number,
                row.name,
                row.masked_id,
                occupation,
                level,
                *(_score_cell(cell.row) for cell in row.cells),
                "、".join(cell.label for cell in row.cells if cell.is_retake),
                row.total,
                row.outcome_label,
                "；".join(notes),
            ]
        )
    return rows


def results_workbook(batch: Batch) -> bytes:
    """The batch's results sheet (成绩汇总表) as .xlsx, formula injection neutralised."""
    return workbook_bytes(
        title=f"{RESULTS_TITLE} {batch.code}",
        headers=results_headers(batch),
        rows=results_rows(batch),
    )


# ---------------------------------------------------------------------------------------
# Score sheets (PDF)


@dataclass
class _Round:
    """One scoring round of one component for one candidate."""

    sitting_no: int
    round: int
    sheets: dict[int, dict[int, ExaminerSheet]] = field(default_factory=dict)  # sheet → examiner


def _examiner_sheets(batch: Batch) -> dict[int, list[ExaminerSheet]]:
    found: dict[int, list[ExaminerSheet]] = defaultdict(list)
    rows = (
        ExaminerSheet.objects.filter(application__batch_id=batch.pk)
        .select_related("examiner", "sheet")
        .order_by("sitting_no", "round", "sheet__component", "sheet__position", "examiner_id")
    )
    for row in rows:
        found[row.application_id].append(row)
    return found


def _panel_places(batch: Batch) -> dict[tuple[int, str], PanelCandidate]:
    places = PanelCandidate.objects.filter(panel__batch_id=batch.pk).select_related("panel")
    return {(p.application_id, p.component): p for p in places}


def _panel_members(batch: Batch) -> dict[int, list[StaffMember]]:
    members: dict[int, list[StaffMember]] = defaultdict(list)
    rows = PanelMember.objects.filter(panel__batch_id=batch.pk).select_related("staff")
    for row in rows.order_by("panel_id", "-is_leader", "staff_id"):
        members[row.panel_id].append(row.staff)
    return members


def score_sheets_pdf(batch: Batch) -> bytes:
    """The score sheets of every candidate of the batch (评分记录表): per panel component,
    each sheet's items × examiners' points, each examiner's total, signature digest and
    time, then the mean, the spread and the re-scoring flag; theory and course scores as
    one line each. Chinese font embedded."""
    batch = Batch.objects.select_related(
        "institution__organisation", "occupation", "work_type"
    ).get(pk=batch.pk)
    sheets = list(
        ScoringSheet.objects.filter(batch_id=batch.pk)
        .prefetch_related("items")
        .order_by("component", "position")
    )
    examiner_rows = _examiner_sheets(batch)
    places = _panel_places(batch)
    members = _panel_members(batch)
    styles = pdf.styles()
    story: list[Flowable] = []
    applications = selectors.approved_applications(batch)
    scores = selectors.scores_by_application(batch)
    for index, application in enumerate(applications):
        if index:
            story.append(PageBreak())
        story += _candidate_story(
            batch,
            application,
            scores.get(application.pk, []),
            sheets,
            examiner_rows.get(application.pk, []),
            places,
            members,
        )
    if not applications:
        story.append(pdf.para(SCORE_SHEETS_TITLE, styles.title))
        story.append(pdf.para("本批次没有审核通过的考生。"))
    decor = pdf.PageDecor(
        title=f"{SCORE_SHEETS_TITLE} {batch.code}",
        header_left=batch.institution.name,
        header_right=f"{batch.code} · {occupation_label(batch)} · {SkillLevel(batch.level).label}",
        footer_left=f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
    )
    return pdf.build_a4(story, decor, subject=batch.title)


def _candidate_story(
    batch: Batch,
    application: Application,
    scores: list[ComponentScore],
    sheets: list[ScoringSheet],
    rows: list[ExaminerSheet],
    places: dict[tuple[int, str], PanelCandidate],
    members: dict[int, list[StaffMember]],
) -> list[Flowable]:
    styles = pdf.styles()
    labels = dict(Component.choices)
    person = application.person
    story: list[Flowable] = [
        pdf.para(SCORE_SHEETS_TITLE, styles.title),
        pdf.para(
            f"准考证号：{application.admission_number or '—'}　姓名：{person.full_name}　"
            f"证件号码：{masked_id(person.id_number)}",
            styles.body,
        ),
        pdf.para(f"批次：{batch.title}（{batch.code}）", styles.small),
    ]
    for component in batch.components:
        label = str(labels[component])
        own = [s for s in scores if s.component == component]
        if component not in PANEL_COMPONENTS:
            story.append(pdf.para(f"{label}：{_score_lines(own)}", styles.heading))
            continue
        place = places.get((application.pk, component))
        panel_name = f" · {place.panel.name}" if place is not None else ""
        story.append(pdf.para(f"{label}{panel_name}", styles.heading))
        component_sheets = [s for s in sheets if s.component == component]
        component_rows = [r for r in rows if r.sheet.component == component]
        panel_staff = members.get(place.panel_id, []) if place is not None else []
        rounds = _rounds(component_rows)
        if not rounds:
            story.append(pdf.para("尚无评分记录。", styles.body))
        for scoring_round in rounds:
            story += _round_story(scoring_round, component_sheets, panel_staff, own)
        story.append(pdf.para(f"{label}成绩：{_score_lines(own)}", styles.body))
    return story


def _rounds(rows: Iterable[ExaminerSheet]) -> list[_Round]:
    found: dict[tuple[int, int], _Round] = {}
    for row in rows:
        key = (row.sitting_no, row.round)
        scoring_round = found.setdefault(key, _Round(sitting_no=row.sitting_no, round=row.round))
        scoring_round.sheets.setdefault(row.sheet_id, {})[row.examiner_id] = row
    return [found[key] for key in sorted(found)]


def _round_story(
    scoring_round: _Round,
    sheets: list[ScoringSheet],
    panel_staff: list[StaffMember],
    scores: list[ComponentScore],
) -> list[Flowable]:
    styles = pdf.styles()
    examiners: dict[int, StaffMember] = {s.pk: s for s in panel_staff}
    for by_examiner in scoring_round.sheets.values():
        for row in by_examiner.values():
            examiners.setdefault(row.examiner_id, row.examiner)
    order = list(examiners.values())
    sitting = "补考" if scoring_round.sitting_no > 1 else "首次考核"
    story: list[Flowable] = [
        pdf.para(f"{sitting} · 第 {scoring_round.round} 轮评分", styles.body),
    ]
    totals: dict[int, Decimal] = defaultdict(Decimal)
    confirmed_all: dict[int, bool] = dict.fromkeys(examiners, True)
    for sheet in sheets:
        by_examiner = scoring_round.sheets.get(sheet.pk, {})
        story.append(KeepTogether(_sheet_table(sheet, order, by_examiner)))
        story.append(Spacer(1, 2 * mm))
        for pk in examiners:
            found = by_examiner.get(pk)
            if (
                found is not None
                and found.status == SheetStatus.CONFIRMED
                and found.total is not None
            ):
                totals[pk] += found.total
            else:
                confirmed_all[pk] = False
    story.append(KeepTogether(_signature_table(sheets, order, scoring_round)))
    story.append(Spacer(1, 2 * mm))
    finished = [totals[pk] for pk in examiners if confirmed_all[pk]]
    story.append(pdf.para(_round_summary(scoring_round, finished, scores), styles.body))
    return story


def _sheet_table(
    sheet: ScoringSheet, examiners: list[StaffMember], by_examiner: dict[int, ExaminerSheet]
) -> Flowable:
    cell = pdf.styles().cell_small
    fixed = 70 * mm + 16 * mm
    width = (pdf.CONTENT_WIDTH - fixed) / max(1, len(examiners))
    header = [
        pdf.para(f"{sheet.position}. {sheet.title}", cell),
        "配分",
        *(pdf.para(e.full_name, cell) for e in examiners),
    ]
    body: list[list[object]] = []
    items = list(sheet.items.all())
    for item in items:
        points = []
        for examiner in examiners:
            row = by_examiner.get(examiner.pk)
            value = row.points.get(str(item.pk)) if row is not None else None
            points.append("—" if value in (None, "") else _fmt(Decimal(str(value))))
        body.append(
            [pdf.para(f"{item.position}. {item.title}", cell), _fmt(item.max_points), *points]
        )
    sheet_max = sum((i.max_points for i in items), Decimal(0))
    subtotals = []
    for examiner in examiners:
        row = by_examiner.get(examiner.pk)
        subtotals.append(_fmt(row.total) if row is not None and row.total is not None else "—")
    body.append(["小计", _fmt(sheet_max), *subtotals])
    return pdf.grid_table(
        [header, *body],
        col_widths=[70 * mm, 16 * mm, *([width] * len(examiners))],
        font_size=8.5,
        centred_columns=range(1, 2 + len(examiners)),
    )


def _signature_table(
    sheets: list[ScoringSheet], examiners: list[StaffMember], scoring_round: _Round
) -> Flowable:
    cell = pdf.styles().cell_small
    header = ["考评员", "评分表", "小计", "状态", "签字时间", "签名摘要（SHA-256）"]
    rows: list[list[object]] = []
    for examiner in examiners:
        for sheet in sheets:
            row = scoring_round.sheets.get(sheet.pk, {}).get(examiner.pk)
            if row is None:
                rows.append([examiner.full_name, sheet.title, "—", "未评分", "—", "—"])
                continue
            signed = (
                f"{timezone.localtime(row.confirmed_at):%Y-%m-%d %H:%M}"
                if row.confirmed_at
                else "—"
            )
            rows.append(
                [
                    pdf.para(examiner.full_name, cell),
                    pdf.para(sheet.title, cell),
                    _fmt(row.total) or "—",
                    row.get_status_display(),
                    signed,
                    pdf.para(_digest_lines(row.signature), cell),
                ]
            )
    return pdf.grid_table(
        [header, *rows],
        col_widths=[22 * mm, 30 * mm, 14 * mm, 20 * mm, 26 * mm, pdf.CONTENT_WIDTH - 112 * mm],
        font_size=8,
        centred_columns=(2, 3, 4),
    )


def _digest_lines(signature: str) -> str:
    """A SHA-256 digest as two lines of 32 hex digits, so it fits its column whole."""
    return f"{signature[:32]}\n{signature[32:]}" if signature else "—"


def _round_summary(
    scoring_round: _Round, totals: list[Decimal], scores: list[ComponentScore]
) -> str:
    """The examiners' totals, their mean and spread, and the flag: the stored component
    score for the current round; an earlier round was superseded by re-scoring."""
    parts = ["各考评员总分：" + ("、".join(_fmt(t) for t in totals) if totals else "未全部签字")]
    stored = next(
        (
            s
            for s in scores
            if s.sitting_no == scoring_round.sitting_no and s.round == scoring_round.round
        ),
        None,
    )
    if stored is not None and stored.score is not None and stored.source == ScoreSource.PANEL:
        parts.append(f"平均分：{_fmt(stored.score)}")
        parts.append(f"分差：{_fmt(stored.spread)}")
        if stored.state == ComponentState.RESCORE:
            parts.append("分差超限，须复评")
        elif stored.spread_accepted_note:
            parts.append(f"复评后分差仍超限，确认采用（{stored.spread_accepted_note}）")
    elif totals:
        mean = (sum(totals, Decimal(0)) / len(totals)).quantize(_CENT, rounding=ROUND_HALF_UP)
        parts.append(f"平均分：{_fmt(mean)}")
        parts.append(f"分差：{_fmt(max(totals) - min(totals))}")
        if stored is None and any(
            s.sitting_no == scoring_round.sitting_no and s.round > scoring_round.round
            for s in scores
        ):
            parts.append("分差超限，已复评，本轮不计分")
    return "；".join(parts)


def _score_lines(scores: list[ComponentScore]) -> str:
    """``85.00（机考成绩）``, ``缺考``, ``首次 52.00；补考 71.00``."""
    if not scores:
        return "—"
    texts = []
    for score in scores:
        value = _score_cell(score)
        text = _fmt(value) if isinstance(value, Decimal) else str(value)
        if score.state == ComponentState.SCORED:
            text += f"（{score.get_source_display()}）"
        if score.void_reason:
            text += f"（{score.void_reason}）"
        if len(scores) > 1:
            text = f"{'补考' if score.sitting_no > 1 else '首次'} {text}"
        texts.append(text)
    return "；".join(texts)
