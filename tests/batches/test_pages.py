"""Batch pages over HTTP: lists, the plan page, its forms and actions, denied writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skillcert.batches.choices import BatchStatus, Component, SessionStatus, StaffRole
from skillcert.batches.models import Batch, Room, StaffAssignment
from skillcert.batches.services import workflow
from tests.batches.conftest import Kit, at, build_kit, more_examiners
from tests.conftest import Cast


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _post(client: Client, name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return client.post(reverse(name, kwargs=kwargs), data or {}, follow=True)


# ---------------------------------------------------------------- lists


def test_the_institution_lists_its_batches(kit: Kit) -> None:
    batch = kit.batch()
    page = kit.cast.client("institution_a").get(reverse("batch-list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert batch.code in html
    assert 'id="batch-create"' in html
    assert 'id="batch-queue"' not in html
    other = kit.cast.client("institution_b").get(reverse("batch-list")).content.decode()
    assert batch.code not in other


def test_the_centre_sees_its_queue_late_filings_highlighted(cast: Cast) -> None:
    from django.utils import timezone

    kit = build_kit(cast, approved_on=timezone.localdate() - timedelta(days=200))
    on_time = kit.filed()
    late = kit.batch(opens=kit.today - timedelta(days=120), closes=kit.today - timedelta(days=100))
    for component, hour in ((Component.THEORY, 9), (Component.PRACTICAL, 14)):
        kit.session(late, component, starts_at=at(kit.today + timedelta(days=3), hour))
    theory = late.sessions.get(component=Component.THEORY)
    for proctor in kit.proctors[:2]:
        kit.assign(late, proctor, StaffRole.PROCTOR, theory)
    for member in kit.examiners[:3]:
        kit.assign(late, member, StaffRole.EXAMINER)
    kit.assign(late, kit.supervisor, StaffRole.INTERNAL_SUPERVISOR)
    kit.assign(late, kit.exam_staff, StaffRole.EXAM_STAFF)
    workflow.batch_file(actor=kit.admin, batch=late)
    page = cast.client("city_a").get(reverse("batch-list"))
    html = page.content.decode()
    queue = html[html.index('id="batch-queue"') : html.index("全部批次")]
    assert queue.index(late.code) < queue.index(on_time.code)
    assert "逾期报备" in queue
    assert 'class="overdue"' in queue
    assert 'id="batch-create"' not in html
    assert late.code not in cast.client("city_b").get(reverse("batch-list")).content.decode()


def test_the_status_filter(kit: Kit) -> None:
    draft, filed = kit.batch(), kit.filed()
    client = kit.cast.client("city_a")
    html = client.get(reverse("batch-list"), {"status": "filed"}).content.decode()
    listed = html[html.index('id="batches"') :]
    assert filed.code in listed
    assert draft.code not in listed
    assert client.get(reverse("batch-list"), {"status": "nonsense"}).status_code == 200


@pytest.mark.parametrize("extra", [1, 6])
def test_list_queries_for_the_institution(
    kit: Kit, django_assert_num_queries: Any, extra: int
) -> None:
    for _n in range(extra):
        kit.complete(kit.batch())
    client = kit.cast.client("institution_a")
    # session, user, memberships (actor); own institution (create link); the batches
    with django_assert_num_queries(5):
        assert client.get(reverse("batch-list")).status_code == 200


@pytest.mark.parametrize("extra", [1, 6])
def test_list_queries_for_the_centre(kit: Kit, django_assert_num_queries: Any, extra: int) -> None:
    for _n in range(extra):
        kit.filed()
    client = kit.cast.client("city_a")
    # session, user, memberships (actor); the queue; the batches
    with django_assert_num_queries(5):
        assert client.get(reverse("batch-list")).status_code == 200


# ---------------------------------------------------------------- create and edit


def test_create_a_plan(kit: Kit) -> None:
    client = kit.cast.client("institution_a")
    page = client.get(reverse("batch-create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "国家职业技能标准 车工（2018年版） · 二级/技师" in html
    assert "一级/高级技师" not in html  # outside the filed scope (5–2)
    response = client.post(
        reverse("batch-create"),
        {
            "standard_level": kit.level(4).pk,
            "work_type": kit.world.cnc.pk,
            "title": "数控车工四级",
            "mode": "standard",
            "planned_candidates": 12,
            "enrollment_opens": kit.today.isoformat(),
            "enrollment_closes": (kit.today + timedelta(days=10)).isoformat(),
        },
    )
    batch = Batch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("batch-detail", kwargs={"pk": batch.pk})
    assert (batch.level, batch.work_type, batch.theory_weight) == (4, kit.world.cnc, 30)


def test_create_is_for_the_institution_staff(kit: Kit) -> None:
    for role in ("city_a", "province", "education", "examiner", "candidate"):
        assert kit.cast.client(role).get(reverse("batch-create")).status_code == 403
    assert kit.cast.client("city_a").post(reverse("batch-create"), {}).status_code == 403
    assert not Batch.objects.exists()


def test_edit_a_draft(kit: Kit) -> None:
    batch = kit.batch()
    client = kit.cast.client("institution_a")
    url = reverse("batch-update", kwargs={"pk": batch.pk})
    page = client.get(url)
    assert 'value="车工5级测试批次"' in page.content.decode()
    data = {
        "title": "改名",
        "mode": "standard",
        "planned_candidates": 9,
        "enrollment_opens": batch.enrollment_opens.isoformat(),
        "enrollment_closes": batch.enrollment_closes.isoformat(),
        "theory_weight": "40",
        "practical_weight": "60",
    }
    assert client.post(url, data).status_code == 302
    batch.refresh_from_db()
    assert (batch.title, batch.planned_candidates, batch.theory_weight) == ("改名", 9, 40)
    assert kit.cast.client("city_a").get(url).status_code == 403


def test_a_component_may_have_its_own_pass_mark(kit: Kit) -> None:
    batch = kit.batch()
    client = kit.cast.client("institution_a")
    url = reverse("batch-update", kwargs={"pk": batch.pk})
    data = {
        "title": batch.title,
        "mode": "standard",
        "planned_candidates": 9,
        "enrollment_opens": batch.enrollment_opens.isoformat(),
        "enrollment_closes": batch.enrollment_closes.isoformat(),
        "theory_weight": "30",
        "practical_weight": "70",
        "practical_pass_mark": "70",
    }
    assert client.post(url, data).status_code == 302
    batch.refresh_from_db()
    assert batch.component_pass_marks == {"practical": 70}
    assert (batch.pass_mark_for("practical"), batch.pass_mark_for("theory")) == (70, 60)
    assert 'name="practical_pass_mark" value="70"' in client.get(url).content.decode()
    detail = client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert "操作技能合格分 70" in detail
    # Left blank again, the component follows the batch's pass mark.
    assert client.post(url, {**data, "practical_pass_mark": ""}).status_code == 302
    batch.refresh_from_db()
    assert batch.component_pass_marks == {}


# ---------------------------------------------------------------- the plan page


def test_the_plan_page_shows_the_checklist(kit: Kit) -> None:
    batch = kit.batch()
    page = kit.cast.client("institution_a").get(reverse("batch-detail", kwargs={"pk": batch.pk}))
    html = page.content.decode()
    assert 'data-code="component_missing"' in html
    assert "尚未安排内部质量督导员。" in html
    assert 'id="session-form"' in html
    assert 'id="staff-form"' in html
    assert 'id="room-form"' in html
    assert batch.filing_due is not None
    assert batch.filing_due.isoformat() in html
    complete = kit.complete(kit.batch())
    page = kit.cast.client("city_a").get(reverse("batch-detail", kwargs={"pk": complete.pk}))
    html = page.content.decode()
    assert "计划符合报备要求。" in html
    assert "check-error" not in html
    assert 'id="session-form"' not in html  # the centre reads, it does not plan
    assert "301机房" in html
    assert kit.examiners[0].full_name in html


def test_plan_a_batch_through_the_forms(kit: Kit) -> None:
    batch = kit.batch()
    client = kit.cast.client("institution_a")
    day = batch.enrollment_closes + timedelta(days=10)
    response = _post(
        client,
        "batch-room-add",
        {"site": kit.site.pk, "name": "303机房", "kind": "computer", "capacity": 30},
        pk=batch.pk,
    )
    assert "考场已添加。" in _messages(response)
    room = Room.objects.get(name="303机房")
    response = _post(
        client,
        "batch-session-add",
        {
            "component": "theory",
            "room": room.pk,
            "starts_at": f"{day.isoformat()}T09:00",
            "duration_minutes": 90,
        },
        pk=batch.pk,
    )
    assert "场次已添加。" in _messages(response)
    session = batch.sessions.get()
    assert session.starts_at == at(day, 9)
    response = _post(
        client,
        "batch-staff-assign",
        {"staff": kit.proctors[0].pk, "role": "proctor", "session": session.pk},
        pk=batch.pk,
    )
    assert "人员已安排。" in _messages(response)
    response = _post(
        client, "batch-staff-assign", {"staff": kit.proctors[1].pk, "role": "proctor"}, pk=batch.pk
    )
    assert "监考人员须安排到具体场次。" in _messages(response)
    assignment = StaffAssignment.objects.get()
    response = _post(client, "batch-staff-unassign", pk=batch.pk, assignment_pk=assignment.pk)
    assert "已取消安排。" in _messages(response)
    response = _post(client, "batch-session-remove", pk=batch.pk, session_pk=session.pk)
    assert "场次已删除。" in _messages(response)
    assert not batch.sessions.exists()


def test_a_form_error_becomes_a_message(kit: Kit) -> None:
    batch = kit.batch()
    response = _post(
        kit.cast.client("institution_a"),
        "batch-session-add",
        {"component": "theory", "room": kit.computer_room.pk, "duration_minutes": 90},
        pk=batch.pk,
    )
    assert any(m.startswith("开始时间：") for m in _messages(response))
    assert not batch.sessions.exists()


def test_file_approve_and_return_through_the_pages(kit: Kit) -> None:
    draft = kit.batch()
    admin, centre = kit.cast.client("institution_a"), kit.cast.client("city_a")
    response = _post(admin, "batch-transition", pk=draft.pk, action="file")
    [message] = _messages(response)
    assert message.startswith("认定计划未通过校验，不能报备：1. ")
    batch = kit.complete(kit.batch())
    response = _post(admin, "batch-transition", pk=batch.pk, action="file")
    assert "认定计划已报备，等待人社部门审核。" in _messages(response)
    html = centre.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert 'id="action-approve"' in html
    response = _post(centre, "batch-transition", {"reason": ""}, pk=batch.pk, action="return")
    assert "请填写退回原因。" in _messages(response)
    response = _post(
        centre, "batch-transition", {"reason": "请补充监考"}, pk=batch.pk, action="return"
    )
    assert "已退回该认定计划。" in _messages(response)
    assert "请补充监考" in response.content.decode()
    _post(admin, "batch-transition", pk=batch.pk, action="file")
    response = _post(centre, "batch-transition", pk=batch.pk, action="approve")
    assert "已同意该认定计划。" in _messages(response)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED
    _post(admin, "batch-transition", pk=batch.pk, action="open_enrollment")
    _post(admin, "batch-transition", pk=batch.pk, action="close_enrollment")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.ENROLLMENT_CLOSED
    assert (
        admin.post(reverse("batch-transition", kwargs={"pk": batch.pk, "action": "x"})).status_code
        == 404
    )


def test_open_a_session_through_the_page(kit: Kit) -> None:
    """Practical sessions open here; computer-based theory sittings at the console."""
    batch = kit.enrollment_closed()
    theory = batch.sessions.get(component=Component.THEORY)
    practical = batch.sessions.get(component=Component.PRACTICAL)
    client = kit.cast.client("institution_a")
    html = client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).content.decode()
    assert f'id="session-open-{theory.pk}"' not in html
    assert f'id="session-console-{theory.pk}"' in html
    assert f'id="session-open-{practical.pk}"' in html
    response = _post(
        client, "batch-session-transition", pk=batch.pk, session_pk=practical.pk, action="open"
    )
    assert "场次已开考，批次配置已冻结。" in _messages(response)
    assert 'id="batch-frozen"' in response.content.decode()
    practical.refresh_from_db()
    assert practical.status == SessionStatus.OPEN
    response = _post(
        client, "batch-session-transition", pk=batch.pk, session_pk=practical.pk, action="close"
    )
    assert "场次已结束。" in _messages(response)


# ---------------------------------------------------------------- denied writes change nothing


@pytest.mark.parametrize(
    ("role", "status"),
    [("city_b", 404), ("institution_b", 404), ("candidate", 404), ("examiner", 404)],
)
def test_others_cannot_reach_a_batch(kit: Kit, role: str, status: int) -> None:
    batch = kit.complete(kit.batch())
    client = kit.cast.client(role)
    assert client.get(reverse("batch-detail", kwargs={"pk": batch.pk})).status_code == status
    url = reverse("batch-transition", kwargs={"pk": batch.pk, "action": "file"})
    assert client.post(url).status_code == status
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT


def test_the_centre_cannot_file_and_the_institution_cannot_approve(kit: Kit) -> None:
    batch = kit.complete(kit.batch())
    response = _post(kit.cast.client("city_a"), "batch-transition", pk=batch.pk, action="file")
    assert "只有本机构的管理员或考务人员可以办理此事项。" in _messages(response)
    workflow.batch_file(actor=kit.admin, batch=batch)
    response = _post(
        kit.cast.client("institution_a"), "batch-transition", pk=batch.pk, action="approve"
    )
    assert "只有该机构的属地人社部门可以审核认定计划。" in _messages(response)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FILED


def test_the_nav_links_to_batches(kit: Kit) -> None:
    html = kit.cast.client("institution_a").get(reverse("home")).content.decode()
    assert f'href="{reverse("batch-list")}"' in html


def test_the_plan_page_has_no_n_plus_1(kit: Kit) -> None:
    batch = kit.complete(kit.batch(planned=30))
    client = kit.cast.client("institution_a")
    url = reverse("batch-detail", kwargs={"pk": batch.pk})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for member in more_examiners(kit, 4):
        kit.assign(batch, member, StaffRole.EXAMINER)
    # Staff, sessions, rooms and the plan check (scope on two days, the calendar for the
    # due date: one query per year counted) are fetched in bulk.
    assert count() == before
    assert before <= 28
