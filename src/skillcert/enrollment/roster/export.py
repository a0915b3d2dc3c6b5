"""The batch's roster as Excel: every application, ID and phone numbers masked."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.excel import workbook_bytes
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


def roster_export(*, actor: Actor, batch: Batch) -> bytes:
    """The applications of ``batch`` the actor may see, as .xlsx (through core.excel)."""
    return workbook_bytes(title=_("报名名册"), headers=HEADERS, rows=_rows(actor, batch))


def _rows(actor: Actor, batch: Batch) -> Iterator[list[object]]:
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
            str(person.id_number or ""),  # a Protected value prints masked
            person.get_gender_display(),
            str(person.phone or ""),
            person.get_education_level_display() if person.education_level else "",
            app.employer,
            app.work_years,
            app.declared_route + 1 if app.declared_route is not None else "",
            app.get_status_display(),
            app.eligible,
            app.diploma_pending,
            app.admission_number or "",
        ]
