"""The sign-in sheet (签到表): Chinese text, masked ID numbers, the font embedded, pages."""

from __future__ import annotations

import re

from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.documents import SIGNIN_TITLE, signin_sheet, signin_sheet_pdf
from skillcert.enrollment.models import Application
from skillcert.enrollment.seating import seats_assign
from tests.conftest import Cast
from tests.core.test_pdf import assert_cjk_font_embedded, pdf_pages, pdf_text
from tests.enrollment.test_documents_world import applicant, approve, exam_world, person


def _squeezed(data: bytes) -> str:
    # pdftotext drops the spaces between CJK glyphs and spreads table cells out.
    return re.sub(r"\s+", "", pdf_text(data))


def test_the_sheet_names_the_session_and_masks_every_id_number(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(30,))
    candidate, full_id = person("欧阳明月")
    application = approve(
        Application.objects.create(
            person=candidate, batch=exam.batch, status=ApplicationStatus.SUBMITTED
        )
    )
    session = exam.sessions[0]
    seats_assign(actor=cast.actor("institution_a"), session=session)

    data = signin_sheet_pdf(session)

    text = _squeezed(data)
    for expected in (
        SIGNIN_TITLE,
        exam.batch.title,
        exam.batch.code,
        "车工（数控车工）",
        "五级/初级工",
        "理论知识考试",
        "实训楼101室",
        "2026-06-0109:00—10:30（90分钟）",
        "机构A",
        "座位号准考证号姓名证件号码签名备注",
        f"1{application.admission_number}欧阳明月",
        f"{full_id[:6]}********{full_id[-4:]}",
        "监考人员签字",
        "应到1人",
    ):
        assert expected in text, expected
    assert full_id not in text
    assert full_id.encode() not in data
    assert_cjk_font_embedded(data)


def test_seventy_candidates_run_over_pages_that_each_repeat_the_header(cast: Cast) -> None:
    exam = exam_world(cast, capacities=(70,))
    numbers = [approve(applicant(exam.batch)).admission_number for _n in range(70)]
    seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])

    data = signin_sheet_pdf(exam.sessions[0])

    pages = pdf_pages(data)
    assert pages >= 2
    text = _squeezed(data)
    assert text.count("座位号准考证号姓名证件号码签名备注") == pages
    assert text.count("监考人员签字") == pages + 1  # every page's footer, and the closing
    for number in range(1, pages + 1):
        assert f"第{number}页共{pages}页" in text
    assert all(n and n in text for n in numbers)
    assert "应到70人" in text


def test_a_withdrawn_candidate_keeps_the_row_marked_and_is_not_counted(cast: Cast) -> None:
    exam = exam_world(cast)
    first = approve(applicant(exam.batch))
    approve(applicant(exam.batch))
    seats_assign(actor=cast.actor("institution_a"), session=exam.sessions[0])
    Application.objects.filter(pk=first.pk).update(status=ApplicationStatus.WITHDRAWN)

    sheet = signin_sheet(exam.sessions[0])

    assert [row.note for row in sheet.rows] == ["已取消资格", ""]
    assert "应到1人" in _squeezed(signin_sheet_pdf(exam.sessions[0]))


def test_an_empty_session_still_prints_a_sheet(cast: Cast) -> None:
    exam = exam_world(cast)
    data = signin_sheet_pdf(exam.sessions[0])
    assert pdf_pages(data) == 1
    assert "本场次尚未安排考生" in _squeezed(data)
