"""The exam tests' world: an open theory sitting with seated candidates and a paper.

``build_exam(cast)`` plans a valid level-5 车工 batch at institution A through the batch
services (``tests.batches.conftest.Kit``), approves ``n`` candidates with known ID
numbers, seats them in today's theory session, writes a five-item sealed paper (two
single choices, a multiple choice, a true/false and a short answer, 20 points each) and
prepares the sitting. ``exam.open()`` opens it the way a proctor does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch, Session
from skillcert.catalog.models import WeightRow
from skillcert.core.actors import Actor
from skillcert.enrollment.models import Application, SeatAssignment
from skillcert.enrollment.seating import seats_assign
from skillcert.exams import sittings
from skillcert.exams.models import Sitting
from skillcert.itembank.assembly import paper_seal
from skillcert.itembank.choices import ItemStatus, ItemType
from skillcert.itembank.models import AssessmentPoint, Item, Paper, PaperItem
from tests.batches.conftest import Kit, build_kit
from tests.conftest import Cast
from tests.enrollment.test_documents_world import applicant, approve, person

# (type, stem, options, answer, reference answer)
ITEMS: list[tuple[str, str, list[str], list[str], str]] = [
    ("single", "车床主轴转速的单位是（ ）。", ["r/min", "m/s", "N·m", "kW"], ["A"], ""),
    ("single", "游标卡尺的读数精度通常为（ ）。", ["1 mm", "0.02 mm", "0.5 mm", "5 mm"], ["B"], ""),
    ("multiple", "下列属于切削三要素的是（ ）。", ["切削速度", "进给量", "背吃刀量", "工件颜色"],
     ["A", "B", "C"], ""),
    ("true_false", "车削时可以用手直接清除切屑。", [], ["F"], ""),
    ("short_answer", "简述车床安全操作的三条要点。", [], [], "戴护目镜；不戴手套；停车测量。"),
]  # fmt: skip
KEYS = "ABCDEF"


@dataclass
class ExamKit:
    kit: Kit
    batch: Batch
    session: Session
    sitting: Sitting
    paper: Paper
    candidates: list[Application]
    id_numbers: dict[int, str] = field(default_factory=dict)  # application pk → ID number

    @property
    def admin(self) -> Actor:
        return self.kit.admin

    @property
    def cast(self) -> Cast:
        return self.kit.cast

    def credentials(self, index: int = 0) -> dict[str, str]:
        """The sign-in body of candidate ``index``."""
        application = self.candidates[index]
        assert application.admission_number
        return {
            "admission_number": application.admission_number,
            "id_number": self.id_numbers[application.pk],
        }

    def seat(self, index: int = 0) -> SeatAssignment:
        return SeatAssignment.objects.get(session=self.session, application=self.candidates[index])

    def open(self) -> Sitting:
        self.sitting = sittings.sitting_open(actor=self.admin, sitting=self.sitting)
        self.session.refresh_from_db()
        return self.sitting


def make_paper(
    kit: Kit,
    batch: Batch,
    label: str = "A",
    *,
    seal: bool = True,
    items: list[tuple[str, str, list[str], list[str], str]] | None = None,
) -> Paper:
    level = batch.standard_level
    owner = batch.institution.organisation
    area, _made = WeightRow.objects.get_or_create(
        standard_level=level, table="theory", position=1,
        defaults={"name": "基础知识", "percent": Decimal(100)},
    )  # fmt: skip
    point, _made = AssessmentPoint.objects.get_or_create(
        standard_level=level, code="1.1.1", defaults={"area": area, "name": "车削基础"}
    )
    paper = Paper.objects.create(
        owner=owner, standard_level=level, title="车工五级理论知识试卷", form_label=label
    )
    for position, (kind, stem, options, answer, reference) in enumerate(items or ITEMS, start=1):
        item = Item.objects.create(
            owner=owner,
            standard_level=level,
            point=point,
            family=uuid.uuid4(),
            type=ItemType(kind),
            stem=f"{stem}（{label}{position}）",
            options=[{"key": KEYS[i], "text": text} for i, text in enumerate(options)],
            answer=answer,
            reference_answer=reference,
            status=ItemStatus.ACTIVE,
        )
        PaperItem.objects.create(paper=paper, item=item, position=position, points=Decimal(20))
    return paper_seal(actor=kit.admin, paper=paper) if seal else paper


def build_exam(
    cast: Cast,
    n: int = 3,
    *,
    items: list[tuple[str, str, list[str], list[str], str]] | None = None,
    **kwargs: Any,
) -> ExamKit:
    kit = build_kit(cast)
    batch = kit.enrollment_closed(**kwargs)
    session = batch.sessions.get(component=Component.THEORY)
    id_numbers: dict[int, str] = {}
    candidates: list[Application] = []
    for _n in range(n):
        candidate, number = person()
        application = applicant(batch)
        application.person = candidate
        application.save(update_fields=["person"])
        approve(application)
        id_numbers[application.pk] = number
        candidates.append(application)
    seats_assign(actor=kit.admin, session=session)
    paper = make_paper(kit, batch, items=items)
    sitting = sittings.sitting_prepare(actor=kit.admin, session=session, papers=[paper])
    return ExamKit(
        kit=kit,
        batch=batch,
        session=session,
        sitting=sitting,
        paper=paper,
        candidates=candidates,
        id_numbers=id_numbers,
    )


@pytest.fixture
def exam(cast: Cast) -> ExamKit:
    return build_exam(cast)
