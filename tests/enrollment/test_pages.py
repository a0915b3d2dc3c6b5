"""The enrollment pages for candidates, institution staff and officials."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus, EvidenceKind
from skillcert.enrollment.models import (
    Application,
    EducationRecord,
    Evidence,
    HeldCertificate,
    Person,
    SpotCheck,
    SpotCheckDraw,
    StudentRegistryRecord,
    StudentStatus,
    WorkRecord,
)
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import persons, spotchecks
from skillcert.enrollment.services.registry import COLUMNS
from tests.enrollment.conftest import Enrol, make_batch, new_candidate, pdf, years_ago
from tests.enrollment.test_registry import row, upload, xlsx
from tests.factories import resident_id


def client_for(enrol: Enrol, role: str) -> Client:
    return enrol.cast.client(role)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---------------------------------------------------------------- candidates


def test_the_candidate_applies_uploads_signs_and_submits(enrol: Enrol) -> None:
    client = client_for(enrol, "candidate")
    home = client.get(reverse("enrollment-home"))
    assert home.status_code == 200
    assert f'id="apply-{enrol.batch.pk}"' in home.content.decode()

    page = client.get(reverse("application-apply", args=[enrol.batch.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("application-apply", args=[enrol.batch.pk]),
        {"employer": "昆明机床厂", "current_job": "车工", "work_years": "7", "declared_route": "1"},
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("application-detail", args=[application.pk])
    person = application.person
    persons.work_record_add(
        actor=enrol.candidate,
        person=person,
        employer="厂",
        job_title="车工",
        started_on=years_ago(7),
    )

    detail_url = reverse("application-detail", args=[application.pk])
    upload_url = reverse("application-evidence-upload", args=[application.pk])
    client.post(upload_url, {"kind": EvidenceKind.WORK_PROOF, "file": pdf("证明.pdf")})
    assert Evidence.objects.filter(application=application).count() == 1

    page = client.get(detail_url).content.decode()
    assert flow.PLEDGE_TEXT in page
    assert person.id_number.plain not in page
    assert str(person.id_number) in page

    client.post(
        reverse("application-pledge", args=[application.pk]),
        {"agree": "on", "pledge_sha256": flow.pledge_sha256()},
        REMOTE_ADDR="198.51.100.9",
    )
    client.post(reverse("application-submit", args=[application.pk]))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.pledge_client_address == "198.51.100.9"
    assert application.eligible
    page = client.get(detail_url).content.decode()
    assert 'id="eligible-flag"' in page
    assert "符合申报条件" in page


def test_a_stale_pledge_page_signs_nothing(enrol: Enrol) -> None:
    application = enrol.draft()
    client = client_for(enrol, "candidate")
    response = client.post(
        reverse("application-pledge", args=[application.pk]),
        {"agree": "on", "pledge_sha256": "0" * 64},
        follow=True,
    )
    assert "承诺书内容已更新，请刷新页面后阅读并重新签署。" in messages_of(response)
    application.refresh_from_db()
    assert application.pledge_signed_at is None


def test_staff_cannot_sign_for_the_candidate(enrol: Enrol) -> None:
    application = enrol.draft()
    page = client_for(enrol, "institution_a").get(
        reverse("application-detail", args=[application.pk])
    )
    assert 'id="pledge-form"' not in page.content.decode()
    response = client_for(enrol, "institution_a").post(
        reverse("application-pledge", args=[application.pk]),
        {"agree": "on", "pledge_sha256": flow.pledge_sha256()},
        follow=True,
    )
    assert "真实性承诺只能由参评人员本人签署。" in messages_of(response)


def test_my_records_page_starts_and_adds_every_kind(enrol: Enrol) -> None:
    client = client_for(enrol, "candidate")
    start = client.get(reverse("my-records"))
    assert 'id="person-create"' in start.content.decode()
    response = client.post(reverse("my-person-create"))
    person = Person.objects.get()
    assert response["Location"] == reverse("person-records", args=[person.pk])
    assert client.get(reverse("my-records"))["Location"] == reverse(
        "person-records", args=[person.pk]
    )
    posts = {
        "education": {
            "school": "昆明技工学校",
            "school_type": SchoolType.TECHNICAL_SCHOOL,
            "education_level": EducationLevel.SECONDARY,
            "major": "数控车工",
            "related_major": "on",
            "graduated_on": "2022-06-30",
        },
        "student": {
            "school": "昆明技师学院",
            "school_type": SchoolType.TECHNICIAN_COLLEGE,
            "major": "数控加工",
            "enrollment_year": "2023",
            "graduation_year": "2026",
            "state": "enrolled",
        },
        "work": {
            "employer": "机床厂",
            "job_title": "车工",
            "started_on": "2020-01-01",
            "related": "on",
        },
        "certificate": {
            "occupation": enrol.world.lathe.code,
            "work_type": enrol.world.cnc.name,
            "level": "5",
            "number": "C0001",
            "issued_on": "2021-01-01",
            "issuer": "鉴定中心",
        },
    }
    for kind, data in posts.items():
        client.post(reverse("person-record-add", args=[person.pk, kind]), data)
    assert EducationRecord.objects.get().related_major
    assert StudentStatus.objects.get().graduation_year == 2026
    assert WorkRecord.objects.get().related
    assert HeldCertificate.objects.get().work_type == enrol.world.cnc
    page = client.get(reverse("person-records", args=[person.pk])).content.decode()
    assert "昆明技师学院" in page
    work = WorkRecord.objects.get()
    client.post(reverse("person-record-remove", args=[person.pk, "work", work.pk]))
    assert not WorkRecord.objects.exists()


def test_a_bad_occupation_code_is_reported(enrol: Enrol) -> None:
    person = enrol.person()
    response = client_for(enrol, "candidate").post(
        reverse("person-record-add", args=[person.pk, "certificate"]),
        {
            "occupation": "9-99-99-99",
            "level": "5",
            "number": "C1",
            "issued_on": "2021-01-01",
            "issuer": "中心",
        },
        follow=True,
    )
    assert "职业编码：未找到该职业编码。" in messages_of(response)
    assert not HeldCertificate.objects.exists()


# ---------------------------------------------------------------- evidence download


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("candidate", 200),
        ("institution_a", 200),
        ("city_a", 200),
        ("province", 200),
        ("education", 403),
        ("institution_b", 404),
        ("city_b", 404),
        ("examiner", 404),
    ],
)
def test_evidence_download(enrol: Enrol, role: str, status: int) -> None:
    application = enrol.draft()
    evidence = flow.evidence_upload(
        actor=enrol.candidate, application=application, kind="diploma", uploaded_file=pdf()
    )
    url = reverse("application-evidence-download", args=[application.pk, evidence.pk])
    response = client_for(enrol, role).get(url)
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


# ---------------------------------------------------------------- institution staff


def test_staff_filter_and_bulk_approve(enrol: Enrol) -> None:
    eligible = [enrol.submitted(new_candidate()) for _ in range(2)]
    ineligible = enrol.submitted(new_candidate(), years=2)
    client = client_for(enrol, "institution_a")
    url = reverse("batch-applications", args=[enrol.batch.pk])
    page = client.get(url, {"status": "submitted", "eligible": "yes"}).content.decode()
    for a in eligible:
        assert f'data-application="{a.pk}"' in page
    assert f'data-application="{ineligible.pk}"' not in page

    response = client.post(
        reverse("batch-review-bulk", args=[enrol.batch.pk]),
        {
            "ids": [a.pk for a in [*eligible, ineligible]],
            "decision": "approve",
            "note": "",
            "next": f"{url}?status=submitted",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{url}?status=submitted"
    assert (
        f"#{ineligible.pk}：系统核验未找到符合的申报条件，审核通过时须填写审核意见说明理由。"
        in (messages_of(response))
    )
    assert not Application.objects.filter(status=ApplicationStatus.APPROVED).exists()

    client.post(
        reverse("batch-review-bulk", args=[enrol.batch.pk]),
        {"ids": [a.pk for a in eligible], "decision": "approve", "note": ""},
    )
    assert Application.objects.filter(status=ApplicationStatus.APPROVED).count() == 2


def test_bulk_ids_outside_the_actor_scope_are_invalid(enrol: Enrol) -> None:
    other = enrol.submitted(new_candidate(), batch=enrol.batch_b)
    response = client_for(enrol, "institution_a").post(
        reverse("batch-review-bulk", args=[enrol.batch.pk]),
        {"ids": [other.pk], "decision": "approve"},
        follow=True,
    )
    assert any(m.startswith("申请：") for m in messages_of(response))
    other.refresh_from_db()
    assert other.status == ApplicationStatus.SUBMITTED


def test_staff_review_one_and_register_on_behalf(enrol: Enrol) -> None:
    application = enrol.submitted()
    client = client_for(enrol, "institution_a")
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert 'id="review-form"' in page
    client.post(
        reverse("application-review", args=[application.pk]),
        {"decision": "more_info", "note": "请补充身份证"},
    )
    application.refresh_from_db()
    assert (application.status, application.review_note) == ("more_info", "请补充身份证")

    number = resident_id(area="530103", serial=77)
    response = client.post(
        reverse("batch-application-create", args=[enrol.batch.pk]),
        {
            "full_name": "赵六",
            "id_type": "resident",
            "id_number": number,
            "phone": "",
            "employer": "",
            "current_job": "",
            "work_years": "0",
            "declared_route": "",
        },
    )
    made = Application.objects.get(person__full_name="赵六")
    assert response["Location"] == reverse("application-detail", args=[made.pk])


def test_staff_verify_a_diploma_from_the_records_page(enrol: Enrol) -> None:
    application = enrol.draft()
    record = persons.education_add(
        actor=enrol.candidate,
        person=application.person,
        school="昆明技工学校",
        school_type=SchoolType.TECHNICAL_SCHOOL,
        education_level=EducationLevel.SECONDARY,
        major="数控车工",
        graduated_on=years_ago(0, 1),
    )
    Application.objects.filter(pk=application.pk).update(diploma_pending=True)
    client = client_for(enrol, "institution_a")
    page = client.get(reverse("person-records", args=[application.person_id]))
    assert f'id="verify-{record.pk}"' in page.content.decode()
    client.post(reverse("person-diploma-verify", args=[application.person_id, record.pk]))
    application.refresh_from_db()
    assert not application.diploma_pending


# ---------------------------------------------------------------- officials


def test_city_official_draws_and_records_spot_checks(enrol: Enrol) -> None:
    for _ in range(3):
        enrol.submitted(new_candidate())
    client = client_for(enrol, "city_a")
    client.post(reverse("batch-spot-check-draw", args=[enrol.batch.pk]), {"share_percent": "50"})
    draw = SpotCheckDraw.objects.get()
    assert len(draw.selected) == 2
    page = client.get(reverse("batch-spot-checks", args=[enrol.batch.pk])).content.decode()
    assert draw.seed in page
    assert "复算结果一致" in page
    check = SpotCheck.objects.filter(draw=draw).first()
    assert check is not None
    client.post(
        reverse("spot-check-record", args=[check.pk]), {"result": "problem", "note": "户籍不符"}
    )
    check.refresh_from_db()
    assert (check.result, check.note) == ("problem", "户籍不符")


def test_spot_check_pages_are_for_the_authority(enrol: Enrol) -> None:
    enrol.submitted()
    draw = spotchecks.spot_check_draw(actor=enrol.cast.actor("city_a"), batch=enrol.batch)
    check = SpotCheck.objects.get(draw=draw)
    for role in ("institution_a", "city_b"):
        client_for(enrol, role).post(
            reverse("spot-check-record", args=[check.pk]), {"result": "confirmed"}
        )
    check.refresh_from_db()
    assert check.result == "pending"


def test_registry_import_page(enrol: Enrol) -> None:
    client = client_for(enrol, "education")
    page = client.get(reverse("registry-imports")).content.decode()
    assert 'id="registry-form"' in page
    bad = client.post(
        reverse("registry-import"), {"file": upload(xlsx([row(), row(学籍状态="?")]))}
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert 'id="registry-errors"' in text
    assert "应为在读、已毕业、休学或退学。" in text
    assert not StudentRegistryRecord.objects.exists()
    good = client.post(reverse("registry-import"), {"file": upload(xlsx([row()]))})
    assert good.status_code == 302
    assert StudentRegistryRecord.objects.count() == 1
    template = client.get(reverse("registry-template"))
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in sheet[1]] == list(COLUMNS)


def test_registry_import_refused_for_hr_officials(enrol: Enrol) -> None:
    client = client_for(enrol, "province")
    assert 'id="registry-form"' not in client.get(reverse("registry-imports")).content.decode()
    response = client.post(reverse("registry-import"), {"file": upload(xlsx([row()]))})
    assert "只有教育部门的工作人员可以导入学籍数据。" in messages_of(response)
    assert not StudentRegistryRecord.objects.exists()


def test_cross_check_page_and_export(enrol: Enrol) -> None:
    enrol.submitted()
    client = client_for(enrol, "city_a")
    page = client.get(reverse("batch-cross-check", args=[enrol.batch.pk])).content.decode()
    assert 'data-findings="no_status"' in page
    export = client.get(reverse("batch-cross-check-export", args=[enrol.batch.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


# ---------------------------------------------------------------- audit of pages


def test_refused_page_writes_change_nothing(enrol: Enrol) -> None:
    application = enrol.submitted()
    before = AuditEvent.objects.count()
    client_for(enrol, "institution_b").post(
        reverse("application-review", args=[application.pk]), {"decision": "approve"}
    )
    client_for(enrol, "city_a").post(
        reverse("application-review", args=[application.pk]), {"decision": "approve"}
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert AuditEvent.objects.count() == before


# ---------------------------------------------------------------- pinned query counts


def _many(enrol: Enrol, n: int) -> None:
    for _ in range(n):
        enrol.submitted(new_candidate())


# session + user + memberships (actor) + page queries
@pytest.mark.parametrize("extra", [1, 12])
def test_batch_applications_queries(
    enrol: Enrol, django_assert_num_queries: Any, extra: int
) -> None:
    _many(enrol, extra)
    client = client_for(enrol, "institution_a")
    url = reverse("batch-applications", args=[enrol.batch.pk])
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("extra", [0, 8])
def test_staff_home_queries(enrol: Enrol, django_assert_num_queries: Any, extra: int) -> None:
    for _ in range(extra):
        make_batch(enrol.world.inst_a, enrol.world.lathe_std)
    client = client_for(enrol, "institution_a")
    with django_assert_num_queries(5):
        assert client.get(reverse("enrollment-home")).status_code == 200


@pytest.mark.parametrize("extra", [0, 8])
def test_candidate_home_queries(enrol: Enrol, django_assert_num_queries: Any, extra: int) -> None:
    enrol.draft()
    for _ in range(extra):
        make_batch(enrol.world.inst_b, enrol.world.lathe_std)
    client = client_for(enrol, "candidate")
    with django_assert_num_queries(6):
        assert client.get(reverse("enrollment-home")).status_code == 200


@pytest.mark.parametrize("extra", [1, 12])
def test_api_applications_queries(enrol: Enrol, django_assert_num_queries: Any, extra: int) -> None:
    _many(enrol, extra)
    client = client_for(enrol, "institution_a")
    with django_assert_num_queries(4):
        assert client.get("/api/v1/applications").status_code == 200


@pytest.mark.parametrize("extra", [1, 6])
def test_cross_check_queries(enrol: Enrol, django_assert_num_queries: Any, extra: int) -> None:
    _many(enrol, extra)
    client = client_for(enrol, "city_a")
    url = reverse("batch-cross-check", args=[enrol.batch.pk])
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("draws", [1, 3])
def test_spot_checks_page_queries(enrol: Enrol, django_assert_num_queries: Any, draws: int) -> None:
    _many(enrol, 4)
    for _ in range(draws):
        spotchecks.spot_check_draw(actor=enrol.cast.actor("city_a"), batch=enrol.batch)
    client = client_for(enrol, "city_a")
    url = reverse("batch-spot-checks", args=[enrol.batch.pk])
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("imports", [1, 4])
def test_registry_page_queries(enrol: Enrol, django_assert_num_queries: Any, imports: int) -> None:
    for _ in range(imports):
        client_for(enrol, "education").post(
            reverse("registry-import"), {"file": upload(xlsx([row()]))}
        )
    client = client_for(enrol, "education")
    with django_assert_num_queries(4):
        assert client.get(reverse("registry-imports")).status_code == 200
