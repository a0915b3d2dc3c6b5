"""The batch's roster as Excel: every application, ID and phone numbers masked (in full only
for the batch's own archive, which the institution keeps as the long-term 参评人员名册)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.excel import workbook_bytes
from skillcert.core.fields import Protected
from skillcert.enrollment.models import Application

HEADERS = (
    "序号",
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "手机号码",
    "文化程度",
    "工作单位",
    "从事本职业年限",
    "申报条件序号",
    "状态",
    "符合申报条件",
    "待核验毕业证书",
    "准考证号",
)


def roster_export(*, actor: Actor, batch: Batch, full_ids: bool = False) -> bytes:
    """The applications of ``batch`` the actor may see, as .xlsx (through core.excel)."""
    return workbook_bytes(
        title=_("报名名册"), headers=HEADERS, rows=_rows(actor, batch, full_ids=full_ids)
    )


def _text(value: Protected | str | None, *, full: bool) -> str:
    if isinstance(value, Protected):
        return value.plain if full else str(value)  # str() of a Protected value is masked
    return value or ""


def _rows(actor: Actor, batch: Batch, *, full_ids: bool) -> Iterator[list[object]]:
    applications = (
        Application.objects.for_actor(actor)
        .filter(batch=batch)
        .select_related("person")
        .order_by("created_at", "pk")
    )
    for number, app in enumerate(applications.iterator(chunk_size=2000), start=1):
        person = app.person
        yield [
            number,
            person.full_name,
            person.get_id_type_display(),
            _text(person.id_number, full=full_ids),
            person.get_gender_display(),
            _text(person.phone, full=full_ids),
            person.get_education_level_display() if person.education_level else "",
            app.employer,
            app.work_years,
            app.declared_route + 1 if app.declared_route is not None else "",
            app.get_status_display(),
            app.eligible,
            app.diploma_pending,
            app.admission_number or "",
        ]
