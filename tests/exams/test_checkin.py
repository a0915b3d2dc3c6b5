"""Geolocated check-in (考场定位打卡, 云人社函〔2023〕1号 三(二)): the service, the pages,
the list and its export. The exam's site is at (25.04, 102.71) with a 300 m radius."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from skillcert.batches.choices import Component
from skillcert.batches.models import Session
from skillcert.core.actors import Actor
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, User
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.seating import seats_assign
from skillcert.exams import checkin
from skillcert.exams.checkin import Location, checkin_record
from skillcert.exams.choices import CheckInRole
from skillcert.exams.models import CheckIn
from skillcert.exams.tickets import ticket_payload
from skillcert.institutions.models import StaffMember
from tests.conftest import build_cast
from tests.exams.conftest import ExamKit, build_exam
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _local_noon(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock reads today's local noon (and moves on from there): check-in is for the
    session's own day, so a session "10 minutes ago" or "in 1 h 50 min" must fall on
    today whatever the hour of the run (just after midnight it would be yesterday, late
    in the evening tomorrow)."""
    real_now = timezone.now
    started = real_now()
    noon = timezone.localtime(started).replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: noon + (real_now() - started))


AT_SITE = Location(Decimal("25.041000"), Decimal("102.710500"), 15)  # ~123 m away
FAR = Location(Decimal("25.050000"), Decimal("102.710000"), 20)  # ~1112 m north


def live(exam: ExamKit, session: Session | None = None, minutes_ago: int = 10) -> Session:
    """Move the session to now, inside its check-in window: it started ``minutes_ago``
    (a negative number: starts in that many minutes), but never before today's local
    midnight, since sessions are held on their own day (this module's tests read the
    clock at noon; other modules use this at any hour)."""
    session = session or exam.session
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - timedelta(minutes=minutes_ago), midnight)
    Session.objects.filter(pk=session.pk).update(starts_at=start)
    session.refresh_from_db()
    return session


def own(exam: ExamKit, index: int = 0, user: User | None = None) -> Actor:
    """Candidate ``index`` signs in as the cast's candidate, or as ``user`` (a new one)."""
    if user is None:
        user = exam.cast.users["candidate"]
        actor = exam.cast.actor("candidate")
    else:
        actor = Actor(
            user=user, membership=MembershipFactory(user=user, role="candidate", organisation=None)
        )
    Person.objects.filter(pk=exam.candidates[index].person_id).update(user=user)
    return actor


def stranger() -> tuple[User, Actor]:
    user = UserFactory()
    membership = MembershipFactory(user=user, role="candidate", organisation=None)
    return user, Actor(user=user, membership=membership)


def staff_user(exam: ExamKit, member: StaffMember, name: str = "examiner") -> Actor:
    """Give the registry entry the cast user's account, as the institution does."""
    StaffMember.objects.filter(pk=member.pk).update(user=exam.cast.users[name])
    return exam.cast.actor(name)


def refused(error_type: type[DomainError], call: Callable[[], object], code: str = "") -> Any:
    """The call raises ``error_type`` (with ``code``) and writes no audit event."""
    before = AuditEvent.objects.count()
    with pytest.raises(error_type) as info:
        call()
    assert AuditEvent.objects.count() == before, "a refused action wrote an audit event"
    if code:
        assert info.value.code == code, info.value
    return info.value


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---------------------------------------------------------------- distance and location


def test_the_haversine_distance_matches_known_values() -> None:
    # 0.01° of latitude is 1111.95 m on the mean sphere, anywhere.
    assert checkin.distance_m(25.04, 102.71, 25.05, 102.71) == pytest.approx(1111.95, abs=0.5)
    # Along a parallel it shrinks with cos(latitude).
    assert checkin.distance_m(25.04, 102.71, 25.04, 102.72) == pytest.approx(1007.5, abs=1)
    assert checkin.distance_m(25.04, 102.71, 25.04, 102.71) == 0
    # Kunming to Beijing (Tiananmen) is about 2,100 km.
    assert checkin.distance_m(25.04, 102.71, 39.9087, 116.3975) == pytest.approx(
        2_090_000, rel=0.02
    )


