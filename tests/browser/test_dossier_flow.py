"""A batch dossier in Chromium (issue 9): the exam staff open the batch's dossier page,
press 生成档案包, watch the build reach 100 %, download the zip, and the downloaded bytes
verify — the signed manifest, every entry and the system's record of the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from skillcert.archives.dossiers import dossier_verify
from skillcert.archives.models import Dossier
from tests.archives.builders_dossiers import archivable
from tests.browser.helpers import log_in
from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_build_download_and_verify_a_dossier(
    live_server: Any, browser: Any, settings: Any, tmp_path: Path
) -> None:
    keys_for_test(settings, tmp_path / "keys")
    base = live_server.url
    kit = archivable(build_cast(), issued=False, passed=1, failed=1)

    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    log_in(page, base, "cast_institution_a")
    page.goto(f"{base}/archives/batches/{kit.batch.pk}/dossiers/")
    expect(page.locator("#no-dossier")).to_be_visible()
    page.click("#action-build")

    row = page.locator("#dossiers tbody tr").first
    expect(row).to_have_attribute("data-status", "ready")
    dossier = Dossier.objects.get(batch=kit.batch)
    expect(page.locator(f"#dossier-bar-{dossier.pk}")).to_have_attribute("value", "100")
    expect(page.locator("#action-build")).to_be_visible()  # the next build may start

    page.click(f"#dossier-{dossier.pk} a[href$='/dossiers/{dossier.pk}/']")
    expect(page.locator("#dossier-sha256")).to_have_text(dossier.sha256)
    expect(page.locator("#manifest tbody tr")).to_have_count(dossier.entries)
    expect(page.locator("#manifest")).to_contain_text("职业技能等级认定申报表")
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == f"{kit.batch.code}-dossier-{dossier.pk}.zip"
    data = Path(download.path()).read_bytes()
    report = dossier_verify(data)
    assert report.ok, report.checks
    assert [c.name for c in report.checks][-1] == "registered"
    context.close()
