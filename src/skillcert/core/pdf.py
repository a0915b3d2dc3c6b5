"""Shared PDF helpers: the embedded Chinese font, paragraph styles, tables and A4 pages.

The font is WenQuanYi Micro Hei (文泉驿微米黑, Apache-2.0), installed from PyPI by the
``paperang-p2-fonts-cjk`` package. It has TrueType (``glyf``) outlines, which reportlab
embeds as a subset of the glyphs each document uses; CFF-outline fonts such as Noto
Sans SC reportlab cannot load (DESIGN.md, Stack). Sign-in sheets, admission tickets
and certificates all build on :func:`build_a4`.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

FONT_NAME = "SkillCertCJK"
_FONT_PACKAGE = "paperang_p2_fonts_cjk"
_FONT_FILE = "fonts/wqy-microhei.ttc"
_FONT_INDEX = 0  # the collection's first face is the proportional one (1 is Mono)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 24 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

_register_lock = threading.Lock()


def register_cjk_font() -> str:
    """Register the Chinese font with reportlab once per process; return its name."""
    if FONT_NAME in pdfmetrics.getRegisteredFontNames():
        return FONT_NAME
    with _register_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            with resources.as_file(resources.files(_FONT_PACKAGE) / _FONT_FILE) as path:
                # TTFont reads the whole file into memory, so the path may go away.
                font = TTFont(FONT_NAME, str(path), subfontIndex=_FONT_INDEX)
            pdfmetrics.registerFont(font)
            # The font has one face; <b> and <i> in paragraphs fall back to it.
            pdfmetrics.registerFontFamily(
                FONT_NAME, normal=FONT_NAME, bold=FONT_NAME, italic=FONT_NAME, boldItalic=FONT_NAME
            )
    return FONT_NAME


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_small: ParagraphStyle  # long values in fixed-height rows: two lines fit 8 mm
    small: ParagraphStyle


@functools.cache
def styles() -> Styles:
    """Paragraph styles in the Chinese font; ``wordWrap="CJK"`` breaks between any glyphs."""
    font = register_cjk_font()

    def style(name: str, size: float, **extra: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=size * 1.35, wordWrap="CJK", **extra
        )

    return Styles(
        title=style("SkillCertTitle", 18, alignment=TA_CENTER, spaceAfter=4 * mm),
        heading=style("SkillCertHeading", 12, spaceBefore=3 * mm, spaceAfter=2 * mm),
        body=style("SkillCertBody", 10.5),
        cell=style("SkillCertCell", 10),
        cell_small=ParagraphStyle(
            "SkillCertCellSmall", fontName=font, fontSize=8, leading=9.5, wordWrap="CJK"
        ),
        small=style("SkillCertSmall", 8.5, textColor=colors.HexColor("#444444")),
    )


def para(text: object, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text: user data is escaped, never read as reportlab markup."""
    markup = escape(str(text)).replace("\n", "<br/>")
    return Paragraph(markup, style or styles().body)


def grid_table(
    rows: Sequence[Sequence[object]],
    *,
    col_widths: Sequence[float],
    header_rows: int = 1,
    row_height: float | None = None,
    font_size: float = 10,
    centred_columns: Sequence[int] = (),
) -> Table:
    """A ruled table in the Chinese font whose header rows repeat on every page.

    Cells may be strings (drawn on one line) or flowables such as :func:`para` (wrapped).
    """
    font = register_cjk_font()
    heights = [row_height] * len(rows) if row_height else None
    table = Table(
        [list(row) for row in rows],
        colWidths=list(col_widths),
        rowHeights=heights,
        repeatRows=header_rows,
    )
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), font_size),
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        last = header_rows - 1
        commands += [
            ("BACKGROUND", (0, 0), (-1, last), colors.HexColor("#EEEEEE")),
            ("ALIGN", (0, 0), (-1, last), "CENTER"),
        ]
    commands += [("ALIGN", (col, 0), (col, -1), "CENTER") for col in centred_columns]
    table.setStyle(TableStyle(commands))
    return table


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, *, size: float = 9, align: str = "left"
) -> None:
    """One line of text in the Chinese font at (x, y); ``align`` is left, centre or right."""
    canvas.setFont(register_cjk_font(), size)
    if align == "right":
        canvas.drawRightString(x, y, text)
    elif align == "centre":
        canvas.drawCentredString(x, y, text)
    else:
        canvas.drawString(x, y, text)


@dataclass(frozen=True)
class PageDecor:
    """What every page of a document carries besides its content."""

    title: str  # the PDF's title (document properties)
    header_left: str = ""
    header_right: str = ""
    footer_left: str = ""  # e.g. a signature line; the right side says 第 x 页 共 y 页


def decorate_page(canvas: Canvas, decor: PageDecor, number: int, total: int) -> None:
    """Header and footer rules and text, with the page number out of the total."""
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#888888"))
    canvas.setLineWidth(0.5)
    top = PAGE_HEIGHT - MARGIN_TOP + 4 * mm
    canvas.line(MARGIN_X, top, PAGE_WIDTH - MARGIN_X, top)
    draw_text(canvas, MARGIN_X, top + 2 * mm, decor.header_left)
    draw_text(canvas, PAGE_WIDTH - MARGIN_X, top + 2 * mm, decor.header_right, align="right")
    bottom = MARGIN_BOTTOM - 6 * mm
    canvas.line(MARGIN_X, bottom, PAGE_WIDTH - MARGIN_X, bottom)
    draw_text(canvas, MARGIN_X, bottom - 5 * mm, decor.footer_left, size=10)
    page_label = f"第 {number} 页 共 {total} 页"
    draw_text(canvas, PAGE_WIDTH - MARGIN_X, bottom - 5 * mm, page_label, align="right")
    canvas.restoreState()


class _PagedCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
    """Holds each finished page until the end, so its footer can name the page total."""

    def __init__(self, *args: Any, decor: PageDecor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._decor = decor
        self._held_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = self._held_pages
        for number, state in enumerate(pages, start=1):
            self.__dict__.update(state)
            decorate_page(self, self._decor, number, len(pages))
            super().showPage()
        super().save()


def build_a4(story: list[Flowable], decor: PageDecor, *, subject: str = "") -> bytes:
    """Lay ``story`` out on A4 portrait pages with the header and footer; the PDF's bytes."""
    register_cjk_font()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=decor.title,
        subject=subject,
        author="SkillCert",
        creator="SkillCert",
        # Start every page in our font, so the file names no unembedded standard font.
        initialFontName=FONT_NAME,
    )
    document.build(story, canvasmaker=functools.partial(_PagedCanvas, decor=decor))
    return buffer.getvalue()
