"""The e-certificate (人社鉴发〔2021〕1号): one A4 sheet with every field, photo and QR code.

Drawn straight on a reportlab canvas in the shared Chinese font (embedded as a subset of
the glyphs used), which keeps a certificate to a few milliseconds: the parsed font is
registered once per process by :func:`skillcert.core.pdf.register_cjk_font`.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from skillcert.certificates.content import CertificateContent
from skillcert.core import pdf

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = A4
_FRAME = 12 * mm  # outer border's distance from the paper's edge
_PHOTO = (30 * mm, 40 * mm)  # 3:4, the usual 证件照 proportion
_QR_SIZE = 32 * mm
_QR_MASK = 0  # pattern 000, (i + j) mod 2 == 0: a checkerboard (ISO/IEC 18004 table 10)
_LABEL_X = 26 * mm
_VALUE_X = 62 * mm
_VALUE_WIDTH = WIDTH - _VALUE_X - 26 * mm - _PHOTO[0] - 6 * mm  # left of the photo
_ROW = 13 * mm
_PHOTO_BOTTOM = HEIGHT - 105 * mm
_NAVY = colors.HexColor("#1F3A68")


@cache
def _value_style() -> ParagraphStyle:
    return ParagraphStyle(
        "CertificateValue",
        fontName=pdf.register_cjk_font(),
        fontSize=13,
        leading=16,
        wordWrap="CJK",
        alignment=TA_LEFT,
    )


def render_certificate(content: CertificateContent) -> bytes:
    """The certificate's PDF (unsigned)."""
    font = pdf.register_cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=font, pageCompression=1)
    canvas.setTitle(f"{content.title} {content.number}")
    canvas.setSubject(content.title)
    canvas.setAuthor(content.institution)
    canvas.setCreator("SkillCert")
    _frame(canvas)
    pdf.draw_text(canvas, WIDTH / 2, HEIGHT - 48 * mm, content.title, size=30, align="centre")
    _photo(canvas, content.photo, WIDTH - 26 * mm - _PHOTO[0], _PHOTO_BOTTOM)
    _fields(canvas, content)
    _footer(canvas, content)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _frame(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(_NAVY)
    canvas.setLineWidth(2.2)
    canvas.rect(_FRAME, _FRAME, WIDTH - 2 * _FRAME, HEIGHT - 2 * _FRAME)
    canvas.setLineWidth(0.6)
    inner = _FRAME + 2.5 * mm
    canvas.rect(inner, inner, WIDTH - 2 * inner, HEIGHT - 2 * inner)
    canvas.restoreState()


def _fields(canvas: Canvas, content: CertificateContent) -> None:
    rows = (
        ("姓　　名", content.name),
        ("证件类型", content.id_type),
        ("证件号码", content.id_number),
        ("职业名称", f"{content.occupation_name}（{content.occupation_code}）"),
        ("工　　种", content.work_type),
        ("职业技能等级", content.level_text),
        ("评价机构", content.institution),
        ("证书编号", content.number),
        ("发证日期", content.issue_date_text),
    )
    y = HEIGHT - 72 * mm
    for label, value in rows:
        pdf.draw_text(canvas, _LABEL_X, y, f"{label}：", size=13)
        # A paragraph wraps a long institution or occupation name instead of overflowing;
        # escape() keeps user text from being read as markup. Rows beside the photo are
        # narrower.
        width = _VALUE_WIDTH if y > _PHOTO_BOTTOM else WIDTH - _VALUE_X - 26 * mm
        paragraph = Paragraph(escape(value), _value_style())
        _w, height = paragraph.wrap(width, HEIGHT)
        first_baseline = _value_style().leading - _value_style().fontSize * 0.22
        paragraph.drawOn(canvas, _VALUE_X, y - height + first_baseline)
        rule_y = y - height + first_baseline - 2 * mm
        canvas.setStrokeColor(colors.HexColor("#BBBBBB"))
        canvas.setLineWidth(0.4)
        canvas.line(_VALUE_X, rule_y, _VALUE_X + width, rule_y)
        y = min(y - _ROW, rule_y - _ROW + 5 * mm)


def _photo(canvas: Canvas, photo: bytes | None, x: float, y: float) -> None:
    width, height = _PHOTO
    if photo:
        try:
            image = ImageReader(io.BytesIO(photo))
            image.getSize()  # a corrupt upload gives the empty frame, not a crash
        except Exception:
            logger.warning("unreadable photo on a certificate; drawing the frame")
        else:
            canvas.drawImage(image, x, y, width, height, preserveAspectRatio=True)
            return
    canvas.saveState()
    canvas.setStrokeColor(colors.black)
    canvas.setLineWidth(0.8)
    canvas.rect(x, y, width, height)
    canvas.setFillColor(colors.HexColor("#666666"))
    pdf.draw_text(canvas, x + width / 2, y + height / 2 - 4, "照片", size=11, align="centre")
    canvas.restoreState()


def qr_png(url: str) -> bytes:
    """The QR code as a PNG: 4 pixels a module and the standard 4-module quiet zone.

    The mask pattern is fixed: any of the eight is a valid code, and scoring all eight
    to pick the "best" was most of a certificate's drawing time.
    """
    buffer = io.BytesIO()
    code = segno.make(url, error="m", micro=False, mask=_QR_MASK)
    code.save(buffer, kind="png", scale=4, border=4)
    return buffer.getvalue()


def _footer(canvas: Canvas, content: CertificateContent) -> None:
    x, y = 26 * mm, 26 * mm
    canvas.drawImage(
        ImageReader(io.BytesIO(qr_png(content.verification_url))), x, y, _QR_SIZE, _QR_SIZE
    )
    canvas.linkURL(content.verification_url, (x, y, x + _QR_SIZE, y + _QR_SIZE), relative=0)
    pdf.draw_text(canvas, x + _QR_SIZE / 2, y - 4 * mm, "扫码核验", size=9, align="centre")
    text_x = x + _QR_SIZE + 8 * mm
    lines = ["证书查询：", *content.query_addresses, "核验链接：", content.verification_url]
    line_y = y + _QR_SIZE - 4 * mm
    for line in lines:
        pdf.draw_text(canvas, text_x, line_y, line, size=9)
        line_y -= 5.5 * mm
    right = WIDTH - 26 * mm
    # The issuer's line shrinks to fit a long filed name on one line.
    width = pdfmetrics.stringWidth(content.institution, pdf.register_cjk_font(), 13)
    size = min(13.0, 13 * (right - 26 * mm) / max(width, 1))
    pdf.draw_text(canvas, right, 72 * mm, content.institution, size=size, align="right")
    pdf.draw_text(canvas, right, 64 * mm, content.issue_date_text, size=13, align="right")
