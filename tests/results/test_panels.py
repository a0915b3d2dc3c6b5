"""Panels: an odd number of at least 3 assigned examiners, no member linked to one of
its candidates, candidates on one panel per component."""

from __future__ import annotations

from typing import Any

import pytest

from skillcert.batches.choices import StaffRole
from skillcert.batches.models import Batch, StaffAssignment
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, ProvincePolicy
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.institutions.models import StaffMember
from skillcert.results import links, panels
from skillcert.results.models import Panel, PanelCandidate
from tests.batches.conftest import more_examiners
from tests.conftest import Refused
from tests.results.conftest import ResultsKit, build_results
from tests.results.scoring_support import ready_panel, ready_sheet, score


def _assigned(rk: ResultsKit, n: int) -> list[StaffMember]:
    """``n`` more examiners, assigned to the batch."""
    made = more_examiners(rk.kit, n)
    for member in made:
        StaffAssignment.objects.create(batch=rk.batch, staff=member, role=StaffRole.EXAMINER)
        member.user = rk.cast.users["examiner"]
        member.save(update_fields=["user"])
    return made


def test_a_panel_of_three_with_its_candidates_may_score(rk: ResultsKit) -> None:
    panel = ready_panel(rk)
    assert panel.members.count() == 3
    assert panel.members.filter(is_leader=True).get().staff == rk.examiners[0]
    assert panel.candidates.count() == 4
    assert panels.panel_problems(panel) == []
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("results.panel.member_add") == 3
    assert "results.panel.candidates_assign" in actions


@pytest.mark.parametrize(
    ("members", "ok"), [(1, False), (2, False), (3, True), (4, False), (5, True)]
)
def test_a_panel_needs_an_odd_number_of_at_least_three(
    rk: ResultsKit, members: int, ok: bool
) -> None:
    staff = rk.examiners + _assigned(rk, 2)
    panel = panels.panel_create(actor=rk.admin, batch=rk.batch, component="practical", name="组")
    for member in staff[:members]:
        panels.member_add(actor=rk.admin, panel=panel, staff=member)
    problems = panels.panel_problems(panel)
    assert (problems == []) is ok
    if not ok:
        assert problems[0] == f"考评小组成员须为不少于3人的奇数，现有{members}人。"


def test_the_minimum_comes_from_the_province_policy(rk: ResultsKit) -> None:
    ProvincePolicy.objects.update_or_create(province_id="530000", defaults={"min_examiners": 5})
    panel = ready_panel(rk)
    assert panels.panel_problems(panel) == ["考评小组成员须为不少于5人的奇数，现有3人。"]


def test_members_must_be_assigned_examiners_of_the_batch(rk: ResultsKit, refused: Refused) -> None:
    panel = panels.panel_create(actor=rk.admin, batch=rk.batch, component="practical", name="组")
    for staff in (rk.kit.experts[0], rk.kit.proctors[0], more_examiners(rk.kit, 1)[0]):
        refused(
            DomainError,
            lambda staff=staff: panels.member_add(actor=rk.admin, panel=panel, staff=staff),
            code="not_assigned",
        )
    panels.member_add(actor=rk.admin, panel=panel, staff=rk.examiners[0])
    refused(
        DomainError,
        lambda: panels.member_add(actor=rk.admin, panel=panel, staff=rk.examiners[0]),
        code="dup",
    )


def test_a_member_who_leaves_the_registry_makes_the_panel_invalid(rk: ResultsKit) -> None:
    panel = ready_panel(rk)
    StaffMember.objects.filter(pk=rk.examiners[1].pk).update(is_active=False)
    [problem] = panels.panel_problems(panel)
    assert rk.examiners[1].full_name in problem
    assert "考评人员" in problem


def test_a_linked_examiner_cannot_join_a_panel_of_the_candidate(
    rk: ResultsKit, refused: Refused
) -> None:
    panel = ready_panel(rk, members=2)
    links.link_declare(
        actor=rk.admin, staff=rk.examiners[2], person=rk.candidates[1].person, kind="teacher"
    )
    error = refused(
        DomainError,
        lambda: panels.member_add(actor=rk.admin, panel=panel, staff=rk.examiners[2]),
        code="conflict",
    )
    assert rk.examiners[2].full_name in str(error.message)
    assert rk.candidates[1].person.full_name in str(error.message)


def test_a_linked_candidate_cannot_be_put_on_the_panel(rk: ResultsKit, refused: Refused) -> None:
    panel = ready_panel(rk, candidates=[])
    candidate = rk.candidates[0]
    candidate.employer = "昆明机床厂"
    candidate.save(update_fields=["employer"])
    StaffMember.objects.filter(pk=rk.examiners[1].pk).update(employer="昆明 机床厂")
    error = refused(
        DomainError,
        lambda: panels.candidates_assign(actor=rk.admin, panel=panel, applications=rk.candidates),
        code="conflict",
    )
    assert rk.examiners[1].full_name in str(error.message)
    assert candidate.person.full_name in str(error.message)
    assert "同一工作单位" in str(error.message)
    assert not PanelCandidate.objects.exists(), "all or none"
    assert (
        panels.candidates_assign(actor=rk.admin, panel=panel, applications=rk.candidates[1:]) == 3
    )


