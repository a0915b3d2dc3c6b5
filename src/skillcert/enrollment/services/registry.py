"""The education department's student registry and the cross-check against it.

云人社通〔2023〕23号 二(三)2: 人力资源社会保障部门和教育行政部门要及时共享各类院校学生信息
和取证信息，加强信息审核校验. Education officials import their registry as Excel; the
whole file is validated first and nothing is written unless every row is clean (errors
name the row and the column). Only the blind index of each ID number is stored, never
the number. The cross-check compares each application's declared student status with
the registry: not found, state, major or graduation year differ, or all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skillcert.batches.models import Batch
from skillcert.core import sheet_import
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import PermissionDenied
from skillcert.core.excel import workbook_bytes
from skillcert.core.personal import id_index
from skillcert.core.sheet_import import (
    SheetRow,
    cell_choice,
    cell_int,
    read_rows,
    row_identity,
    row_texts,
    upload_bytes,
    validate_rows,
)
from skillcert.enrollment.choices import ApplicationStatus, StudentState
from skillcert.enrollment.models import (
    Application,
    RegistryImport,
    StudentRegistryRecord,
    StudentStatus,
)
from skillcert.enrollment.permissions import can_cross_check, can_import_registry
from skillcert.stats.aggregates import registry_imported

REGISTRY_MAX_BYTES = 20 * 1024 * 1024
REGISTRY_MAX_ROWS = 200_000
COLUMNS = (
    "姓名",
    "证件类型",
    "证件号码",
    "学校",
    "专业",
    "专业代码",
    "入学年份",
    "毕业年份",
    "学号",
    "学籍状态",
)
OPTIONAL_COLUMNS = frozenset({"专业代码", "学号"})
_LENGTHS = {"姓名": 64, "学校": 128, "专业": 128, "专业代码": 16, "学号": 32}


# The import's errors (kept under these names for the pages and tests).
CellError = sheet_import.CellError
RegistryFileInvalid = sheet_import.SheetInvalid


# ---------------------------------------------------------------- import


def _year(value: Any) -> int | None:
    year = cell_int(value)
    if year is not None and 1950 <= year <= timezone.localdate().year + 10:
        return year
    return None


def _validate_row(row: SheetRow) -> StudentRegistryRecord | None:
    v = row_texts(row, COLUMNS, OPTIONAL_COLUMNS, _LENGTHS)
    identity = row_identity(row)
    index = id_index(*identity) if identity else ""
    years = {c: _year(row.values[c]) for c in ("入学年份", "毕业年份")}
    for column, year in years.items():
        if v[column] and year is None:
            row.error(column, _("应为四位年份。"))
    start, end = years["入学年份"], years["毕业年份"]
    if start and end and end < start:
        row.error("毕业年份", _("毕业年份不能早于入学年份。"))
    state = cell_choice(v["学籍状态"], StudentState) if v["学籍状态"] else None
    if v["学籍状态"] and state is None:
        row.error("学籍状态", _("应为在读、已毕业、休学或退学。"))
    if row.errors or not (index and start and end and state):
        return None
    return StudentRegistryRecord(
        id_number_index=index,
        full_name=v["姓名"],
        school=v["学校"],
        major=v["专业"],
        major_code=v["专业代码"],
        enrollment_year=start,
        graduation_year=end,
        student_number=v["学号"],
        state=state,
    )


def parse_registry(data: bytes) -> list[StudentRegistryRecord]:
    """Every row validated; raises :class:`RegistryFileInvalid` with all the errors."""
    rows = validate_rows(
        read_rows(data, COLUMNS, REGISTRY_MAX_ROWS),
        _validate_row,
        key=lambda record: record.id_number_index,
        duplicate_column="证件号码",
        duplicate_message=_("与第%(row)d行的证件号码重复。"),
    )
    return [record for _number, record in rows]


@transaction.atomic
def registry_import(*, actor: Actor, file: UploadedFile) -> RegistryImport:
    """Import the education department's student records (all or nothing)."""
    if not can_import_registry(actor) or actor.organisation is None:
        raise PermissionDenied(_("只有教育部门的工作人员可以导入学籍数据。"))
    name, data = upload_bytes(file, REGISTRY_MAX_BYTES)
    records = parse_registry(data)
    source = RegistryImport.objects.create(
        organisation=actor.organisation,
        file_name=name[-200:],
        rows=len(records),
        imported_by_label=actor.label[:128],
    )
    for record in records:
        record.source = source
    StudentRegistryRecord.objects.bulk_create(records, batch_size=1000)
    registry_imported(source.pk)  # DESIGN.md step 10: students' coverage and counts rebuilt
    audit_record(
        actor=actor,
        action="registry.import",
        obj=source,
        organisation=actor.organisation,
        changes={"file": source.file_name, "rows": len(records)},
    )
    return source


# ---------------------------------------------------------------- cross-check


