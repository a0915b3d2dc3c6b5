"""Pinned query counts on list pages and endpoints (STYLE.md 9): an N+1 shows up here."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import OrganisationKind
from tests.conftest import Cast, _org


def _more_institutions(cast: Cast, n: int) -> None:
    for i in range(n):
        _org(f"机构A{i}", OrganisationKind.INSTITUTION, "530100", cast.orgs["centre_a"])


# session + user + memberships (actor) + page queries
@pytest.mark.parametrize("extra", [0, 20])
def test_organisation_list_queries(cast: Cast, django_assert_num_queries: Any, extra: int) -> None:
    _more_institutions(cast, extra)
    client = cast.client("province")
    with django_assert_num_queries(5):
        assert client.get(reverse("organisation-list")).status_code == 200


@pytest.mark.parametrize("extra", [0, 20])
def test_home_queries(cast: Cast, django_assert_num_queries: Any, extra: int) -> None:
    _more_institutions(cast, extra)
    client = cast.client("city_a")
    with django_assert_num_queries(5):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("extra", [1, 30])
def test_audit_list_queries(cast: Cast, django_assert_num_queries: Any, extra: int) -> None:
    with transaction.atomic():
        for _ in range(extra):
            org = cast.orgs["institution_a"]
            audit_record(actor=Actor.system("t"), action="t", obj=org, organisation=org)
    client = cast.client("province")
    with django_assert_num_queries(5):
        assert client.get(reverse("audit-list")).status_code == 200


@pytest.mark.parametrize("extra", [0, 20])
def test_api_organisations_queries(cast: Cast, django_assert_num_queries: Any, extra: int) -> None:
    _more_institutions(cast, extra)
    client = cast.client("province")
    with django_assert_num_queries(4):
        assert client.get("/api/v1/organisations").status_code == 200
