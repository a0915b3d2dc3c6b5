"""Random inspections through the services: plans, draws (with conflicts, exclusions and
replay), findings, evidence, finishing, rectification and publication."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from skillcert.core.choices import IdType, Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.personal import apply_identity, id_index
from skillcert.core.workdays import deadline
from skillcert.institutions.choices import DirectoryStatus, StaffKind
from skillcert.institutions.models import Institution, StaffMember
from skillcert.supervision import draws, inspections
from skillcert.supervision.choices import (
    Compliance,
    Conclusion,
    InspectionStatus,
    PlanKind,
    PlanStatus,
    PoolKind,
    TargetKind,
)
from skillcert.supervision.models import (
    DrawRecord,
    Finding,
    Inspection,
    InspectionAssignment,
    InspectionPlan,
)
from skillcert.supervision.policies import policy_for
from tests.conftest import Cast, Refused
from tests.factories import MembershipFactory, resident_id
from tests.institutions.conftest import another_institution
from tests.supervision.builders_inspections import (
    KUNMING,
    QUJING,
    InspectionWorld,
    check_item,
    inspection_world,
    pdf_upload,
    pool_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def iw(cast: Cast) -> InspectionWorld:
    return inspection_world(cast)


def _pairs(plan: InspectionPlan) -> dict[int, list[int]]:
    """{institution id: [member ids, lead first]} of the plan's inspections."""
    return {
        i.institution_id: [a.member_id for a in i.assignments.order_by("-is_lead", "pk")]
        for i in plan.inspections.all()
    }


# --- plans ----------------------------------------------------------------------------------


def test_a_province_official_creates_a_plan(iw: InspectionWorld) -> None:
    plan = iw.plan(target_filters={"cities": [QUJING, KUNMING], "institution_types": []})
    assert plan.status == PlanStatus.DRAFT
    assert plan.province_id == "530000"
    assert plan.organisation == iw.cast.orgs["province_hr"]
    assert plan.target_filters == {"cities": [KUNMING, QUJING]}
    assert sorted(plan.items.values_list("code", flat=True)) == ["JG-01", "JG-02", "JG-03"]
    event = AuditEvent.objects.get(action="supervision.plan_create")
    assert event.changes["items"] == ["JG-01", "JG-02", "JG-03"]


def test_a_city_officials_plan_is_limited_to_the_city(iw: InspectionWorld) -> None:
    plan = iw.plan(iw.cast.actor("city_a"))
    assert plan.target_filters == {"cities": [KUNMING]}


@pytest.mark.parametrize("role", ["education", "institution_a", "examiner", "candidate"])
def test_only_hr_officials_create_plans(iw: InspectionWorld, refused: Refused, role: str) -> None:
    refused(PermissionDenied, lambda: iw.plan(iw.cast.actor(role)))
    assert not InspectionPlan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"target_filters": {"cities": [QUJING]}}, "city_scope"),
        ({"target_filters": {"colour": "red"}}, "invalid_filters"),
        ({"target_filters": {"from": "2025-03-01", "until": "2025-02-01"}}, "invalid_filters"),
        ({"target_filters": {"institution_types": ["castle"]}}, "invalid_filters"),
        ({"item_ids": []}, "no_items"),
        ({"target_kind": TargetKind.SESSION}, "invalid_target_kind"),
        ({"target_count": 0}, "invalid_count"),
        ({"members_per_target": 11}, "invalid_count"),
        ({"title": "  "}, "invalid_title"),
    ],
)
def test_plan_input_is_checked(
    iw: InspectionWorld, refused: Refused, overrides: dict[str, object], code: str
) -> None:
    refused(DomainError, lambda: iw.plan(iw.cast.actor("city_a"), **overrides), code=code)


def test_items_must_apply_to_the_target_kind(iw: InspectionWorld, refused: Refused) -> None:
    refused(
        DomainError,
        lambda: iw.plan(item_ids=[iw.batch_item.pk]),
        code="invalid_items",
    )
    plan = iw.plan(target_kind=TargetKind.BATCH, item_ids=[iw.batch_item.pk])
    assert list(plan.items.all()) == [iw.batch_item]


