"""factory_boy factories for core objects (regions come from the migration)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from factory.django import DjangoModelFactory

from skillcert.core.choices import IdType, OrganisationKind, Role
from skillcert.core.models import Membership, Organisation, Region, User
from skillcert.core.personal import apply_identity, apply_phone

PASSWORD = "cast-pass-2026"


def resident_id(area: str = "530102", birth: str = "19900101", serial: int = 1) -> str:
    """A checksum-valid 18-digit resident ID number, one per serial: the 3-digit sequence
    code holds ``serial % 1000`` and the birth date moves on a day per thousand."""
    from stdnum.cn import ric

    born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:])) + timedelta(days=serial // 1000)
    body = f"{area}{born:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganisationKind.INSTITUTION
    province = factory.LazyFunction(lambda: Region.objects.get(code="530000"))
    city = factory.LazyFunction(lambda: Region.objects.get(code="530100"))
    parent = None


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")

    @factory.post_generation
    def identity(self, create: bool, extracted: object, **kwargs: object) -> None:
        serial = self.pk or 1
        apply_identity(self, id_type=IdType.RESIDENT, number=resident_id(serial=serial))
        apply_phone(self, number=f"139{serial:08d}")
        self.set_password(PASSWORD)
        if create:
            self.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.INSTITUTION_ADMIN