def test_a_candidate_sits_on_one_panel_per_component(rk: ResultsKit, refused: Refused) -> None:
    ready_panel(rk)
    second = panels.panel_create(actor=rk.admin, batch=rk.batch, component="practical", name="二组")
    refused(
        DomainError,
        lambda: panels.candidates_assign(
            actor=rk.admin, panel=second, applications=[rk.candidates[0]]
        ),
        code="not_assignable",
    )


def test_only_approved_candidates_of_the_batch(rk: ResultsKit, refused: Refused) -> None:
    panel = ready_panel(rk, candidates=[])
    withdrawn = rk.candidates[0]
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(status=ApplicationStatus.WITHDRAWN)
    refused(
        DomainError,
        lambda: panels.candidates_assign(actor=rk.admin, panel=panel, applications=[withdrawn]),
        code="not_assignable",
    )
    assert withdrawn not in panels.assignable_applications(panel)
    refused(
        DomainError,
        lambda: panels.candidates_assign(actor=rk.admin, panel=panel, applications=[]),
        code="empty",
    )


def test_a_link_declared_later_shows_as_a_problem(rk: ResultsKit) -> None:
    panel = ready_panel(rk)
    links.link_declare(
        actor=rk.admin, staff=rk.examiners[0], person=rk.candidates[3].person, kind="relative"
    )
    problems = panels.panel_problems(panel)
    assert problems == [
        f"考评员{rk.examiners[0].full_name}与考生{rk.candidates[3].person.full_name}"
        "须回避（已申报回避关系：近亲属）。"
    ]


def test_membership_is_fixed_once_scoring_starts(rk: ResultsKit, refused: Refused) -> None:
    ready_sheet(rk)
    panel = ready_panel(rk)
    score(rk, 0, panel, rk.candidates[0], 80, confirm=False)
    extra = _assigned(rk, 1)[0]
    refused(
        InvalidTransition,
        lambda: panels.member_add(actor=rk.admin, panel=panel, staff=extra),
        code="scoring_started",
    )
    member = panel.members.first()
    assert member is not None
    refused(
        InvalidTransition,
        lambda: panels.member_remove(actor=rk.admin, member=member),
        code="scoring_started",
    )
    place = PanelCandidate.objects.get(application=rk.candidates[0])
    refused(
        InvalidTransition,
        lambda: panels.candidate_remove(actor=rk.admin, place=place),
        code="scoring_started",
    )
    # A candidate nobody has scored yet may still move.
    panels.candidate_remove(
        actor=rk.admin, place=PanelCandidate.objects.get(application=rk.candidates[1])
    )
    assert panel.candidates.count() == 3


def test_only_the_institutions_staff_manage_panels(rk: ResultsKit, refused: Refused) -> None:
    panel = ready_panel(rk, members=2)
    for name in ("institution_b", "city_a", "examiner", "candidate"):
        actor = rk.cast.actor(name)
        refused(
            PermissionDenied,
            lambda actor=actor: panels.panel_create(
                actor=actor, batch=rk.batch, component="practical", name="x"
            ),
        )
        refused(
            PermissionDenied,
            lambda actor=actor: panels.member_add(actor=actor, panel=panel, staff=rk.examiners[2]),
        )


def test_panel_names_and_components(rk: ResultsKit, refused: Refused) -> None:
    ready_panel(rk, members=0, candidates=[])
    refused(
        DomainError,
        lambda: panels.panel_create(
            actor=rk.admin, batch=rk.batch, component="practical", name="第一组"
        ),
        code="name",
    )
    refused(
        DomainError,
        lambda: panels.panel_create(
            actor=rk.admin, batch=rk.batch, component="review", name="评审"
        ),
        code="component",
    )
    panel = Panel.objects.get()
    panels.panel_remove(actor=rk.admin, panel=panel)
    assert not Panel.objects.exists()


def test_a_review_panel_takes_assigned_review_members(cast: Any, refused: Refused) -> None:
    rk = build_results(cast, 1)
    Batch.objects.filter(pk=rk.batch.pk).update(level=2)
    experts = rk.kit.experts
    for expert in experts:
        StaffAssignment.objects.create(batch=rk.batch, staff=expert, role=StaffRole.REVIEW_PANEL)
    panel = panels.panel_create(
        actor=rk.admin, batch=rk.batch, component="review", name="评审委员会"
    )
    refused(
        DomainError,
        lambda: panels.member_add(actor=rk.admin, panel=panel, staff=rk.examiners[0]),
        code="not_assigned",
    )
    for expert in experts:
        panels.member_add(actor=rk.admin, panel=panel, staff=expert)
    problems = panels.panel_problems(panel)
    # Three members; the experts have no accounts yet, so they cannot score online.
    assert len(problems) == 3
    assert all("尚未开通平台账号" in p for p in problems)
