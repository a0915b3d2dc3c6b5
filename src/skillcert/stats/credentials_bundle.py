"""下载全部证书: one zip with everything a person holds on the platform.

For each certificate the current version's signed PDF and its verifiable credential
(JSON-LD), as issued (the bytes are not re-rendered, so the PDF's signature and the
credential's proof still verify); ``index.json`` lists every file with its SHA-256 and the
record (certificates, results, training, declared certificates); ``summary.pdf`` is the
same record on paper in Chinese (粤人社函〔2021〕76号 五(二): the skill bank account).
Only the person themself downloads it, and every download is audited.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.pdf import CONTENT_WIDTH, PageDecor, build_a4, grid_table, para, styles
from skillcert.enrollment.models import Person
from skillcert.stats.lifelong import CertificateLine, SkillRecord, own_person, skill_record

ZIP_CONTENT_TYPE = "application/zip"
INDEX_NAME = "index.json"
SUMMARY_NAME = "summary.pdf"
TITLE = "技能档案（技能银行账户）"
BASIS = "粤人社函〔2021〕76号 五(二)"


@dataclass(frozen=True)
class Bundle:
    filename: str
    data: bytes
    files: dict[str, str]  # name in the zip → SHA-256 of its bytes


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pdf_bytes(line: CertificateLine) -> bytes | None:
    version = line.current
    if version is None or not version.pdf:
        return None
    with version.pdf.open("rb") as handle:
        data: bytes = handle.read()
    return data


def _certificate_files(line: CertificateLine) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The certificate's files in the zip and its entry in the index."""
    c = line.certificate
    stem = f"{c.number}_v{c.version}"
    files: dict[str, bytes] = {}
    entry: dict[str, Any] = {
        "number": c.number,
        "occupation_code": c.occupation_code,
        "occupation": c.occupation_name,
        "work_type": c.work_type_name,
        "level": c.level,
        "level_label": c.get_level_display(),
        "institution": c.institution_name,
        "issue_date": c.issue_date.isoformat(),
        "status": c.status,
        "status_label": c.get_status_display(),
        "version": c.version,
        "verification_url": line.verification_url,
        "pdf": None,
        "credential": None,
    }
    pdf = _pdf_bytes(line)
    if pdf is not None and line.current is not None:
        name = f"certificates/{stem}.pdf"
        files[name] = pdf
        digest = _sha256(pdf)
        entry["pdf"] = {
            "file": name,
            "sha256": digest,
            # False would mean the stored file is not the one issued.
            "matches_issued": digest == line.current.pdf_sha256,
        }
    if line.current is not None and line.current.credential:
        name = f"credentials/{stem}.jsonld"
        data = json.dumps(line.current.credential, ensure_ascii=False, indent=2).encode()
        files[name] = data
        entry["credential"] = {"file": name, "sha256": _sha256(data)}
    return files, entry


def _index_rest(record: SkillRecord) -> dict[str, Any]:
    return {
        "results": [
            {
                "batch": r.result.application.batch.code,
                "occupation": r.result.application.batch.occupation.name,
                "level": r.result.application.batch.level,
                "components": [{"name": c.label, "score": c.text} for c in r.components],
                "total": str(r.total) if r.total is not None else None,
                "outcome": r.result.outcome,
                "outcome_label": r.outcome_label,
                "void_grade": r.void_grade_label,
            }
            for r in record.results
        ],
        "training": [
            {
                "course": t.course,
                "institution": t.institution.organisation.name,
                "hours": t.hours,
                "started_on": t.started_on.isoformat(),
                "ended_on": t.ended_on.isoformat() if t.ended_on else None,
                "outcome": t.outcome,
                "outcome_label": t.get_outcome_display(),
                "certificate_number": t.certificate_number,
            }
            for t in record.training
        ],
        "held_certificates": [
            {
                "number": h.number,
                "occupation": h.occupation.name,
                "level": h.level,
                "issued_on": h.issued_on.isoformat(),
                "issuer": h.issuer,
                "source": h.source,
            }
            for h in record.held
        ],
    }


# --- the summary PDF -----------------------------------------------------------------------


def _section(
    title: str, header: list[str], rows: list[list[str]], widths: list[float]
) -> list[Flowable]:
    s = styles()
    story: list[Flowable] = [para(title, s.heading)]
    if not rows:
        return [*story, para(_("（无）"), s.small)]
    table_rows: list[list[object]] = [list(header)]
    table_rows += [[para(cell, s.cell_small) for cell in row] for row in rows]
    total = sum(widths)
    story.append(
        grid_table(table_rows, col_widths=[CONTENT_WIDTH * w / total for w in widths], font_size=8)
    )
    return story