def test_posted_coordinates_are_parsed_or_refused_in_chinese() -> None:
    assert checkin.parse_location("", "", "") is None
    parsed = checkin.parse_location(" 25.0412345 ", "102.7105", "12.6")
    assert parsed == Location(Decimal("25.041235"), Decimal("102.710500"), 13)
    for bad in (("abc", "102.71", ""), ("25.04", "", ""), ("95", "102.71", ""),
                ("25.04", "190", ""), ("25.04", "102.71", "-5"), ("NaN", "102.71", ""),
                ("25.04", "102.71", "1e9")):  # fmt: skip
        with pytest.raises(DomainError) as refused:
            checkin.parse_location(*bad)
        assert "定位数据无效" in str(refused.value.message)


# ---------------------------------------------------------------- the service


def test_a_candidate_at_the_site_checks_in_within_the_radius(exam: ExamKit) -> None:
    session = live(exam)
    actor = own(exam)
    before = AuditEvent.objects.count()

    recorded = checkin_record(
        actor=actor, session=session, location=AT_SITE, client_address="10.0.0.8"
    )

    row = recorded.checkin
    assert recorded.created
    assert row.role == CheckInRole.CANDIDATE
    assert row.seat == exam.seat(0)
    assert row.staff is None
    assert row.user == exam.cast.users["candidate"]
    expected = checkin.distance_m(25.041, 102.7105, 25.04, 102.71)
    assert row.distance_m == round(expected)
    assert 100 < expected < 150
    assert row.within_radius is True
    assert row.accuracy_m == 15
    assert row.client_address == "10.0.0.8"
    assert row.latitude == Decimal("25.041000")
    assert row.recorded_by_label == ""
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "exams.checkin.record"
    assert event.changes["within_radius"] is True
    assert event.organisation_id == exam.cast.orgs["institution_a"].pk


def test_a_check_in_outside_the_radius_is_kept_and_flagged(exam: ExamKit) -> None:
    session = live(exam)
    row = checkin_record(actor=own(exam), session=session, location=FAR).checkin
    assert row.within_radius is False
    assert row.distance_m == 1112
    assert CheckIn.objects.filter(session=session).count() == 1


def test_the_radius_is_the_sites(exam: ExamKit) -> None:
    session = live(exam)
    exam.kit.site.radius_m = 1500
    exam.kit.site.save(update_fields=["radius_m"])
    assert checkin_record(actor=own(exam), session=session, location=FAR).checkin.within_radius


def test_without_a_location_the_check_in_is_recorded_unverified(exam: ExamKit) -> None:
    session = live(exam)
    row = checkin_record(actor=own(exam), session=session, location=None).checkin
    assert row.within_radius is None
    assert row.distance_m is None
    assert row.latitude is None
    assert row.accuracy_m is None


@pytest.mark.parametrize("days", [-1, 1])
def test_another_day_is_refused(exam: ExamKit, days: int) -> None:
    session = live(exam)
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at + timedelta(days=days))
    session.refresh_from_db()
    error = refused(
        InvalidTransition,
        lambda: checkin_record(actor=own(exam), session=session, location=AT_SITE),
        code="outside_window",
    )
    assert "不在签到时间内" in str(error.message)
    assert not CheckIn.objects.exists()


def test_the_window_opens_two_hours_before_the_start_and_closes_at_the_end(
    exam: ExamKit,
) -> None:
    actor = own(exam)
    session = live(exam, minutes_ago=-150)  # starts in 2 h 30 min
    refused(InvalidTransition, lambda: checkin_record(actor=actor, session=session, location=None))
    session = live(exam, minutes_ago=-110)  # starts in 1 h 50 min
    assert checkin_record(actor=actor, session=session, location=None).created
    other = own(exam, 1, UserFactory())
    session = live(exam, minutes_ago=95)  # the 90 minutes are over
    refused(InvalidTransition, lambda: checkin_record(actor=other, session=session, location=None))


def test_the_window_never_opens_on_the_day_before(exam: ExamKit) -> None:
    session = exam.session
    local = timezone.localtime(session.starts_at)
    session.starts_at = local.replace(hour=0, minute=30)
    opens, closes = checkin.window(session)
    assert opens == local.replace(hour=0, minute=0)
    assert closes == session.starts_at + timedelta(minutes=90)
    session.starts_at = local.replace(hour=9, minute=0)
    assert checkin.window(session)[0] == local.replace(hour=7, minute=0)


