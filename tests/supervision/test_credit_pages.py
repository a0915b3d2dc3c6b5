"""The credit pages over HTTP: the ranking, an institution's credit, the export, the
recompute button, the province's parameters and the public ranking, with refusals."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.core.models import AuditEvent
from skillcert.institutions.choices import DirectoryStatus
from skillcert.supervision import credit
from skillcert.supervision.choices import CaseGrade
from skillcert.supervision.models import CreditScore
from skillcert.supervision.policies import policy_for
from tests.conftest import Cast
from tests.supervision.builders_credit import TODAY, CreditWorld, credit_world


@pytest.fixture
def cw(cast: Cast) -> CreditWorld:
    world = credit_world(cast)
    world.case(world.inst_b, CaseGrade.SERIOUS)
    credit.credit_recompute(actor=world.official, province=world.province, today=TODAY)
    return world


def test_the_province_sees_the_whole_ranking(cw: CreditWorld) -> None:
    response = cw.cast.client("province").get(reverse("supervision-credit"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="credit-{cw.inst_a.pk}" data-grade="A"' in body
    assert f'id="credit-{cw.inst_b.pk}" data-grade="B"' in body
    assert 'id="credit-recompute"' in body


def test_a_city_sees_its_own_institutions_only(cw: CreditWorld) -> None:
    body = cw.cast.client("city_a").get(reverse("supervision-credit")).content.decode()
    assert f'id="credit-{cw.inst_a.pk}"' in body
    assert f'id="credit-{cw.inst_b.pk}"' not in body
    assert 'id="credit-recompute"' not in body


def test_the_ranking_page_does_not_query_per_row(
    cw: CreditWorld, django_assert_num_queries: object
) -> None:
    for _n in range(3):
        cw.third()
    credit.credit_recompute(actor=cw.official, province=cw.province, today=TODAY)
    client = cw.cast.client("province")
    client.get(reverse("supervision-credit"))  # warm the session and policy rows
    # Session, user, membership, count, page: the same for any number of rows.
    with django_assert_num_queries(5):  # type: ignore[operator]
        response = client.get(reverse("supervision-credit"))
    assert response.content.decode().count("data-grade=") == 5


def test_an_institution_admin_is_taken_to_its_own_credit(cw: CreditWorld) -> None:
    response = cw.cast.client("institution_a").get(reverse("supervision-credit"))
    assert response["Location"] == reverse("supervision-credit-detail", args=[cw.inst_a.pk])


def test_the_detail_shows_breakdown_and_history(cw: CreditWorld) -> None:
    credit.credit_recompute(actor=cw.official, province=cw.province, today=TODAY.replace(day=29))
    credit.credit_recompute(actor=cw.official, province=cw.province, today=TODAY.replace(day=30))
    url = reverse("supervision-credit-detail", args=[cw.inst_b.pk])
    body = cw.cast.client("institution_b").get(url).content.decode()
    assert '<span id="credit-score">85.0</span>' in body
    assert 'id="indicator-violation_serious"' in body
    assert "<td>-15.0</td>" in body
    assert body.count('id="history-') == 2
    assert "<polyline" in body


def test_the_detail_of_another_city_is_not_found(cw: CreditWorld) -> None:
    url = reverse("supervision-credit-detail", args=[cw.inst_b.pk])
    assert cw.cast.client("city_a").get(url).status_code == 404
    assert cw.cast.client("institution_a").get(url).status_code == 404


def test_the_export_holds_the_scope_ranking(cw: CreditWorld) -> None:
    response = cw.cast.client("city_b").get(reverse("supervision-credit-export"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("全省排名", "评价机构", "地市", "信用分", "信用等级")
    assert len(rows) == 2
    assert (rows[1][0], rows[1][1], Decimal(str(rows[1][3]))) == (2, "机构B", Decimal("85"))


def test_the_recompute_button(cw: CreditWorld) -> None:
    url = reverse("supervision-credit-recompute")
    before = AuditEvent.objects.filter(action="supervision.credit_recompute").count()
    assert cw.cast.client("city_a").post(url).status_code == 403
    assert AuditEvent.objects.filter(action="supervision.credit_recompute").count() == before
    response = cw.cast.client("province").post(url)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="supervision.credit_recompute").count() == before + 1


def _credit_post(cw: CreditWorld, **floors: int) -> dict[str, object]:
    data: dict[str, object] = {"part": "credit"}
    for code, points in policy_for(cw.province).credit_weights.items():
        data[f"credit-w_{code}"] = points
    data["credit-w_violation_minor"] = -7
    data.update({f"credit-floor_{g}": v for g, v in floors.items()})
    return data


def test_the_province_sets_the_credit_rules(cw: CreditWorld) -> None:
    url = reverse("supervision-policy")
    page = cw.cast.client("province").get(url).content.decode()
    assert 'id="credit-policy-save"' in page
    response = cw.cast.client("province").post(url, _credit_post(cw, A=95, B=80, C=65))
    assert response.status_code == 302
    policy = policy_for(cw.province)
    assert policy.credit_weights["violation_minor"] == -7
    assert policy.credit_grade_floors == {"A": 95, "B": 80, "C": 65}


def test_refused_and_invalid_rules_change_nothing(cw: CreditWorld) -> None:
    url = reverse("supervision-policy")
    page = cw.cast.client("city_a").get(url).content.decode()
    assert 'id="credit-policy-save"' not in page
    assert cw.cast.client("city_a").post(url, _credit_post(cw, A=95, B=80, C=65)).status_code == 403
    response = cw.cast.client("province").post(url, _credit_post(cw, A=70, B=80, C=65))
    assert response.status_code == 200
    assert "A级高于B级" in response.content.decode()
    assert policy_for(cw.province).credit_weights["violation_minor"] == -5
    assert cw.cast.client("education").get(url).status_code == 403


def test_the_province_sets_the_other_parameters(cw: CreditWorld) -> None:
    url = reverse("supervision-policy")
    policy = policy_for(cw.province)
    data = {"part": "general"}
    for name in credit.POLICY_FIELDS:
        data[f"general-{name}"] = str(getattr(policy, name))
    data["general-inspection_exclusion_days"] = "120"
    response = cw.cast.client("province").post(url, data)
    assert response.status_code == 302
    assert policy_for(cw.province).inspection_exclusion_days == 120
    data["general-shared_device_candidates"] = "1"  # below its minimum
    response = cw.cast.client("province").post(url, data)
    assert response.status_code == 200
    assert policy_for(cw.province).shared_device_candidates == 3


def test_the_public_ranking(cw: CreditWorld) -> None:
    response = cw.cast.client("anonymous").get(reverse("public-credit"), {"province": "530000"})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="public-credit-{cw.inst_a.pk}" data-grade="A"' in body
    assert f'id="public-credit-{cw.inst_b.pk}" data-grade="B"' in body
    # No breakdown that could point at a case or a person.
    assert "严重违纪违规" not in body
    assert "indicator-" not in body


def test_the_public_ranking_drops_a_revoked_institution(cw: CreditWorld) -> None:
    cw.listed(cw.inst_b, DirectoryStatus.REVOKED)
    body = cw.cast.client("anonymous").get(reverse("public-credit")).content.decode()
    assert f'id="public-credit-{cw.inst_b.pk}"' not in body
    assert CreditScore.objects.filter(institution=cw.inst_b, is_current=True).exists()
