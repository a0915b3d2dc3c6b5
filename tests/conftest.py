"""The fixed cast (STYLE.md 8): officials, staff, examiners and candidates in A and B.

Province Yunnan (530000); city A is Kunming (530100), city B is Qujing (530300).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from skillcert.core.actors import ANONYMOUS, Actor
from skillcert.core.choices import OrganisationKind, Role
from skillcert.core.models import AuditEvent, Membership, Organisation, Region, User
from skillcert.core.regions import load_regions
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

CAST_ROLES = (
    "anonymous",
    "province",
    "city_a",
    "city_b",
    "education",
    "institution_a",
    "institution_b",
    "examiner",
    "candidate",
)


@dataclass
class Cast:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        if name == "anonymous":
            return ANONYMOUS
        return Actor(user=self.users[name], membership=self.memberships[name])

    def client(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.users[name])
        return client


def _org(name: str, kind: str, city: str | None, parent: Organisation | None) -> Organisation:
    return OrganisationFactory(
        name=name,
        kind=kind,
        province=Region.objects.get(code="530000"),
        city=Region.objects.get(code=city) if city else None,
        parent=parent,
    )


def build_cast() -> Cast:
    if not Region.objects.exists():
        # A transactional test before this one flushed the migration's data.
        load_regions(Region)
    cast = Cast()
    o = cast.orgs
    o["province_hr"] = _org("云南省人社厅", OrganisationKind.PROVINCE_HR, None, None)
    o["province_edu"] = _org("云南省教育厅", OrganisationKind.PROVINCE_EDU, None, None)
    o["city_a"] = _org("昆明市人社局", OrganisationKind.CITY_HR, "530100", o["province_hr"])
    o["centre_a"] = _org("昆明市鉴定中心", OrganisationKind.CITY_CENTRE, "530100", o["city_a"])
    o["city_b"] = _org("曲靖市人社局", OrganisationKind.CITY_HR, "530300", o["province_hr"])
    o["institution_a"] = _org("机构A", OrganisationKind.INSTITUTION, "530100", o["centre_a"])
    o["institution_b"] = _org("机构B", OrganisationKind.INSTITUTION, "530300", o["city_b"])
    people = {
        "province": (Role.PROVINCE_OFFICIAL, "province_hr"),
        "city_a": (Role.CITY_OFFICIAL, "city_a"),
        "city_b": (Role.CITY_OFFICIAL, "city_b"),
        "education": (Role.EDUCATION_OFFICIAL, "province_edu"),
        "institution_a": (Role.INSTITUTION_ADMIN, "institution_a"),
        "institution_b": (Role.INSTITUTION_ADMIN, "institution_b"),
        "examiner": (Role.EXAMINER, "institution_a"),
        "candidate": (Role.CANDIDATE, None),
    }
    for name, (role, org_key) in people.items():
        user = UserFactory(username=f"cast_{name}")
        cast.users[name] = user
        cast.memberships[name] = MembershipFactory(
            user=user, role=role, organisation=o[org_key] if org_key else None
        )
    return cast


@pytest.fixture(scope="session", autouse=True)
def deployment_ca() -> None:
    """The deployment CA (``manage.py certificates_ca``) in the test run's keys folder:
    issuing signs every certificate. Tests that point at a folder of their own make theirs."""
    from skillcert.certificates import keys

    keys.ensure_ca()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counters kept in the cache (the public verification's rate limit) start at zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def password() -> str:
    return PASSWORD


Refused = Callable[..., Any]


def refuses(error_type: type[BaseException], call: Callable[[], object], code: str = "") -> Any:
    """The call raises ``error_type`` (with ``code`` when given) and writes no audit event:
    a refused action changes nothing."""
    before = AuditEvent.objects.count()
    with pytest.raises(error_type) as info:
        call()
    assert AuditEvent.objects.count() == before, "a refused action wrote an audit event"
    if code:
        assert getattr(info.value, "code", None) == code, info.value
    return info.value


@pytest.fixture
def refused() -> Refused:
    """``refused(ErrorType, call, code="")``: see :func:`refuses`."""
    return refuses
