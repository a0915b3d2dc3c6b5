"""The pool, spot-check list, task and 考场记录表 pages over HTTP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from skillcert.core.models import AuditEvent
from skillcert.supervision import external, pool
from skillcert.supervision.choices import (
    Conclusion,
    InspectionStatus,
    NoteKind,
    PoolKind,
    SupervisionMode,
)
from skillcert.supervision.models import CheckItem, PoolMember, SupervisionNote
from tests.conftest import Cast
from tests.supervision.builders_pool import (
    ExternalWorld,
    client_for,
    external_world,
    login_actor,
    member,
    new_user,
    yunnan,
)


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def ew(cast: Cast) -> ExternalWorld:
    return external_world(cast)


# --- the pools ------------------------------------------------------------------------------


def test_pool_list_shows_a_city_only_its_members(cast: Cast) -> None:
    kunming = member(PoolKind.INSPECTOR, name="昆明检查员", affiliation=cast.orgs["city_a"])
    qujing = member(PoolKind.INSPECTOR, name="曲靖检查员", affiliation=cast.orgs["city_b"])
    page = cast.client("province").get(reverse("supervision-pool")).content.decode()
    assert f'id="member-{kunming.pk}"' in page
    assert f'id="member-{qujing.pk}"' in page
    assert 'id="pool-add"' in page
    assert f'id="deactivate-{kunming.pk}"' in page
    city = cast.client("city_a").get(reverse("supervision-pool")).content.decode()
    assert f'id="member-{kunming.pk}"' in city
    assert f'id="member-{qujing.pk}"' not in city
    assert 'id="pool-add"' not in city
    assert f'id="deactivate-{kunming.pk}"' not in city


def test_pool_list_filters_by_pool(cast: Cast) -> None:
    inspector = member(PoolKind.INSPECTOR, name="检查员")
    supervisor = member(PoolKind.EXTERNAL_SUPERVISOR, name="督导员")
    url = f"{reverse('supervision-pool')}?pool={PoolKind.EXTERNAL_SUPERVISOR}"
    page = cast.client("province").get(url).content.decode()
    assert f'id="member-{supervisor.pk}"' in page
    assert f'id="member-{inspector.pk}"' not in page


def test_pool_list_queries_are_pinned(cast: Cast, django_assert_num_queries: Any) -> None:
    for n in range(5):
        member(PoolKind.INSPECTOR, name=f"检查员{n}", affiliation=cast.orgs["city_a"])
    client = cast.client("province")
    url = reverse("supervision-pool")
    client.get(url)
    # session, user, membership, the province, the members' count and their page.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


def test_province_official_adds_an_external_supervisor(cast: Cast) -> None:
    user = new_user(username="new_supervisor")
    response = cast.client("province").post(
        reverse("supervision-pool-add"),
        {
            "pool": PoolKind.EXTERNAL_SUPERVISOR,
            "full_name": "新督导员",
            "affiliation": cast.orgs["centre_a"].pk,
            "username": "new_supervisor",
        },
    )
    assert response.status_code == 302
    added = PoolMember.objects.get()
    assert (added.full_name, added.user, added.affiliation) == (
        "新督导员",
        user,
        cast.orgs["centre_a"],
    )
    assert added.card_number.startswith("R53")
    page = cast.client("province").get(response["Location"]).content.decode()
    assert added.card_number in page


def test_add_with_an_unknown_login_adds_nothing(cast: Cast) -> None:
    response = cast.client("province").post(
        reverse("supervision-pool-add"),
        {"pool": PoolKind.INSPECTOR, "full_name": "某", "username": "nobody_here"},
    )
    assert response.status_code == 200
    assert any("未找到该账号" in m for m in _messages(response))
    assert not PoolMember.objects.exists()


def test_city_official_cannot_add(cast: Cast) -> None:
    response = cast.client("city_a").post(
        reverse("supervision-pool-add"), {"pool": PoolKind.INSPECTOR, "full_name": "某"}
    )
    assert response.status_code == 403
    assert not PoolMember.objects.exists()


def test_deactivate_and_link_over_http(cast: Cast) -> None:
    row = member(PoolKind.INSPECTOR, affiliation=cast.orgs["city_a"])
    new_user(username="inspector_login")
    client = cast.client("province")
    client.post(reverse("supervision-pool-link", args=[row.pk]), {"username": "inspector_login"})
    row.refresh_from_db()
    assert row.user is not None
    assert row.user.username == "inspector_login"
    response = client.post(
        reverse("supervision-pool-link", args=[row.pk]), {"username": "missing"}, follow=True
    )
    assert any("未找到该账号" in m for m in _messages(response))
    response = client.post(
        reverse("supervision-pool-deactivate", args=[row.pk]), {"reason": "退休"}, follow=True
    )
    row.refresh_from_db()
    assert row.is_active is False
    assert any("已出库" in m for m in _messages(response))


def test_deactivate_refusals(cast: Cast) -> None:
    row = member(PoolKind.INSPECTOR, affiliation=cast.orgs["city_a"])
    url = reverse("supervision-pool-deactivate", args=[row.pk])
    before = AuditEvent.objects.count()
    assert cast.client("city_a").post(url).status_code == 403  # reads it, may not act
    assert cast.client("city_b").post(url).status_code == 404  # not in its city
    assert cast.client("institution_a").post(url).status_code == 404
    assert cast.client("anonymous").post(url).status_code == 302
    row.refresh_from_db()
    assert row.is_active
    assert AuditEvent.objects.count() == before


# --- the spot-check list --------------------------------------------------------------------


def test_checklist_page_and_its_forms(cast: Cast) -> None:
    items = pool.checklist_ensure(province=yunnan())
    page = cast.client("province").get(reverse("supervision-checklist")).content.decode()
    assert all(f'id="item-{i.code}"' in page for i in items)
    assert 'id="check-item-form"' in page
    city = cast.client("city_a").get(reverse("supervision-checklist")).content.decode()
    assert f'id="item-{items[0].code}"' in city
    assert 'id="check-item-form"' not in city
    assert f'id="toggle-{items[0].code}"' not in city


def test_checklist_add_and_toggle_over_http(cast: Cast) -> None:
    client = cast.client("province")
    data = {
        "code": "Z01",
        "title": "专项：考评员轮换",
        "basis": "国家职业技能标准 1.9",
        "method": "查阅派遣记录",
        "applies_to": "batch",
    }
    client.post(reverse("supervision-checklist-add"), data)
    item = CheckItem.objects.get(code="Z01")
    response = client.post(reverse("supervision-checklist-add"), data, follow=True)
    assert any("事项编号已存在" in m for m in _messages(response))
    client.post(reverse("supervision-checklist-toggle", args=[item.pk]))
    item.refresh_from_db()
    assert item.is_active is False
    assert cast.client("city_a").post(reverse("supervision-checklist-add"), data).status_code == 403
    toggle = reverse("supervision-checklist-toggle", args=[item.pk])
    assert cast.client("city_a").post(toggle).status_code == 403
    item.refresh_from_db()
    assert item.is_active is False


def test_public_list_shows_only_active_items(cast: Cast) -> None:
    items = pool.checklist_ensure(province=yunnan())
    pool.check_item_toggle(actor=cast.actor("province"), item=items[0])
    page = Client().get(reverse("public-inspection-items")).content.decode()
    assert f'id="public-item-{items[1].pk}"' in page
    assert f'id="public-item-{items[0].pk}"' not in page
    assert items[1].basis in page
    assert "云南省" in page


def test_public_list_when_empty(db: None) -> None:
    page = Client().get(reverse("public-inspection-items")).content.decode()
    assert 'id="no-public-items"' in page


# --- my tasks ---------------------------------------------------------------------------------


def test_tasks_list_shows_the_supervisors_own(ew: ExternalWorld) -> None:
    page = client_for(ew.supervisor).get(reverse("supervision-tasks")).content.decode()
    assert f'id="task-{ew.inspection.pk}"' in page
    assert "填写督导记录" in page
    other = login_actor(ew.cast, "supervisor_idle")
    idle = client_for(other).get(reverse("supervision-tasks")).content.decode()
    assert f'id="task-{ew.inspection.pk}"' not in idle
    assert 'id="no-tasks"' in idle


def test_task_detail_only_for_the_drawn(ew: ExternalWorld) -> None:
    url = reverse("supervision-task-detail", args=[ew.inspection.pk])
    page = client_for(ew.supervisor).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="note-form"' in html
    assert 'id="finish-form"' in html
    other = login_actor(ew.cast, "supervisor_nosy")
    assert client_for(other).get(url).status_code == 404
    assert ew.cast.client("city_a").get(url).status_code == 404


def test_a_supervision_from_arrival_to_finish(ew: ExternalWorld) -> None:
    client = client_for(ew.supervisor)
    detail = reverse("supervision-task-detail", args=[ew.inspection.pk])
    note_url = reverse("supervision-task-note-add", args=[ew.inspection.pk])
    finish_url = reverse("supervision-task-finish", args=[ew.inspection.pk])
    client.post(note_url, {"kind": NoteKind.ARRIVAL, "text": "08:40 到达考场", "session": ""})
    client.post(
        note_url,
        {"kind": NoteKind.CHECK, "text": "实操考场巡查", "session": ew.sibling.pk},
    )
    response = client.post(
        finish_url, {"conclusion": Conclusion.PASSED, "summary": "良好"}, follow=True
    )
    assert any("督导方式" in m for m in _messages(response))
    client.post(
        reverse("supervision-task-mode", args=[ew.inspection.pk]),
        {"mode": SupervisionMode.ONLINE},
    )
    response = client.post(
        finish_url, {"conclusion": Conclusion.PASSED, "summary": "良好"}, follow=True
    )
    assert any("督导意见" in m for m in _messages(response))
    client.post(note_url, {"kind": NoteKind.SUMMARY, "text": "考场秩序良好。"})
    response = client.post(
        finish_url, {"conclusion": Conclusion.PASSED, "summary": "良好"}, follow=True
    )
    assert any("督导已完成" in m for m in _messages(response))
    ew.inspection.refresh_from_db()
    assert (ew.inspection.status, ew.inspection.mode) == (
        InspectionStatus.FINISHED,
        SupervisionMode.ONLINE,
    )
    sessions = list(SupervisionNote.objects.order_by("pk").values_list("session_id", flat=True))
    assert sessions == [ew.session.pk, ew.sibling.pk, ew.session.pk]
    html = client.get(detail).content.decode()
    assert 'id="note-form"' not in html
    assert 'id="task-conclusion"' in html


def test_a_note_for_another_batchs_session_is_rejected_by_the_form(ew: ExternalWorld) -> None:
    stranger = ew.kit.complete(ew.kit.batch()).sessions.first()
    assert stranger is not None
    response = client_for(ew.supervisor).post(
        reverse("supervision-task-note-add", args=[ew.inspection.pk]),
        {"kind": NoteKind.CHECK, "text": "x", "session": stranger.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert _messages(response)
    assert not SupervisionNote.objects.exists()


def test_writes_by_others_are_404(ew: ExternalWorld) -> None:
    note_url = reverse("supervision-task-note-add", args=[ew.inspection.pk])
    for role in ("province", "city_a", "institution_a", "candidate"):
        response = ew.cast.client(role).post(note_url, {"kind": NoteKind.CHECK, "text": "x"})
        assert response.status_code == 404, role
    assert not SupervisionNote.objects.exists()


# --- a session's 考场记录表 -------------------------------------------------------------------


def _write_lines(ew: ExternalWorld) -> None:
    now = timezone.now()
    external.note_add(
        actor=ew.supervisor,
        inspection=ew.inspection,
        kind=NoteKind.CHECK,
        text="第二次巡查",
        at=now - timedelta(minutes=5),
    )
    external.note_add(
        actor=ew.supervisor,
        inspection=ew.inspection,
        kind=NoteKind.ARRIVAL,
        text="到达考场",
        at=now - timedelta(minutes=60),
    )


def test_session_record_in_time_order(ew: ExternalWorld) -> None:
    _write_lines(ew)
    url = reverse("supervision-session-notes", args=[ew.session.pk])
    for client in (client_for(ew.supervisor), ew.cast.client("institution_a")):
        html = client.get(url).content.decode()
        assert html.index("到达考场") < html.index("第二次巡查")
    sibling = client_for(ew.supervisor).get(
        reverse("supervision-session-notes", args=[ew.sibling.pk])
    )
    assert sibling.status_code == 200
    assert 'id="no-notes"' in sibling.content.decode()


def test_session_record_refusals(ew: ExternalWorld) -> None:
    url = reverse("supervision-session-notes", args=[ew.session.pk])
    outsider = login_actor(ew.cast, "supervisor_outsider")
    assert client_for(outsider).get(url).status_code == 404
    assert ew.cast.client("city_b").get(url).status_code == 404
    assert ew.cast.client("education").get(url).status_code == 403


def test_session_record_pdf(ew: ExternalWorld) -> None:
    _write_lines(ew)
    response = client_for(ew.supervisor).get(
        reverse("supervision-session-notes-pdf", args=[ew.session.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")


def test_session_record_queries_are_pinned(
    ew: ExternalWorld, django_assert_num_queries: Any
) -> None:
    _write_lines(ew)
    client = ew.cast.client("city_a")
    url = reverse("supervision-session-notes", args=[ew.session.pk])
    client.get(url)
    # session, user, membership, the scoped session and its lines (one query for all).
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
