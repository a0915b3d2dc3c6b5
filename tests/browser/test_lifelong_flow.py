"""The lifelong skill record in Chromium (技能银行账户, 粤人社函〔2021〕76号 五(二)).

Institution A's admin records a training course for a candidate whose certificate the
institution issued; the candidate opens 我的技能档案, sees the certificate and the course,
and downloads 下载全部证书: a zip with the certificate's signed PDF as issued.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from skillcert.certificates import issuance
from skillcert.certificates.models import Certificate
from skillcert.stats.models import TrainingRecord
from tests.browser.helpers import log_in
from tests.certificates.conftest import build_issuable
from tests.certificates.matrix_pages import keys_for_test, link_candidate
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE = "车工技能提升培训（浏览器）"


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