def test_a_draft_plan_can_be_changed_by_its_authority_only(
    iw: InspectionWorld, refused: Refused
) -> None:
    plan = iw.plan(iw.cast.actor("city_a"))
    arguments: dict[str, Any] = {
        "title": "新名称",
        "kind": PlanKind.INSPECTION,
        "target_kind": TargetKind.INSTITUTION,
        "target_filters": {},
        "target_count": 1,
        "members_per_target": 1,
        "item_ids": [iw.items[0].pk],
    }
    refused(
        PermissionDenied,
        lambda: inspections.plan_update(actor=iw.cast.actor("city_b"), plan=plan, **arguments),
    )
    updated = inspections.plan_update(actor=iw.province, plan=plan, **arguments)
    assert (updated.title, updated.target_count) == ("新名称", 1)
    assert list(updated.items.all()) == [iw.items[0]]
    inspections.plan_draw(actor=iw.province, plan=plan)
    refused(
        InvalidTransition,
        lambda: inspections.plan_update(actor=iw.province, plan=plan, **arguments),
        code="not_draft",
    )


# --- the draw -------------------------------------------------------------------------------


def test_the_draw_records_inputs_and_outputs_and_creates_inspections(
    iw: InspectionWorld,
) -> None:
    unfiled = another_institution(KUNMING)  # not in the directory: never drawn
    revoked = another_institution(QUJING)
    Institution.objects.filter(pk=revoked.pk).update(status=DirectoryStatus.REVOKED)
    plan = iw.drawn()
    record = DrawRecord.objects.get(plan=plan)
    assert plan.status == PlanStatus.DRAWN
    assert record.targets == sorted([iw.inst_a.pk, iw.inst_b.pk])
    assert unfiled.pk not in record.targets
    assert record.members == sorted(m.pk for m in iw.members)
    assert record.algorithm == "v1"
    assert len(record.seed) == 32
    assert sorted(record.selected) == sorted([iw.inst_a.pk, iw.inst_b.pk])
    assert _pairs(plan) == {int(k): v for k, v in record.assignments.items()}
    for inspection in plan.inspections.all():
        people = list(inspection.assignments.order_by("-is_lead", "pk"))
        assert [a.is_lead for a in people] == [True, False]
        assert inspection.status == InspectionStatus.ASSIGNED
    # Two targets × two people from four: every inspector goes exactly once.
    used = [m for people in record.assignments.values() for m in people]
    assert sorted(used) == sorted(m.pk for m in iw.members)
    assert record.inputs_sha256 == draws.inputs_sha256(
        seed=record.seed,
        targets=record.targets,
        members=record.members,
        conflicts=record.conflicts,
        target_count=2,
        members_per_target=2,
    )
    event = AuditEvent.objects.get(action="supervision.plan_draw")
    assert event.changes["seed"] == record.seed


def test_each_draw_has_its_own_seed(iw: InspectionWorld) -> None:
    policy = policy_for("530000")
    policy.inspection_exclusion_days = 0
    policy.save()
    seeds = {DrawRecord.objects.get(plan=iw.drawn()).seed for _n in range(3)}
    assert len(seeds) == 3


def test_a_city_plan_draws_only_its_city(iw: InspectionWorld) -> None:
    another_institution(QUJING)
    Institution.objects.update(status=DirectoryStatus.ACTIVE)
    plan = iw.drawn(iw.cast.actor("city_a"), target_count=5)
    record = DrawRecord.objects.get(plan=plan)
    cities = set(
        Institution.objects.filter(pk__in=record.targets).values_list(
            "organisation__city_id", flat=True
        )
    )
    assert cities == {KUNMING}


