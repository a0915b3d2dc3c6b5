"""Exam early-warning rules: identical wrong answers, shared devices, check-ins outside the
site's radius. Each fires on data built to trigger it and stays silent on clean data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from skillcert.batches.choices import Component
from skillcert.exams.checkin import checkin_record
from skillcert.exams.choices import AttemptEventKind
from skillcert.exams.delivery import Client, event_report
from skillcert.exams.models import AttemptEvent
from skillcert.supervision import alert_rules_exams as rules
from skillcert.supervision.alert_types import AlertFinding
from skillcert.supervision.choices import AlertRule, AlertSeverity
from tests.conftest import Cast
from tests.exams.conftest import build_exam
from tests.exams.test_checkin import AT_SITE, FAR, live, staff_user
from tests.supervision.builders_exams import (
    age,
    answered_exam,
    desk_check_in,
    hand_in,
    move_to_sichuan,
    policy,
    self_check_in,
    sheet,
    sign_in,
    yunnan,
)

pytestmark = pytest.mark.django_db

SHARED = "203.0.113.7"


def scan_answers(**values: object) -> list[AlertFinding]:
    return rules.answer_patterns(yunnan(), policy(**values), timezone.now())


def scan_devices(**values: object) -> list[AlertFinding]:
    return rules.shared_devices(yunnan(), policy(**values), timezone.now())


def scan_geofence() -> list[AlertFinding]:
    return rules.geofence_signins(yunnan(), policy(), timezone.now())


def lines(finding: AlertFinding, kind: str) -> list[object]:
    return [line.object_id for line in finding.evidence if line.object_type == kind]


def value_of(finding: AlertFinding, label: str) -> str:
    return next(line.value for line in finding.evidence if line.label == label)


# ---------------------------------------------------------------- identical answers

COPIED = {1: "B", 2: "C", 3: "D", 4: "B", 5: "C", 6: "D"}


def test_a_pair_sharing_wrong_answers_is_flagged(cast: Cast) -> None:
    own_errors = {1: "C", 2: "D", 3: "B", 7: "B", 8: "C", 9: "D"}
    exam, logins = answered_exam(cast, [sheet(COPIED), sheet(COPIED), sheet(own_errors)])

    found = scan_answers()

    assert len(found) == 1
    finding = found[0]
    first, second = sorted((login.attempt for login in logins[:2]), key=lambda a: a.pk)
    assert finding.rule == AlertRule.ANSWER_PATTERN
    assert finding.key == f"answers:{exam.sitting.pk}:{first.pk}:{second.pk}"
    assert finding.institution_id == exam.batch.institution_id
    assert finding.batch_id == exam.batch.pk
    assert finding.severity == AlertSeverity.SERIOUS
    assert lines(finding, "exams.sitting") == [exam.sitting.pk]
    assert lines(finding, "exams.attempt") == [first.pk, second.pk]
    assert lines(finding, "enrollment.application") == [
        first.seat.application_id,
        second.seat.application_id,
    ]
    numbers = [exam.candidates[i].admission_number or "" for i in (0, 1)]
    assert all(number and number in finding.title for number in numbers)
    assert "答题雷同" in finding.title
    assert "100%" in finding.title
    assert value_of(finding, "雷同错题（试卷题号）") == "第 1、2、3、4、5、6 题"
    assert value_of(finding, "相同错误答案").startswith("6 题，占双方非同时答对题目 6 题")


def test_identical_right_answers_are_expected_and_stay_silent(cast: Cast) -> None:
    # Three perfect sheets, and two with different wrong answers on the same items.
    answered_exam(
        cast,
        [sheet(), sheet(), sheet(), sheet(COPIED), sheet({p: "B" if k != "B" else "C"
                                                            for p, k in COPIED.items()})],
    )  # fmt: skip
    assert scan_answers() == []


@pytest.mark.parametrize(("shared", "fires"), [(4, False), (5, True)])
def test_the_pair_needs_the_minimum_number_of_shared_wrong_items(
    cast: Cast, shared: int, fires: bool
) -> None:
    wrong = {position: "B" for position in range(1, shared + 1)}
    answered_exam(cast, [sheet(wrong), sheet(wrong)])
    assert bool(scan_answers(answer_pattern_min_items=5)) is fires


@pytest.mark.parametrize(("similarity", "fires"), [("0.900", True), ("0.910", False)])
def test_the_share_counts_items_not_both_answered_right(
    cast: Cast, similarity: str, fires: bool
) -> None:
    # Nine identical wrong answers; on item 10 one is wrong and the other right: 9 of 10.
    # Items 11 and 12, right on both sheets, are left out of the share.
    common = {position: "C" for position in range(1, 10)}
    answered_exam(cast, [sheet({**common, 10: "B"}), sheet(common)])
    found = scan_answers(answer_similarity=Decimal(similarity))
    assert bool(found) is fires
    if fires:
        assert value_of(found[0], "相同错误答案") == "9 题，占双方非同时答对题目 10 题的 90%"


def test_different_wrong_answers_lower_the_share(cast: Cast) -> None:
    # Six identical wrong answers, two different ones: 6 of 8 = 75% < 95%.
    first = {**COPIED, 7: "B", 8: "B"}
    second = {**COPIED, 7: "C", 8: "D"}
    answered_exam(cast, [sheet(first), sheet(second)])
    assert scan_answers() == []
    assert len(scan_answers(answer_similarity=Decimal("0.75"))) == 1


def test_blank_answers_are_not_compared(cast: Cast) -> None:
    # The second sheet left items 1–3 blank: only items 4–6 are shared wrong (< 5).
    answered_exam(cast, [sheet(COPIED), sheet(COPIED, blank={1, 2, 3})])
    assert scan_answers() == []
    assert len(scan_answers(answer_pattern_min_items=3)) == 1


def test_attempts_still_open_are_not_compared(cast: Cast) -> None:
    _exam, logins = answered_exam(cast, [sheet(COPIED), sheet(COPIED)], submit=False)
    assert scan_answers() == []
    hand_in(logins[0])
    assert scan_answers() == []
    hand_in(logins[1])  # both handed in: the pair is comparable
    assert len(scan_answers()) == 1


def test_another_provinces_sittings_and_old_ones_are_not_read(cast: Cast) -> None:
    exam, _logins = answered_exam(cast, [sheet(COPIED), sheet(COPIED)])
    assert len(scan_answers()) == 1
    sichuan = move_to_sichuan(exam)
    assert scan_answers() == []
    elsewhere = rules.answer_patterns(sichuan, policy(), timezone.now())
    assert [f.key.split(":")[1] for f in elsewhere] == [str(exam.sitting.pk)]
    age(exam.session, rules.LOOKBACK_DAYS + 1)
    assert rules.answer_patterns(sichuan, policy(), timezone.now()) == []


def test_a_ring_of_three_gives_each_pair(cast: Cast) -> None:
    exam, logins = answered_exam(cast, [sheet(COPIED)] * 3 + [sheet()])
    ids = sorted(login.attempt.pk for login in logins[:3])
    keys = {f.key for f in scan_answers()}
    sitting = exam.sitting.pk
    assert keys == {
        f"answers:{sitting}:{ids[0]}:{ids[1]}",
        f"answers:{sitting}:{ids[0]}:{ids[2]}",
        f"answers:{sitting}:{ids[1]}:{ids[2]}",
    }


# ---------------------------------------------------------------- shared devices


def test_candidates_signing_in_from_one_address_are_flagged(cast: Cast) -> None:
    exam, logins = answered_exam(
        cast, [sheet()] * 4, addresses=[SHARED, SHARED, SHARED, "198.51.100.4"]
    )

    found = scan_devices()

    assert len(found) == 1
    finding = found[0]
    assert finding.rule == AlertRule.SHARED_DEVICE
    assert finding.key == f"device:{exam.sitting.pk}:{SHARED}"
    assert finding.institution_id == exam.batch.institution_id
    assert finding.batch_id == exam.batch.pk
    assert finding.severity == AlertSeverity.WARNING
    assert "3 名考生" in finding.title
    assert SHARED in finding.title
    assert set(lines(finding, "exams.attempt")) == {login.attempt.pk for login in logins[:3]}
    assert lines(finding, "exams.sitting") == [exam.sitting.pk]
    assert value_of(finding, "终端地址") == SHARED
    assert value_of(finding, "终端标识") == "ExamClient/2.0 (Windows NT 10.0)"


def test_the_venues_own_network_is_not_a_shared_device(cast: Cast) -> None:
    """A computer room behind the venue's listed outgoing network shares one address by
    design; the same address elsewhere still fires."""
    exam, _logins = answered_exam(cast, [sheet()] * 3, addresses=[SHARED] * 3)
    assert exam.sitting.session.room is not None
    site = exam.sitting.session.room.site
    site.network_addresses = [f"{SHARED}/32"]
    site.save(update_fields=["network_addresses"])
    assert scan_devices() == []
    site.network_addresses = ["192.0.2.0/24", "not a network"]
    site.save(update_fields=["network_addresses"])
    assert len(scan_devices()) == 1


def test_distinct_addresses_and_empty_ones_stay_silent(cast: Cast) -> None:
    answered_exam(cast, [sheet()] * 3)
    assert scan_devices() == []
    assert scan_devices(shared_device_candidates=2) == []


def test_candidates_without_an_address_are_not_grouped(cast: Cast) -> None:
    answered_exam(cast, [sheet()] * 3, addresses=[None, None, None])
    assert AttemptEvent.objects.filter(client_address__isnull=True).exists()
    assert scan_devices(shared_device_candidates=2) == []


@pytest.mark.parametrize(("threshold", "fires"), [(3, False), (2, True)])
def test_the_number_of_candidates_is_the_policys(cast: Cast, threshold: int, fires: bool) -> None:
    answered_exam(cast, [sheet()] * 3, addresses=[SHARED, SHARED, None])
    assert bool(scan_devices(shared_device_candidates=threshold)) is fires


def test_one_candidate_reporting_many_events_counts_once(cast: Cast) -> None:
    exam = build_exam(cast, n=3)
    live(exam)
    exam.open()
    first = sign_in(exam, 0, SHARED)
    for _n in range(3):
        event_report(
            token=first.token,
            kind=AttemptEventKind.FOCUS_LOST,
            detail={},
            client=Client(address=SHARED),
        )
    sign_in(exam, 1, SHARED)
    sign_in(exam, 2, "198.51.100.3")
    assert scan_devices() == []
    assert len(scan_devices(shared_device_candidates=2)) == 1


def test_a_candidates_own_check_in_from_the_address_counts(cast: Cast) -> None:
    exam, _logins = answered_exam(cast, [sheet()] * 3, addresses=[SHARED, SHARED, "198.51.100.3"])
    assert scan_devices() == []
    checkin = self_check_in(exam, 2, AT_SITE, SHARED)

    found = scan_devices()

    assert [f.key for f in found] == [f"device:{exam.sitting.pk}:{SHARED}"]
    assert lines(found[0], "exams.checkin") == [checkin.pk]
    assert len(lines(found[0], "exams.attempt")) == 2


def test_the_desks_check_ins_do_not_count(cast: Cast) -> None:
    exam, _logins = answered_exam(
        cast, [sheet()] * 4, addresses=[SHARED, "198.51.100.2", "198.51.100.3", "198.51.100.4"]
    )
    # The desk records three arrivals from its own device: it serves everyone.
    for index in (1, 2, 3):
        desk_check_in(exam, index, SHARED)
    assert scan_devices() == []
    assert scan_devices(shared_device_candidates=2) == []


def test_another_provinces_devices_are_not_read(cast: Cast) -> None:
    exam, _logins = answered_exam(cast, [sheet()] * 3, addresses=[SHARED] * 3)
    assert len(scan_devices()) == 1
    sichuan = move_to_sichuan(exam)
    assert scan_devices() == []
    assert len(rules.shared_devices(sichuan, policy(), timezone.now())) == 1
    age(exam.session, rules.LOOKBACK_DAYS + 1)
    assert rules.shared_devices(sichuan, policy(), timezone.now()) == []


# ---------------------------------------------------------------- geofence


def test_check_ins_outside_the_radius_make_one_finding_per_session(cast: Cast) -> None:
    exam = build_exam(cast, n=3)
    session = live(exam)
    outside = self_check_in(exam, 0, FAR)
    self_check_in(exam, 1, AT_SITE)
    proctor = staff_user(exam, exam.kit.proctors[0])
    staff_far = checkin_record(actor=proctor, session=session, location=FAR).checkin

    found = scan_geofence()

    assert len(found) == 1
    finding = found[0]
    assert finding.rule == AlertRule.GEOFENCE
    assert finding.key == f"geofence:{session.pk}"
    assert finding.institution_id == exam.batch.institution_id
    assert finding.batch_id == exam.batch.pk
    assert finding.severity == AlertSeverity.WARNING
    assert "2 人次" in finding.title
    assert "半径 300 米" in finding.title
    assert lines(finding, "batches.session") == [session.pk]
    assert lines(finding, "exams.checkin") == [outside.pk, staff_far.pk]
    texts = [line.value for line in finding.evidence if line.object_type == "exams.checkin"]
    assert "距考点 1112 米" in texts[0]
    assert (exam.candidates[0].admission_number or "-") in texts[0]
    assert exam.kit.proctors[0].full_name in texts[1]
    assert value_of(finding, "考点") == "考评楼，定位打卡半径 300 米"


def test_check_ins_inside_the_radius_or_without_a_location_stay_silent(cast: Cast) -> None:
    exam = build_exam(cast, n=3)
    session = live(exam)
    self_check_in(exam, 0, AT_SITE)
    self_check_in(exam, 1, None)
    checkin_record(actor=staff_user(exam, exam.kit.proctors[0]), session=session, location=AT_SITE)
    assert scan_geofence() == []


def test_a_single_candidate_outside_is_a_notice(cast: Cast) -> None:
    exam = build_exam(cast, n=2)
    live(exam)
    self_check_in(exam, 0, FAR)
    found = scan_geofence()
    assert [(f.key, f.severity) for f in found] == [
        (f"geofence:{exam.session.pk}", AlertSeverity.NOTICE)
    ]


def test_a_wider_radius_takes_the_check_in_in(cast: Cast) -> None:
    exam = build_exam(cast, n=1)
    live(exam)
    exam.kit.site.radius_m = 1500
    exam.kit.site.save(update_fields=["radius_m"])
    self_check_in(exam, 0, FAR)
    assert scan_geofence() == []


def test_each_session_has_its_own_finding(cast: Cast) -> None:
    exam = build_exam(cast, n=1)
    live(exam)
    self_check_in(exam, 0, FAR)
    practical = live(exam, exam.batch.sessions.get(component=Component.PRACTICAL))
    staff = staff_user(exam, exam.kit.exam_staff)  # assigned to the whole batch
    checkin_record(actor=staff, session=practical, location=FAR)
    keys = sorted(f.key for f in scan_geofence())
    assert keys == sorted([f"geofence:{exam.session.pk}", f"geofence:{practical.pk}"])


def test_another_provinces_check_ins_and_old_ones_are_not_read(cast: Cast) -> None:
    exam = build_exam(cast, n=1)
    live(exam)
    self_check_in(exam, 0, FAR)
    assert len(scan_geofence()) == 1
    sichuan = move_to_sichuan(exam)
    assert scan_geofence() == []
    assert len(rules.geofence_signins(sichuan, policy(), timezone.now())) == 1
    age(exam.session, rules.LOOKBACK_DAYS + 1)
    assert rules.geofence_signins(sichuan, policy(), timezone.now()) == []


# ---------------------------------------------------------------- cost


def test_each_rule_reads_a_sitting_in_a_few_queries(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    exam, _logins = answered_exam(cast, [sheet(COPIED)] * 6, addresses=[SHARED] * 6)
    for index in range(3):
        self_check_in(exam, index, FAR, SHARED)
    province, current, now = yunnan(), policy(), timezone.now()
    # Sittings; paper keys; answers; the flagged attempts.
    with django_assert_max_num_queries(4):
        assert len(rules.answer_patterns(province, current, now)) == 15
    # Events; their clients; check-ins; the flagged sittings; their seats.
    with django_assert_max_num_queries(5):
        assert len(rules.shared_devices(province, current, now)) == 1
    with django_assert_max_num_queries(1):
        assert len(rules.geofence_signins(province, current, now)) == 1
