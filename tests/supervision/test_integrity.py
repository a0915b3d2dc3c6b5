"""Integrity records and bars: a barred candidate may not apply at any institution, a
barred staff member may not be assigned to any batch; staff cases deactivate every
registry row of the person in the province."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from skillcert.batches.choices import Component, StaffRole
from skillcert.batches.services import plan
from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.services import applications as flow
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.models import StaffMember
from skillcert.institutions.services import registry
from skillcert.supervision import cases, integrity
from skillcert.supervision.choices import CaseGrade, CaseSource, EffectKind, SubjectKind
from skillcert.supervision.models import CaseEffect, IntegrityRecord, ViolationCase
from tests.batches.conftest import Kit, build_kit
from tests.conftest import Cast, Refused
from tests.enrollment.conftest import sign
from tests.institutions.conftest import SYSTEM
from tests.supervision.builders_cases import (
    approved_results,
    candidate_case,
    enrolling_batch_b,
    institution_case,
)

pytestmark = pytest.mark.django_db


# --- candidates --------------------------------------------------------------------------


def test_a_barred_candidate_may_not_apply_at_another_institution(
    cast: Cast, refused: Refused
) -> None:
    ck = approved_results(cast)
    candidate = cast.actor("candidate")
    person = ck.passed[0].person
    before = enrolling_batch_b(ck)
    # Not barred yet: the candidate applies at institution B.
    ok = flow.application_create(actor=candidate, person=person, batch=before, declared_route=1)
    sign(candidate, ok)
    assert flow.application_submit(actor=candidate, application=ok).status == (
        ApplicationStatus.SUBMITTED
    )

    official = cast.actor("city_a")
    case = candidate_case(official, ck.passed[0], CaseGrade.SERIOUS)
    decided = cases.case_decide(actor=official, case=case, decision="当年不得参加认定")
    later = enrolling_batch_b(ck)
    assert later.institution != ck.batch.institution
    application = flow.application_create(
        actor=candidate, person=person, batch=later, declared_route=1
    )
    sign(candidate, application)
    error = refused(
        DomainError,
        lambda: flow.application_submit(actor=candidate, application=application),
        code="candidate_barred",
    )
    assert decided.ban_until is not None
    assert decided.ban_until.isoformat() in str(error.message)
    assert case.number in str(error.message)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    # Once the bar is over the same application goes through.
    after = decided.ban_until + timedelta(days=1)
    submitted = flow.application_submit(actor=candidate, application=application, today=after)
    assert submitted.status == ApplicationStatus.SUBMITTED


def test_active_bar_covers_its_period_and_not_a_lifted_record(cast: Cast) -> None:
    ck = approved_results(cast)
    official = cast.actor("city_a")
    case = candidate_case(official, ck.passed[1], CaseGrade.GRAVE)
    decided = cases.case_decide(actor=official, case=case, decision="替考")
    index = ck.passed[1].person.id_number_index
    today = timezone.localdate()
    assert decided.ban_until is not None
    bar = integrity.active_bar(index, on=today)
    assert bar is not None
    assert bar.case == case
    assert integrity.active_bar(index, on=decided.ban_until) == bar
    assert integrity.active_bar(index, on=decided.ban_until + timedelta(days=1)) is None
    assert integrity.active_bar(index, on=today - timedelta(days=1)) is None
    # A candidate's bar does not refuse staff work, and another person is not barred.
    integrity.require_not_barred(index, on=today, as_staff=True)
    integrity.require_not_barred(ck.passed[0].person.id_number_index, on=today, as_staff=False)
    assert integrity.active_bar("", on=today) is None
    IntegrityRecord.objects.filter(case=case).update(lifted_at=timezone.now())
    assert integrity.active_bar(index, on=today) is None
    integrity.require_not_barred(index, on=today, as_staff=False)


def test_records_for_person_and_institution(cast: Cast) -> None:
    ck = approved_results(cast)
    official = cast.actor("city_a")
    case = candidate_case(official, ck.passed[0], CaseGrade.SERIOUS)
    cases.case_decide(actor=official, case=case, decision="全部无效")
    index = ck.passed[0].person.id_number_index
    mine = integrity.records_for_person(index)
    assert {r.kind for r in mine} == {EffectKind.RESULT_VOID, EffectKind.BARRED}
    assert not integrity.records_for_person(ck.passed[1].person.id_number_index).exists()
    assert not integrity.records_for_person("").exists()
    institution = ck.batch.institution
    assert set(integrity.records_for_institution(institution)) == set(mine)
    assert not integrity.records_for_institution(ck.rk.kit.world.inst_b).exists()


# --- staff -------------------------------------------------------------------------------


def _second_row_at_b(kit: Kit, member: StaffMember) -> StaffMember:
    return registry.staff_add(
        actor=SYSTEM,
        institution=kit.world.inst_b,
        kind=StaffKind.EXAMINER,
        full_name=member.full_name,
        id_type=IdType.RESIDENT,
        id_number=member.id_number.plain,
    )


def staff_case(kit: Kit, member: StaffMember, grade: str = CaseGrade.DERELICTION) -> ViolationCase:
    return cases.case_open(
        actor=kit.cast.actor("city_a"),
        subject_kind=SubjectKind.STAFF,
        institution=kit.inst,
        grade=grade,
        facts="考评过程中未按评分标准评分，擅自提高考生成绩。",
        source=CaseSource.SUPERVISION,
        staff=member,
    )


def test_a_staff_case_removes_every_row_and_bars_assignment(cast: Cast, refused: Refused) -> None:
    kit = build_kit(cast)
    member = kit.examiners[0]
    elsewhere = _second_row_at_b(kit, member)
    bystander = kit.examiners[1]
    case = staff_case(kit, member)
    decided = cases.case_decide(actor=cast.actor("city_a"), case=case, decision="取消考评资格")
    member.refresh_from_db()
    elsewhere.refresh_from_db()
    bystander.refresh_from_db()
    assert not member.is_active
    assert not elsewhere.is_active
    assert bystander.is_active
    kinds = list(CaseEffect.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == [
        EffectKind.QUALIFICATION_REMOVED,
        EffectKind.QUALIFICATION_REMOVED,
        EffectKind.BARRED,
    ]
    today = timezone.localdate()
    assert decided.ban_until == cases.years_later(today, 3)
    # The row at institution B (outside city A) was deactivated in the case's name.
    events = AuditEvent.objects.filter(action="institution.staff_deactivate").order_by("seq")
    labels = [e.actor_label for e in events]
    assert labels[0] == cast.users["city_a"].display_name
    assert case.number in labels[1]
    assert events[1].object_id == str(elsewhere.pk)

    # Registered again under another kind, the person still may not be assigned.
    again = registry.staff_add(
        actor=SYSTEM,
        institution=kit.inst,
        kind=StaffKind.STAFF,
        full_name=member.full_name,
        id_type=IdType.RESIDENT,
        id_number=member.id_number.plain,
    )
    batch = kit.batch()
    session = kit.session(batch, Component.THEORY)
    error = refused(
        DomainError,
        lambda: plan.staff_assign(
            actor=kit.admin, batch=batch, staff=again, role=StaffRole.PROCTOR, session=session
        ),
        code="staff_barred",
    )
    assert case.number in str(error.message)
    # Someone else is assigned as usual.
    plan.staff_assign(
        actor=kit.admin, batch=batch, staff=kit.proctors[0], role=StaffRole.PROCTOR, session=session
    )
    # A staff bar does not stop the person from applying as a candidate.
    integrity.require_not_barred(member.id_number_index, on=today, as_staff=False)


def test_the_institution_reports_staff_but_cannot_decide(cast: Cast, refused: Refused) -> None:
    kit = build_kit(cast)
    member = kit.examiners[0]
    case = cases.case_open(
        actor=kit.admin,
        subject_kind=SubjectKind.STAFF,
        institution=kit.inst,
        grade=CaseGrade.MISCONDUCT,
        facts="监考时使用手机。",
        source=CaseSource.SELF_REPORTED,
        staff=member,
    )
    refused(
        PermissionDenied,
        lambda: cases.case_decide(actor=kit.admin, case=case, decision="取消资格"),
    )
    member.refresh_from_db()
    assert member.is_active
    at_b = _second_row_at_b(kit, kit.examiners[2])
    refused(DomainError, lambda: staff_case(kit, at_b), code="wrong_institution")


def test_institution_records_have_no_person(cast: Cast) -> None:
    kit = build_kit(cast)
    case = institution_case(cast.actor("city_a"), kit.inst, CaseGrade.RECTIFY)
    cases.case_decide(actor=cast.actor("city_a"), case=case, decision="限期整改")
    [record] = integrity.records_for_institution(kit.inst)
    assert record.kind == EffectKind.RECTIFICATION
    assert integrity.active_bar("", on=timezone.localdate()) is None
