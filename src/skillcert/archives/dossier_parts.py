"""What goes into a batch dossier (批次档案包), part by part, each file with its record type.

The institution keeps the whole evaluation's records together so that they can be read,
checked and traced (云人社函〔2023〕1号 二(三): 集中统一管理, 可看、可查、可追溯; 川人社办发
〔2020〕20号 附件4: 全程留痕). Each part calls the owning app's own generator — the same file
its page offers — and names the record type of every file it adds; the retention class of
each type comes from the records registry (``registry.spec_for``).

Files are written to a temporary folder as they come (:class:`Staging`), hashed on the way,
so a batch with many evidence files never sits in memory whole.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from skillcert.archives.choices import RecordType
from skillcert.archives.registry import spec_for
from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Batch, Session, StaffAssignment
from skillcert.certificates.exports import certificate_summary_xlsx
from skillcert.certificates.models import Certificate, ChangeRequest
from skillcert.core import pdf
from skillcert.core.actors import Actor
from skillcert.core.choices import SkillLevel
from skillcert.core.errors import DomainError
from skillcert.core.excel import workbook_bytes
from skillcert.core.fields import Protected
from skillcert.enrollment.documents import signin_sheet_pdf
from skillcert.enrollment.models import Application, Evidence, SeatAssignment
from skillcert.enrollment.roster.export import roster_export
from skillcert.exams.console import console, record_pdf
from skillcert.exams.models import Attempt, CheckIn
from skillcert.itembank.blueprint_services import paper_export
from skillcert.itembank.models import Paper
from skillcert.results.exports import results_workbook, score_sheets_pdf
from skillcert.results.models import BatchResults
from skillcert.supervision.documents import notes_pdf
from skillcert.supervision.external import notes_for_session
from skillcert.supervision.models import Alert, Inspection, InspectionEvidence, ViolationCase

# --- retention classes ------------------------------------------------------------------


def retention_class_of(record_type: str) -> str:
    """The retention class of a record type, as the records registry sets it
    (云人社函〔2023〕1号 二(三) 1–3)."""
    return str(spec_for(record_type).retention_class)


# --- staging ----------------------------------------------------------------------------

MANIFEST_NAME = "manifest.json"
SIGNATURE_NAME = "manifest.sig"
RESERVED_NAMES = frozenset({MANIFEST_NAME, SIGNATURE_NAME})
_SAFE = re.compile(r"[^0-9A-Za-z._-]+")
_CHUNK = 1024 * 1024


def safe_name(text: str) -> str:
    """A path component of letters, digits, ``._-`` only (names stay in the JSON files)."""
    cleaned = _SAFE.sub("_", text).strip("._")
    return cleaned[:80] or "file"


@dataclass(frozen=True)
class StagedFile:
    path: str
    record_type: str
    size: int
    sha256: str
    disk: Path

    @property
    def retention_class(self) -> str:
        return retention_class_of(self.record_type)


class Staging:
    """The files of a dossier being built, each written to disk and hashed as it comes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, StagedFile] = {}

    def _target(self, path: str, record_type: str) -> Path:
        pure = PurePosixPath(path)
        if (
            pure.is_absolute()
            or ".." in pure.parts
            or path in RESERVED_NAMES
            or path in self.files
            or record_type not in RecordType.values
        ):
            raise ValueError(f"bad dossier entry {path!r} ({record_type})")
        return self.folder / f"{len(self.files):06d}"

    def add(self, path: str, record_type: str, data: bytes) -> StagedFile:
        disk = self._target(path, record_type)
        disk.write_bytes(data)
        return self._keep(path, record_type, len(data), hashlib.sha256(data).hexdigest(), disk)

    def add_json(self, path: str, record_type: str, value: object) -> StagedFile:
        return self.add(path, record_type, json_bytes(value))

    def add_stream(self, path: str, record_type: str, source: IO[bytes]) -> StagedFile:
        disk = self._target(path, record_type)
        digest, size = hashlib.sha256(), 0
        with disk.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        return self._keep(path, record_type, size, digest.hexdigest(), disk)

    def _keep(self, path: str, record_type: str, size: int, sha: str, disk: Path) -> StagedFile:
        staged = StagedFile(path=path, record_type=record_type, size=size, sha256=sha, disk=disk)
        self.files[path] = staged
        return staged

    def sorted_files(self) -> list[StagedFile]:
        return [self.files[path] for path in sorted(self.files)]


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Protected):
        return value.plain  # the archive keeps its own personal data in full
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_bytes(value: object) -> bytes:
    """Stable JSON (sorted keys, UTF-8, two-space indent) for the dossier's own files."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, default=_json_default)
    return (text + "\n").encode()


def _plain(value: object) -> str:
    if isinstance(value, Protected):
        return value.plain
    return str(value or "")


# --- the parts --------------------------------------------------------------------------


@dataclass(frozen=True)
class PartContext:
    batch: Batch
    actor: Actor  # the system actor the generators run as (the requester was checked)
    staging: Staging


@dataclass(frozen=True)
class Part:
    key: str
    label: Promise
    add: Callable[[PartContext], None]


def batch_facts(batch: Batch) -> dict[str, Any]:
    """The batch as the manifest and plan.json describe it."""
    institution = batch.institution
    return {
        "id": batch.pk,
        "code": batch.code,
        "title": batch.title,
        "institution": institution.name,
        "uscc": institution.uscc,
        "occupation_code": batch.occupation.code,
        "occupation": batch.occupation.name,
        "work_type": batch.work_type.name if batch.work_type is not None else "",
        "level": batch.level,
        "level_label": str(SkillLevel(batch.level).label),
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "enrollment_opens": batch.enrollment_opens,
        "enrollment_closes": batch.enrollment_closes,
        "filed_at": batch.filed_at,
        "decided_at": batch.decided_at,
    }


def _sessions(batch: Batch) -> list[Session]:
    return list(
        Session.objects.filter(batch_id=batch.pk)
        .select_related(
            "batch__institution__organisation",
            "batch__occupation",
            "batch__work_type",
            "room__site",
        )
        .order_by("starts_at", "pk")
    )


def _assignments(batch: Batch, roles: Iterable[str] | None = None) -> list[StaffAssignment]:
    rows = StaffAssignment.objects.filter(batch_id=batch.pk).select_related("staff", "session")
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    return list(rows.order_by("role", "staff__full_name", "pk"))


def _session_label(session: Session | None) -> str:
    if session is None:
        return _("全批次")
    start = timezone.localtime(session.starts_at)
    return f"{session.get_component_display()} {start:%Y-%m-%d %H:%M}"


# plan: 认定计划 (PDF and JSON) and 考场安排 (sessions, rooms, seats)


def _plan_json(batch: Batch, sessions: Sequence[Session]) -> dict[str, Any]:
    return {
        **batch_facts(batch),
        "mode": batch.mode,
        "planned_candidates": batch.planned_candidates,
        "weights": {
            "theory": batch.theory_weight,
            "practical": batch.practical_weight,
            "review": batch.review_weight,
        },
        "pass_mark": batch.pass_mark,
        "component_pass_marks": batch.component_pass_marks,
        "sessions": [
            {
                "id": s.pk,
                "component": s.component,
                "site": s.room.site.name,
                "room": s.room.name,
                "starts_at": s.starts_at,
                "duration_minutes": s.duration_minutes,
                "status": s.status,
            }
            for s in sessions
        ],
        "staff": [
            {"role": a.role, "name": a.staff.full_name, "session": a.session_id}
            for a in _assignments(batch)
        ],
    }


def _plan_pdf(batch: Batch, sessions: Sequence[Session]) -> bytes:
    styles = pdf.styles()
    cell = styles.cell
    facts = batch_facts(batch)
    occupation = facts["occupation"] + (f"（{facts['work_type']}）" if facts["work_type"] else "")
    fact_rows = [
        [_("批次编号"), batch.code, _("批次名称"), pdf.para(batch.title, cell)],
        [_("评价机构"), pdf.para(facts["institution"], cell), _("统一社会信用代码"), facts["uscc"]],
        [
            _("职业（工种）"),
            pdf.para(occupation, cell),
            _("等级"),
            facts["level_label"],
        ],
        [
            _("报名时间"),
            f"{batch.enrollment_opens:%Y-%m-%d}—{batch.enrollment_closes:%Y-%m-%d}",
            _("计划人数"),
            str(batch.planned_candidates),
        ],
        [_("考核方式"), pdf.para(batch.get_mode_display(), cell), _("状态"), facts["status_label"]],
    ]
    session_rows: list[list[object]] = [[_("科目"), _("考点及考场"), _("开始时间"), _("时长")]]
    for s in sessions:
        session_rows.append(
            [
                s.get_component_display(),
                pdf.para(f"{s.room.site.name} {s.room.name}", cell),
                f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M}",
                _("%(n)s分钟") % {"n": s.duration_minutes},
            ]
        )
    staff_rows: list[list[object]] = [[_("职责"), _("姓名"), _("场次")]]
    for a in _assignments(batch):
        staff_rows.append(
            [a.get_role_display(), a.staff.full_name, pdf.para(_session_label(a.session), cell)]
        )
    width = pdf.CONTENT_WIDTH
    story: list[Flowable] = [
        pdf.para(_("职业技能等级认定计划"), styles.title),
        pdf.grid_table(fact_rows, col_widths=[w * mm for w in (28, 59, 30, 57)], header_rows=0),
        pdf.para(_("考核安排"), styles.heading),
        pdf.grid_table(session_rows, col_widths=[30 * mm, width - 90 * mm, 36 * mm, 24 * mm]),
        pdf.para(_("人员安排"), styles.heading),
        pdf.grid_table(staff_rows, col_widths=[40 * mm, 50 * mm, width - 90 * mm]),
    ]
    decor = pdf.PageDecor(
        title=f"{_('职业技能等级认定计划')} {batch.code}",
        header_left=batch.institution.name,
        header_right=batch.code,
    )
    return pdf.build_a4(story, decor, subject=batch.title)


def _arrangements(sessions: Sequence[Session]) -> list[dict[str, Any]]:
    seats = (
        SeatAssignment.objects.filter(session__in=list(sessions))
        .select_related("application")
        .order_by("session_id", "seat_number")
    )
    by_session: dict[int, list[dict[str, Any]]] = {s.pk: [] for s in sessions}
    for seat in seats:
        by_session[seat.session_id].append(
            {
                "seat": seat.seat_number,
                "application": seat.application_id,
                "admission_number": seat.application.admission_number or "",
            }
        )
    return [
        {
            "session": s.pk,
            "component": s.component,
            "room": f"{s.room.site.name} {s.room.name}",
            "starts_at": s.starts_at,
            "duration_minutes": s.duration_minutes,
            "seats": by_session[s.pk],
        }
        for s in sessions
    ]


def add_plan(ctx: PartContext) -> None:
    sessions = _sessions(ctx.batch)
    ctx.staging.add("plan/plan.pdf", RecordType.PLAN_NOTICE, _plan_pdf(ctx.batch, sessions))
    ctx.staging.add_json("plan/plan.json", RecordType.PLAN_NOTICE, _plan_json(ctx.batch, sessions))
    ctx.staging.add_json(
        "plan/arrangements.json", RecordType.SESSION_ARRANGEMENTS, _arrangements(sessions)
    )


# rosters: 参评人员名册 (the enrollment app's export), 考评人员 and 内部质量督导人员名册

STAFF_HEADERS = (
    "序号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "技能等级",
    "职务/职称",
    "工作单位",
    "职责",
    "场次",
)


def _staff_rows(assignments: Sequence[StaffAssignment]) -> list[list[object]]:
    rows: list[list[object]] = []
    for number, a in enumerate(assignments, start=1):
        staff = a.staff
        rows.append(
            [
                number,
                staff.full_name,
                staff.get_id_type_display(),
                _plain(staff.id_number),
                staff.get_gender_display(),
                staff.get_skill_level_display() if staff.skill_level else "",
                staff.title,
                staff.employer,
                a.get_role_display(),
                _session_label(a.session),
            ]
        )
    return rows


def add_rosters(ctx: PartContext) -> None:
    batch, staging = ctx.batch, ctx.staging
    staging.add(
        "rosters/candidates.xlsx",
        RecordType.CANDIDATE_ROSTER,
        roster_export(actor=ctx.actor, batch=batch, full_ids=True),
    )
    examiners = _assignments(batch, [StaffRole.EXAMINER, StaffRole.REVIEW_PANEL])
    staging.add(
        "rosters/examiners.xlsx",
        RecordType.EXAMINER_ROSTER,
        workbook_bytes(title="考评人员名册", headers=STAFF_HEADERS, rows=_staff_rows(examiners)),
    )
    supervisors = _assignments(batch, [StaffRole.INTERNAL_SUPERVISOR])
    staging.add(
        "rosters/supervisors.xlsx",
        RecordType.SUPERVISOR_ROSTER,
        workbook_bytes(
            title="内部质量督导人员名册", headers=STAFF_HEADERS, rows=_staff_rows(supervisors)
        ),
    )


# applications: 申报表, 资格佐证材料 (original bytes), 真实性书面承诺


def _folder(application: Application) -> str:
    if application.admission_number:
        return f"applications/{safe_name(application.admission_number)}"
    return f"applications/application-{application.pk}"


def _suffix(name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else ""


def _evidence_path(folder: str, evidence: Evidence) -> str:
    return f"{folder}/evidence/{evidence.kind}-{evidence.pk}{_suffix(evidence.original_name)}"


def _pledge(application: Application) -> dict[str, Any]:
    return {
        "signed_at": application.pledge_signed_at,
        "client_address": application.pledge_client_address or "",
        "text_sha256": application.pledge_text_sha256,
    }


def _application_json(
    application: Application, folder: str, evidence: Sequence[Evidence]
) -> dict[str, Any]:
    person = application.person
    return {
        "application": application.pk,
        "status": application.status,
        "person": {
            "full_name": person.full_name,
            "id_type": person.id_type,
            "id_number": _plain(person.id_number),
            "gender": person.gender,
            "birth_date": person.birth_date,
            "education_level": person.education_level,
            "phone": _plain(person.phone),
        },
        "employer": application.employer,
        "current_job": application.current_job,
        "work_years": application.work_years,
        "declared_route": application.declared_route,
        "eligibility": application.eligibility,
        "eligible": application.eligible,
        "eligibility_checked_on": application.eligibility_checked_on,
        "pledge": _pledge(application),
        "submitted_at": application.submitted_at,
        "reviewed_at": application.reviewed_at,
        "reviewed_by": application.reviewed_by_label,
        "review_note": application.review_note,
        "admission_number": application.admission_number or "",
        "diploma_pending": application.diploma_pending,
        "evidence": [
            {
                "path": _evidence_path(folder, e),
                "kind": e.kind,
                "original_name": e.original_name,
                "content_type": e.content_type,
                "size": e.size,
                "sha256_at_upload": e.sha256,
                "uploaded_by": e.uploaded_by_label,
                "uploaded_at": e.uploaded_at,
            }
            for e in evidence
        ],
    }


def _copy_file(staging: Staging, path: str, record_type: str, field: Any, what: str) -> None:
    try:
        source = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise DomainError(_("文件缺失，无法归档：%(what)s") % {"what": what}) from exc
    with source:
        staging.add_stream(path, record_type, source)


def add_applications(ctx: PartContext) -> None:
    applications = (
        Application.objects.filter(batch_id=ctx.batch.pk)
        .select_related("person")
        .prefetch_related("evidence")
        .order_by("created_at", "pk")
    )
    for application in applications:
        folder = _folder(application)
        evidence = sorted(application.evidence.all(), key=lambda e: e.pk)
        ctx.staging.add_json(
            f"{folder}/application.json",
            RecordType.APPLICATIONS,
            _application_json(application, folder, evidence),
        )
        if application.pledge_signed_at is not None:
            ctx.staging.add_json(f"{folder}/pledge.json", RecordType.PLEDGES, _pledge(application))
        for item in evidence:
            what = f"{application.admission_number or application.pk} {item.original_name}"
            _copy_file(
                ctx.staging, _evidence_path(folder, item), RecordType.EVIDENCE, item.file, what
            )


# sign-in: 签到表 per session and the check-in rows

CHECKIN_HEADERS = (
    "场次",
    "身份",
    "座位号",
    "准考证号",
    "姓名",
    "签到时间",
    "终端地址",
    "纬度",
    "经度",
    "定位精度（米）",
    "距考点（米）",
    "在考点范围内",
    "记录人",
)


def _checkin_rows(batch: Batch) -> list[list[object]]:
    rows = (
        CheckIn.objects.filter(session__batch_id=batch.pk)
        .select_related("session", "seat__application__person", "staff")
        .order_by("session__starts_at", "session_id", "at", "pk")
    )
    out: list[list[object]] = []
    for c in rows:
        application = c.seat.application if c.seat is not None else None
        name = (
            application.person.full_name if application else (c.staff.full_name if c.staff else "")
        )
        out.append(
            [
                _session_label(c.session),
                c.get_role_display(),
                c.seat.seat_number if c.seat is not None else "",
                (application.admission_number or "") if application else "",
                name,
                timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M:%S"),
                c.client_address or "",
                c.latitude,
                c.longitude,
                c.accuracy_m,
                c.distance_m,
                c.within_radius,
                c.recorded_by_label,
            ]
        )
    return out


def add_signin(ctx: PartContext) -> None:
    for session in _sessions(ctx.batch):
        ctx.staging.add(
            f"signin/session-{session.pk}-{session.component}.pdf",
            RecordType.SIGNIN_SHEETS,
            signin_sheet_pdf(session),
        )
    ctx.staging.add(
        "signin/checkins.xlsx",
        RecordType.SIGNIN_SHEETS,
        workbook_bytes(title="签到记录", headers=CHECKIN_HEADERS, rows=_checkin_rows(ctx.batch)),
    )


# theory papers: each paper of the batch's sittings (with its key) and the theory scores

THEORY_HEADERS = (
    "准考证号",
    "姓名",
    "试卷",
    "作答状态",
    "开始作答",
    "收卷时间",
    "评分状态",
    "理论成绩",
)


def _theory_rows(batch: Batch) -> list[list[object]]:
    attempts = (
        Attempt.objects.filter(sitting__session__batch_id=batch.pk)
        .select_related("seat__application__person", "paper")
        .order_by("sitting_id", "seat__seat_number", "pk")
    )
    return [
        [
            a.seat.application.admission_number or "",
            a.seat.application.person.full_name,
            f"{a.paper.title} {a.paper.form_label}",
            a.get_status_display(),
            timezone.localtime(a.started_at).strftime("%Y-%m-%d %H:%M:%S"),
            timezone.localtime(a.closed_at).strftime("%Y-%m-%d %H:%M:%S") if a.closed_at else "",
            a.get_grading_status_display(),
            a.score,
        ]
        for a in attempts
    ]


def add_papers(ctx: PartContext) -> None:
    papers = (
        Paper.objects.filter(sittings__session__batch_id=ctx.batch.pk).distinct().order_by("pk")
    )
    for paper in papers:
        ctx.staging.add(
            f"papers/paper-{paper.pk}-{safe_name(paper.form_label)}.xlsx",
            RecordType.THEORY_PAPERS,
            paper_export(actor=ctx.actor, paper=paper),
        )
    ctx.staging.add(
        "papers/theory_scores.xlsx",
        RecordType.THEORY_PAPERS,
        workbook_bytes(title="理论考试成绩", headers=THEORY_HEADERS, rows=_theory_rows(ctx.batch)),
    )


# score sheets: 评分记录表


def add_score_sheets(ctx: PartContext) -> None:
    ctx.staging.add("scores/score_sheets.pdf", RecordType.SCORE_SHEETS, score_sheets_pdf(ctx.batch))


# session records: the proctors' 考场记录表 and, where present, external supervision's


def add_session_records(ctx: PartContext) -> None:
    for session in _sessions(ctx.batch):
        ctx.staging.add(
            f"sessions/session-{session.pk}-record.pdf",
            RecordType.SESSION_RECORDS,
            record_pdf(console(session)),
        )
        notes = list(notes_for_session(session))
        if notes:
            ctx.staging.add(
                f"sessions/session-{session.pk}-supervision.pdf",
                RecordType.SESSION_RECORDS,
                notes_pdf(session, notes),
            )


# results: 成绩汇总表 and the announcement (公示名单) with its dates


def add_results(ctx: PartContext) -> None:
    results = BatchResults.objects.filter(batch_id=ctx.batch.pk).first()
    if results is None:
        return
    ctx.staging.add("results/results.xlsx", RecordType.RESULTS_NOTICE, results_workbook(ctx.batch))
    ctx.staging.add_json(
        "results/announcement.json",
        RecordType.RESULTS_NOTICE,
        {
            "status": results.status,
            "published_at": results.published_at,
            "publicity_ends": results.publicity_ends,
            "objections_close": results.objections_close,
            "filing_due": results.filing_due,
            "filed_at": results.filed_at,
            "filed_by": results.filed_by_label,
            "decided_at": results.decided_at,
            "decided_by": results.decided_by_label,
            "rows": results.announcement,
        },
    )


# certificates: 证书数据汇总表 (also the 获证人员名册) and 修改或遗失补发 requests


def _change_json(change: ChangeRequest, evidence_path: str) -> dict[str, Any]:
    return {
        "id": change.pk,
        "certificate": change.certificate.number,
        "kind": change.kind,
        "status": change.status,
        "changes": change.changes,
        "new_id_number": _plain(change.new_id_number),
        "reason": change.reason,
        "evidence": evidence_path,
        "requested_by": change.requested_by_label,
        "created_at": change.created_at,
        "decided_by": change.decided_by_label,
        "decided_at": change.decided_at,
        "decision_note": change.decision_note,
        "version": change.version_id,
    }


def add_certificates(ctx: PartContext) -> None:
    batch, staging = ctx.batch, ctx.staging
    if Certificate.objects.filter(batch_id=batch.pk).exists():
        summary = certificate_summary_xlsx(ctx.actor, batch)
        staging.add("certificates/summary.xlsx", RecordType.CERTIFICATE_SUMMARY, summary)
        staging.add("rosters/certified.xlsx", RecordType.CERTIFIED_ROSTER, summary)
    changes = (
        ChangeRequest.objects.filter(certificate__batch_id=batch.pk)
        .select_related("certificate")
        .order_by("pk")
    )
    for change in changes:
        folder = f"certificates/changes/{change.pk}"
        evidence = f"{folder}/evidence{_suffix(change.evidence.name)}" if change.evidence else ""
        staging.add_json(
            f"{folder}/request.json", RecordType.CHANGE_REQUESTS, _change_json(change, evidence)
        )
        if evidence:
            what = f"{change.certificate.number} #{change.pk}"
            _copy_file(staging, evidence, RecordType.CHANGE_REQUESTS, change.evidence, what)


# supervision: inspections with findings, early warnings and violation cases


def _inspection_rows(batch: Batch) -> list[Inspection]:
    rows = (
        Inspection.objects.filter(Q(batch_id=batch.pk) | Q(session__batch_id=batch.pk))
        .select_related("plan")
        .prefetch_related("findings__item", "evidence")
        .order_by("pk")
    )
    return list(rows)


def _inspection_evidence_path(evidence: InspectionEvidence) -> str:
    name = f"{evidence.pk}{_suffix(evidence.original_name)}"
    return f"supervision/inspections/{evidence.inspection_id}/evidence/{name}"


def _inspections(rows: list[Inspection]) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "plan": i.plan.title,
            "kind": i.plan.kind,
            "session": i.session_id,
            "mode": i.mode,
            "status": i.status,
            "conclusion": i.conclusion,
            "summary": i.summary,
            "rectification_due": i.rectification_due,
            "rectified_at": i.rectified_at,
            "finished_at": i.finished_at,
            "finished_by": i.finished_by_label,
            "findings": [
                {
                    "item": f.item.code,
                    "title": f.item.title,
                    "outcome": f.outcome,
                    "note": f.note,
                    "recorded_by": f.recorded_by_label,
                    "recorded_at": f.recorded_at,
                }
                for f in i.findings.all()
            ],
            "evidence": [
                {
                    "path": _inspection_evidence_path(e),
                    "name": e.original_name,
                    "finding": e.finding_id,
                    "sha256_at_upload": e.sha256,
                    "size": e.size,
                }
                for e in i.evidence.all()
            ],
        }
        for i in rows
    ]


def _alerts(batch: Batch) -> list[dict[str, Any]]:
    return [
        {
            "id": a.pk,
            "rule": a.rule,
            "severity": a.severity,
            "title": a.title,
            "evidence": a.evidence,
            "status": a.status,
            "first_seen_at": a.first_seen_at,
            "last_seen_at": a.last_seen_at,
            "closure": a.closure,
            "closure_note": a.closure_note,
            "closed_at": a.closed_at,
            "closed_by": a.closed_by_label,
        }
        for a in Alert.objects.filter(batch_id=batch.pk).order_by("pk")
    ]


def _cases(batch: Batch) -> list[dict[str, Any]]:
    rows = (
        ViolationCase.objects.filter(Q(batch_id=batch.pk) | Q(application__batch_id=batch.pk))
        .select_related("person", "application", "staff")
        .order_by("pk")
    )
    return [
        {
            "number": c.number,
            "subject_kind": c.subject_kind,
            "person": c.person.full_name if c.person else "",
            "admission_number": (c.application.admission_number or "") if c.application else "",
            "staff": c.staff.full_name if c.staff else "",
            "grade": c.grade,
            "component": c.component,
            "facts": c.facts,
            "basis": c.basis,
            "source": c.source,
            "status": c.status,
            "decision": c.decision,
            "ban_until": c.ban_until,
            "decided_at": c.decided_at,
            "decided_by": c.decided_by_label,
            "opened_by": c.opened_by_label,
            "created_at": c.created_at,
        }
        for c in rows
    ]


def add_supervision(ctx: PartContext) -> None:
    """The inspections of the batch with their findings and evidence files, the early
    warnings and the violation cases."""
    staging = ctx.staging
    inspections = _inspection_rows(ctx.batch)
    staging.add_json(
        "supervision/inspections.json", RecordType.SUPERVISION_RECORDS, _inspections(inspections)
    )
    for inspection in inspections:
        for evidence in inspection.evidence.all():
            what = f"{inspection.pk} {evidence.original_name}"
            path = _inspection_evidence_path(evidence)
            _copy_file(staging, path, RecordType.SUPERVISION_RECORDS, evidence.file, what)
    staging.add_json("supervision/alerts.json", RecordType.SUPERVISION_RECORDS, _alerts(ctx.batch))
    staging.add_json("supervision/cases.json", RecordType.VIOLATION_RECORDS, _cases(ctx.batch))


PARTS: tuple[Part, ...] = (
    Part("plan", gettext_lazy("认定计划及考场安排"), add_plan),
    Part("rosters", gettext_lazy("人员名册"), add_rosters),
    Part("applications", gettext_lazy("申报表、佐证材料及承诺"), add_applications),
    Part("signin", gettext_lazy("签到表"), add_signin),
    Part("papers", gettext_lazy("理论试卷及成绩"), add_papers),
    Part("scores", gettext_lazy("评分记录表"), add_score_sheets),
    Part("sessions", gettext_lazy("考场记录表"), add_session_records),
    Part("results", gettext_lazy("成绩公告"), add_results),
    Part("certificates", gettext_lazy("证书数据及修改补发申请"), add_certificates),
    Part("supervision", gettext_lazy("监督检查及违纪违规处理记录"), add_supervision),
)
