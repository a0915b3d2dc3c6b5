"""The results tests' world: a level-5 车工 batch whose sessions are over.

``build_results(cast, n)`` builds on the exam world (``tests.exams.conftest``): ``n``
approved candidates seated in today's theory session, three examiners assigned to the
batch and a practical session. Each examiner gets an account (role 考评员 at institution
A) so ``rk.examiner(i)`` acts as examiner ``i``. ``rk.assessed()`` places the batch as if
every session had closed (status 考核结束); theory scores come through the exam app
(``take_theory``) or are entered by the results services.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client

from skillcert.batches.choices import BatchStatus, SessionStatus
from skillcert.batches.models import Batch
from skillcert.core.actors import Actor
from skillcert.core.choices import Role
from skillcert.core.models import Membership
from skillcert.enrollment.models import Application
from skillcert.institutions.models import StaffMember
from tests.batches.conftest import Kit, more_examiners
from tests.conftest import Cast
from tests.exams.conftest import ExamKit, build_exam
from tests.factories import MembershipFactory, UserFactory


@dataclass
class ResultsKit:
    exam: ExamKit
    examiners: list[StaffMember]
    memberships: list[Membership] = field(default_factory=list)

    @property
    def kit(self) -> Kit:
        return self.exam.kit

    @property
    def cast(self) -> Cast:
        return self.exam.cast

    @property
    def batch(self) -> Batch:
        self.exam.batch.refresh_from_db()
        return self.exam.batch

    @property
    def candidates(self) -> list[Application]:
        return self.exam.candidates

    @property
    def admin(self) -> Actor:
        return self.kit.admin

    @property
    def centre(self) -> Actor:
        return self.kit.centre

    def examiner(self, index: int) -> Actor:
        """The actor of examiner ``index`` (role 考评员, acting as that registry member)."""
        membership = self.memberships[index]
        return Actor(user=membership.user, membership=membership)

    def examiner_client(self, index: int) -> Client:
        client = Client()
        client.force_login(self.memberships[index].user)
        return client

    def assessed(self) -> Batch:
        """Every session closed and the batch 考核结束, as ``session_close`` leaves it."""
        batch = self.exam.batch
        batch.sessions.update(status=SessionStatus.CLOSED)
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.ASSESSED)
        return self.batch


def examiner_account(member: StaffMember) -> Membership:
    """A 考评员 account for a registry member of institution A."""
    user = UserFactory(username=f"examiner_{member.pk}", full_name=member.full_name)
    membership = MembershipFactory(
        user=user, role=Role.EXAMINER, organisation=member.institution.organisation
    )
    member.user = user
    member.save(update_fields=["user"])
    return membership


def build_results(cast: Cast, n: int = 4, *, examiners: int = 3) -> ResultsKit:
    exam = build_exam(cast, n)
    members = list(exam.kit.examiners)
    if examiners > len(members):
        members += more_examiners(exam.kit, examiners - len(members))
    members = members[:examiners]
    return ResultsKit(
        exam=exam, examiners=members, memberships=[examiner_account(m) for m in members]
    )


@pytest.fixture
def rk(cast: Cast) -> ResultsKit:
    return build_results(cast)