def summary_pdf(record: SkillRecord, generated_at: datetime) -> bytes:
    """The record on A4 pages in Chinese: certificates, results, training, declared ones."""
    s = styles()
    person = record.person
    story: list[Flowable] = [
        para(TITLE, s.title),
        para(f"姓名：{person.full_name}    证件号码：{record.masked_id}", s.body),
        para(f"生成时间：{generated_at:%Y-%m-%d %H:%M}    依据：{BASIS}", s.small),
        Spacer(1, 3 * mm),
    ]
    story += _section(
        "职业技能等级证书",
        ["证书编号", "职业（工种）", "等级", "评价机构", "发证日期", "状态"],
        [
            [
                c.number,
                c.occupation_name + ("" if c.work_type_name == "--" else f"（{c.work_type_name}）"),
                c.get_level_display(),
                c.institution_name,
                c.issue_date.isoformat(),
                f"{c.get_status_display()}（第{c.version}版）",
            ]
            for c in (line.certificate for line in record.certificates)
        ],
        [4.2, 3, 2, 3, 2, 2],
    )
    story += _section(
        "认定成绩",
        ["批次", "职业", "等级", "各科成绩", "结果"],
        [
            [
                r.result.application.batch.code,
                r.result.application.batch.occupation.name,
                r.result.application.batch.get_level_display(),
                "；".join(f"{c.label} {c.text}" for c in r.components),
                r.outcome_label + (f"（{r.void_grade_label}）" if r.void_grade_label else ""),
            ]
            for r in record.results
        ],
        [3, 3, 2, 5, 2.5],
    )
    story += _section(
        "培训记录",
        ["培训项目", "培训机构", "学时", "起止日期", "培训结果"],
        [
            [
                t.course,
                t.institution.organisation.name,
                str(t.hours),
                f"{t.started_on:%Y-%m-%d} 至 {t.ended_on:%Y-%m-%d}"
                if t.ended_on
                else f"{t.started_on:%Y-%m-%d} 起",
                t.get_outcome_display(),
            ]
            for t in record.training
        ],
        [4, 4, 1.2, 4, 2],
    )
    story += _section(
        "本人申报的已获证书",
        ["证书编号", "职业", "等级", "发证机构", "发证日期"],
        [
            [h.number, h.occupation.name, h.get_level_display(), h.issuer, h.issued_on.isoformat()]
            for h in record.held
        ],
        [4, 3, 2, 4, 2],
    )
    decor = PageDecor(title=TITLE, header_left=TITLE, header_right=person.full_name)
    return build_a4(story, decor, subject=BASIS)


# --- the zip -------------------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bundle_for(*, actor: Actor, person: Person, generated_at: datetime) -> Bundle:
    """Assemble the zip of ``person``'s record as ``actor`` sees it (no audit: callers)."""
    record = skill_record(actor=actor, person=person)
    files: dict[str, bytes] = {}
    certificates: list[dict[str, Any]] = []
    for line in record.certificates:
        found, entry = _certificate_files(line)
        files.update(found)
        certificates.append(entry)
    files[SUMMARY_NAME] = summary_pdf(record, generated_at)
    digests = {name: _sha256(data) for name, data in files.items()}
    index = {
        "title": TITLE,
        "basis": BASIS,
        "generated_at": generated_at.isoformat(),
        "holder": {
            "name": person.full_name,
            "id_type": person.id_type,
            "id_number_masked": record.masked_id,
        },
        "certificates": certificates,
        **_index_rest(record),
        "files": digests,
    }
    files[INDEX_NAME] = json.dumps(index, ensure_ascii=False, indent=2).encode()
    filename = f"技能档案_{person.full_name}_{generated_at:%Y%m%d}.zip"
    return Bundle(filename=filename, data=_zip(files), files=digests)


@transaction.atomic
def skill_record_bundle(*, actor: Actor, now: datetime | None = None) -> Bundle:
    """The signed-in person's own bundle (下载全部证书), audited."""
    if actor.user_id is None:
        raise PermissionDenied(_("请先登录。"))
    person = own_person(actor)
    if person is None:
        raise DomainError(_("您尚无个人技能档案。"), code="no_person")
    generated_at = timezone.localtime(now or timezone.now())
    bundle = bundle_for(actor=actor, person=person, generated_at=generated_at)
    audit_record(
        actor=actor,
        action="stats.skill_record_bundle",
        obj=person,
        changes={
            "certificates": sum(1 for name in bundle.files if name.startswith("certificates/")),
            "files": len(bundle.files) + 1,
        },
    )
    return bundle
