"""Violation cases on the demo province (run by ``seed_demo`` after the results demo).

Through the services, as the demo actors:

1. 滇池职业技术学校（演示） reports a candidate of its results batch for 作弊 in the
   theory part (机构报告), and the Kunming HR official decides it: that subject is void;
2. the Kunming HR official orders the school to rectify (责令限期整改) after finding its
   application review lax; the deadline is counted in working days.

Idempotent: once the demo's first case exists nothing happens.
"""

from __future__ import annotations

from django.db import transaction

from skillcert.batches.choices import Component
from skillcert.batches.models import Batch
from skillcert.core.demo import demo_actor
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.institutions.demo import SENTINEL
from skillcert.institutions.models import Institution
from skillcert.results.choices import ComponentState, Outcome
from skillcert.results.demo import TITLE as RESULTS_TITLE
from skillcert.results.models import ComponentScore
from skillcert.supervision import cases
from skillcert.supervision.choices import CaseGrade, CaseSource, SubjectKind
from skillcert.supervision.models import ViolationCase

CHEATING_FACTS = "（演示）理论知识考试中与邻座考生交头接耳、传递纸条，经监考人员当场制止并记录。"
RECTIFY_FACTS = "（演示）抽查发现申报资料审核不严：三名考生的工作年限证明未加盖单位公章即审核通过。"


def _cheater(batch: Batch) -> Application | None:
    """The approved candidate who failed with a standing theory score: voiding the theory
    leaves the results demo's outcomes (four passed, one failed, one absent) as they are."""
    scored = ComponentScore.objects.filter(
        application__batch=batch,
        component=Component.THEORY,
        state=ComponentState.SCORED,
    ).values("application_id")
    return (
        Application.objects.filter(
            batch=batch,
            status=ApplicationStatus.APPROVED,
            pk__in=scored,
            result__outcome=Outcome.FAILED,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def seed_cases_demo() -> str | None:
    """Build the cases described in the module docstring; None when they exist."""
    if ViolationCase.objects.filter(facts=CHEATING_FACTS).exists():
        return None
    institution = Institution.objects.filter(organisation__name=SENTINEL).first()
    batch = Batch.objects.filter(institution=institution, title=RESULTS_TITLE).first()
    if institution is None or batch is None:
        return None
    application = _cheater(batch)
    if application is None:
        return None
    school, official = demo_actor("inst_a_admin"), demo_actor("km_official")
    cheating = cases.case_open(
        actor=school,
        subject_kind=SubjectKind.CANDIDATE,
        institution=institution,
        grade=CaseGrade.CHEATING,
        facts=CHEATING_FACTS,
        source=CaseSource.SELF_REPORTED,
        application=application,
        component=Component.THEORY,
        basis="技能人才评价违纪违规行为处理工作指引（人社职司便函〔2021〕57号）",
    )
    cases.case_decide(
        actor=official,
        case=cheating,
        decision="经核实，该考生理论知识考试作弊，认定该科目成绩无效。",
    )
    rectify = cases.case_open(
        actor=official,
        subject_kind=SubjectKind.INSTITUTION,
        institution=institution,
        grade=CaseGrade.RECTIFY,
        facts=RECTIFY_FACTS,
        source=CaseSource.INSPECTION,
        basis="川人社办发〔2020〕20号 六(五)",
    )
    rectify = cases.case_decide(
        actor=official,
        case=rectify,
        decision="责令限期整改，整改完成后报送整改报告。",
    )
    due = rectify.rectification_due.isoformat() if rectify.rectification_due else "—"
    return (
        f"supervision cases: {cheating.number} (作弊, decided), "
        f"{rectify.number} (限期整改 until {due})"
    )