def test_filters_narrow_the_population(iw: InspectionWorld) -> None:
    Institution.objects.filter(pk=iw.inst_b.pk).update(type="enterprise")
    plan = iw.drawn(target_filters={"institution_types": ["enterprise"]})
    assert DrawRecord.objects.get(plan=plan).targets == [iw.inst_b.pk]


def test_conflicted_inspectors_are_never_drawn(iw: InspectionWorld) -> None:
    """Affiliation, staff registry (by account and by ID number) and membership all count."""
    by_affiliation = pool_member(affiliation=iw.inst_a.organisation, name="机构A职工")
    number = resident_id(serial=501)
    staff_user = iw.inspectors[0].user
    assert staff_user is not None
    apply_identity(staff_user, id_type=IdType.RESIDENT, number=number)
    staff_user.save()
    StaffMember.objects.create(  # registered by ID number, not linked to the account
        institution=iw.inst_b,
        kind=StaffKind.EXAMINER,
        full_name="考评员",
        id_type=IdType.RESIDENT,
        id_number=number,
        id_number_index=id_index(IdType.RESIDENT, number),
    )
    StaffMember.objects.create(  # linked to the account
        institution=iw.inst_b,
        kind=StaffKind.STAFF,
        full_name="工作人员",
        id_type=IdType.RESIDENT,
        id_number=resident_id(serial=502),
        id_number_index=id_index(IdType.RESIDENT, resident_id(serial=502)),
        user=iw.inspectors[2].user,
    )
    member_user = iw.inspectors[1].user
    assert member_user is not None
    MembershipFactory(  # type: ignore[no-untyped-call]
        user=member_user, role=Role.EXAMINER, organisation=iw.inst_a.organisation
    )
    plan = iw.drawn(members_per_target=3)
    record = DrawRecord.objects.get(plan=plan)
    first, second, third = (m.pk for m in iw.members[:3])
    assert record.conflicts == {
        str(iw.inst_a.pk): sorted([second, by_affiliation.pk]),
        str(iw.inst_b.pk): [first, third],
    }
    pairs = _pairs(plan)
    assert sorted(pairs[iw.inst_a.pk]) == sorted([first, third, iw.members[3].pk])
    assert sorted(pairs[iw.inst_b.pk]) == sorted([second, iw.members[3].pk, by_affiliation.pk])


def test_a_target_without_enough_free_inspectors_is_skipped(iw: InspectionWorld) -> None:
    for member in iw.members[1:]:
        member.affiliation = iw.inst_a.organisation
        member.save()
    plan = iw.drawn(members_per_target=2)
    record = DrawRecord.objects.get(plan=plan)
    assert record.selected == [iw.inst_b.pk]
    assert record.excluded_targets == {str(iw.inst_a.pk): inspections.NO_ELIGIBLE_MEMBERS}
    assert inspections.draw_replay(record).identical


def test_recently_inspected_targets_are_left_out(iw: InspectionWorld) -> None:
    iw.drawn(target_filters={"cities": [KUNMING]}, target_count=1)
    second = iw.drawn()
    record = DrawRecord.objects.get(plan=second)
    assert record.targets == [iw.inst_b.pk]
    assert record.excluded_targets == {str(iw.inst_a.pk): inspections.RECENTLY_INSPECTED}
    assert record.selected == [iw.inst_b.pk]


def test_an_inspection_outside_the_window_does_not_exclude(iw: InspectionWorld) -> None:
    first = iw.drawn(target_filters={"cities": [KUNMING]}, target_count=1)
    DrawRecord.objects.filter(plan=first).update(drawn_at=timezone.now() - timedelta(days=181))
    record = DrawRecord.objects.get(plan=iw.drawn())
    assert record.targets == sorted([iw.inst_a.pk, iw.inst_b.pk])
    assert record.excluded_targets == {}


def test_drawing_twice_is_refused(iw: InspectionWorld, refused: Refused) -> None:
    plan = iw.drawn()
    before = Inspection.objects.count()
    refused(
        InvalidTransition,
        lambda: inspections.plan_draw(actor=iw.province, plan=plan),
        code="already_drawn",
    )
    assert Inspection.objects.count() == before


