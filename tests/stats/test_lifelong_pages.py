"""Pages of the skill record and training: 我的技能档案, 技能档案查询 and the person's record,
培训记录 with its forms; scoping refusals and query counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skillcert.core.choices import IdType
from skillcert.core.models import AuditEvent
from skillcert.stats.choices import TrainingOutcome
from skillcert.stats.models import TrainingRecord
from tests.certificates.matrix_pages import keys_for_test
from tests.conftest import Cast
from tests.stats.builders_lifelong import (
    COURSE_A,
    COURSE_B,
    COURSE_OTHER,
    LifelongWorld,
    add_course,
    build_lifelong,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def lw(cast: Cast) -> LifelongWorld:
    return build_lifelong(cast)


def _record_url(lw: LifelongWorld, other: bool = False) -> str:
    return reverse("stats-person-record", kwargs={"pk": (lw.other if other else lw.person).pk})


# --- 我的技能档案 --------------------------------------------------------------------------


def test_my_record_lists_certificates_results_and_training(lw: LifelongWorld) -> None:
    response = lw.cast.client("candidate").get(reverse("stats-my-record"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = response.content.decode()
    c = lw.certificate
    assert c.number in html
    assert reverse("certificates-pdf", kwargs={"pk": c.pk, "version": 1}) in html
    assert reverse("certificates-credential", kwargs={"pk": c.pk, "version": 1}) in html
    assert f"/v/{c.number}/" in html
    assert f'id="result-{lw.result.pk}"' in html
    assert COURSE_A in html
    assert COURSE_B in html
    assert lw.held.number in html
    assert COURSE_OTHER not in html
    assert lw.other.full_name not in html
    assert lw.person.id_number.plain not in html
    assert lw.person.id_number.masked in html
    assert reverse("stats-my-record-bundle") in html


def test_my_record_without_a_person(cast: Cast) -> None:
    response = cast.client("candidate").get(reverse("stats-my-record"))
    assert response.status_code == 200
    assert 'id="no-record"' in response.content.decode()


@pytest.mark.parametrize("role", ["province", "city_a", "institution_a", "education"])
def test_my_record_is_for_people_acting_for_themselves(lw: LifelongWorld, role: str) -> None:
    assert lw.cast.client(role).get(reverse("stats-my-record")).status_code == 403


def test_my_record_needs_a_login(cast: Cast) -> None:
    response = cast.client("anonymous").get(reverse("stats-my-record"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_record_query_count_is_pinned(
    lw: LifelongWorld, django_assert_max_num_queries: Any
) -> None:
    client = lw.cast.client("candidate")
    client.get(reverse("stats-my-record"))  # warm caches (session, policy)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("stats-my-record"))
    add_course(lw.cast.actor("institution_a"), lw.person, "第二门培训")
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("stats-my-record"))
    assert len(second) == len(first)
    with django_assert_max_num_queries(25):
        client.get(reverse("stats-my-record"))


# --- 技能档案查询 --------------------------------------------------------------------------


def _lookup(lw: LifelongWorld, role: str, name: str, number: str) -> Any:
    return lw.cast.client(role).post(
        reverse("stats-record-lookup"),
        {"full_name": name, "id_type": IdType.RESIDENT, "id_number": number},
    )


def test_a_lookup_leads_to_the_record_without_the_number_in_the_url(lw: LifelongWorld) -> None:
    number = lw.person.id_number.plain
    response = _lookup(lw, "city_a", lw.person.full_name, number)
    assert response.status_code == 302
    assert response["Location"] == _record_url(lw)
    assert number not in response["Location"]
    assert AuditEvent.objects.filter(action="stats.skill_record_lookup").count() == 1
    page = lw.cast.client("city_a").get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert lw.certificate.number in html
    assert COURSE_A in html
    assert COURSE_B not in html  # institution B's course is city B's
    assert number not in html


def test_a_wrong_pair_gets_one_neutral_answer(lw: LifelongWorld) -> None:
    number = lw.person.id_number.plain
    wrong_name = _lookup(lw, "city_a", "某某某", number)
    wrong_number = _lookup(lw, "city_a", lw.person.full_name, lw.other.id_number.plain)
    assert wrong_name.status_code == wrong_number.status_code == 404
    for response in (wrong_name, wrong_number):
        html = response.content.decode()
        assert "未查询到该人员的技能档案，请核对姓名和证件号码。" in html
        assert number not in html
        assert lw.other.id_number.plain not in html
    assert AuditEvent.objects.filter(action="stats.skill_record_lookup").count() == 2


@pytest.mark.parametrize("role", ["candidate", "examiner", "education"])
def test_the_lookup_is_refused_to_others(lw: LifelongWorld, role: str) -> None:
    events = AuditEvent.objects.count()
    response = _lookup(lw, role, lw.person.full_name, lw.person.id_number.plain)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == events


def test_the_record_page_rechecks_the_scope(lw: LifelongWorld) -> None:
    url = _record_url(lw, other=True)
    statuses = {
        role: lw.cast.client(role).get(url).status_code
        for role in ("province", "city_a", "institution_a", "city_b", "institution_b")
    }
    assert statuses == {
        "province": 200,
        "city_a": 200,
        "institution_a": 200,
        "city_b": 404,
        "institution_b": 404,
    }
    # City B reaches the candidate through institution B's course, and sees only that.
    html = lw.cast.client("city_b").get(_record_url(lw)).content.decode()
    assert COURSE_B in html
    assert COURSE_A not in html
    assert lw.certificate.number not in html


# --- 培训记录 ------------------------------------------------------------------------------


def test_the_training_list_is_scoped(lw: LifelongWorld) -> None:
    html_a = lw.cast.client("institution_a").get(reverse("stats-training")).content.decode()
    assert f'id="training-{lw.training_a.pk}"' in html_a
    assert f'id="training-{lw.other_training.pk}"' in html_a
    assert f'id="training-{lw.training_b.pk}"' not in html_a
    assert reverse("stats-training-new") in html_a
    html_b = lw.cast.client("city_b").get(reverse("stats-training")).content.decode()
    assert f'id="training-{lw.training_b.pk}"' in html_b
    assert f'id="training-{lw.training_a.pk}"' not in html_b
    assert reverse("stats-training-new") not in html_b


@pytest.mark.parametrize("role", ["candidate", "examiner", "education"])
def test_the_training_list_is_refused_to_others(lw: LifelongWorld, role: str) -> None:
    assert lw.cast.client(role).get(reverse("stats-training")).status_code == 403


def test_the_training_list_query_count_is_pinned(lw: LifelongWorld) -> None:
    client = lw.cast.client("province")
    client.get(reverse("stats-training"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("stats-training"))
    for n in range(3):
        add_course(lw.cast.actor("institution_a"), lw.other, f"加开培训{n}")
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("stats-training"))
    assert len(second) == len(first)


def _form(lw: LifelongWorld, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": lw.person.full_name,
        "id_type": IdType.RESIDENT,
        "id_number": lw.person.id_number.plain,
        "course": "焊工入门培训",
        "occupation_code": "",
        "level": "",
        "hours": "24",
        "started_on": "2024-09-01",
        "ended_on": "2024-09-30",
        "outcome": TrainingOutcome.COMPLETED,
        "certificate_number": "",
    }
    data.update(overrides)
    return data


def test_the_institution_records_a_course(lw: LifelongWorld) -> None:
    client = lw.cast.client("institution_a")
    assert client.get(reverse("stats-training-new")).status_code == 200
    code = lw.ck.batch.occupation.code
    response = client.post(
        reverse("stats-training-new"), _form(lw, occupation_code=code, level="5")
    )
    assert response.status_code == 302
    record = TrainingRecord.objects.get(course="焊工入门培训")
    assert (record.person, record.occupation, record.level) == (
        lw.person,
        lw.ck.batch.occupation,
        5,
    )


def test_a_mismatched_name_is_shown_and_nothing_is_written(lw: LifelongWorld) -> None:
    events = AuditEvent.objects.count()
    response = lw.cast.client("institution_a").post(
        reverse("stats-training-new"), _form(lw, name="张冠李戴")
    )
    assert response.status_code == 400
    assert "姓名与登记信息不一致" in response.content.decode()
    assert not TrainingRecord.objects.filter(course="焊工入门培训").exists()
    assert AuditEvent.objects.count() == events


def test_an_unknown_occupation_code_is_a_form_error(lw: LifelongWorld) -> None:
    response = lw.cast.client("institution_a").post(
        reverse("stats-training-new"), _form(lw, occupation_code="9-99-99-99")
    )
    assert response.status_code == 400
    assert "未找到该职业编码" in response.content.decode()


@pytest.mark.parametrize("role", ["city_a", "candidate", "education"])
def test_only_staff_open_the_training_form(lw: LifelongWorld, role: str) -> None:
    assert lw.cast.client(role).post(reverse("stats-training-new"), _form(lw)).status_code == 403
    assert not TrainingRecord.objects.filter(course="焊工入门培训").exists()


def test_the_outcome_page(lw: LifelongWorld) -> None:
    url = reverse("stats-training-outcome", kwargs={"pk": lw.training_b.pk})
    assert lw.cast.client("institution_a").get(url).status_code == 404
    assert lw.cast.client("city_b").get(url).status_code == 403
    client = lw.cast.client("institution_b")
    assert client.get(url).status_code == 200
    response = client.post(url, {"outcome": TrainingOutcome.WITHDRAWN, "ended_on": "2024-06-20"})
    assert response.status_code == 302
    lw.training_b.refresh_from_db()
    assert lw.training_b.outcome == TrainingOutcome.WITHDRAWN
    refused = client.post(url, {"outcome": TrainingOutcome.COMPLETED, "ended_on": ""})
    assert refused.status_code == 400
    assert "请填写结束日期" in refused.content.decode()
