"""The institutions' test world on top of the cast, and helpers that walk the workflow.

``world.inst_a`` is the cast's institution A (Kunming, a technical school unless a test
changes its type), ``world.inst_b`` institution B (Qujing). The catalogue holds 车工
(with the work type 数控车工, a standard covering it and all five levels) and 电工
(a standard with levels 5–3 only).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from skillcert.catalog.models import Occupation, Standard, WorkType
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType, OrganisationKind, Role
from skillcert.core.models import Region
from skillcert.institutions.choices import (
    REQUIRED_MATERIALS_BY_KIND,
    FilingKind,
    InstitutionType,
    ItemBankSource,
    StaffKind,
)
from skillcert.institutions.demo import minimal_pdf
from skillcert.institutions.models import FilingApplication, Institution, StaffMember
from skillcert.institutions.services import filing as flow
from skillcert.institutions.services import registry
from tests.conftest import Cast
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, resident_id
from tests.institutions.factories import (
    InstitutionFactory,
    OccupationFactory,
    StandardFactory,
    WorkTypeFactory,
    valid_uscc,
)

SYSTEM = Actor.system("test")
# Serials for names and ID numbers; the ID number keeps the last three digits.
_serial = itertools.count(100)


@dataclass(frozen=True)
class LineSpec:
    occupation: Occupation
    standard: Standard
    lowest: int = 5
    highest: int = 4
    work_type: WorkType | None = None


@dataclass
class World:
    cast: Cast
    inst_a: Institution
    inst_b: Institution
    lathe: Occupation
    cnc: WorkType
    lathe_std: Standard
    electrician: Occupation
    electric_std: Standard
    experts: list[Actor] = field(default_factory=list)

    def applicant(self, institution: Institution) -> Actor:
        """The cast's admin for A and B; the system (a platform admin) for the others."""
        if institution.pk in (self.inst_a.pk, self.inst_b.pk):
            return self.cast.actor(
                "institution_a" if institution == self.inst_a else "institution_b"
            )
        return SYSTEM

    def authority(self, institution: Institution) -> Actor:
        if institution.pk in (self.inst_a.pk, self.inst_b.pk):
            return self.cast.actor("city_a" if institution == self.inst_a else "city_b")
        return SYSTEM

    def line(self, lowest: int = 5, highest: int = 4, **kwargs: Any) -> LineSpec:
        return LineSpec(self.lathe, self.lathe_std, lowest, highest, **kwargs)


def build_world(cast: Cast) -> World:
    lathe = OccupationFactory(code="6-18-01-01", name="车工")
    cnc = WorkTypeFactory(occupation=lathe, name="数控车工")
    lathe_std = StandardFactory(occupation=lathe, title="国家职业技能标准 车工（2018年版）")
    lathe_std.work_types.add(cnc)
    electrician = OccupationFactory(code="6-31-01-03", name="电工")
    electric_std = StandardFactory(
        occupation=electrician, title="国家职业技能标准 电工（2018年版）", levels=(5, 4, 3)
    )
    world = World(
        cast=cast,
        inst_a=InstitutionFactory(
            organisation=cast.orgs["institution_a"], supervisor=cast.orgs["centre_a"]
        ),
        inst_b=InstitutionFactory(
            organisation=cast.orgs["institution_b"],
            supervisor=cast.orgs["city_b"],
            address="曲靖市麒麟区测试路2号",
        ),
        lathe=lathe,
        cnc=cnc,
        lathe_std=lathe_std,
        electrician=electrician,
        electric_std=electric_std,
    )
    for _n in range(3):
        user = UserFactory()
        membership = MembershipFactory(
            user=user, role=Role.EXPERT, organisation=cast.orgs["province_hr"]
        )
        world.experts.append(Actor(user=user, membership=membership))
    return world


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world(cast)


def another_institution(
    city: str = "530100", kind: str = InstitutionType.TECHNICAL_SCHOOL
) -> Institution:
    """An institution outside the cast, in ``city`` (any province), worked by the system."""
    region = Region.objects.get(code=city)
    assert region.parent is not None
    org = OrganisationFactory(
        name=f"机构{next(_serial)}",
        kind=OrganisationKind.INSTITUTION,
        province=region.parent,
        city=region,
    )
    centre = OrganisationFactory(
        name=f"鉴定中心{next(_serial)}",
        kind=OrganisationKind.CITY_CENTRE,
        province=region.parent,
        city=region,
    )
    return InstitutionFactory(
        organisation=org, supervisor=centre, type=kind, uscc=valid_uscc(next(_serial), city)
    )