@pytest.mark.parametrize("role", ["city_b", "education", "institution_a", "examiner"])
def test_only_the_plans_authority_draws(iw: InspectionWorld, refused: Refused, role: str) -> None:
    plan = iw.plan(iw.cast.actor("city_a"))
    refused(PermissionDenied, lambda: inspections.plan_draw(actor=iw.cast.actor(role), plan=plan))
    assert not DrawRecord.objects.exists()


def test_a_draw_needs_targets_and_people(iw: InspectionWorld, refused: Refused) -> None:
    Institution.objects.update(status=DirectoryStatus.UNFILED)
    plan = iw.plan()
    refused(
        DomainError,
        lambda: inspections.plan_draw(actor=iw.province, plan=plan),
        code="empty_population",
    )
    Institution.objects.update(status=DirectoryStatus.ACTIVE)
    crowded = iw.plan(members_per_target=5)
    refused(
        DomainError,
        lambda: inspections.plan_draw(actor=iw.province, plan=crowded),
        code="not_enough_members",
    )
    for member in iw.members:
        member.affiliation = iw.inst_a.organisation
        member.save()
    only_a = iw.plan(target_filters={"cities": [KUNMING]})
    refused(
        DomainError,
        lambda: inspections.plan_draw(actor=iw.province, plan=only_a),
        code="nothing_drawn",
    )
    assert InspectionPlan.objects.filter(status=PlanStatus.DRAFT).count() == 3


def test_inactive_and_other_pool_people_are_not_drawn(iw: InspectionWorld) -> None:
    iw.members[0].is_active = False
    iw.members[0].save()
    supervisor = pool_member(pool=PoolKind.EXTERNAL_SUPERVISOR, name="外督")
    record = DrawRecord.objects.get(plan=iw.drawn(members_per_target=1))
    assert iw.members[0].pk not in record.members
    assert supervisor.pk not in record.members


def test_external_supervisors_are_drawn_for_batches_and_sessions(cast: Cast) -> None:
    from tests.batches.conftest import build_kit

    kit = build_kit(cast)
    batch = kit.approved()
    iw = inspection_world(cast, inspectors=0)
    supervisors = [pool_member(pool=PoolKind.EXTERNAL_SUPERVISOR) for _n in range(2)]
    pool_member(name="检查员")  # the other pool
    plan = iw.drawn(
        kind=PlanKind.EXTERNAL_SUPERVISION,
        target_kind=TargetKind.BATCH,
        item_ids=[],
        target_count=3,
        members_per_target=1,
    )
    [inspection] = plan.inspections.all()
    assert (inspection.batch_id, inspection.institution_id) == (batch.pk, kit.inst.pk)
    assert inspection.assignments.get().member in supervisors
    sessions = iw.drawn(
        kind=PlanKind.EXTERNAL_SUPERVISION,
        target_kind=TargetKind.SESSION,
        item_ids=[],
        target_count=10,
        members_per_target=1,
    )
    drawn = set(sessions.inspections.values_list("session_id", flat=True))
    assert drawn == set(batch.sessions.values_list("pk", flat=True))
    assert set(sessions.inspections.values_list("batch_id", flat=True)) == {batch.pk}
    assert inspections.draw_replay(DrawRecord.objects.get(plan=sessions)).identical


def test_batch_filters(cast: Cast) -> None:
    from tests.batches.conftest import build_kit

    kit = build_kit(cast)
    batch = kit.approved()
    iw = inspection_world(cast, inspectors=2)
    day = batch.sessions.order_by("starts_at").first()
    assert day is not None
    on = timezone.localdate(day.starts_at).isoformat()
    plan = iw.plan(
        target_kind=TargetKind.BATCH,
        item_ids=[iw.batch_item.pk],
        target_filters={"from": on, "until": on, "occupation_codes": ["6-18-01-01"]},
        members_per_target=1,
    )
    assert inspections.target_population(plan)[0].pk == batch.pk
    later = iw.plan(
        target_kind=TargetKind.BATCH,
        item_ids=[iw.batch_item.pk],
        target_filters={"from": "2099-01-01"},
        members_per_target=1,
    )
    assert inspections.target_population(later) == []
    filed_only = iw.plan(
        target_kind=TargetKind.BATCH,
        item_ids=[iw.batch_item.pk],
        target_filters={"batch_statuses": ["filed"]},
        members_per_target=1,
    )
    assert inspections.target_population(filed_only) == []


