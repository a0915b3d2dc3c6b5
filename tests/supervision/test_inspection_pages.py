"""The random-inspection pages over HTTP: who sees what, the forms, the public results."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.core.models import AuditEvent
from skillcert.supervision.choices import (
    Compliance,
    Conclusion,
    InspectionStatus,
    PlanStatus,
)
from skillcert.supervision.models import DrawRecord, Finding, InspectionEvidence, InspectionPlan
from tests.conftest import Cast
from tests.supervision.builders_inspections import (
    KUNMING,
    InspectionWorld,
    client_for,
    inspection_world,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def iw(cast: Cast) -> InspectionWorld:
    return inspection_world(cast)


def _post_plan(client: Client, iw: InspectionWorld, **data: object) -> Any:
    form = {
        "title": "昆明市评价机构抽查",
        "kind": "inspection",
        "target_kind": "institution",
        "target_count": "1",
        "members_per_target": "2",
        "items": [str(i.pk) for i in iw.items],
        **data,
    }
    return client.post(reverse("supervision-plan-create"), form)


def test_a_city_official_creates_and_draws_a_plan(iw: InspectionWorld) -> None:
    client = iw.cast.client("city_a")
    page = client.get(reverse("supervision-plan-create"))
    assert page.status_code == 200
    assert "曲靖" not in page.content.decode()  # only the own city is offered
    response = _post_plan(client, iw, cities=[KUNMING])
    plan = InspectionPlan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision-plan-detail", args=[plan.pk])
    assert plan.target_filters == {"cities": [KUNMING]}

    detail = client.get(response["Location"])
    assert 'id="plan-draw"' in detail.content.decode()
    drawn = client.post(reverse("supervision-plan-draw", args=[plan.pk]), follow=True)
    text = drawn.content.decode()
    record = DrawRecord.objects.get(plan=plan)
    assert "已随机抽取检查对象和检查人员" in text
    assert record.seed in text
    assert record.inputs_sha256 in text
    assert iw.inst_a.organisation.name in text
    assert 'id="plan-draw"' not in text

    again = client.post(reverse("supervision-plan-draw", args=[plan.pk]), follow=True)
    assert "不能重复抽取" in again.content.decode()
    assert DrawRecord.objects.count() == 1


def test_a_refused_plan_comes_back_as_a_message(iw: InspectionWorld) -> None:
    client = iw.cast.client("province")
    response = _post_plan(client, iw, items=[])
    assert response.status_code == 200
    assert "请至少选择一个抽查事项" in response.content.decode()
    assert not InspectionPlan.objects.exists()


def test_other_officials_cannot_draw(iw: InspectionWorld) -> None:
    plan = iw.plan(iw.cast.actor("city_a"))
    before = AuditEvent.objects.count()
    assert (
        iw.cast.client("city_b").post(reverse("supervision-plan-draw", args=[plan.pk])).status_code
        == 404
    )
    assert (
        iw.cast.client("education")
        .post(reverse("supervision-plan-draw", args=[plan.pk]))
        .status_code
        == 403
    )
    assert AuditEvent.objects.count() == before
    assert not DrawRecord.objects.exists()


def test_a_draft_plan_is_edited_through_the_form(iw: InspectionWorld) -> None:
    plan = iw.plan()
    client = iw.cast.client("province")
    page = client.get(reverse("supervision-plan-edit", args=[plan.pk]))
    assert 'value="2025年评价机构双随机抽查"' in page.content.decode()
    response = client.post(
        reverse("supervision-plan-edit", args=[plan.pk]),
        {
            "title": "改名",
            "kind": "inspection",
            "target_kind": "institution",
            "target_count": "3",
            "members_per_target": "1",
            "items": [str(iw.items[1].pk)],
            "occupation_codes": "6-18-01-01, 6-31-01-03",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.target_count) == ("改名", 3)
    assert plan.target_filters == {"occupation_codes": ["6-18-01-01", "6-31-01-03"]}


def test_the_inspector_records_every_item_and_finishes(iw: InspectionWorld) -> None:
    plan = iw.drawn(target_filters={"cities": [KUNMING]}, target_count=1)
    inspection = plan.inspections.get()
    inspector = iw.inspector_of(inspection)
    client = client_for(inspector)
    url = reverse("supervision-inspection-detail", args=[inspection.pk])
    page = client.get(url).content.decode()
    assert all(f'id="finding-{i.code}"' in page for i in iw.items)
    for item in iw.items:
        response = client.post(
            reverse("supervision-inspection-finding", args=[inspection.pk]),
            {
                "item_pk": str(item.pk),
                f"i{item.pk}-item": str(item.pk),
                f"i{item.pk}-outcome": Compliance.FAILS if item == iw.items[0] else "meets",
                f"i{item.pk}-note": "档案缺失" if item == iw.items[0] else "",
            },
        )
        assert response.status_code == 302
    assert Finding.objects.filter(inspection=inspection).count() == 3

    upload = client.post(
        reverse("supervision-inspection-evidence-upload", args=[inspection.pk]),
        {"file": pdf_upload("现场照片.pdf"), "item": str(iw.items[0].pk)},
    )
    assert upload.status_code == 302
    evidence = InspectionEvidence.objects.get()
    assert evidence.finding == Finding.objects.get(item=iw.items[0])
    download = client.get(
        reverse("supervision-inspection-evidence", args=[inspection.pk, evidence.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]

    finished = client.post(
        reverse("supervision-inspection-finish", args=[inspection.pk]),
        {"conclusion": Conclusion.RECTIFY, "summary": "档案管理不规范。"},
        follow=True,
    )
    assert "检查已完成" in finished.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.FINISHED
    assert 'id="finish-form"' not in finished.content.decode()


def test_refused_findings_come_back_as_messages(iw: InspectionWorld) -> None:
    inspection = iw.drawn(target_filters={"cities": [KUNMING]}, target_count=1).inspections.get()
    client = client_for(iw.inspector_of(inspection))
    item = iw.items[0]
    response = client.post(
        reverse("supervision-inspection-finding", args=[inspection.pk]),
        {"item_pk": str(item.pk), f"i{item.pk}-item": str(item.pk), f"i{item.pk}-outcome": "fails"},
        follow=True,
    )
    assert "不符合的事项请填写情况说明" in response.content.decode()
    finish = client.post(
        reverse("supervision-inspection-finish", args=[inspection.pk]),
        {"conclusion": "passed", "summary": "好"},
        follow=True,
    )
    assert "尚有事项未登记检查结果" in finish.content.decode()
    assert not Finding.objects.exists()


def test_people_not_assigned_cannot_record(iw: InspectionWorld) -> None:
    inspection = iw.drawn(target_filters={"cities": [KUNMING]}, target_count=1).inspections.get()
    assigned = {a.member_id for a in inspection.assignments.all()}
    outsider = next(iw.actor_for(m) for m in iw.members if m.pk not in assigned)
    item = iw.items[0]
    data = {
        "item_pk": str(item.pk),
        f"i{item.pk}-item": str(item.pk),
        f"i{item.pk}-outcome": "meets",
    }
    url = reverse("supervision-inspection-finding", args=[inspection.pk])
    assert client_for(outsider).post(url, data).status_code == 404
    assert iw.cast.client("city_a").post(url, data).status_code == 403
    assert iw.cast.client("institution_a").post(url, data).status_code == 404
    assert not Finding.objects.exists()
    # An official reads the inspection without the recording forms.
    page = iw.cast.client("city_a").get(
        reverse("supervision-inspection-detail", args=[inspection.pk])
    )
    assert page.status_code == 200
    assert 'id="finding-JG-01"' not in page.content.decode()


def test_the_institution_sees_its_inspection_only_after_publication(
    iw: InspectionWorld,
) -> None:
    plan = iw.drawn()
    inspection = plan.inspections.get(institution=iw.inst_a)
    url = reverse("supervision-inspection-detail", args=[inspection.pk])
    staff = iw.cast.client("institution_a")
    assert staff.get(url).status_code == 404
    assert "no-inspections" in staff.get(reverse("supervision-inspection-list")).content.decode()
    for each in plan.inspections.all():
        iw.record_all(each)
        iw.finish(each)
    client = iw.cast.client("province")
    published = client.post(reverse("supervision-plan-publish", args=[plan.pk]), follow=True)
    assert "抽查结果已向社会公开" in published.content.decode()
    page = staff.get(url)
    assert page.status_code == 200
    assert 'id="evidence"' not in page.content.decode()
    assert iw.cast.client("institution_b").get(url).status_code == 404


def test_the_public_page_shows_results_without_people(iw: InspectionWorld) -> None:
    plan = iw.drawn()
    first, second = plan.inspections.order_by("pk")
    iw.record_all(first, Compliance.FAILS, "未公示收费标准")
    iw.finish(first, Conclusion.RECTIFY, "责令限期整改。")
    iw.record_all(second)
    iw.finish(second)
    public = Client()
    detail_url = reverse("public-inspection-detail", args=[plan.pk])
    assert public.get(detail_url).status_code == 404
    assert "no-public-plans" in public.get(reverse("public-inspections")).content.decode()
    from skillcert.supervision.inspections import plan_publish

    plan_publish(actor=iw.province, plan=plan)
    listing = public.get(reverse("public-inspections")).content.decode()
    assert plan.title in listing
    text = public.get(detail_url).content.decode()
    assert first.institution.organisation.name in text
    assert second.institution.organisation.name in text
    assert "未公示收费标准" in text
    assert "发现问题，责令限期整改" in text
    assert "未发现问题" in text
    for member in iw.members:
        assert member.full_name not in text
    assert "evidence" not in text


def test_the_plan_list_query_count_is_pinned(
    iw: InspectionWorld, django_assert_max_num_queries: object
) -> None:
    for _n in range(3):
        iw.plan()
    client = iw.cast.client("province")
    client.get(reverse("supervision-plan-list"))  # warm the session and membership caches
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(reverse("supervision-plan-list"))
    assert response.content.decode().count('<tr id="plan-') == 3


def test_the_public_list_query_count_is_pinned(
    iw: InspectionWorld, django_assert_max_num_queries: object
) -> None:
    for _n in range(3):
        plan = iw.published(target_count=1, members_per_target=1)
        assert plan.status == PlanStatus.PUBLISHED
        from skillcert.supervision.policies import policy_for

        policy = policy_for("530000")
        policy.inspection_exclusion_days = 0
        policy.save()
    client = Client()
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(reverse("public-inspections"))
    assert response.content.decode().count('id="public-plan-') == 3
