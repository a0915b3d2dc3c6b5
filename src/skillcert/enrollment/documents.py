"""Exam-administration documents (考务材料): the sign-in sheet (签到表) of a session's room.

The sheet is an archived record of each 考场 (national-rules §1.8, 云人社函〔2023〕1号):
candidates sign beside their seat, the proctors sign every page and the last page
counts who came. ID numbers are printed masked (530102********1234), never in full.
Loading (:func:`signin_sheet`) and drawing (:func:`render_signin_sheet`) are separate,
so the drawing can be measured without a database (bench/pdf_signin.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from skillcert.batches.models import Session
from skillcert.core import pdf
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.core.fields import Protected
from skillcert.core.masking import mask
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import SeatAssignment
from skillcert.institutions.permissions import AUTHORITY_ROLES, STAFF_ROLES

SIGNIN_TITLE = "职业技能等级认定考生签到表"
_ROW_HEIGHT = 8 * mm  # room for a handwritten signature
# 座位号, 准考证号, 姓名, 证件号码, 签名, 备注: 174 mm, the A4 content width.
_COLUMNS_MM = (14, 34, 30, 40, 34, 22)
_SHORT_NAME = 8  # longer names (e.g. 阿卜杜热合曼·买买提) print smaller to stay in the row


@dataclass(frozen=True)
class SigninRow:
    seat_number: int
    admission_number: str
    name: str
    id_number_masked: str
    note: str = ""


@dataclass(frozen=True)
class SigninSheet:
    """Everything the sign-in sheet prints, already masked."""

    institution: str
    batch_title: str
    batch_code: str
    occupation: str  # 职业（工种）
    level: str
    component: str
    room: str
    time: str
    rows: list[SigninRow]


def session_seats(session: Session) -> QuerySet[SeatAssignment]:
    """The session's seats in seat order, with the candidates (for pages and the sheet)."""
    return (
        SeatAssignment.objects.filter(session_id=session.pk)
        .select_related("application__person")
        .order_by("seat_number")
    )


def signin_sheet(session: Session) -> SigninSheet:
    """Load the sheet's content for a session the caller may already see."""
    session = Session.objects.select_related(
        "batch__institution__organisation",
        "batch__occupation",
        "batch__work_type",
        "room__site",
    ).get(pk=session.pk)
    batch = session.batch
    occupation = batch.occupation.name
    if batch.work_type is not None:
        occupation = f"{occupation}（{batch.work_type.name}）"
    return SigninSheet(
        institution=batch.institution.name,
        batch_title=batch.title,
        batch_code=batch.code,
        occupation=occupation,
        level=str(SkillLevel(batch.level).label),
        component=session.get_component_display(),
        room=f"{session.room.site.name} {session.room.name}",
        time=session_time(session),
        rows=[_row(seat) for seat in session_seats(session)],
    )


def session_time(session: Session) -> str:
    """``2026-06-01 09:00—10:30（90分钟）`` in local time."""
    start = timezone.localtime(session.starts_at)
    end = start + timedelta(minutes=session.duration_minutes)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}—{end_text}（{session.duration_minutes}分钟）"


def _row(seat: SeatAssignment) -> SigninRow:
    application = seat.application
    person = application.person
    # A seat outlives a later withdrawal; the sheet says so instead of hiding the row.
    note = "" if application.status == ApplicationStatus.APPROVED else "已取消资格"
    return SigninRow(
        seat_number=seat.seat_number,
        admission_number=application.admission_number or "",
        name=person.full_name,
        id_number_masked=_masked_id(person.id_number),
        note=note,
    )


def _masked_id(value: object) -> str:
    # The field reads back as Protected; mask anything else too, never print it whole.
    if isinstance(value, Protected):
        return value.masked
    return mask("id", str(value)) if value else ""


def signin_sheet_pdf(session: Session) -> bytes:
    """The 签到表 of one session (one room) as a PDF with the font embedded."""
    return render_signin_sheet(signin_sheet(session))


def render_signin_sheet(sheet: SigninSheet) -> bytes:
    styles = pdf.styles()
    story: list[Flowable] = [
        pdf.para(SIGNIN_TITLE, styles.title),
        _heading_table(sheet),
        Spacer(1, 4 * mm),
        _seat_table(sheet),
        Spacer(1, 5 * mm),
        KeepTogether(_closing(sheet)),
    ]
    decor = pdf.PageDecor(
        title=f"{SIGNIN_TITLE} {sheet.batch_code} {sheet.room}",
        header_left=sheet.institution,
        header_right=f"{sheet.batch_code} · {sheet.component} · {sheet.room}",
        footer_left="监考人员签字：________________　________________",
    )
    return pdf.build_a4(story, decor, subject=sheet.batch_title)


def _heading_table(sheet: SigninSheet) -> Flowable:
    cell = pdf.styles().cell
    rows = [
        ["批次名称", pdf.para(sheet.batch_title, cell), "批次编号", sheet.batch_code],
        ["职业（工种）", pdf.para(sheet.occupation, cell), "等级", sheet.level],
        ["科目", sheet.component, "考场", pdf.para(sheet.room, cell)],
        ["时间", pdf.para(sheet.time, cell), "评价机构", pdf.para(sheet.institution, cell)],
    ]
    widths = [w * mm for w in (24, 63, 24, 63)]
    return pdf.grid_table(rows, col_widths=widths, header_rows=0)


def _seat_table(sheet: SigninSheet) -> Flowable:
    styles = pdf.styles()
    rows: list[list[object]] = [["座位号", "准考证号", "姓名", "证件号码", "签名", "备注"]]
    rows += [
        [
            str(row.seat_number),
            row.admission_number,
            pdf.para(row.name, styles.cell if len(row.name) <= _SHORT_NAME else styles.cell_small),
            row.id_number_masked,
            "",
            pdf.para(row.note, styles.cell_small) if row.note else "",
        ]
        for row in sheet.rows
    ]
    if not sheet.rows:
        rows.append(["", "", "本场次尚未安排考生", "", "", ""])
    return pdf.grid_table(
        rows,
        col_widths=[w * mm for w in _COLUMNS_MM],
        row_height=_ROW_HEIGHT,
        centred_columns=(0, 1, 3),
    )


def _closing(sheet: SigninSheet) -> list[Flowable]:
    body = pdf.styles().body
    expected = sum(1 for row in sheet.rows if not row.note)
    return [
        pdf.para(f"应到 {expected} 人　　实到 ______ 人　　缺考 ______ 人", body),
        Spacer(1, 4 * mm),
        pdf.para(
            "监考人员签字：________________　________________　　日期：______年____月____日",
            body,
        ),
        Spacer(1, 3 * mm),
        pdf.para(
            "注：考生凭准考证和有效身份证件入场，核对本人信息后在“签名”栏签名；"
            "缺考考生由监考人员在“备注”栏注明“缺考”。本表随考场记录归档。",
            pdf.styles().small,
        ),
    ]


def can_read_documents(actor: Actor) -> bool:
    """Sign-in sheets and seat lists go to the institution's staff and its HR authorities.

    Call it on a session found through ``Session.objects.for_actor``: the scope decides
    whose sessions, this decides which roles. Education officials read certification
    data, not exam-room papers.
    """
    return actor.is_platform_admin or actor.role in STAFF_ROLES | AUTHORITY_ROLES