def set_type(institution: Institution, kind: str) -> Institution:
    Institution.objects.filter(pk=institution.pk).update(type=kind)
    institution.refresh_from_db()
    return institution


# ---------------------------------------------------------------- registry


# Staff are born on another day than the factories' users (tests.factories: 1 January 1990),
# so a registry member never shares an ID number with an unrelated account by chance.
STAFF_BIRTH = "19950505"


def person(institution: Institution, kind: str) -> StaffMember:
    return registry.staff_add(
        actor=SYSTEM,
        institution=institution,
        kind=kind,
        full_name=f"人员{next(_serial)}",
        id_type=IdType.RESIDENT,
        id_number=resident_id(birth=STAFF_BIRTH, serial=next(_serial)),
    )


def examiner(
    institution: Institution, occupation: Occupation, level: int, work_type: WorkType | None = None
) -> StaffMember:
    member = person(institution, StaffKind.EXAMINER)
    registry.qualification_set(
        actor=SYSTEM,
        member=member,
        occupation=occupation,
        work_type=work_type,
        highest_level=level,
    )
    return member


def equip(institution: Institution, *lines: LineSpec, examiners: int = 3) -> None:
    """Everything 附件1 asks for: a monitored site, staff, expert, supervisor, examiners."""
    registry.site_add(
        actor=SYSTEM,
        institution=institution,
        name="实训楼",
        address="测试路1号",
        latitude=Decimal("25.040000"),
        longitude=Decimal("102.710000"),
        has_video_monitoring=True,
    )
    for kind in (StaffKind.STAFF, StaffKind.EXPERT, StaffKind.SUPERVISOR):
        person(institution, kind)
    for line in lines:
        for _n in range(examiners):
            examiner(institution, line.occupation, line.highest)


# ---------------------------------------------------------------- the workflow


def pdf(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


def draft(
    world: World,
    institution: Institution,
    *lines: LineSpec,
    kind: str = FilingKind.INITIAL,
    materials: bool = True,
) -> FilingApplication:
    actor = world.applicant(institution)
    application = flow.filing_application_create(actor=actor, institution=institution, kind=kind)
    for line in lines:
        flow.scope_line_add(
            actor=actor,
            application=application,
            occupation=line.occupation,
            work_type=line.work_type,
            standard=line.standard,
            lowest_level=line.lowest,
            highest_level=line.highest,
            item_bank_source=ItemBankSource.OWN,
        )
    if materials:
        for material in REQUIRED_MATERIALS_BY_KIND[kind]:
            flow.material_upload(
                actor=actor, application=application, kind=material, uploaded_file=pdf()
            )
    return application


def submitted(
    world: World, institution: Institution, *lines: LineSpec, **kwargs: Any
) -> FilingApplication:
    application = draft(world, institution, *lines, **kwargs)
    return flow.filing_submit(actor=world.applicant(institution), application=application)


def under_assessment(
    world: World,
    institution: Institution,
    *lines: LineSpec,
    opinions: int = 2,
    onsite: bool = True,
    **kwargs: Any,
) -> FilingApplication:
    application = submitted(world, institution, *lines, **kwargs)
    authority = world.authority(institution)
    flow.filing_accept(actor=authority, application=application)
    flow.filing_start_assessment(actor=authority, application=application)
    for expert in world.experts[:opinions]:
        flow.expert_opinion_add(
            actor=expert,
            application=application,
            score=85,
            recommends_approval=True,
            opinion="符合条件",
        )
    if onsite:
        flow.onsite_check_record(
            actor=authority,
            application=application,
            checked_on=timezone.localdate(),
            inspectors="专家组",
            findings="场地设备齐全",
            passed=True,
        )
    return application


def approved(
    world: World,
    institution: Institution,
    *lines: LineSpec,
    today: date | None = None,
    **kwargs: Any,
) -> FilingApplication:
    """An equipped institution with an approved first filing for ``lines``."""
    lines = lines or (world.line(),)
    equip(institution, *lines)
    application = under_assessment(world, institution, *lines, **kwargs)
    flow.filing_approve(
        actor=world.authority(institution), application=application, note="同意", today=today
    )
    application.refresh_from_db()
    institution.refresh_from_db()
    return application


# ---------------------------------------------------------------- refusals
