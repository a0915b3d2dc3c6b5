"""The 证书数据汇总表 of a batch (Excel): one row per certificate issued in it.

The institution keeps it in the batch's archive for ≥ 3 years (云人社函〔2023〕1号 二(三)) and
reports the certificate data to its HR authority, which forwards it to the query systems
(川人社办发〔2020〕20号 附件4 (四)(五)). It therefore carries the full ID numbers: only the
institution's staff and the HR authorities over it may export it, and every export is
audited as a reveal of personal data (DESIGN.md "Data protection and audit").
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.content import LEVEL_TEXT
from skillcert.certificates.models import NO_WORK_TYPE, Certificate
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import IdType
from skillcert.core.errors import PermissionDenied
from skillcert.core.excel import workbook_bytes
from skillcert.results.permissions import can_read

SUMMARY_TITLE = "证书数据汇总表"
SUMMARY_HEADERS = [
    "序号",
    "姓名",
    "证件类型",
    "证件号码",
    "职业（工种）",
    "职业编码",
    "等级",
    "证书编号",
    "发证日期",
    "评价机构",
    "版本",
    "状态",
    "备注",
]


def summary_filename(batch: Batch) -> str:
    return f"{SUMMARY_TITLE}-{batch.code}.xlsx"


def occupation_text(certificate: Certificate) -> str:
    """``车工`` or ``车工（数控车工）`` as printed (no work type reads ``--``)."""
    work_type = certificate.work_type_name
    if not work_type or work_type == NO_WORK_TYPE:
        return certificate.occupation_name
    return f"{certificate.occupation_name}（{work_type}）"


def summary_rows(certificates: list[Certificate]) -> list[list[object]]:
    id_types = dict(IdType.choices)
    rows: list[list[object]] = []
    for index, certificate in enumerate(certificates, start=1):
        note = ""
        if certificate.status == CertificateStatus.REVOKED:
            when = (
                f"{timezone.localtime(certificate.revoked_at):%Y-%m-%d}"
                if certificate.revoked_at
                else ""
            )
            note = "；".join(p for p in (when, certificate.revoked_reason) if p)
        rows.append(
            [
                index,
                certificate.holder_name,
                str(id_types.get(certificate.id_type, certificate.id_type)),
                certificate.id_number.plain,
                occupation_text(certificate),
                certificate.occupation_code,
                LEVEL_TEXT[certificate.level],
                certificate.number,
                certificate.issue_date,
                certificate.institution_name,
                certificate.version,
                certificate.get_status_display(),
                note,
            ]
        )
    return rows


@transaction.atomic
def certificate_summary_xlsx(actor: Actor, batch: Batch) -> bytes:
    """The batch's 证书数据汇总表 as .xlsx (formula injection neutralised), with full ID
    numbers; the export is audited."""
    if not can_read(actor, batch):
        raise PermissionDenied(_("只有本机构工作人员和主管人社部门可以导出证书数据汇总表。"))
    certificates = list(
        Certificate.objects.for_actor(actor).filter(batch_id=batch.pk).order_by("number")
    )
    audit_record(
        actor=actor,
        action="certificates.summary_export",
        obj=batch,
        organisation=batch.institution.organisation,
        changes={"certificates": len(certificates), "full_id_numbers": True},
    )
    return workbook_bytes(
        title=f"{SUMMARY_TITLE} {batch.code}",
        headers=SUMMARY_HEADERS,
        rows=summary_rows(certificates),
    )
