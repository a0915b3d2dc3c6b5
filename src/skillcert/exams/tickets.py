"""Admission tickets (准考证): one A4 page per candidate, with photo, seats and a QR code.

DESIGN.md step 4: the candidate brings the ticket and an ID card; staff at the room's
desk scan the QR code, whose payload is the admission number and a keyed MAC of it
(``SKT1:<admission number>:<tag>``), so a ticket with an edited number is rejected
without a look-up and numbers cannot be forged. ID numbers are printed masked.
Loading (:func:`application_ticket`, :func:`session_tickets`) and drawing
(:func:`render_tickets`) are separate, like the sign-in sheet's.
"""

from __future__ import annotations

import hmac
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable, Image, PageBreak, Spacer, Table, TableStyle

from skillcert.batches.models import Session
from skillcert.core import pdf
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.core.crypto import blind_index
from skillcert.core.errors import DomainError
from skillcert.core.fields import Protected
from skillcert.core.masking import mask
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.documents import session_time
from skillcert.enrollment.models import Application, SeatAssignment
from skillcert.enrollment.permissions import is_batch_staff, is_self

logger = logging.getLogger(__name__)

TICKET_TITLE = "职业技能等级认定准考证"
QR_PREFIX = "SKT1"
# 80 bits of HMAC-SHA256: enough against guessing at a desk, short enough for a small code.
_TAG_LENGTH = 20
_PHOTO_SIZE = (30 * mm, 40 * mm)  # 3:4, the usual 证件照 proportion
_QR_SIZE = 34 * mm
# Paragraphs of 考场规则; the violations guideline is 人社职司便函〔2021〕57号.
EXAM_RULES = (
    "一、考生凭本准考证和有效身份证件，于开考前30分钟到达考场，完成考场定位签到和身份核验后对号入座；迟到超过规定时间不得入场。",
    "二、除规定的文具外，不得携带手机、智能手表等通讯工具及书籍资料进入考场；已带入的须关机并放在指定位置。",
    "三、考试期间保持安静，服从考务人员和监考人员管理；不得交头接耳、抄袭、传递信息或由他人代考。",
    "四、机考考生不得退出考试界面或操作与考试无关的程序；设备故障须举手示意，不得自行处理。",
    "五、违纪违规行为按《技能人才评价违纪违规行为处理工作指引》处理，成绩无效并记入诚信档案。",
    "六、本准考证须妥善保管，不得涂改、转借；遗失的请及时联系评价机构。",
)


# ---------------------------------------------------------------- the QR payload


def _tag(admission_number: str) -> str:
    # The project's keyed MAC (HKDF-derived key per purpose), as upper-case hex so the
    # whole payload fits the QR code's compact alphanumeric mode.
    return blind_index("admission-ticket", admission_number)[:_TAG_LENGTH].upper()


def ticket_payload(admission_number: str) -> str:
    """What the ticket's QR code holds: ``SKT1:<admission number>:<tag>``."""
    return f"{QR_PREFIX}:{admission_number}:{_tag(admission_number)}"


def ticket_verify(payload: str) -> str:
    """The admission number of a scanned payload; a DomainError when it was not issued here."""
    parts = payload.strip().upper().split(":")
    if len(parts) != 3 or parts[0] != QR_PREFIX or not parts[1]:
        raise DomainError(_("无法识别的准考证核验码。"), code="bad_payload")
    number, tag = parts[1], parts[2]
    if not hmac.compare_digest(tag.encode(), _tag(number).encode()):
        raise DomainError(_("准考证核验码校验失败：准考证可能被伪造或涂改。"), code="bad_tag")
    return number


def looks_like_payload(text: str) -> bool:
    return text.strip().upper().startswith(f"{QR_PREFIX}:")


# ---------------------------------------------------------------- who may download


def can_download_ticket(actor: Actor, application: Application) -> bool:
    """The candidate themself, and the admin and exam staff of the batch's institution."""
    return is_self(actor, application.person) or is_batch_staff(actor, application.batch)


def can_download_session_tickets(actor: Actor, session: Session) -> bool:
    return is_batch_staff(actor, session.batch)


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class TicketSeat:
    component: str
    time: str
    site: str
    address: str
    room: str
    seat_number: int


