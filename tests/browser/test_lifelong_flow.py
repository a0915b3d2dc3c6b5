"""The lifelong skill record in Chromium (技能银行账户, 粤人社函〔2021〕76号 五(二)).

Institution A's admin records a training course for a candidate whose certificate the
institution issued, and imports a class's courses from Excel (a wrong file first, its
problems listed by row and column); the candidate opens 我的技能档案, sees the
certificate and the course, and downloads 下载全部证书: a zip with the certificate's
signed PDF as issued.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from skillcert.certificates import issuance
from skillcert.certificates.models import Certificate
from skillcert.stats.models import TrainingRecord
from skillcert.stats.training_import import COLUMNS
from tests.browser.helpers import log_in
from tests.certificates.conftest import build_issuable
from tests.certificates.matrix_pages import keys_for_test, link_candidate
from tests.conftest import build_cast
from tests.factories import resident_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "车工技能提升培训（浏览器）"
IMPORTED = "数控车工培训（导入）"


def class_file(path: Path, hours: object) -> Path:
    """A class of two as the import template lays it out."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for n, name in enumerate(["周一", "吴二"], start=1):
        number = resident_id(birth="19970707", serial=700 + n)
        sheet.append(
            [name, "居民身份证", number, IMPORTED, "", "", hours, "2024-05-06", "", "在训", ""]
        )
    book.save(path)
    return path


def test_an_institution_records_training_and_the_candidate_downloads_everything(
    live_server: Any, browser: Any, new_page: Any, settings: Any, tmp_path: Path
) -> None:
    keys_for_test(settings, tmp_path / "keys")
    base = live_server.url
    settings.SITE_URL = base
    ck = build_issuable(build_cast(), passed=1, failed=1)
    link_candidate(ck)
    # Transactional test: the queued run is carried out when the issuance commits.
    issuance.issue_batch(actor=ck.admin, batch=ck.batch)
    certificate = Certificate.objects.get(application=ck.passed[0])
    person = certificate.person

    staff = new_page()
    log_in(staff, base, "cast_institution_a")
    staff.goto(f"{base}/training/")
    staff.click("#training-new")
    staff.fill("#id_name", person.full_name)
    staff.select_option("#id_id_type", person.id_type)
    staff.fill("#id_id_number", person.id_number.plain)
    staff.fill("#id_course", COURSE)
    staff.fill("#id_occupation_code", certificate.occupation_code)
    staff.select_option("#id_level", "5")
    staff.fill("#id_hours", "48")
    staff.fill("#id_started_on", "2024-03-01")
    staff.fill("#id_ended_on", "2024-04-15")
    staff.select_option("#id_outcome", "completed")
    staff.fill("#id_certificate_number", "PX2024-088")
    staff.click("#training-submit")
    record = TrainingRecord.objects.get(course=COURSE)
    expect(staff.locator(f"#training-{record.pk}")).to_contain_text(person.full_name)
    expect(staff.locator(f"#training-{record.pk} .outcome")).to_have_text("结业合格")

    staff.click("#training-import")
    staff.set_input_files("#id_file", str(class_file(tmp_path / "wrong.xlsx", "四十")))
    staff.click("#training-import-submit")
    expect(staff.locator("#training-import-error")).to_contain_text("未导入任何数据")
    expect(staff.locator("#training-import-errors tbody tr")).to_have_count(2)
    expect(staff.locator("#training-import-errors tbody tr").first).to_contain_text("学时")
    assert not TrainingRecord.objects.filter(course=IMPORTED).exists()
    staff.set_input_files("#id_file", str(class_file(tmp_path / "class.xlsx", 24)))
    staff.click("#training-import-submit")
    expect(staff.locator("#training-records")).to_contain_text("吴二")
    expect(staff.get_by_text("已导入 2 条培训记录。")).to_be_visible()
    assert TrainingRecord.objects.filter(course=IMPORTED).count() == 2

    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    candidate = context.new_page()
    candidate.set_default_timeout(15_000)
    log_in(candidate, base, "cast_candidate")
    candidate.goto(f"{base}/me/skill-record/")
    expect(candidate.locator("h1")).to_have_text("我的技能档案")
    expect(candidate.locator(f"#cert-{certificate.pk}")).to_contain_text(certificate.number)
    expect(candidate.locator(f"#pdf-{certificate.pk}")).to_be_visible()
    expect(candidate.locator(f"#training-{record.pk}")).to_contain_text(COURSE)
    expect(candidate.locator(f"#training-{record.pk}")).to_contain_text("PX2024-088")
    assert person.id_number.plain not in candidate.content()

    with candidate.expect_download() as info:
        candidate.click("#bundle-download")
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    data = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        pdf = archive.read(f"certificates/{certificate.number}_v1.pdf")
        index = json.loads(archive.read("index.json"))
    version = certificate.versions.get(version=1)
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    assert [t["course"] for t in index["training"]] == [COURSE]
    context.close()