def test_a_duplicate_check_in_returns_the_first_one(exam: ExamKit) -> None:
    session = live(exam)
    actor = own(exam)
    first = checkin_record(actor=actor, session=session, location=AT_SITE)
    events = AuditEvent.objects.count()

    again = checkin_record(actor=actor, session=session, location=FAR)

    assert not again.created
    assert again.checkin.pk == first.checkin.pk
    assert again.checkin.within_radius is True  # the first one stands
    assert CheckIn.objects.filter(session=session).count() == 1
    assert AuditEvent.objects.count() == events
    # The desk recording the same candidate finds the same row too.
    number = exam.candidates[0].admission_number
    assert number
    desk = checkin_record(actor=exam.admin, session=session, location=None, admission=number)
    assert desk.checkin.pk == first.checkin.pk
    assert not desk.created


def test_someone_without_a_seat_or_assignment_is_refused(exam: ExamKit) -> None:
    session = live(exam)
    _user, nobody = stranger()
    refused(
        PermissionDenied,
        lambda: checkin_record(actor=nobody, session=session, location=AT_SITE),
        code="not_assigned",
    )
    # A registry member of the institution who is not assigned to this batch.
    idle = staff_user(exam, exam.kit.proctors[3])
    refused(
        PermissionDenied,
        lambda: checkin_record(actor=idle, session=session, location=AT_SITE),
        code="not_assigned",
    )
    # The institution's admin has no seat and no assignment either.
    refused(
        PermissionDenied,
        lambda: checkin_record(actor=exam.admin, session=session, location=AT_SITE),
        code="not_assigned",
    )


def test_assigned_staff_check_themselves_in(exam: ExamKit) -> None:
    session = live(exam)
    proctor = exam.kit.proctors[0]  # assigned to the theory session
    actor = staff_user(exam, proctor)

    row = checkin_record(actor=actor, session=session, location=AT_SITE).checkin

    assert row.role == CheckInRole.STAFF
    assert row.staff == proctor
    assert row.seat is None
    assert row.within_radius is True


def test_session_staff_only_for_their_session_and_batch_staff_for_every_one(exam: ExamKit) -> None:
    practical = live(exam, exam.batch.sessions.get(component=Component.PRACTICAL))
    proctor = staff_user(exam, exam.kit.proctors[0], "examiner")
    refused(
        PermissionDenied,
        lambda: checkin_record(actor=proctor, session=practical, location=AT_SITE),
        code="not_assigned",
    )
    # The exam-staff member is assigned to the whole batch.
    StaffMember.objects.filter(pk=exam.kit.proctors[0].pk).update(user=None)
    batch_wide = staff_user(exam, exam.kit.exam_staff, "examiner")
    row = checkin_record(actor=batch_wide, session=practical, location=AT_SITE).checkin
    assert row.staff == exam.kit.exam_staff


def test_an_inactive_registry_member_is_refused(exam: ExamKit) -> None:
    session = live(exam)
    actor = staff_user(exam, exam.kit.proctors[0])
    StaffMember.objects.filter(pk=exam.kit.proctors[0].pk).update(is_active=False)
    refused(PermissionDenied, lambda: checkin_record(actor=actor, session=session, location=None))


def test_the_desk_records_a_candidate_by_number_or_by_ticket_code(exam: ExamKit) -> None:
    session = live(exam)
    first, second = exam.candidates[0], exam.candidates[1]
    assert first.admission_number
    assert second.admission_number

    by_number = checkin_record(
        actor=exam.admin, session=session, location=AT_SITE, admission=f" {first.admission_number} "
    ).checkin
    by_code = checkin_record(
        actor=exam.admin,
        session=session,
        location=None,
        admission=ticket_payload(second.admission_number),
    ).checkin

    assert by_number.seat == exam.seat(0)
    assert by_number.role == CheckInRole.CANDIDATE
    assert by_number.recorded_by_label == exam.admin.label
    assert by_number.user == exam.cast.users["institution_a"]
    assert by_code.seat == exam.seat(1)