@dataclass(frozen=True)
class Ticket:
    """Everything one ticket prints, already masked."""

    institution: str
    batch_title: str
    batch_code: str
    occupation: str  # 职业（工种）
    level: str
    name: str
    id_type: str
    id_number_masked: str
    admission_number: str
    seats: list[TicketSeat]
    photo: bytes | None = None

    @property
    def qr_payload(self) -> str:
        return ticket_payload(self.admission_number)


_APPLICATION_RELATED = (
    "person",
    "batch__institution",
    "batch__occupation",
    "batch__work_type",
)


def _seats() -> QuerySet[SeatAssignment]:
    """Each application's seats in time order, with their rooms and sites."""
    return SeatAssignment.objects.select_related("session__room__site").order_by(
        "session__starts_at", "session_id"
    )


def application_ticket(application: Application) -> Ticket:
    """The ticket of an application the caller may see; refused until it has a seat."""
    application = (
        Application.objects.select_related(*_APPLICATION_RELATED)
        .prefetch_related(Prefetch("seats", queryset=_seats()))
        .get(pk=application.pk)
    )
    if application.status != ApplicationStatus.APPROVED or not application.admission_number:
        raise DomainError(_("报名申请尚未审核通过，没有准考证。"), code="not_approved")
    if not application.seats.all():
        raise DomainError(_("尚未安排考场座位，暂不能打印准考证。"), code="no_seat")
    return _ticket(application)


def session_tickets(session: Session) -> list[Ticket]:
    """The tickets of everyone seated in ``session`` (approved candidates), in seat order.

    Each ticket lists all of that candidate's seats, not only this session's.
    """
    applications = (
        Application.objects.filter(
            seats__session_id=session.pk,
            status=ApplicationStatus.APPROVED,
            admission_number__isnull=False,
        )
        .select_related(*_APPLICATION_RELATED)
        .prefetch_related(Prefetch("seats", queryset=_seats()))
        .order_by("seats__seat_number")
    )
    tickets = [_ticket(application) for application in applications]
    if not tickets:
        raise DomainError(_("本场次没有可打印准考证的考生。"), code="no_candidates")
    return tickets


def _ticket(application: Application) -> Ticket:
    batch = application.batch
    person = application.person
    occupation = batch.occupation.name
    if batch.work_type is not None:
        occupation = f"{occupation}（{batch.work_type.name}）"
    return Ticket(
        institution=batch.institution.name,
        batch_title=batch.title,
        batch_code=batch.code,
        occupation=occupation,
        level=str(SkillLevel(batch.level).label),
        name=person.full_name,
        id_type=person.get_id_type_display(),
        id_number_masked=_masked(person.id_number),
        admission_number=application.admission_number or "",
        seats=[_seat(seat) for seat in application.seats.all()],
        photo=_photo_bytes(application),
    )


def _masked(value: object) -> str:
    # The field reads back as Protected; mask anything else too, never print it whole.
    if isinstance(value, Protected):
        return value.masked
    return mask("id", str(value)) if value else ""


def _seat(seat: SeatAssignment) -> TicketSeat:
    session = seat.session
    site = session.room.site
    return TicketSeat(
        component=session.get_component_display(),
        time=session_time(session),
        site=site.name,
        address=site.address,
        room=session.room.name,
        seat_number=seat.seat_number,
    )


def _photo_bytes(application: Application) -> bytes | None:
    photo = application.person.photo
    if not photo:
        return None
    try:
        with photo.open("rb") as handle:
            data: bytes = handle.read()
    except OSError:
        # A missing file must not stop the ticket: the framed box is printed instead.
        logger.warning("photo of person %s could not be read", application.person_id)
        return None
    return data


# ---------------------------------------------------------------- drawing


def render_tickets(tickets: Sequence[Ticket]) -> bytes:
    """One A4 page per ticket, the font embedded."""
    story: list[Flowable] = []
    for n, ticket in enumerate(tickets):
        if n:
            story.append(PageBreak())
        story += _ticket_story(ticket)
    first = tickets[0]
    title = TICKET_TITLE if len(tickets) > 1 else f"{TICKET_TITLE} {first.admission_number}"
    decor = pdf.PageDecor(
        title=title,
        header_left=first.institution,
        header_right=f"{first.batch_code} · {first.batch_title}",
        footer_left="考试时须同时携带本准考证和有效身份证件",
    )
    return pdf.build_a4(story, decor, subject=first.batch_title)


