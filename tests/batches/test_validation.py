"""The plan check: every rule, its code and its Chinese message."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from skillcert.batches.choices import BatchStatus, Component, RoomKind, StaffRole
from skillcert.batches.models import Batch, Room
from skillcert.batches.services import plan
from skillcert.batches.validation import Check, Requirements, batch_validate
from skillcert.core.errors import DomainError
from skillcert.core.models import AuditEvent, ProvincePolicy
from skillcert.institutions.choices import DirectoryStatus, InstitutionType, StaffKind
from skillcert.institutions.models import ExaminerQualification, Institution, StaffMember
from skillcert.institutions.scope import province_policy
from tests.batches.conftest import Kit, at, more_examiners, room
from tests.institutions.conftest import examiner, set_type


def _messages(batch: Batch, code: str) -> list[str]:
    return [i.message for i in batch_validate(batch).errors if i.code == code]


def test_a_complete_plan_passes_every_check(kit: Kit) -> None:
    check = batch_validate(kit.complete(kit.batch()))
    assert check.ok, check.errors
    assert [item.key for item in check.items()] == [
        Check.SCOPE,
        Check.WEIGHTS,
        Check.DATES,
        Check.COMPONENTS,
        Check.DURATIONS,
        Check.ROOMS,
        Check.PROCTORS,
        Check.EXAMINERS,
        Check.SUPERVISOR,
        Check.EXAM_STAFF,
        Check.ROTATION,
    ]
    assert all(item.passed for item in check.items())


def test_an_empty_draft_lists_what_is_missing(kit: Kit) -> None:
    check = batch_validate(kit.batch())
    assert check.codes == {
        "component_missing",
        "examiners_short",
        "supervisor_missing",
        "exam_staff_missing",
    }
    assert "尚未安排理论知识考试场次。" in [i.message for i in check.errors]
    failed = {item.key for item in check.items() if not item.passed}
    assert failed == {Check.COMPONENTS, Check.EXAMINERS, Check.SUPERVISOR, Check.EXAM_STAFF}


# ---------------------------------------------------------------- scope


def test_out_of_scope_occupation(kit: Kit) -> None:
    # 电工 is a standard the institution was never filed for.
    level = kit.world.electric_std.levels.get(level=5)
    batch = plan.batch_create(
        actor=kit.admin,
        institution=kit.inst,
        standard_level=level,
        title="电工",
        planned_candidates=10,
        enrollment_opens=kit.today,
        enrollment_closes=kit.today + timedelta(days=5),
    )
    messages = _messages(batch, "out_of_scope")
    assert messages == ["该机构未备案 电工（6-31-01-03）五级/初级工"]


def test_level_out_of_scope(kit: Kit) -> None:
    batch = kit.batch(1)  # filed for 5–2
    [message] = _messages(batch, "level_out_of_scope")
    assert "不含一级/高级技师" in message


def test_over_the_level_cap_of_a_secondary_vocational_school(kit: Kit) -> None:
    batch = kit.complete(kit.batch(3))
    assert batch_validate(batch).ok
    set_type(kit.inst, InstitutionType.SECONDARY_VOCATIONAL)
    batch.refresh_from_db()
    [message] = _messages(batch, "over_level_cap")
    assert message.startswith("中等职业学校只能开展四级/中级工及以下等级的认定")


def test_the_cap_follows_the_province_policy(kit: Kit) -> None:
    set_type(kit.inst, InstitutionType.SECONDARY_VOCATIONAL)
    batch = kit.complete(kit.batch(3))
    assert "over_level_cap" in batch_validate(batch).codes
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"secondary_vocational_level_cap": 3}
    )
    assert batch_validate(batch).ok


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (DirectoryStatus.SUSPENDED, "suspended"),
        (DirectoryStatus.REVOKED, "revoked"),
        (DirectoryStatus.EXPIRED, "expired"),
    ],
)
def test_an_institution_out_of_the_directory(kit: Kit, status: str, code: str) -> None:
    batch = kit.complete(kit.batch())
    Institution.objects.filter(pk=kit.inst.pk).update(status=status)
    batch.refresh_from_db()
    assert code in batch_validate(batch).codes


def test_sessions_after_the_filing_expires(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    kit.inst.filing.valid_until = batch.enrollment_closes + timedelta(days=5)
    kit.inst.filing.save()
    batch.refresh_from_db()
    [message] = _messages(batch, "expired")
    assert "到期" in message


# ---------------------------------------------------------------- weights


def test_weights_must_sum_to_100(kit: Kit) -> None:
    batch = kit.complete(kit.batch(theory_weight=Decimal(40), practical_weight=Decimal(50)))
    assert _messages(batch, "weights_sum") == ["各科权重之和应为100%，现为90%。"]


def test_review_weight_only_for_levels_2_and_1(kit: Kit) -> None:
    batch = kit.complete(
        kit.batch(
            theory_weight=Decimal(20), practical_weight=Decimal(60), review_weight=Decimal(20)
        )
    )
    assert "review_weight_not_allowed" in batch_validate(batch).codes
    senior = kit.batch(2, review_weight=Decimal(0), practical_weight=Decimal(80))
    assert "review_weight_missing" in batch_validate(senior).codes


def test_default_weights_by_level(kit: Kit) -> None:
    junior, senior = kit.batch(5), kit.batch(2)
    assert (junior.theory_weight, junior.practical_weight, junior.review_weight) == (30, 70, 0)
    assert (senior.theory_weight, senior.practical_weight, senior.review_weight) == (20, 60, 20)


def test_negative_weights_are_refused_on_save(kit: Kit) -> None:
    with pytest.raises(DomainError):
        kit.batch(theory_weight=Decimal(-10), practical_weight=Decimal(110))


# ---------------------------------------------------------------- dates and components


def test_enrollment_dates_in_order(kit: Kit) -> None:
    batch = kit.batch(opens=kit.today + timedelta(days=10), closes=kit.today + timedelta(days=5))
    assert _messages(batch, "enrollment_dates") == ["报名开始日期不能晚于报名截止日期。"]


def test_the_first_session_comes_after_enrollment_closes(kit: Kit) -> None:
    batch = kit.batch()
    kit.session(batch, Component.THEORY, starts_at=at(batch.enrollment_closes, 9))
    [message] = _messages(batch, "session_before_enrollment_closes")
    assert message.startswith("首场考核（")


def test_process_assessment_needs_no_theory_session(kit: Kit) -> None:
    batch = kit.complete(kit.batch(mode="process"))
    assert batch.components == [Component.COURSE, Component.PRACTICAL]
    assert not batch.sessions.filter(component=Component.THEORY).exists()
    assert batch_validate(batch).ok


def test_levels_2_and_1_need_a_review_session(kit: Kit) -> None:
    batch = kit.complete(kit.batch(2))
    assert batch_validate(batch).ok
    batch.sessions.filter(component=Component.REVIEW).delete()
    assert "component_missing" in batch_validate(batch).codes


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("component", "minutes", "code", "least"),
    [
        (Component.THEORY, 60, "theory_too_short", 90),
        (Component.PRACTICAL, 100, "practical_too_short", 120),
        (Component.REVIEW, 20, "review_too_short", 30),
    ],
)
def test_durations_too_short(kit: Kit, component: str, minutes: int, code: str, least: int) -> None:
    batch = kit.batch(2)
    kit.session(batch, component, minutes=minutes)
    [message] = _messages(batch, code)
    assert message.endswith(f"时长{minutes}分钟，少于规定的{least}分钟。")


def test_the_standard_can_ask_for_longer_than_the_policy(kit: Kit) -> None:
    level = kit.level(5)
    level.theory_minutes = 120
    level.save()
    batch = kit.batch()
    kit.session(batch, Component.THEORY, minutes=90)
    assert "theory_too_short" in batch_validate(batch).codes


# ---------------------------------------------------------------- rooms


def test_rooms_too_small_for_the_planned_candidates(kit: Kit) -> None:
    batch = kit.complete(kit.batch(planned=25))
    # Practical: one 20-seat workshop for 25 candidates.
    assert _messages(batch, "room_capacity") == [
        "操作技能考核各场次座位合计20个，少于计划人数25人。"
    ]


def test_two_sittings_add_up(kit: Kit) -> None:
    batch = kit.complete(kit.batch(planned=25))
    day = batch.enrollment_closes + timedelta(days=11)
    kit.session(batch, Component.PRACTICAL, starts_at=at(day, 14))
    assert "room_capacity" not in batch_validate(batch).codes


def test_a_room_of_another_institution(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    other_site = kit.world.inst_b.sites.create(
        name="B场地", address="曲靖", latitude=Decimal(25), longitude=Decimal(103)
    )
    foreign = Room.objects.create(site=other_site, name="B机房", kind="computer", capacity=30)
    batch.sessions.filter(component=Component.THEORY).update(room=foreign)
    assert "room_not_owned" in batch_validate(batch).codes


def test_a_room_closed_after_planning(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    Room.objects.filter(pk=kit.computer_room.pk).update(is_active=False)
    assert "room_inactive" in batch_validate(batch).codes


def test_a_room_booked_by_another_batch_at_the_same_time(kit: Kit) -> None:
    first = kit.complete(kit.batch())
    second = kit.batch()
    theory = first.sessions.get(component=Component.THEORY)
    kit.session(second, Component.THEORY, starts_at=theory.starts_at + timedelta(minutes=30))
    [message] = _messages(second, "room_double_booked")
    assert first.code in message


def test_a_theory_session_in_a_workshop_is_a_warning(kit: Kit) -> None:
    batch = kit.batch()
    kit.session(batch, Component.THEORY, kit.workshop)
    check = batch_validate(batch)
    assert "room_kind" in check.warning_codes
    assert "room_kind" not in check.codes


# ---------------------------------------------------------------- proctors


def test_proctors_per_room(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    batch.assignments.filter(role=StaffRole.PROCTOR).first().delete()  # type: ignore[union-attr]
    [message] = _messages(batch, "proctors_short")
    assert message.endswith("（30座）需要至少2名监考人员，现有1名。")


def test_a_big_room_needs_one_proctor_per_15_seats(kit: Kit) -> None:
    hall = room(kit.site, "大机房", RoomKind.COMPUTER, 40)
    batch = kit.batch(planned=40)
    session = kit.session(batch, Component.THEORY, hall)
    for proctor in kit.proctors[:2]:
        kit.assign(batch, proctor, StaffRole.PROCTOR, session)
    [message] = _messages(batch, "proctors_short")
    assert "需要至少3名监考人员，现有2名" in message
    kit.assign(batch, kit.proctors[2], StaffRole.PROCTOR, session)
    assert "proctors_short" not in batch_validate(batch).codes


def test_the_stricter_of_policy_and_standard(kit: Kit) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"min_proctors_per_room": 3}
    )
    policy = province_policy("530000")
    need = Requirements.of(kit.batch(), policy)
    assert need.min_proctors_per_room == 3
    assert need.proctors_for(30) == 3
    assert need.examiners_for(16) == 5  # ⌈16/5⌉ = 4 → the next odd number


def test_a_proctor_in_two_rooms_at_once(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    theory = batch.sessions.get(component=Component.THEORY)
    second = kit.session(batch, Component.THEORY, room(kit.site, "302机房", "computer", 30))
    assert second.starts_at == theory.starts_at
    kit.assign(batch, kit.proctors[0], StaffRole.PROCTOR, second)
    assert "staff_double_booked" in batch_validate(batch).codes


# ---------------------------------------------------------------- examiners


def test_examiners_too_few(kit: Kit) -> None:
    batch = kit.complete(kit.batch(planned=20))  # ⌈20/5⌉ = 4 → 5 examiners
    [message] = _messages(batch, "examiners_short")
    assert message == "计划20人，需要至少5名合格的考评人员（单数），现有3名。"
    for member in more_examiners(kit, 2):
        kit.assign(batch, member, StaffRole.EXAMINER)
    assert batch_validate(batch).ok


def test_an_even_number_of_examiners(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    [extra] = more_examiners(kit, 1)
    kit.assign(batch, extra, StaffRole.EXAMINER)
    assert _messages(batch, "examiners_even") == ["考评人员应为单数，现有4名。"]


def test_an_unqualified_examiner(kit: Kit) -> None:
    batch = kit.complete(kit.batch(2))
    ExaminerQualification.objects.filter(staff=kit.examiners[0]).update(highest_level=3)
    check = batch_validate(batch)
    assert {"examiner_unqualified", "examiners_short"} <= check.codes
    name = kit.examiners[0].full_name
    assert f"{name}没有 车工（6-18-01-01）二级/技师 的考评资格。" in [
        i.message for i in check.errors
    ]


def test_an_examiner_qualified_for_another_occupation(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    electrician = examiner(kit.inst, kit.world.electrician, 3)
    batch.assignments.filter(staff=kit.examiners[0]).delete()
    kit.assign(batch, electrician, StaffRole.EXAMINER)
    assert "examiner_unqualified" in batch_validate(batch).codes


def test_a_work_type_qualification_covers_only_that_work_type(kit: Kit) -> None:
    only_cnc = examiner(kit.inst, kit.world.lathe, 2, work_type=kit.world.cnc)
    batch = kit.complete(kit.batch())
    batch.assignments.filter(staff=kit.examiners[0]).delete()
    kit.assign(batch, only_cnc, StaffRole.EXAMINER)
    assert "examiner_unqualified" in batch_validate(batch).codes
    cnc_batch = kit.complete(kit.batch(work_type=kit.world.cnc))
    cnc_batch.assignments.filter(staff=kit.examiners[0]).delete()
    kit.assign(cnc_batch, only_cnc, StaffRole.EXAMINER)
    assert "examiner_unqualified" not in batch_validate(cnc_batch).codes


def test_an_examiner_who_left_the_registry(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    StaffMember.objects.filter(pk=kit.examiners[0].pk).update(is_active=False)
    assert {"staff_inactive", "examiners_short"} <= batch_validate(batch).codes


def test_per_session_panels_are_odd(kit: Kit) -> None:
    batch = kit.complete(kit.batch(planned=10))
    batch.assignments.filter(role=StaffRole.EXAMINER).delete()
    practical = batch.sessions.get(component=Component.PRACTICAL)
    for member in kit.examiners[:2]:
        kit.assign(batch, member, StaffRole.EXAMINER, practical)
    assert "examiner_panel" in batch_validate(batch).codes
    kit.assign(batch, kit.examiners[2], StaffRole.EXAMINER, practical)
    assert batch_validate(batch).ok


# ---------------------------------------------------------------- review, supervisor, staff


def test_review_panel_odd_and_at_least_three(kit: Kit) -> None:
    batch = kit.complete(kit.batch(2))
    batch.assignments.filter(role=StaffRole.REVIEW_PANEL).first().delete()  # type: ignore[union-attr]
    assert _messages(batch, "review_panel_short") == ["综合评审委员需要至少3名（单数），现有2名。"]
    kit.assign(batch, kit.examiners[0], StaffRole.REVIEW_PANEL)
    kit.assign(batch, kit.examiners[1], StaffRole.REVIEW_PANEL)
    assert _messages(batch, "review_panel_even") == ["综合评审委员应为单数，现有4名。"]


def test_the_internal_supervisor(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    batch.assignments.filter(role=StaffRole.INTERNAL_SUPERVISOR).delete()
    assert _messages(batch, "supervisor_missing") == ["尚未安排内部质量督导员。"]


def test_the_supervisor_holds_no_other_role(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    # The same person registered twice: as supervisor and as staff (same ID number).
    twin = StaffMember.objects.create(
        institution=kit.inst,
        kind=StaffKind.STAFF,
        full_name=kit.supervisor.full_name,
        id_type=kit.supervisor.id_type,
        id_number=kit.supervisor.id_number,
        id_number_index=kit.supervisor.id_number_index,
    )
    kit.assign(batch, twin, StaffRole.EXAM_STAFF)
    [message] = _messages(batch, "supervisor_conflict")
    assert message == f"内部质量督导员{twin.full_name}不能同时担任考务人员。"


def test_exam_staff(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    batch.assignments.filter(role=StaffRole.EXAM_STAFF).delete()
    assert _messages(batch, "exam_staff_missing") == ["尚未安排考务人员。"]


# ---------------------------------------------------------------- rotation


def _filed_in_turn(kit: Kit, n: int) -> list[Batch]:
    made = []
    for _n in range(n):
        batch = kit.complete(kit.batch())
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.APPROVED)
        made.append(batch)
    return made


def test_rotation_warns_after_three_consecutive_batches(kit: Kit) -> None:
    _filed_in_turn(kit, 3)
    fourth = kit.complete(kit.batch())
    check = batch_validate(fourth)
    assert check.ok, "rotation is a warning, not an error"
    assert check.warning_codes == {"examiner_rotation"}
    warnings = [i.message for i in check.warnings]
    assert len(warnings) == 3
    name = kit.examiners[0].full_name
    assert f"{name}已连续3个批次在本机构担任考评人员，本批次将超过3个的上限，请轮换。" in warnings
    rotation = next(item for item in check.items() if item.key == Check.ROTATION)
    assert rotation.passed
    assert len(rotation.warnings) == 3


def test_a_break_resets_the_streak(kit: Kit) -> None:
    _first, second, _third = _filed_in_turn(kit, 3)
    second.assignments.filter(staff=kit.examiners[0]).delete()
    fourth = kit.complete(kit.batch())
    names = " ".join(i.message for i in batch_validate(fourth).warnings)
    assert kit.examiners[0].full_name not in names
    assert kit.examiners[1].full_name in names


def test_rotation_follows_the_policy(kit: Kit) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"examiner_max_consecutive_batches": 4}
    )
    _filed_in_turn(kit, 3)
    assert not batch_validate(kit.complete(kit.batch())).warnings


def test_drafts_do_not_count_towards_the_streak(kit: Kit) -> None:
    for _n in range(3):
        kit.complete(kit.batch())
    assert not batch_validate(kit.complete(kit.batch())).warnings


def test_validation_writes_nothing(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    before = AuditEvent.objects.count()
    batch_validate(batch)
    assert AuditEvent.objects.count() == before