def test_the_desk_refuses_a_forged_code_and_a_stranger(exam: ExamKit) -> None:
    session = live(exam)
    first, second = exam.candidates[0], exam.candidates[1]
    assert first.admission_number
    assert second.admission_number
    forged = ticket_payload(first.admission_number).replace(
        first.admission_number, second.admission_number
    )
    refused(
        DomainError,
        lambda: checkin_record(actor=exam.admin, session=session, location=None, admission=forged),
        code="bad_tag",
    )
    refused(
        DomainError,
        lambda: checkin_record(
            actor=exam.admin, session=session, location=None, admission="NOPE-0001"
        ),
        code="not_seated",
    )


def test_a_candidate_of_another_session_is_not_seated_here(exam: ExamKit) -> None:
    practical = live(exam, exam.batch.sessions.get(component=Component.PRACTICAL))
    number = exam.candidates[0].admission_number
    assert number
    refused(
        DomainError,
        lambda: checkin_record(
            actor=exam.admin, session=practical, location=None, admission=number
        ),
        code="not_seated",
    )


def test_a_candidate_cannot_check_in_someone_else(exam: ExamKit) -> None:
    session = live(exam)
    actor = own(exam)
    other = exam.candidates[1].admission_number
    assert other
    refused(
        PermissionDenied,
        lambda: checkin_record(actor=actor, session=session, location=AT_SITE, admission=other),
    )
    assert not CheckIn.objects.filter(seat=exam.seat(1)).exists()


def test_another_institution_is_refused(exam: ExamKit) -> None:
    session = live(exam)
    other = exam.cast.actor("institution_b")
    number = exam.candidates[0].admission_number
    assert number
    refused(
        PermissionDenied,
        lambda: checkin_record(actor=other, session=session, location=None, admission=number),
    )
    refused(PermissionDenied, lambda: checkin_record(actor=other, session=session, location=None))


def test_a_withdrawn_candidate_cannot_check_in(exam: ExamKit) -> None:
    session = live(exam)
    actor = own(exam)
    Application.objects.filter(pk=exam.candidates[0].pk).update(status=ApplicationStatus.WITHDRAWN)
    refused(
        DomainError,
        lambda: checkin_record(actor=actor, session=session, location=None),
        code="not_approved",
    )


def test_the_roll_says_who_is_present_missing_and_out_of_range(exam: ExamKit) -> None:
    session = live(exam)
    checkin_record(actor=own(exam), session=session, location=AT_SITE)
    number = exam.candidates[1].admission_number
    assert number
    checkin_record(actor=exam.admin, session=session, location=FAR, admission=number)
    checkin_record(actor=staff_user(exam, exam.kit.proctors[0]), session=session, location=None)

    roll = checkin.session_roll(session)

    assert [row.seat_number for row in roll.candidates] == [1, 2, 3]
    assert roll.candidates_present == 2
    assert roll.candidates_missing == 1
    assert roll.out_of_radius == 1
    assert roll.unlocated == 1
    assert [row.present for row in roll.candidates] == [True, True, False]
    assert roll.candidates[1].out_of_radius
    # Theory: its two proctors, plus the batch's exam staff and internal supervisor;
    # the batch's examiners score the practical and are not expected here.
    duties = sorted(row.detail for row in roll.staff)
    assert duties == sorted(["内部质量督导员", "监考人员", "监考人员", "考务人员"])
    assert roll.staff_present == 1


def test_my_sessions_lists_seats_and_assignments(exam: ExamKit) -> None:
    live(exam)
    actor = own(exam)
    rows = checkin.my_sessions(actor)
    assert [(row.session.pk, row.role, row.seat_number) for row in rows] == [
        (exam.session.pk, CheckInRole.CANDIDATE, exam.seat(0).seat_number)
    ]
    checkin_record(actor=actor, session=exam.session, location=None)
    assert checkin.my_sessions(actor)[0].checkin is not None
    staff = staff_user(exam, exam.kit.exam_staff)  # batch-wide: theory and practical
    assert {row.session.component for row in checkin.my_sessions(staff)} == {
        Component.THEORY,
        Component.PRACTICAL,
    }


# ---------------------------------------------------------------- pages