def ticket_pdf(application: Application) -> bytes:
    return render_tickets([application_ticket(application)])


def session_tickets_pdf(session: Session) -> bytes:
    return render_tickets(session_tickets(session))


def _ticket_story(ticket: Ticket) -> list[Flowable]:
    styles = pdf.styles()
    return [
        pdf.para(TICKET_TITLE, styles.title),
        _identity(ticket),
        Spacer(1, 5 * mm),
        pdf.para("考试安排", styles.heading),
        _seat_table(ticket),
        Spacer(1, 6 * mm),
        _qr_and_rules(ticket),
        Spacer(1, 2 * mm),
        # The payload in print too, for a desk whose scanner fails (typed in by hand).
        pdf.para(f"核验码：{ticket.qr_payload}", styles.small),
    ]


def _identity(ticket: Ticket) -> Flowable:
    cell = pdf.styles().cell
    rows = [
        ["姓名", pdf.para(ticket.name, cell)],
        ["准考证号", ticket.admission_number],
        [ticket.id_type, ticket.id_number_masked],
        ["职业（工种）", pdf.para(ticket.occupation, cell)],
        ["等级", ticket.level],
        ["评价机构", pdf.para(ticket.institution, cell)],
        ["批次", pdf.para(f"{ticket.batch_title}（{ticket.batch_code}）", cell)],
    ]
    details = pdf.grid_table(
        rows, col_widths=[30 * mm, 104 * mm], header_rows=0, row_height=7.5 * mm
    )
    outer = Table([[details, _photo(ticket)]], colWidths=[136 * mm, 38 * mm])
    outer.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.register_cjk_font()),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return outer


def _photo(ticket: Ticket) -> Flowable:
    width, height = _PHOTO_SIZE
    if ticket.photo:
        try:
            # Reading the image now turns a corrupt upload into the box, not a crash.
            ImageReader(io.BytesIO(ticket.photo)).getSize()
        except Exception:
            logger.warning("unreadable photo on ticket %s", ticket.admission_number)
        else:
            return Image(io.BytesIO(ticket.photo), width=width, height=height)
    box = Table([["照片"]], colWidths=[width], rowHeights=[height])
    box.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.register_cjk_font()),
                ("FONTSIZE", (0, 0), (-1, -1), 11),
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor("#666666")),
            ]
        )
    )
    return box


def _seat_table(ticket: Ticket) -> Flowable:
    styles = pdf.styles()
    rows: list[list[object]] = [["科目", "时间", "考点及地址", "考场", "座位号"]]
    rows += [
        [
            pdf.para(seat.component, styles.cell),
            pdf.para(seat.time, styles.cell),
            pdf.para(f"{seat.site}\n{seat.address}", styles.cell),
            pdf.para(seat.room, styles.cell),
            str(seat.seat_number),
        ]
        for seat in ticket.seats
    ]
    return pdf.grid_table(
        rows, col_widths=[w * mm for w in (28, 44, 62, 24, 16)], centred_columns=(4,)
    )


def qr_png(payload: str) -> bytes:
    """The QR code as a PNG: 8 pixels a module and the standard 4-module quiet zone."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def _qr_and_rules(ticket: Ticket) -> Flowable:
    styles = pdf.styles()
    code = Image(io.BytesIO(qr_png(ticket.qr_payload)), width=_QR_SIZE, height=_QR_SIZE)
    left = [code, pdf.para("考场核验码：请勿折叠、涂改", styles.small)]
    right = [pdf.para("考场规则", styles.heading)] + [
        pdf.para(rule, styles.small) for rule in EXAM_RULES
    ]
    table = Table([[left, right]], colWidths=[44 * mm, 130 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), pdf.register_cjk_font()),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOX", (1, 0), (1, 0), 0.6, colors.black),
                ("LEFTPADDING", (1, 0), (1, 0), 3 * mm),
                ("RIGHTPADDING", (1, 0), (1, 0), 3 * mm),
                ("BOTTOMPADDING", (1, 0), (1, 0), 3 * mm),
            ]
        )
    )
    return table
