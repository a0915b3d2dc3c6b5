"""Worlds of the violation-case tests, built through the services.

``approved_results(cast)`` is institution A's level-5 batch whose results city A's centre
approved (tests/certificates/conftest.py ``build_issuable``), with the cast candidate as
the first passed candidate; ``issued(cast)`` issues its certificates too.
``candidate_case`` opens a case on an application as city A's official.
"""

from __future__ import annotations

from datetime import date, timedelta

from skillcert.batches.models import Batch
from skillcert.certificates.models import Certificate
from skillcert.core.actors import Actor
from skillcert.enrollment.models import Application
from skillcert.enrollment.services import applications as flow
from skillcert.institutions.models import Institution
from skillcert.supervision import cases
from skillcert.supervision.choices import CaseSource, SubjectKind
from skillcert.supervision.models import ViolationCase
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.matrix_pages import issued_world, link_candidate
from tests.conftest import Cast
from tests.enrollment.conftest import make_batch, sign, with_template

FACTS = "理论知识考试中使用手机查阅答案，经监考人员当场发现并取证。"


def approved_results(cast: Cast, *, passed: int = 2, failed: int = 1) -> CertKit:
    ck = build_issuable(cast, passed=passed, failed=failed)
    link_candidate(ck)
    return ck


def issued(cast: Cast, *, passed: int = 2, failed: int = 1) -> CertKit:
    return issued_world(cast, passed=passed, failed=failed)


def certificate_of(application: Application) -> Certificate:
    return Certificate.objects.get(application=application)


def candidate_case(
    actor: Actor,
    application: Application,
    grade: str,
    *,
    component: str = "",
    institution: Institution | None = None,
) -> ViolationCase:
    return cases.case_open(
        actor=actor,
        subject_kind=SubjectKind.CANDIDATE,
        institution=institution or application.batch.institution,
        grade=grade,
        facts=FACTS,
        source=CaseSource.SUPERVISION,
        application=application,
        component=component,
        basis="技能人才评价违纪违规行为处理工作指引",
    )


def institution_case(actor: Actor, institution: Institution, grade: str) -> ViolationCase:
    return cases.case_open(
        actor=actor,
        subject_kind=SubjectKind.INSTITUTION,
        institution=institution,
        grade=grade,
        facts="申报资料审核不严，多名考生工作年限证明不实。",
        source=CaseSource.INSPECTION,
    )


def enrolling_batch_b(ck: CertKit) -> Batch:
    """An enrolling 车工 level-4 batch at institution B (Qujing), with the national routes."""
    world = ck.rk.kit.world
    with_template(world.lathe_std)
    return make_batch(world.inst_b, world.lathe_std)


def apply_and_submit(candidate: Actor, ck: CertKit, batch: Batch) -> Application:
    """The cast candidate (the first passed person) applies to ``batch`` and submits."""
    person = ck.passed[0].person
    application = flow.application_create(
        actor=candidate, person=person, batch=batch, declared_route=1
    )
    sign(candidate, application)
    return flow.application_submit(actor=candidate, application=application)


def after_window(case: ViolationCase) -> date:
    assert case.appeal_due is not None
    return case.appeal_due + timedelta(days=1)
