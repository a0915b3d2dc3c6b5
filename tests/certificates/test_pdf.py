"""The e-certificate's PDF (人社鉴发〔2021〕1号) read back with poppler's tools, and the
QR code's link."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
import segno
from PIL import Image

from skillcert.certificates import pdf as certificate_pdf
from skillcert.certificates.content import CertificateContent
from skillcert.certificates.pdf import render_certificate
from skillcert.certificates.tokens import token_valid, verification_token, verification_url
from tests.core.test_pdf import assert_cjk_font_embedded, pdf_pages, pdf_text

NUMBER = "Y000053000001254000001"


def _content(**changes: object) -> CertificateContent:
    content = CertificateContent(
        name="欧阳明月",
        id_type="居民身份证",
        id_number="530102199001011234",
        occupation_name="车工",
        occupation_code="6-18-01-01",
        level=4,
        institution="昆明市第一技工学校",
        issue_date=date(2025, 6, 30),
        number=NUMBER,
        verification_url=verification_url(NUMBER),
        work_type="数控车工",
        query_addresses=("技能人才评价证书全国联网查询：http://zscx.osta.org.cn",),
    )
    return dataclasses.replace(content, **changes)  # type: ignore[arg-type]


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 210, 230)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _images(data: bytes) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(data)
        tool = shutil.which("pdfimages")
        assert tool, "poppler-utils (pdfimages) is not installed"
        subprocess.run(  # noqa: S603 - a fixed poppler tool on a file we wrote
            [tool, "-png", str(path), str(Path(folder) / "img")], check=True
        )
        return [Image.open(p).copy() for p in sorted(Path(folder).glob("img-*.png"))]


def test_every_field_is_printed() -> None:
    text = re.sub(r"\s+", "", pdf_text(render_certificate(_content())))
    for value in (
        "职业技能等级证书",
        "姓名：欧阳明月",
        "证件类型：居民身份证",
        "证件号码：530102199001011234",  # printed in full
        "职业名称：车工（6-18-01-01）",
        "工种：数控车工",
        "职业技能等级：四级/中级工",
        "评价机构：昆明市第一技工学校",
        f"证书编号：{NUMBER}",
        "发证日期：2025年6月30日",
        "技能人才评价证书全国联网查询：http://zscx.osta.org.cn",
        verification_url(NUMBER),
    ):
        assert value in text, value


def test_no_work_type_prints_two_dashes_and_levels_read_as_the_notice_writes_them() -> None:
    text = re.sub(r"\s+", "", pdf_text(render_certificate(_content(work_type="", level=1))))
    assert "工种：--" in text
    assert "一级/高级技师" in text
    with pytest.raises(ValueError, match="level"):
        _content(level=6)


def test_one_a4_page_with_the_font_embedded_as_a_subset() -> None:
    data = render_certificate(_content())
    assert pdf_pages(data) == 1
    assert_cjk_font_embedded(data)


def test_user_text_is_not_read_as_markup() -> None:
    text = pdf_text(render_certificate(_content(name="<b>欧阳&明月</b>")))
    assert "<b>欧阳&明月</b>" in text


def test_the_qr_code_holds_the_verification_link() -> None:
    images = _images(render_certificate(_content()))
    assert len(images) == 1  # no photo: the QR code only
    code = images[0].convert("L")
    matrix = segno.make(verification_url(NUMBER), error="m", micro=False, mask=0).matrix
    modules = len(matrix)
    scale = code.width // (modules + 8)  # 4-module quiet zone on each side
    read = [
        [
            code.getpixel(((4 + x) * scale + scale // 2, (4 + y) * scale + scale // 2)) < 128
            for x in range(modules)
        ]
        for y in range(modules)
    ]
    assert read == [[bool(cell) for cell in row] for row in matrix]


def test_the_photo_is_drawn_and_a_missing_or_broken_one_leaves_a_frame() -> None:
    assert len(_images(render_certificate(_content(photo=_photo())))) == 2
    for photo in (None, b"not an image"):
        data = render_certificate(_content(photo=photo))
        assert len(_images(data)) == 1
        assert "照片" in pdf_text(data)


def test_the_token_is_a_keyed_mac_of_the_number() -> None:
    token = verification_token(NUMBER)
    assert re.fullmatch(r"[A-Za-z0-9_-]{20}", token)
    assert verification_url(NUMBER).endswith(f"/v/{NUMBER}/{token}")
    assert token_valid(NUMBER, token)
    other = NUMBER[:-1] + "2"
    assert verification_token(other) != token
    assert not token_valid(other, token)
    assert not token_valid(NUMBER, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not token_valid(NUMBER, "")


def test_drawing_reuses_the_parsed_font() -> None:
    render_certificate(_content())
    assert certificate_pdf._value_style() is certificate_pdf._value_style()