class CrossCheckResult(models.TextChoices):
    OK = "ok", gettext_lazy("一致")
    NOT_FOUND = "not_found", gettext_lazy("学籍库中未找到")
    NO_STATUS = "no_status", gettext_lazy("未申报学籍")
    STATE_DIFFERS = "state_differs", gettext_lazy("学籍状态不一致")
    MAJOR_DIFFERS = "major_differs", gettext_lazy("专业不一致")
    YEAR_DIFFERS = "year_differs", gettext_lazy("毕业年份不一致")


@dataclass(frozen=True)
class CrossCheckRow:
    """One application compared with the registry; ``findings`` empty means agreement."""

    application: Application
    declared: StudentStatus | None
    registry: StudentRegistryRecord | None
    findings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.findings == (CrossCheckResult.OK,)

    @property
    def labels(self) -> list[str]:
        return [str(CrossCheckResult(f).label) for f in self.findings]


CHECKED_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.MORE_INFO,
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
)


def _norm(text: str) -> str:
    return "".join(text.split())


def _pick_status(
    statuses: list[StudentStatus], registry: list[StudentRegistryRecord]
) -> StudentStatus | None:
    schools = {_norm(r.school) for r in registry}
    for status in statuses:
        if _norm(status.school) in schools:
            return status
    return max(statuses, key=lambda s: s.graduation_year, default=None)


def _pick_record(
    records: list[StudentRegistryRecord], declared: StudentStatus | None
) -> StudentRegistryRecord | None:
    if declared is not None:
        for record in records:
            if _norm(record.school) == _norm(declared.school):
                return record
    return records[0] if records else None


def _same_major(declared: StudentStatus, record: StudentRegistryRecord) -> bool:
    if declared.major_code and record.major_code:
        return declared.major_code.strip() == record.major_code.strip()
    return _norm(declared.major) == _norm(record.major)


def _findings(
    declared: StudentStatus | None, record: StudentRegistryRecord | None
) -> tuple[str, ...]:
    if declared is None:
        return (CrossCheckResult.NO_STATUS,)
    if record is None:
        return (CrossCheckResult.NOT_FOUND,)
    found: list[str] = []
    if declared.state != record.state:
        found.append(CrossCheckResult.STATE_DIFFERS)
    if not _same_major(declared, record):
        found.append(CrossCheckResult.MAJOR_DIFFERS)
    if declared.graduation_year != record.graduation_year:
        found.append(CrossCheckResult.YEAR_DIFFERS)
    return tuple(found) or (CrossCheckResult.OK,)


def registry_cross_check(*, actor: Actor, batch: Batch) -> list[CrossCheckRow]:
    """Each application of ``batch`` (past the draft) against the registry records shared
    in the batch's province, newest import first."""
    if not can_cross_check(actor, batch):
        raise PermissionDenied(_("您无权查看该批次的学籍比对。"))
    applications = list(
        Application.objects.filter(batch=batch, status__in=CHECKED_STATUSES)
        .select_related("person")
        .prefetch_related("person__student_statuses")
        .order_by("pk")
    )
    province = batch.institution.organisation.province_id
    indexes = {a.person.id_number_index for a in applications}
    by_index: dict[str, list[StudentRegistryRecord]] = {}
    for record in (
        StudentRegistryRecord.objects.filter(
            id_number_index__in=indexes, source__organisation__province_id=province
        )
        .order_by("-source__created_at", "-pk")
        .iterator()
    ):
        by_index.setdefault(record.id_number_index, []).append(record)
    rows: list[CrossCheckRow] = []
    for application in applications:
        records = by_index.get(application.person.id_number_index, [])
        declared = _pick_status(list(application.person.student_statuses.all()), records)
        match = _pick_record(records, declared)
        rows.append(CrossCheckRow(application, declared, match, _findings(declared, match)))
    return rows


CROSS_CHECK_HEADERS = (
    "申请编号",
    "姓名",
    "证件号码",
    "申报学校",
    "申报专业",
    "申报毕业年份",
    "申报学籍状态",
    "学籍库学校",
    "学籍库专业",
    "学籍库毕业年份",
    "学籍库学籍状态",
    "比对结果",
)


def cross_check_workbook(batch: Batch, rows: list[CrossCheckRow]) -> bytes:
    """The report as .xlsx (ID numbers masked; formula injection neutralised)."""

    def line(row: CrossCheckRow) -> list[object]:
        d, r = row.declared, row.registry
        person = row.application.person
        return [
            row.application.pk,
            person.full_name,
            str(person.id_number),
            d.school if d else "",
            d.major if d else "",
            d.graduation_year if d else "",
            d.get_state_display() if d else "",
            r.school if r else "",
            r.major if r else "",
            r.graduation_year if r else "",
            r.get_state_display() if r else "",
            "、".join(row.labels),
        ]

    return workbook_bytes(
        title=f"学籍比对 {batch.code}", headers=CROSS_CHECK_HEADERS, rows=map(line, rows)
    )


def registry_template() -> bytes:
    """An empty import template with the expected header row."""
    example = ["张三", "居民身份证", "", "示例技工学校", "数控技术应用", "660103", 2023, 2026]
    return workbook_bytes(title="学籍数据", headers=COLUMNS, rows=[[*example, "2023001", "在读"]])
