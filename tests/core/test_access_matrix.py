"""URL × role access matrix (STYLE.md 7), generated from the URLconf.

Every named URL must appear in MATRIX (or in EXCLUDED, with a reason); a new URL
without an entry fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import CAST_ROLES, Cast

EXCLUDED = {
    "admin": "Django's admin: staff-only, covered by Django's own tests",
}

ALL_OK = dict.fromkeys(CAST_ROLES, 200)
SIGNED_IN = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302}
API_SIGNED_IN = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 401}
POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}

# name -> (kwargs builder, {role: status} for GET)
MATRIX: dict[str, tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]] = {
    "home": (lambda c: {}, SIGNED_IN),
    "healthz": (lambda c: {}, ALL_OK),
    "login": (lambda c: {}, {**dict.fromkeys(CAST_ROLES, 302), "anonymous": 200}),
    "logout": (lambda c: {}, dict.fromkeys(CAST_ROLES, 405)),
    "set_language": (lambda c: {}, dict.fromkeys(CAST_ROLES, 302)),
    "membership-switch": (lambda c: {}, POST_ONLY),
    "organisation-list": (lambda c: {}, SIGNED_IN),
    "organisation-detail": (
        lambda c: {"pk": c.orgs["institution_a"].pk},
        {
            "anonymous": 302,
            "province": 200,
            "city_a": 200,
            "city_b": 404,
            "education": 200,
            "institution_a": 200,
            "institution_b": 404,
            "examiner": 200,
            "candidate": 404,
        },
    ),
    "audit-list": (
        lambda c: {},
        {
            "anonymous": 302,
            "province": 200,
            "city_a": 200,
            "city_b": 200,
            "education": 200,
            "institution_a": 403,
            "institution_b": 403,
            "examiner": 403,
            "candidate": 403,
        },
    ),
    "holiday-list": (lambda c: {}, SIGNED_IN),
    "policy": (lambda c: {}, {**SIGNED_IN, "candidate": 403}),
    "profile": (lambda c: {}, SIGNED_IN),
    "profile-reveal": (lambda c: {"field": "phone"}, POST_ONLY),
    "api:openapi-json": (lambda c: {}, ALL_OK),
    "api:api-root": (lambda c: {}, dict.fromkeys(CAST_ROLES, 404)),
    "api:me": (lambda c: {}, API_SIGNED_IN),
    "api:organisations": (lambda c: {}, API_SIGNED_IN),
    "api:organisation": (
        lambda c: {"org_id": c.orgs["institution_b"].pk},
        {
            "anonymous": 401,
            "province": 200,
            "city_a": 404,
            "city_b": 200,
            "education": 200,
            "institution_a": 404,
            "institution_b": 200,
            "examiner": 404,
            "candidate": 404,
        },
    ),
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace in EXCLUDED:
                continue
            prefix = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_url_is_in_the_matrix() -> None:
    names = set(_walk(get_resolver().url_patterns))
    assert names - MATRIX.keys() == set(), "add these URLs to the access matrix"
    assert MATRIX.keys() - names == set(), "these matrix entries name no URL"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_matrix(cast: Cast, name: str) -> None:
    kwargs_for, expected = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(cast))
    seen = {role: cast.client(role).get(url).status_code for role in CAST_ROLES}
    assert seen == expected
