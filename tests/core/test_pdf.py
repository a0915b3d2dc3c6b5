"""The shared PDF helpers: a Chinese font embedded as a subset, page x of y, escaping.

The PDFs are read back with poppler's tools (pdftotext, pdffonts, pdfinfo), as a person's
viewer would read them, not by inspecting reportlab's objects.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from skillcert.core import pdf


def _poppler(tool: str, data: bytes, *args: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(data)
        done = subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
            [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            check=True,
            text=True,
        )
    return done.stdout


def pdf_text(data: bytes) -> str:
    """The text a reader extracts, in reading order (pdftotext -layout)."""
    return _poppler("pdftotext", data, "-layout")


def pdf_pages(data: bytes) -> int:
    found = re.search(r"^Pages:\s+(\d+)", _poppler("pdfinfo", data), re.MULTILINE)
    assert found, "pdfinfo found no page count"
    return int(found.group(1))


def pdf_fonts(data: bytes) -> list[dict[str, str]]:
    """pdffonts' table: one dict per font with name, type, emb, sub and uni."""
    lines = _poppler("pdffonts", data).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type [type...] encoding emb sub uni object-id generation
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def assert_cjk_font_embedded(data: bytes) -> None:
    """Every font is embedded, as a subset (ABCDEF+Name) with a Unicode map."""
    fonts = pdf_fonts(data)
    assert fonts, "the PDF names no font"
    for font in fonts:
        assert re.fullmatch(r"[A-Z]{6}\+WenQuanYiMicroHei.*", font["name"]), font
        assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font


def _document(rows: int, decor: pdf.PageDecor | None = None) -> bytes:
    styles = pdf.styles()
    table = pdf.grid_table(
        [["序号", "姓名"], *([str(n), "欧阳明月"] for n in range(1, rows + 1))],
        col_widths=[60, 200],
        row_height=22,
    )
    story: list[Flowable] = [pdf.para("职业技能等级认定考生签到表", styles.title), table]
    return pdf.build_a4(
        story,
        decor
        or pdf.PageDecor(title="测试", header_left="昆明市第一技工学校", footer_left="签字："),
    )


def test_the_font_registers_once_under_one_name() -> None:
    name = pdf.register_cjk_font()
    assert name == pdf.FONT_NAME == pdf.register_cjk_font()
    assert name in pdfmetrics.getRegisteredFontNames()
    # A TrueType-outline face: reportlab refuses CFF outlines when it loads a font.
    face = pdfmetrics.getFont(name).face
    assert face.name.startswith(b"WenQuanYiMicroHei")


def test_a_document_renders_chinese_with_the_font_embedded_as_a_subset() -> None:
    data = _document(3)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "职业技能等级认定考生签到表" in text
    assert "欧阳明月" in text
    assert "昆明市第一技工学校" in text
    assert_cjk_font_embedded(data)
    # The subset carries the glyphs used, not the 5 MB font.
    assert len(data) < 60_000


def test_every_page_says_its_number_out_of_the_total_and_repeats_the_header_row() -> None:
    data = _document(70)
    pages = pdf_pages(data)
    assert pages >= 2
    text = pdf_text(data)
    squeezed = re.sub(r"\s+", "", text)  # pdftotext drops the spaces between CJK glyphs
    for number in range(1, pages + 1):
        assert f"第{number}页共{pages}页" in squeezed
    assert text.count("序号") == pages
    assert text.count("昆明市第一技工学校") == pages


def test_user_text_is_printed_as_written_not_read_as_markup() -> None:
    story: list[Flowable] = [pdf.para("张<b>三</b> & 李四\n第二行")]
    data = pdf.build_a4(story, pdf.PageDecor(title="转义"))
    text = pdf_text(data)
    assert "张<b>三</b> & 李四" in text
    assert "第二行" in text


def test_the_pdf_carries_its_title_in_the_document_properties() -> None:
    data = _document(1, pdf.PageDecor(title="签到表 B2026001"))
    assert "签到表 B2026001" in _poppler("pdfinfo", data)
