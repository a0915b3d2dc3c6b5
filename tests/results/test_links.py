"""Recusal (回避): declared links, the same person and the same employer."""

from __future__ import annotations

from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.personal import id_index
from skillcert.institutions.choices import StaffKind
from skillcert.institutions.services import registry
from skillcert.results import links
from skillcert.results.models import ExaminerLink
from tests.conftest import Refused
from tests.institutions.conftest import SYSTEM
from tests.results.conftest import ResultsKit
from tests.results.scoring_support import ready_panel


def test_no_link_no_reason(rk: ResultsKit) -> None:
    assert links.conflict_reason(rk.examiners[0], rk.candidates[0]) is None


def test_a_declared_link_is_a_conflict(rk: ResultsKit) -> None:
    member, candidate = rk.examiners[0], rk.candidates[0]
    link = links.link_declare(
        actor=rk.admin, staff=member, person=candidate.person, kind="teacher", note=" 班主任 "
    )
    assert (link.note, link.declared_by_label) == ("班主任", rk.admin.label)
    assert links.conflict_reason(member, candidate) == "已申报回避关系：任课教师"
    assert links.conflict_reason(rk.examiners[1], candidate) is None
    assert links.conflict_reason(member, rk.candidates[1]) is None
    event = AuditEvent.objects.get(action="results.link.declare")
    assert event.changes["kind"] == "teacher"


def test_a_link_binds_every_registry_row_of_the_examiner(rk: ResultsKit) -> None:
    member, candidate = rk.examiners[0], rk.candidates[0]
    links.link_declare(actor=rk.admin, staff=member, person=candidate.person, kind="relative")
    # The same person registered again as an expert (review panels).
    expert = registry.staff_add(
        actor=SYSTEM,
        institution=member.institution,
        kind=StaffKind.EXPERT,
        full_name=member.full_name,
        id_type=member.id_type,
        id_number=member.id_number.plain,
    )
    assert links.conflict_reason(expert, candidate) == "已申报回避关系：近亲属"


def test_an_examiner_who_is_the_candidate_is_a_conflict(rk: ResultsKit) -> None:
    candidate = rk.candidates[0]
    number = rk.exam.id_numbers[candidate.pk]
    assert candidate.person.id_number_index == id_index(IdType.RESIDENT, number)
    same = registry.staff_add(
        actor=SYSTEM,
        institution=rk.examiners[0].institution,
        kind=StaffKind.EXAMINER,
        full_name=candidate.person.full_name,
        id_type=IdType.RESIDENT,
        id_number=number,
    )
    assert links.conflict_reason(same, candidate) == "考评员本人即为考生"


def test_the_same_employer_is_a_conflict_blanks_aside(rk: ResultsKit) -> None:
    member, candidate = rk.examiners[0], rk.candidates[0]
    member.employer = "云南 机床厂"
    candidate.employer = " 云南机床厂\u3000"
    assert links.conflict_reason(member, candidate) == "与考生为同一工作单位"
    candidate.employer = "昆明机床厂"
    assert links.conflict_reason(member, candidate) is None
    member.employer = candidate.employer = ""
    assert links.conflict_reason(member, candidate) is None, "no employer is no conflict"


def test_panel_conflicts_list_every_pair(rk: ResultsKit) -> None:
    panel = ready_panel(rk)
    assert links.panel_conflicts(panel) == []
    links.link_declare(
        actor=rk.admin, staff=rk.examiners[2], person=rk.candidates[3].person, kind="other"
    )
    found = links.panel_conflicts(panel)
    assert [(s.pk, a.pk) for s, a, _r in found] == [(rk.examiners[2].pk, rk.candidates[3].pk)]


def test_only_the_institutions_staff_declare_and_remove_links(
    rk: ResultsKit, refused: Refused
) -> None:
    member, person = rk.examiners[0], rk.candidates[0].person
    for name in ("institution_b", "city_a", "examiner", "candidate"):
        refused(
            PermissionDenied,
            lambda name=name: links.link_declare(
                actor=rk.cast.actor(name), staff=member, person=person, kind="teacher"
            ),
        )
    refused(
        PermissionDenied,
        lambda: links.link_declare(
            actor=rk.examiner(0), staff=member, person=person, kind="teacher"
        ),
    )
    link = links.link_declare(actor=rk.admin, staff=member, person=person, kind="teacher")
    refused(
        DomainError,
        lambda: links.link_declare(actor=rk.admin, staff=member, person=person, kind="relative"),
        code="duplicate",
    )
    refused(
        DomainError,
        lambda: links.link_declare(
            actor=rk.admin, staff=rk.examiners[1], person=person, kind="cousin"
        ),
        code="kind",
    )
    refused(
        PermissionDenied,
        lambda: links.link_remove(actor=rk.cast.actor("institution_b"), link=link),
    )
    links.link_remove(actor=rk.admin, link=link)
    assert not ExaminerLink.objects.exists()
    assert AuditEvent.objects.filter(action="results.link.remove").count() == 1
    assert links.conflict_reason(member, rk.candidates[0]) is None
