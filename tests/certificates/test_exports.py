"""The 证书数据汇总表 of a batch: one row per certificate with the full ID number, for the
institution's staff and the HR authorities over it only; every export is audited."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.exports import (
    SUMMARY_HEADERS,
    certificate_summary_xlsx,
    occupation_text,
    summary_filename,
)
from skillcert.certificates.models import Certificate
from skillcert.core.errors import PermissionDenied
from skillcert.core.models import AuditEvent
from tests.certificates.conftest import CertKit
from tests.certificates.test_delivery import certify
from tests.conftest import refuses

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sheet_rows(data: bytes) -> list[list[object]]:
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    assert sheet.title.startswith("证书数据汇总表")
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def certificates(ck: CertKit) -> list[Certificate]:
    return certify(ck)


@pytest.mark.parametrize("role", ["institution_a", "city_a", "province"])
def test_staff_and_authorities_export_every_certificate_in_full(
    ck: CertKit, certificates: list[Certificate], role: str
) -> None:
    actor = ck.cast.actor(role)
    rows = sheet_rows(certificate_summary_xlsx(actor, ck.batch))
    assert rows[0] == SUMMARY_HEADERS
    body = rows[1:]
    assert [r[0] for r in body] == [1, 2, 3]
    for row, certificate in zip(body, sorted(certificates, key=lambda c: c.number), strict=True):
        assert row == [
            row[0],
            certificate.holder_name,
            "居民身份证",
            certificate.id_number.plain,
            occupation_text(certificate),
            certificate.occupation_code,
            "五级/初级工",
            certificate.number,
            datetime.datetime.combine(certificate.issue_date, datetime.time()),
            certificate.institution_name,
            1,
            "有效",
            None,
        ]
        assert len(certificate.number) == 22
    event = AuditEvent.objects.get(action="certificates.summary_export")
    assert (event.object_type, event.object_id) == ("batches.batch", str(ck.batch.pk))
    assert event.changes == {"certificates": 3, "full_id_numbers": True}
    assert event.actor_id == actor.user_id


def test_a_revoked_or_corrected_certificate_shows_its_state(
    ck: CertKit, certificates: list[Certificate]
) -> None:
    first = min(certificates, key=lambda c: c.number)
    first.status = CertificateStatus.REVOKED
    first.revoked_at = datetime.datetime(2024, 10, 8, 9, 30, tzinfo=SHANGHAI)
    first.revoked_reason = "违规取得，成绩认定无效"
    first.version = 2
    first.save(update_fields=["status", "revoked_at", "revoked_reason", "version"])
    row = sheet_rows(certificate_summary_xlsx(ck.admin, ck.batch))[1]
    assert row[7] == first.number
    assert row[10:] == [2, "已撤销", "2024-10-08；违规取得，成绩认定无效"]


def test_text_that_would_run_as_a_formula_stays_text(
    ck: CertKit, certificates: list[Certificate]
) -> None:
    first = min(certificates, key=lambda c: c.number)
    Certificate.objects.filter(pk=first.pk).update(
        holder_name='=HYPERLINK("http://example.invalid","点击")',
        institution_name="@SUM(1+1)",
    )
    row = sheet_rows(certificate_summary_xlsx(ck.admin, ck.batch))[1]
    assert row[1] == '\'=HYPERLINK("http://example.invalid","点击")'
    assert row[9] == "'@SUM(1+1)"
    book = load_workbook(io.BytesIO(certificate_summary_xlsx(ck.admin, ck.batch)))
    sheet = book.active
    assert sheet is not None
    assert sheet["B2"].data_type == "s"


def test_a_batch_without_certificates_exports_its_header(ck: CertKit) -> None:
    rows = sheet_rows(certificate_summary_xlsx(ck.centre, ck.batch))
    assert rows == [SUMMARY_HEADERS]
    assert summary_filename(ck.batch) == f"证书数据汇总表-{ck.batch.code}.xlsx"


@pytest.mark.parametrize(
    "role", ["institution_b", "city_b", "education", "examiner", "candidate", "anonymous"]
)
def test_others_may_not_export(ck: CertKit, certificates: list[Certificate], role: str) -> None:
    refuses(PermissionDenied, lambda: certificate_summary_xlsx(ck.cast.actor(role), ck.batch))
    assert not AuditEvent.objects.filter(action="certificates.summary_export").exists()


def test_a_missing_work_type_is_not_printed(certificates: list[Certificate]) -> None:
    certificate = certificates[0]
    certificate.occupation_name, certificate.work_type_name = "车工", "--"
    assert occupation_text(certificate) == "车工"
    certificate.work_type_name = "数控车工"
    assert occupation_text(certificate) == "车工（数控车工）"
