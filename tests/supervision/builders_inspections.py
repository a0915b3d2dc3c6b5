"""Builders for the random-inspection tests.

``inspection_world(cast)`` lists the cast's institutions A (Kunming) and B (Qujing) in the
directory, writes a small spot-check list for institutions and batches, and an inspector
pool of four people who log in as SUPERVISOR at the province's HR department, with no
affiliation. Pool rows and items are written directly (their services are tested on their
own); plans, draws and findings go through the services under test.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.core.models import Membership, Organisation, User
from skillcert.institutions.choices import DirectoryStatus
from skillcert.institutions.demo import minimal_pdf
from skillcert.institutions.models import Institution
from skillcert.supervision import inspections
from skillcert.supervision.choices import Compliance, Conclusion, PlanKind, PoolKind, TargetKind
from skillcert.supervision.models import CheckItem, Inspection, InspectionPlan, PoolMember
from tests.conftest import Cast
from tests.factories import MembershipFactory, UserFactory
from tests.institutions.factories import InstitutionFactory

YUNNAN = "530000"
KUNMING = "530100"
QUJING = "530300"
_serial = itertools.count(1)


def listed_institution(cast: Cast, key: str) -> Institution:
    """The cast's institution ``institution_a``/``institution_b``, listed (ACTIVE)."""
    org = cast.orgs[key]
    if not Institution.objects.filter(organisation=org).exists():
        supervisor = cast.orgs["centre_a" if key == "institution_a" else "city_b"]
        InstitutionFactory(organisation=org, supervisor=supervisor)  # type: ignore[no-untyped-call]
    Institution.objects.filter(organisation=org).update(status=DirectoryStatus.ACTIVE)
    return Institution.objects.get(organisation=org)


def check_item(code: str, applies_to: str = TargetKind.INSTITUTION) -> CheckItem:
    item, _created = CheckItem.objects.get_or_create(
        province_id=YUNNAN,
        code=code,
        defaults={
            "title": f"抽查事项{code}",
            "basis": "川人社办发〔2020〕20号",
            "method": "查阅资料",
            "applies_to": applies_to,
        },
    )
    return item


def person(org: Organisation, role: str = Role.SUPERVISOR, name: str = "") -> Actor:
    user: User = UserFactory(  # type: ignore[no-untyped-call,assignment]
        username=f"insp_{next(_serial)}", full_name=name or f"检查员{next(_serial)}"
    )
    membership: Membership = MembershipFactory(  # type: ignore[no-untyped-call,assignment]
        user=user, role=role, organisation=org
    )
    return Actor(user=user, membership=membership)


def pool_member(
    user: User | None = None,
    *,
    pool: str = PoolKind.INSPECTOR,
    name: str = "",
    affiliation: Organisation | None = None,
) -> PoolMember:
    return PoolMember.objects.create(
        province_id=YUNNAN,
        pool=pool,
        full_name=name or (user.display_name if user else f"人员{next(_serial)}"),
        user=user,
        affiliation=affiliation,
    )


def client_for(actor: Actor) -> Client:
    client = Client()
    assert actor.user is not None
    client.force_login(actor.user)
    return client


def pdf_upload(name: str = "证据.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


@dataclass
class InspectionWorld:
    cast: Cast
    inst_a: Institution
    inst_b: Institution
    items: list[CheckItem]
    batch_item: CheckItem
    inspectors: list[Actor] = field(default_factory=list)
    members: list[PoolMember] = field(default_factory=list)

    @property
    def province(self) -> Actor:
        return self.cast.actor("province")

    def actor_for(self, member: PoolMember) -> Actor:
        for actor in self.inspectors:
            if actor.user_id == member.user_id:
                return actor
        raise LookupError(member)

    def add_inspector(self, name: str = "", affiliation: Organisation | None = None) -> Actor:
        actor = person(self.cast.orgs["province_hr"], name=name)
        self.inspectors.append(actor)
        assert actor.user is not None
        self.members.append(pool_member(actor.user, affiliation=affiliation))
        return actor

    def plan(self, actor: Actor | None = None, **overrides: Any) -> InspectionPlan:
        arguments: dict[str, Any] = {
            "title": "2025年评价机构双随机抽查",
            "kind": PlanKind.INSPECTION,
            "target_kind": TargetKind.INSTITUTION,
            "target_filters": {},
            "target_count": 2,
            "members_per_target": 2,
            "item_ids": [i.pk for i in self.items],
        }
        arguments.update(overrides)
        return inspections.plan_create(actor=actor or self.province, **arguments)

    def drawn(self, actor: Actor | None = None, **overrides: Any) -> InspectionPlan:
        plan = self.plan(actor, **overrides)
        inspections.plan_draw(actor=actor or self.province, plan=plan)
        plan.refresh_from_db()
        return plan

    def inspector_of(self, inspection: Inspection, lead: bool = True) -> Actor:
        assignment = inspection.assignments.order_by("-is_lead", "pk")[0 if lead else 1]
        return self.actor_for(assignment.member)

    def record_all(
        self, inspection: Inspection, outcome: str = Compliance.MEETS, note: str = ""
    ) -> None:
        actor = self.inspector_of(inspection)
        for item in inspection.plan.items.order_by("code"):
            inspections.finding_record(
                actor=actor, inspection=inspection, item=item, outcome=outcome, note=note
            )

    def finish(
        self,
        inspection: Inspection,
        conclusion: str = Conclusion.PASSED,
        summary: str = "资料齐全，未发现问题。",
    ) -> Inspection:
        return inspections.inspection_finish(
            actor=self.inspector_of(inspection),
            inspection=inspection,
            conclusion=conclusion,
            summary=summary,
        )

    def published(self, **overrides: Any) -> InspectionPlan:
        """A drawn plan whose inspections all met every item, published."""
        plan = self.drawn(**overrides)
        for inspection in plan.inspections.all():
            self.record_all(inspection)
            self.finish(inspection)
        return inspections.plan_publish(actor=self.province, plan=plan)


def inspection_world(cast: Cast, inspectors: int = 4) -> InspectionWorld:
    world = InspectionWorld(
        cast=cast,
        inst_a=listed_institution(cast, "institution_a"),
        inst_b=listed_institution(cast, "institution_b"),
        items=[check_item("JG-01"), check_item("JG-02"), check_item("JG-03")],
        batch_item=check_item("PC-01", TargetKind.BATCH),
    )
    for n in range(inspectors):
        world.add_inspector(name=f"检查员{n + 1}")
    return world