def texts(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def post_position(client: Client, url: str, location: Location | None, **extra: str) -> Any:
    data = dict(extra)
    if location is not None:
        data |= {
            "latitude": str(location.latitude),
            "longitude": str(location.longitude),
            "accuracy": str(location.accuracy_m),
        }
    return client.post(url, data)


def test_the_candidate_checks_in_through_the_page(exam: ExamKit) -> None:
    session = live(exam)
    own(exam)
    client = exam.cast.client("candidate")
    url = reverse("checkin-session", args=[session.pk])

    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="checkin-form"' in body
    assert "data-geolocate" in body
    assert "skillcert/checkin.js" in body
    assert exam.candidates[0].admission_number in body

    response = post_position(client, url, AT_SITE)

    assert response.status_code == 302
    assert response["Location"] == url
    assert any("签到成功" in m for m in texts(response))
    row = CheckIn.objects.get(session=session)
    assert row.client_address == "127.0.0.1"
    assert row.within_radius is True
    done = client.get(url).content.decode()
    assert 'id="checkin-done"' in done
    assert 'id="checkin-form"' not in done


def test_the_page_warns_out_of_range_and_without_location(exam: ExamKit) -> None:
    session = live(exam)
    own(exam)
    url = reverse("checkin-session", args=[session.pk])
    far = post_position(exam.cast.client("candidate"), url, FAR)
    assert any("超出考点范围" in m for m in texts(far))

    other = UserFactory()
    own(exam, 1, other)
    blind = post_position(login(other), url, None)
    assert any("未获取到定位" in m for m in texts(blind))
    assert CheckIn.objects.get(seat=exam.seat(1)).within_radius is None


def test_bad_coordinates_are_a_message_not_an_error(exam: ExamKit) -> None:
    session = live(exam)
    own(exam)
    url = reverse("checkin-session", args=[session.pk])
    response = exam.cast.client("candidate").post(url, {"latitude": "x", "longitude": "1"})
    assert response.status_code == 302
    assert any("定位数据无效" in m for m in texts(response))
    assert not CheckIn.objects.exists()


def test_outside_the_window_the_page_says_when(exam: ExamKit) -> None:
    session = live(exam, minutes_ago=-600)
    own(exam)
    url = reverse("checkin-session", args=[session.pk])
    response = post_position(exam.cast.client("candidate"), url, AT_SITE)
    assert any("不在签到时间内" in m for m in texts(response))
    assert not CheckIn.objects.exists()


def test_the_check_in_page_is_for_the_seated_and_the_assigned(exam: ExamKit) -> None:
    own(exam)
    url = reverse("checkin-session", args=[exam.session.pk])
    assert exam.cast.client("candidate").get(url).status_code == 200
    user, _actor = stranger()
    assert login(user).get(url).status_code == 404
    assert exam.cast.client("institution_b").get(url).status_code == 404
    assert exam.cast.client("institution_a").get(url).status_code == 403
    staff_user(exam, exam.kit.proctors[0])
    assert exam.cast.client("examiner").get(url).status_code == 200


def test_the_desk_page_records_arrivals(exam: ExamKit) -> None:
    session = live(exam)
    url = reverse("checkin-desk", args=[session.pk])
    client = exam.cast.client("institution_a")
    assert client.get(url).status_code == 200
    number = exam.candidates[2].admission_number
    assert number

    response = post_position(client, url, AT_SITE, admission=number)

    assert response.status_code == 302
    assert any(number in m and "签到成功" in m for m in texts(response))
    assert CheckIn.objects.get(session=session).seat == exam.seat(2)
    again = post_position(client, url, AT_SITE, admission=number)
    assert any("无需重复签到" in m for m in texts(again))
    empty = client.post(url, {"admission": " "})
    assert any("请输入准考证号" in m for m in texts(empty))
    assert CheckIn.objects.count() == 1


def test_assigned_proctors_keep_the_desk_and_others_do_not(exam: ExamKit) -> None:
    session = live(exam)
    url = reverse("checkin-desk", args=[session.pk])
    assert exam.cast.client("examiner").get(url).status_code == 404
    staff_user(exam, exam.kit.proctors[0])  # the examiner's account is now this proctor's
    client = exam.cast.client("examiner")
    assert client.get(url).status_code == 200
    number = exam.candidates[0].admission_number
    assert number
    post_position(client, url, None, admission=number)
    assert CheckIn.objects.get(session=session).recorded_by_label
    assert exam.cast.client("city_a").get(url).status_code == 403
    assert exam.cast.client("institution_b").get(url).status_code == 404
    refused = exam.cast.client("institution_b").post(url, {"admission": number})
    assert refused.status_code == 404


def test_the_list_highlights_out_of_range_and_shows_the_missing(exam: ExamKit) -> None:
    session = live(exam)
    checkin_record(actor=own(exam), session=session, location=FAR, client_address="10.1.2.3")
    url = reverse("checkin-list", args=[session.pk])

    for role in ("institution_a", "city_a", "province"):
        body = exam.cast.client(role).get(url).content.decode()
        assert 'class="overdue" data-state="outside"' in body
        assert body.count('data-state="missing"') >= 2
        assert "10.1.2.3" in body
        assert "1112" in body
        assert 'id="roll-out-of-radius"' in body
    for role, status in (("city_b", 404), ("institution_b", 404), ("education", 403)):
        assert exam.cast.client(role).get(url).status_code == status


def test_the_list_costs_the_same_queries_for_any_number_of_check_ins(
    exam: ExamKit, django_assert_num_queries: Any
) -> None:
    session = live(exam)
    client = exam.cast.client("city_a")
    url = reverse("checkin-list", args=[session.pk])
    client.get(url)  # warm the login session
    # Session row, user, membership; the scoped session; check-ins, seats, assignments;
    # whether the reader keeps the desk.
    with django_assert_num_queries(8):
        client.get(url)
    checkin_record(actor=own(exam), session=session, location=AT_SITE)
    for index in (1, 2):
        number = exam.candidates[index].admission_number
        assert number
        checkin_record(actor=exam.admin, session=session, location=FAR, admission=number)
    with django_assert_num_queries(8):
        client.get(url)


def test_the_export_is_a_workbook_of_the_list(exam: ExamKit) -> None:
    session = live(exam)
    checkin_record(actor=own(exam), session=session, location=FAR, client_address="10.1.2.3")
    response = exam.cast.client("city_a").get(reverse("checkin-export", args=[session.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == checkin.EXPORT_HEADERS
    first = rows[1]
    assert first[0] == "考生"
    assert first[2] == exam.candidates[0].admission_number
    assert first[4] == "已签到"
    assert first[6] == 1112
    assert first[8] == "否（超出范围）"
    assert first[9] == "10.1.2.3"
    assert [row[4] for row in rows[2:4]] == ["未签到", "未签到"]
    assert (
        exam.cast.client("education").get(reverse("checkin-export", args=[session.pk])).status_code
        == 403
    )


def test_the_home_page_lists_my_sessions(exam: ExamKit) -> None:
    live(exam)
    own(exam)
    body = exam.cast.client("candidate").get(reverse("checkin-home")).content.decode()
    assert reverse("checkin-session", args=[exam.session.pk]) in body
    other = exam.cast.client("city_b").get(reverse("checkin-home")).content.decode()
    assert "今天及以后没有需要您签到的场次" in other


def test_a_later_seating_of_the_practical_shows_up(exam: ExamKit) -> None:
    practical = exam.batch.sessions.get(component=Component.PRACTICAL)
    seats_assign(actor=exam.admin, session=practical)
    actor = own(exam)
    assert {row.session.pk for row in checkin.my_sessions(actor)} == {exam.session.pk, practical.pk}


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent check-ins need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_racing_check_ins_of_one_person_make_one_row() -> None:
    exam = build_exam(build_cast(), n=1)
    session = live(exam)
    actor = own(exam)
    number = exam.candidates[0].admission_number
    assert number

    def self_check_in() -> Any:
        return checkin_record(actor=actor, session=session, location=AT_SITE)

    def desk() -> Any:
        return checkin_record(actor=exam.admin, session=session, location=None, admission=number)

    barrier = threading.Barrier(6)
    results: list[Any] = [None] * 6

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # inspected below
            results[index] = exc
        finally:
            connections.close_all()

    calls = [self_check_in, desk] * 3
    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(r, checkin.Recorded) for r in results), results
    assert sum(r.created for r in results) == 1
    assert len({r.checkin.pk for r in results}) == 1
    assert CheckIn.objects.filter(session=session).count() == 1
    assert AuditEvent.objects.filter(action="exams.checkin.record").count() == 1