# --- replay ---------------------------------------------------------------------------------


def test_a_draw_replays_identically(iw: InspectionWorld) -> None:
    record = DrawRecord.objects.get(plan=iw.drawn())
    report = inspections.draw_replay(record)
    assert report.identical, report.differences
    assert (report.targets, report.members, report.selected) == (2, 4, record.selected)


def test_a_tampered_record_is_reported(iw: InspectionWorld) -> None:
    record = DrawRecord.objects.get(plan=iw.drawn())
    record.selected = list(reversed(record.selected))
    record.save()
    report = inspections.draw_replay(record)
    assert not report.identical
    assert any(d.startswith("selected:") for d in report.differences)


def test_a_changed_seed_breaks_the_hash(iw: InspectionWorld) -> None:
    record = DrawRecord.objects.get(plan=iw.drawn())
    record.seed = "0" * 32
    record.save()
    differences = inspections.draw_replay(record).differences
    assert any(d.startswith("inputs_sha256") for d in differences)


def test_changed_inspection_rows_are_reported(iw: InspectionWorld) -> None:
    plan = iw.drawn()
    record = DrawRecord.objects.get(plan=plan)
    inspection = plan.inspections.order_by("pk").first()
    assert inspection is not None
    lead = inspection.assignments.get(is_lead=True)
    other = next(
        m for m in iw.members if m.pk not in record.assignments[str(inspection.institution_id)]
    )
    InspectionAssignment.objects.filter(pk=lead.pk).update(member=other)
    differences = inspections.draw_replay(record).differences
    assert differences == [
        f"inspection of target {inspection.institution_id} has members "
        f"{[other.pk, *record.assignments[str(inspection.institution_id)][1:]]}, "
        f"the record {record.assignments[str(inspection.institution_id)]}"
    ]


def test_replay_command_exit_codes(iw: InspectionWorld) -> None:
    plan = iw.drawn()
    out = io.StringIO()
    call_command("replay_draw", str(plan.pk), stdout=out)
    text = out.getvalue()
    record = DrawRecord.objects.get(plan=plan)
    assert record.seed in text
    assert "2 eligible target(s), 0 excluded, 4 member(s), 2 selected" in text
    assert text.strip().endswith("identical")

    record.assignments = {k: list(reversed(v)) for k, v in record.assignments.items()}
    record.save()
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("replay_draw", str(plan.pk), stdout=out)
    assert exit_info.value.code == 1
    assert "DIFFERENT: assignments" in out.getvalue()
    assert "identical" not in out.getvalue()

    with pytest.raises(CommandError, match="has no recorded draw"):
        call_command("replay_draw", str(iw.plan().pk))


# --- findings, evidence, finishing ----------------------------------------------------------


def _one(iw: InspectionWorld, **overrides: Any) -> Inspection:
    plan = iw.drawn(target_filters={"cities": [KUNMING]}, target_count=1, **overrides)
    return plan.inspections.get()


def test_an_assigned_inspector_records_findings(iw: InspectionWorld) -> None:
    inspection = _one(iw)
    actor = iw.inspector_of(inspection, lead=False)
    item = iw.items[0]
    inspections.finding_record(
        actor=actor, inspection=inspection, item=item, outcome=Compliance.MEETS, note=""
    )
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    inspections.finding_record(
        actor=actor, inspection=inspection, item=item, outcome=Compliance.FAILS, note="缺少记录"
    )
    finding = Finding.objects.get(inspection=inspection)
    assert (finding.outcome, finding.note) == (Compliance.FAILS, "缺少记录")
    assert AuditEvent.objects.filter(action="supervision.finding_record").count() == 2


