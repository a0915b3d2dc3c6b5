"""Admission tickets (准考证): the PDF read back with poppler, the QR code read back from
the embedded image and checked through ``ticket_verify``, and who may download what."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
import segno
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from skillcert.batches.choices import Component
from skillcert.core.errors import DomainError
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.seating import seats_assign
from skillcert.exams import tickets
from tests.core.test_pdf import assert_cjk_font_embedded, pdf_pages, pdf_text
from tests.exams.conftest import ExamKit
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def squeezed(data: bytes) -> str:
    # pdftotext drops the spaces between CJK glyphs and spreads table cells out.
    return re.sub(r"\s+", "", pdf_text(data))


def images(data: bytes) -> list[Image.Image]:
    """The images embedded in the PDF, as pdfimages extracts them (native pixels)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(data)
        subprocess.run(  # noqa: S603 - a fixed poppler tool on a file we wrote
            ["pdfimages", "-png", str(path), str(Path(folder) / "img")],  # noqa: S607
            check=True,
            capture_output=True,
        )
        found = []
        for png in sorted(Path(folder).glob("img-*.png")):
            with Image.open(png) as image:
                found.append(image.convert("L"))
        return found


def qr_modules(image: Image.Image, scale: int = 8, border: int = 4) -> list[list[bool]]:
    """Sample the centre of every module of a QR image drawn by ``tickets.qr_png``."""
    size = image.width // scale - 2 * border
    return [
        [
            image.getpixel(((border + x) * scale + scale // 2, (border + y) * scale + scale // 2))
            < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def segno_modules(payload: str) -> list[list[bool]]:
    code = segno.make(payload, error="m", micro=False)
    return [[bool(cell) for cell in row] for row in code.matrix]


def printed_payload(data: bytes) -> str:
    found = re.search(r"核验码：(SKT1:[-0-9A-Z]+:[0-9A-F]+)", squeezed(data))
    assert found, "no QR payload printed under the code"
    return found.group(1)


def photo_png(size: tuple[int, int] = (300, 400)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 80)).save(buffer, format="PNG")
    return buffer.getvalue()


def named(exam: ExamKit, index: int, name: str) -> Application:
    application = exam.candidates[index]
    Person.objects.filter(pk=application.person_id).update(full_name=name)
    application.refresh_from_db()
    return application


def test_the_ticket_prints_the_candidate_the_seat_and_the_rules(exam: ExamKit) -> None:
    application = named(exam, 0, "欧阳明月")
    full_id = exam.id_numbers[application.pk]
    seat = exam.seat(0)

    data = tickets.ticket_pdf(application)

    text = squeezed(data)
    for expected in (
        tickets.TICKET_TITLE,
        "欧阳明月",
        f"准考证号{application.admission_number}",
        f"{full_id[:6]}********{full_id[-4:]}",
        "车工",
        "五级/初级工",
        "机构A",
        "理论知识考试",
        "考评楼",
        "测试路9号",
        f"301机房{seat.seat_number}",
        "考场规则",
        "技能人才评价违纪违规行为处理工作指引",
        "照片",  # no photo uploaded: the framed box
    ):
        assert expected in text, expected
    assert full_id not in text
    assert full_id.encode() not in data
    assert pdf_pages(data) == 1
    assert_cjk_font_embedded(data)


def test_the_qr_code_holds_the_verifiable_payload(exam: ExamKit) -> None:
    application = exam.candidates[0]
    data = tickets.ticket_pdf(application)

    payload = printed_payload(data)
    assert tickets.ticket_verify(payload) == application.admission_number
    # The only image (no photo) is the code itself, module for module.
    (code,) = images(data)
    assert qr_modules(code) == segno_modules(payload)


def test_a_tampered_or_foreign_payload_fails_verification(exam: ExamKit) -> None:
    number = exam.candidates[0].admission_number
    other = exam.candidates[1].admission_number
    assert number
    assert other
    payload = tickets.ticket_payload(number)
    tag = payload.rsplit(":", 1)[1]
    with pytest.raises(DomainError) as tampered:
        tickets.ticket_verify(f"SKT1:{other}:{tag}")
    assert tampered.value.code == "bad_tag"
    flipped = ("0" if tag[0] != "0" else "1") + tag[1:]
    with pytest.raises(DomainError):
        tickets.ticket_verify(f"SKT1:{number}:{flipped}")
    for garbage in ("", "SKT1", f"XYZ9:{number}:{tag}", f"SKT1::{tag}", "hello world"):
        with pytest.raises(DomainError) as bad:
            tickets.ticket_verify(garbage)
        assert bad.value.code in {"bad_payload", "bad_tag"}
    # Lower case (a scanner's keyboard mode) still verifies.
    assert tickets.ticket_verify(payload.lower()) == number


def test_the_photo_is_printed_when_there_is_one(exam: ExamKit) -> None:
    application = exam.candidates[0]
    person = application.person
    person.photo.save("photo.png", ContentFile(photo_png()), save=True)

    data = tickets.ticket_pdf(application)

    found = images(data)
    assert len(found) == 2
    assert any(image.size == (300, 400) for image in found)
    assert "照片" not in squeezed(data)


def test_an_unreadable_photo_falls_back_to_the_box(exam: ExamKit) -> None:
    application = exam.candidates[0]
    application.person.photo.save("photo.png", ContentFile(b"not an image"), save=True)

    data = tickets.ticket_pdf(application)

    assert "照片" in squeezed(data)
    assert len(images(data)) == 1


def test_a_theory_and_a_practical_seat_are_both_on_the_ticket(exam: ExamKit) -> None:
    practical = exam.batch.sessions.get(component=Component.PRACTICAL)
    seats_assign(actor=exam.admin, session=practical)
    application = exam.candidates[0]

    text = squeezed(tickets.ticket_pdf(application))

    assert "理论知识考试" in text
    assert "操作技能考核" in text
    assert "301机房" in text
    assert "车工车间" in text
    assert text.index("理论知识考试") < text.index("操作技能考核")  # in time order


def test_the_session_prints_one_page_per_candidate(exam: ExamKit) -> None:
    names = ["张三丰", "李四光", "王五一"]
    for index, name in enumerate(names):
        named(exam, index, name)

    data = tickets.session_tickets_pdf(exam.session)

    assert pdf_pages(data) == 3
    text = squeezed(data)
    assert text.count(tickets.TICKET_TITLE) == 3
    for application, name in zip(exam.candidates, names, strict=True):
        assert name in text
        assert application.admission_number
        assert application.admission_number in text
    assert text.index("张三丰") < text.index("李四光") < text.index("王五一")  # seat order


def test_a_withdrawn_candidate_gets_no_ticket(exam: ExamKit) -> None:
    application = exam.candidates[0]
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.WITHDRAWN)
    application.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        tickets.ticket_pdf(application)
    assert refused.value.code == "not_approved"
    assert pdf_pages(tickets.session_tickets_pdf(exam.session)) == 2


def test_an_unseated_candidate_gets_no_ticket_yet(exam: ExamKit) -> None:
    practical = exam.batch.sessions.get(component=Component.PRACTICAL)
    exam.seat(0).delete()
    with pytest.raises(DomainError) as refused:
        tickets.ticket_pdf(exam.candidates[0])
    assert refused.value.code == "no_seat"
    with pytest.raises(DomainError) as empty:
        tickets.session_tickets_pdf(practical)
    assert empty.value.code == "no_candidates"


# ---------------------------------------------------------------- HTTP


def own(exam: ExamKit, index: int = 0) -> Application:
    """Candidate ``index`` becomes the cast's candidate user."""
    application = exam.candidates[index]
    Person.objects.filter(pk=application.person_id).update(user=exam.cast.users["candidate"])
    return application


def test_the_candidate_downloads_their_own_ticket_and_no_one_elses(exam: ExamKit) -> None:
    mine = own(exam)
    client = exam.cast.client("candidate")

    response = client.get(reverse("ticket-pdf", args=[mine.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert "attachment" in response["Content-Disposition"]
    assert mine.admission_number
    assert mine.admission_number in squeezed(response.content)

    other = exam.candidates[1]
    assert client.get(reverse("ticket-pdf", args=[other.pk])).status_code == 404


def test_staff_download_one_ticket_or_the_whole_session(exam: ExamKit) -> None:
    client = exam.cast.client("institution_a")
    one = client.get(reverse("ticket-pdf", args=[exam.candidates[2].pk]))
    assert one.status_code == 200
    assert pdf_pages(one.content) == 1
    session = client.get(reverse("session-tickets-pdf", args=[exam.session.pk]))
    assert session.status_code == 200
    assert pdf_pages(session.content) == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [("institution_b", 404), ("city_b", 404), ("city_a", 403), ("province", 403)],
)
def test_others_get_no_tickets(exam: ExamKit, role: str, status: int) -> None:
    client = exam.cast.client(role)
    assert client.get(reverse("ticket-pdf", args=[exam.candidates[0].pk])).status_code == status
    url = reverse("session-tickets-pdf", args=[exam.session.pk])
    assert client.get(url).status_code == status


def test_another_candidate_user_gets_404(exam: ExamKit) -> None:
    own(exam)
    stranger = UserFactory()
    MembershipFactory(user=stranger, role="candidate", organisation=None)
    client = exam.cast.client("anonymous")
    client.force_login(stranger)
    assert client.get(reverse("ticket-pdf", args=[exam.candidates[0].pk])).status_code == 404


def test_no_ticket_yet_goes_back_to_the_application_with_a_message(exam: ExamKit) -> None:
    mine = own(exam)
    exam.seat(0).delete()
    response = exam.cast.client("candidate").get(reverse("ticket-pdf", args=[mine.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("application-detail", args=[mine.pk])
    assert "尚未安排考场座位" in response.content.decode()


def test_the_pages_link_to_the_tickets(exam: ExamKit) -> None:
    mine = own(exam)
    page = exam.cast.client("candidate").get(reverse("application-detail", args=[mine.pk]))
    assert reverse("ticket-pdf", args=[mine.pk]) in page.content.decode()
    assert reverse("checkin-home") in page.content.decode()
    seats = exam.cast.client("institution_a").get(reverse("session-seats", args=[exam.session.pk]))
    assert reverse("session-tickets-pdf", args=[exam.session.pk]) in seats.content.decode()
    assert reverse("checkin-list", args=[exam.session.pk]) in seats.content.decode()
    authority = exam.cast.client("city_a").get(reverse("session-seats", args=[exam.session.pk]))
    assert reverse("session-tickets-pdf", args=[exam.session.pk]) not in authority.content.decode()
