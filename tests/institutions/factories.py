"""factory_boy factories for the catalogue rows and institutions these tests need."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import uscc

from skillcert.catalog.choices import OccupationTier, StandardKind
from skillcert.catalog.models import Occupation, Standard, StandardLevel, WorkType
from skillcert.institutions.choices import InstitutionType
from skillcert.institutions.models import Institution


def valid_uscc(serial: int, region: str = "530100") -> str:
    body = f"12{region}MB{serial:07d}"
    return body + uscc.calc_check_digit(body)


class OccupationFactory(DjangoModelFactory[Occupation]):
    class Meta:
        model = Occupation

    code = factory.Sequence(lambda n: f"6-99-{n // 100:02d}-{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试职业{n}")
    tier = OccupationTier.OCCUPATION


class WorkTypeFactory(DjangoModelFactory[WorkType]):
    class Meta:
        model = WorkType

    occupation = factory.SubFactory(OccupationFactory)
    name = factory.Sequence(lambda n: f"测试工种{n}")


class StandardFactory(DjangoModelFactory[Standard]):
    """A standard with StandardLevel rows for ``levels`` (all five unless told)."""

    class Meta:
        model = Standard
        skip_postgeneration_save = True

    kind = StandardKind.NATIONAL
    title = factory.Sequence(lambda n: f"国家职业技能标准 测试{n}")
    document_number = "人社厅发〔2018〕145号"
    year = 2018
    occupation = factory.SubFactory(OccupationFactory)
    is_demo = True

    @factory.post_generation
    def levels(self, create: bool, extracted: tuple[int, ...] | None, **kwargs: object) -> None:
        if create:
            for level in extracted or (5, 4, 3, 2, 1):
                StandardLevel.objects.create(standard=self, level=level)


class InstitutionFactory(DjangoModelFactory[Institution]):
    class Meta:
        model = Institution

    type = InstitutionType.TECHNICAL_SCHOOL
    uscc = factory.Sequence(lambda n: valid_uscc(n + 1))
    address = "昆明市五华区测试路1号"
    contact_name = "联系人"
    contact_phone = "0871-65000000"