def test_findings_are_refused_to_others_and_checked(iw: InspectionWorld, refused: Refused) -> None:
    inspection = _one(iw)
    assigned = {a.member_id for a in inspection.assignments.all()}
    outsider = next(iw.actor_for(m) for m in iw.members if m.pk not in assigned)
    item = iw.items[0]
    for actor in (outsider, iw.province, iw.cast.actor("institution_a")):
        refused(
            PermissionDenied,
            lambda actor=actor: inspections.finding_record(
                actor=actor, inspection=inspection, item=item, outcome="meets", note=""
            ),
        )
    inspector = iw.inspector_of(inspection)
    other_item = check_item("JG-99")
    cases = [
        (other_item, Compliance.MEETS, "", "invalid_item"),
        (item, "maybe", "", "invalid_outcome"),
        (item, Compliance.FAILS, " ", "note_required"),
    ]
    for case_item, outcome, note, code in cases:
        refused(
            DomainError,
            lambda i=case_item, o=outcome, n=note: inspections.finding_record(
                actor=inspector, inspection=inspection, item=i, outcome=o, note=n
            ),
            code=code,
        )
    assert not Finding.objects.exists()


def test_evidence_is_checked_and_hashed(iw: InspectionWorld, refused: Refused) -> None:
    inspection = _one(iw)
    inspector = iw.inspector_of(inspection)
    finding = inspections.finding_record(
        actor=inspector,
        inspection=inspection,
        item=iw.items[0],
        outcome=Compliance.MEETS,
        note="",
    )
    evidence = inspections.evidence_upload(
        actor=inspector, inspection=inspection, uploaded_file=pdf_upload(), finding=finding
    )
    assert evidence.content_type == "application/pdf"
    assert len(evidence.sha256) == 64
    assert evidence.file.read().startswith(b"%PDF")
    text = SimpleUploadedFile("a.pdf", b"hello", content_type="application/pdf")
    refused(
        DomainError,
        lambda: inspections.evidence_upload(
            actor=inspector, inspection=inspection, uploaded_file=text
        ),
        code="file_type",
    )
    refused(
        PermissionDenied,
        lambda: inspections.evidence_upload(
            actor=iw.province, inspection=inspection, uploaded_file=pdf_upload()
        ),
    )


def test_finishing_needs_every_item_and_a_consistent_conclusion(
    iw: InspectionWorld, refused: Refused
) -> None:
    inspection = _one(iw)
    inspector = iw.inspector_of(inspection)
    refused(
        DomainError,
        lambda: iw.finish(inspection),
        code="findings_missing",
    )
    iw.record_all(inspection, Compliance.FAILS, "未按规定公示")
    refused(DomainError, lambda: iw.finish(inspection), code="conclusion_contradicts")
    refused(
        DomainError,
        lambda: iw.finish(inspection, Conclusion.RECTIFY, summary=""),
        code="summary_required",
    )
    done = iw.finish(inspection, Conclusion.RECTIFY, "三项不符合，责令整改。")
    assert done.status == InspectionStatus.FINISHED
    assert done.rectification_due == deadline(timezone.localdate(), 20).due
    assert done.plan.status == PlanStatus.COMPLETED
    refused(
        InvalidTransition,
        lambda: inspections.finding_record(
            actor=inspector,
            inspection=inspection,
            item=iw.items[0],
            outcome=Compliance.MEETS,
            note="",
        ),
        code="finished",
    )


def test_the_plan_completes_with_its_last_inspection(iw: InspectionWorld) -> None:
    plan = iw.drawn()
    first, second = plan.inspections.order_by("pk")
    iw.record_all(first)
    iw.finish(first)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    iw.record_all(second)
    iw.finish(second)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED


