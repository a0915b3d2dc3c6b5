"""The violation-case pages over HTTP: the access matrix, opening and deciding through the
forms, the person's page with the appeal, integrity records; refusals by role and scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from skillcert.batches.choices import Component
from skillcert.core.models import AuditEvent
from skillcert.results.models import Result
from skillcert.supervision import cases
from skillcert.supervision.choices import AppealStatus, CaseGrade, CaseStatus, EffectKind
from skillcert.supervision.models import Appeal, CaseEffect, ViolationCase
from tests.conftest import Cast
from tests.supervision.builders_cases import FACTS, approved_results, candidate_case
from tests.supervision.matrix_cases import case_world

pytestmark = pytest.mark.django_db


def test_an_official_opens_and_decides_through_the_pages(cast: Cast) -> None:
    ck = approved_results(cast)
    application = ck.passed[1]
    client = cast.client("city_a")
    url = reverse("supervision-case-open")
    prefilled = client.get(url, {"application": application.pk})
    assert prefilled.status_code == 200
    assert application.admission_number
    assert application.admission_number in prefilled.content.decode()
    response = client.post(
        url,
        {
            "subject_kind": "candidate",
            "institution": ck.batch.institution_id,
            "admission_number": application.admission_number,
            "grade": CaseGrade.CHEATING,
            "component": Component.THEORY,
            "source": "supervision",
            "facts": FACTS,
            "basis": "",
        },
    )
    case = ViolationCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision-case-detail", kwargs={"pk": case.pk})
    page = client.get(response["Location"]).content.decode()
    assert case.number in page
    assert 'id="case-decide-form"' in page
    person = application.person
    assert person.id_number.masked in page
    assert person.id_number.plain not in page

    decided = client.post(
        reverse("supervision-case-decide", kwargs={"pk": case.pk}), {"decision": "该科目成绩无效"}
    )
    assert decided.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    page = client.get(reverse("supervision-case-detail", kwargs={"pk": case.pk})).content.decode()
    assert 'data-kind="subject_void"' in page
    # The subject by its name, in the case line and the effect (not its code).
    assert "所涉科目：理论知识考试" in page
    assert "理论知识考试成绩无效" in page
    assert reverse("application-detail", kwargs={"pk": application.pk}) in page
    assert 'id="case-decide-form"' not in page
    # The list shows it; city B's list does not.
    assert case.number in client.get(reverse("supervision-case-list")).content.decode()
    other = cast.client("city_b").get(reverse("supervision-case-list")).content.decode()
    assert case.number not in other


def test_an_unknown_admission_number_opens_nothing(cast: Cast) -> None:
    ck = approved_results(cast)
    response = cast.client("city_a").post(
        reverse("supervision-case-open"),
        {
            "subject_kind": "candidate",
            "institution": ck.batch.institution_id,
            "admission_number": "NOPE",
            "grade": CaseGrade.SERIOUS,
            "source": "other",
            "facts": FACTS,
        },
    )
    assert response.status_code == 200
    assert "未找到该准考证号的考生" in response.content.decode()
    assert not ViolationCase.objects.exists()


def test_staff_and_other_cities_cannot_decide(cast: Cast) -> None:
    ck = approved_results(cast)
    case = candidate_case(cast.actor("institution_a"), ck.passed[0], CaseGrade.SERIOUS)
    url = reverse("supervision-case-decide", kwargs={"pk": case.pk})
    staff_page = cast.client("institution_a").get(
        reverse("supervision-case-detail", kwargs={"pk": case.pk})
    )
    assert staff_page.status_code == 200
    assert 'id="case-decide-form"' not in staff_page.content.decode()
    before = AuditEvent.objects.count()
    assert cast.client("institution_a").post(url, {"decision": "x"}).status_code == 403
    assert cast.client("city_b").post(url, {"decision": "x"}).status_code == 404
    # In scope but not theirs to decide: the province's education officials and the
    # candidate the case is about.
    assert cast.client("education").post(url, {"decision": "x"}).status_code == 403
    assert cast.client("candidate").post(url, {"decision": "x"}).status_code == 403
    assert cast.client("anonymous").post(url, {"decision": "x"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert AuditEvent.objects.count() == before
    assert not Result.objects.filter(application=ck.passed[0]).exclude(void_grade="").exists()


def test_the_candidate_appeals_from_their_page_and_the_official_upholds(cast: Cast) -> None:
    world = case_world(cast)  # decided and already appealed
    case = ViolationCase.objects.get(pk=world["case"])
    candidate = cast.client("candidate")
    mine = candidate.get(reverse("supervision-my-cases")).content.decode()
    assert case.number in mine
    assert f'id="appeal-form-{case.pk}"' not in mine  # one appeal is open
    assert "已认定无效的成绩和已撤销的证书不自动恢复" in mine
    # Another signed-in person sees nothing of it.
    assert (
        case.number
        not in cast.client("examiner").get(reverse("supervision-my-cases")).content.decode()
    )

    appeal = Appeal.objects.get(pk=world["appeal"])
    url = reverse("supervision-case-appeal-decide", kwargs={"pk": appeal.pk})
    assert cast.client("institution_a").post(url, {"upheld": "1", "note": "x"}).status_code == 403
    assert cast.client("city_b").post(url, {"upheld": "1", "note": "x"}).status_code == 404
    response = cast.client("city_a").post(url, {"upheld": "1", "note": "证据不足"})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert not CaseEffect.objects.filter(case=case, kind=EffectKind.BARRED, lifted_at=None).exists()
    person_page = cast.client("city_a").get(
        reverse("supervision-integrity-person", kwargs={"pk": world["person"]})
    )
    assert "当前无禁考记录" in person_page.content.decode()


def test_the_candidate_files_an_appeal_over_http(cast: Cast) -> None:
    ck = approved_results(cast)
    official = cast.actor("city_a")
    mine = candidate_case(official, ck.passed[0], CaseGrade.SERIOUS)
    cases.case_decide(actor=official, case=mine, decision="全部无效")
    theirs = candidate_case(official, ck.passed[1], CaseGrade.SERIOUS)
    cases.case_decide(actor=official, case=theirs, decision="全部无效")
    client = cast.client("candidate")
    page = client.get(reverse("supervision-my-cases")).content.decode()
    assert f'id="appeal-form-{mine.pk}"' in page
    assert theirs.number not in page
    # Someone else's case: not theirs to see.
    other = client.post(
        reverse("supervision-case-appeal", kwargs={"pk": theirs.pk}), {"grounds": "x"}
    )
    assert other.status_code == 404
    assert not Appeal.objects.filter(case=theirs).exists()
    response = client.post(
        reverse("supervision-case-appeal", kwargs={"pk": mine.pk}), {"grounds": "监控可证明"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision-my-cases")
    mine.refresh_from_db()
    assert mine.status == CaseStatus.APPEALED


def test_integrity_pages_show_the_records_and_the_bar(cast: Cast) -> None:
    world = case_world(cast)
    case = ViolationCase.objects.get(pk=world["case"])
    client = cast.client("province")
    person = client.get(reverse("supervision-integrity-person", kwargs={"pk": world["person"]}))
    text = person.content.decode()
    assert case.ban_until is not None
    assert case.ban_until.isoformat() in text
    assert 'data-kind="barred"' in text
    assert case.person is not None
    assert case.person.id_number.plain not in text
    institution = client.get(
        reverse("supervision-integrity-institution", kwargs={"pk": world["institution"]})
    ).content.decode()
    assert 'data-kind="result_void"' in institution
    assert case.number in institution


def test_effects_link_to_the_integrity_record_for_officials_only(cast: Cast) -> None:
    world = case_world(cast)
    detail = reverse("supervision-case-detail", kwargs={"pk": world["case"]})
    integrity = reverse("supervision-integrity-person", kwargs={"pk": world["person"]})
    official = cast.client("city_a").get(detail).content.decode()
    assert 'data-kind="barred"' in official
    assert integrity in official
    staff = cast.client("institution_a").get(detail).content.decode()
    assert 'data-kind="barred"' in staff
    assert integrity not in staff