def test_rectification_is_confirmed_by_the_local_authority(
    iw: InspectionWorld, refused: Refused
) -> None:
    inspection = _one(iw)
    iw.record_all(inspection, Compliance.FAILS, "问题")
    refused(
        InvalidTransition,
        lambda: inspections.rectification_confirm(actor=iw.province, inspection=inspection),
        code="no_rectification",
    )
    iw.finish(inspection, Conclusion.RECTIFY, "整改")
    refused(
        PermissionDenied,
        lambda: inspections.rectification_confirm(
            actor=iw.cast.actor("city_b"), inspection=inspection
        ),
    )
    done = inspections.rectification_confirm(actor=iw.cast.actor("city_a"), inspection=inspection)
    assert done.rectified_at is not None
    event = AuditEvent.objects.get(action="supervision.rectification_confirm")
    assert event.changes["on_time"] is True
    refused(
        InvalidTransition,
        lambda: inspections.rectification_confirm(actor=iw.province, inspection=inspection),
        code="already_rectified",
    )


# --- publication ----------------------------------------------------------------------------


def test_a_plan_is_published_once_every_inspection_is_finished(
    iw: InspectionWorld, refused: Refused
) -> None:
    draft = iw.plan()
    refused(
        InvalidTransition,
        lambda: inspections.plan_publish(actor=iw.province, plan=draft),
        code="not_drawn",
    )
    plan = iw.drawn()
    first, second = plan.inspections.order_by("pk")
    iw.record_all(first)
    iw.finish(first)
    refused(
        DomainError,
        lambda: inspections.plan_publish(actor=iw.province, plan=plan),
        code="unfinished",
    )
    iw.record_all(second)
    iw.finish(second)
    refused(
        PermissionDenied,
        lambda: inspections.plan_publish(actor=iw.cast.actor("city_a"), plan=plan),
    )
    published = inspections.plan_publish(actor=iw.province, plan=plan)
    assert published.status == PlanStatus.PUBLISHED
    assert published.published_at is not None
    refused(
        InvalidTransition,
        lambda: inspections.plan_publish(actor=iw.province, plan=plan),
        code="not_drawn",
    )


def test_external_supervision_plans_are_not_published_here(
    iw: InspectionWorld, refused: Refused
) -> None:
    plan = InspectionPlan.objects.create(
        province_id="530000",
        organisation=iw.cast.orgs["province_hr"],
        kind=PlanKind.EXTERNAL_SUPERVISION,
        title="外督选派",
        target_kind=TargetKind.SESSION,
        target_count=1,
        status=PlanStatus.COMPLETED,
        created_by_label="test",
    )
    refused(
        DomainError,
        lambda: inspections.plan_publish(actor=iw.province, plan=plan),
        code="not_publishable",
    )


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_publishes_one_drawn_plan_once() -> None:
    from skillcert.catalog.demo import seed_catalog_demo
    from skillcert.core.demo import seed_demo
    from skillcert.institutions.demo import seed_institutions_demo
    from skillcert.supervision.demo_inspections import TITLE, seed_inspections_demo

    seed_demo()
    seed_catalog_demo()
    seed_institutions_demo()
    line = seed_inspections_demo()
    assert line is not None
    assert "1 to rectify" in line
    plan = InspectionPlan.objects.get(title=TITLE)
    assert plan.status == PlanStatus.PUBLISHED
    names = set(plan.inspections.values_list("institution__organisation__name", flat=True))
    assert len(names) == 2
    conclusions = sorted(plan.inspections.values_list("conclusion", flat=True))
    assert conclusions == sorted([Conclusion.RECTIFY, Conclusion.PASSED])
    assert not Finding.objects.filter(inspection__plan=plan).count() % len(names)
    assert inspections.draw_replay(DrawRecord.objects.get(plan=plan)).identical
    events = AuditEvent.objects.count()
    assert seed_inspections_demo() is None
    assert InspectionPlan.objects.count() == 1
    assert AuditEvent.objects.count() == events
