"""The filing workflow: every transition, and every refusal leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from skillcert.catalog.models import WorkType
from skillcert.core.choices import Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent, ProvincePolicy
from skillcert.core.workdays import deadline
from skillcert.institutions.choices import (
    DirectoryNoticeKind,
    DirectoryStatus,
    FilingKind,
    FilingStatus,
    InstitutionType,
    ItemBankSource,
    MaterialKind,
)
from skillcert.institutions.models import (
    DirectoryNotice,
    Filing,
    FilingApplication,
    FilingScopeLine,
    Institution,
    ScopeEntry,
)
from skillcert.institutions.numbering import FILING_NUMBER_RE
from skillcert.institutions.services import filing as flow
from tests.factories import MembershipFactory
from tests.institutions.conftest import (
    LineSpec,
    World,
    approved,
    draft,
    equip,
    pdf,
    set_type,
    submitted,
    under_assessment,
)
from tests.institutions.factories import OccupationFactory, StandardFactory

pytestmark = pytest.mark.django_db
Refused = Callable[..., Any]


def _status(application: FilingApplication) -> str:
    return FilingApplication.objects.get(pk=application.pk).status


# ---------------------------------------------------------------- the happy path


def test_first_filing_end_to_end(world: World) -> None:
    a = world.inst_a
    line = world.line(5, 3)
    equip(a, line)
    application = draft(world, a, line)
    assert application.status == FilingStatus.DRAFT
    assert application.scope_lines.count() == 1
    assert application.materials.count() == len(MaterialKind)

    flow.filing_submit(actor=world.applicant(a), application=application)
    application.refresh_from_db()
    assert application.status == FilingStatus.SUBMITTED
    assert application.submitted_at is not None
    expected = deadline(timezone.localdate(), 10)
    assert application.decision_due == expected.due
    assert application.decision_due_provisional == expected.provisional

    city_a = world.authority(a)
    flow.filing_accept(actor=city_a, application=application)
    assert _status(application) == FilingStatus.ACCEPTED
    flow.filing_start_assessment(actor=city_a, application=application)
    assert _status(application) == FilingStatus.UNDER_ASSESSMENT
    for expert in world.experts[:2]:
        flow.expert_opinion_add(
            actor=expert, application=application, score=90, recommends_approval=True, opinion="好"
        )
    flow.onsite_check_record(
        actor=city_a,
        application=application,
        checked_on=timezone.localdate(),
        inspectors="专家组",
        findings="符合",
        passed=True,
    )
    filing = flow.filing_approve(actor=city_a, application=application, note="准予备案")

    application.refresh_from_db()
    a.refresh_from_db()
    today = timezone.localdate()
    assert application.status == FilingStatus.APPROVED
    assert application.filing == filing
    assert FILING_NUMBER_RE.match(filing.filing_number)
    assert filing.filing_number == f"53Y{today.year}0001"
    assert filing.valid_from == today
    assert filing.valid_until == today.replace(year=today.year + 3) - timedelta(days=1)
    assert filing.issued_by == world.cast.orgs["city_a"]
    assert a.status == DirectoryStatus.ACTIVE
    assert (a.site_province, a.site_serial) == ("53", "000001")
    assert a.certificate_prefix_parts == ("Y", "0000", "53", "000001")
    entry = ScopeEntry.objects.get(filing=filing)
    assert (entry.occupation, entry.lowest_level, entry.highest_level) == (world.lathe, 5, 3)
    assert entry.granted_by == application
    assert entry.is_active
    notice = DirectoryNotice.objects.get(institution=a)
    assert notice.kind == DirectoryNoticeKind.LISTED
    assert filing.filing_number in notice.text
    assert "车工（6-18-01-01）" in notice.text
    actions = list(
        AuditEvent.objects.filter(object_type="institutions.filingapplication")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-7:] == [
        "filing.submit",
        "filing.accept",
        "filing.start_assessment",
        "filing.expert_opinion_add",
        "filing.expert_opinion_add",
        "filing.onsite_check",
        "filing.approve",
    ]


def test_social_organisation_gets_category_s(world: World) -> None:
    set_type(world.inst_a, InstitutionType.SOCIAL_ORGANISATION)
    approved(world, world.inst_a)
    assert world.inst_a.filing.filing_number.startswith("53S")
    assert world.inst_a.certificate_prefix_parts[0] == "S"


def test_return_then_edit_and_resubmit_recomputes_the_due_date(world: World) -> None:
    a = world.inst_a
    application = submitted(world, a, world.line())
    FilingApplication.objects.filter(pk=application.pk).update(
        decision_due=timezone.localdate() - timedelta(days=30)
    )
    flow.filing_return(actor=world.authority(a), application=application, reason="材料不全")
    application.refresh_from_db()
    assert application.status == FilingStatus.RETURNED
    assert application.returned_reason == "材料不全"
    flow.scope_line_add(
        actor=world.applicant(a),
        application=application,
        occupation=world.electrician,
        work_type=None,
        standard=world.electric_std,
        lowest_level=5,
        highest_level=4,
        item_bank_source=ItemBankSource.NATIONAL,
    )
    flow.filing_submit(actor=world.applicant(a), application=application)
    application.refresh_from_db()
    assert application.status == FilingStatus.SUBMITTED
    assert application.decision_due == deadline(timezone.localdate(), 10).due


def test_due_date_follows_the_province_policy(world: World) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"filing_decision_working_days": 3}
    )
    application = submitted(world, world.inst_a, world.line())
    assert application.decision_due == deadline(timezone.localdate(), 3).due


def test_refuse_after_assessment(world: World) -> None:
    application = under_assessment(world, world.inst_a, world.line())
    flow.filing_refuse(actor=world.authority(world.inst_a), application=application, reason="不足")
    application.refresh_from_db()
    assert application.status == FilingStatus.REFUSED
    assert application.decision_note == "不足"
    assert application.decided_at is not None
    world.inst_a.refresh_from_db()
    assert world.inst_a.status == DirectoryStatus.UNFILED
    # A refused application is closed: the institution may apply again.
    again = flow.filing_application_create(
        actor=world.applicant(world.inst_a), institution=world.inst_a, kind=FilingKind.INITIAL
    )
    assert again.status == FilingStatus.DRAFT


def test_province_official_may_decide_for_any_city(world: World) -> None:
    application = submitted(world, world.inst_b, world.line())
    flow.filing_accept(actor=world.cast.actor("province"), application=application)
    assert _status(application) == FilingStatus.ACCEPTED


def test_scope_line_remove(world: World) -> None:
    application = draft(world, world.inst_a, world.line(), materials=False)
    line = application.scope_lines.get()
    flow.scope_line_remove(actor=world.applicant(world.inst_a), line=line)
    assert not FilingScopeLine.objects.filter(pk=line.pk).exists()


# ---------------------------------------------------------------- addition and renewal


def test_addition_adds_entries_without_changing_validity(world: World) -> None:
    a = world.inst_a
    approved(world, a)
    filing = Filing.objects.get(institution=a)
    before = (filing.filing_number, filing.valid_from, filing.valid_until)
    extra = LineSpec(world.electrician, world.electric_std, 5, 4)
    equip(a, extra)
    application = under_assessment(world, a, extra, kind=FilingKind.ADDITION, onsite=False)
    flow.filing_approve(actor=world.authority(a), application=application)
    filing.refresh_from_db()
    assert (filing.filing_number, filing.valid_from, filing.valid_until) == before
    assert set(
        ScopeEntry.objects.filter(filing=filing).values_list("occupation__code", flat=True)
    ) == {
        "6-18-01-01",
        "6-31-01-03",
    }
    assert DirectoryNotice.objects.filter(
        institution=a, kind=DirectoryNoticeKind.SCOPE_ADDED
    ).exists()


def test_renewal_within_the_window_extends_validity(world: World) -> None:
    a = world.inst_a
    approved(world, a)
    end = timezone.localdate() + timedelta(days=30)
    Filing.objects.filter(institution=a).update(valid_until=end)
    application = under_assessment(world, a, kind=FilingKind.RENEWAL, onsite=False)
    flow.filing_approve(actor=world.authority(a), application=application)
    filing = Filing.objects.get(institution=a)
    assert filing.valid_until == end.replace(year=end.year + 3)
    assert DirectoryNotice.objects.filter(institution=a, kind=DirectoryNoticeKind.RENEWED).exists()


# ---------------------------------------------------------------- refusals: state


def test_only_one_application_in_progress(world: World, refused: Refused) -> None:
    draft(world, world.inst_a, materials=False)
    refused(
        InvalidTransition,
        lambda: flow.filing_application_create(
            actor=world.applicant(world.inst_a), institution=world.inst_a, kind=FilingKind.INITIAL
        ),
        code="in_progress",
    )


@pytest.mark.parametrize("kind", [FilingKind.ADDITION, FilingKind.RENEWAL])
def test_addition_and_renewal_need_a_filing(world: World, refused: Refused, kind: str) -> None:
    refused(
        DomainError,
        lambda: flow.filing_application_create(
            actor=world.applicant(world.inst_a), institution=world.inst_a, kind=kind
        ),
        code="unfiled",
    )


def test_an_active_institution_cannot_file_again(world: World, refused: Refused) -> None:
    approved(world, world.inst_a)
    refused(
        DomainError,
        lambda: flow.filing_application_create(
            actor=world.applicant(world.inst_a), institution=world.inst_a, kind=FilingKind.INITIAL
        ),
        code="already_filed",
    )


def test_wrong_state_refusals(world: World, refused: Refused) -> None:
    a = world.inst_a
    city_a = world.authority(a)
    application = draft(world, a, world.line())
    refused(InvalidTransition, lambda: flow.filing_accept(actor=city_a, application=application))
    refused(
        InvalidTransition,
        lambda: flow.filing_return(actor=city_a, application=application, reason="x"),
    )
    refused(
        InvalidTransition,
        lambda: flow.filing_start_assessment(actor=city_a, application=application),
    )
    refused(InvalidTransition, lambda: flow.filing_approve(actor=city_a, application=application))
    refused(
        InvalidTransition,
        lambda: flow.filing_refuse(actor=city_a, application=application, reason="x"),
    )
    refused(
        InvalidTransition,
        lambda: flow.expert_opinion_add(
            actor=world.experts[0],
            application=application,
            score=80,
            recommends_approval=True,
            opinion="x",
        ),
    )
    flow.filing_submit(actor=world.applicant(a), application=application)
    refused(
        InvalidTransition,
        lambda: flow.filing_submit(actor=world.applicant(a), application=application),
    )
    refused(
        InvalidTransition,
        lambda: flow.scope_line_add(
            actor=world.applicant(a),
            application=application,
            occupation=world.electrician,
            work_type=None,
            standard=world.electric_std,
            lowest_level=5,
            highest_level=5,
            item_bank_source=ItemBankSource.OWN,
        ),
    )
    refused(
        InvalidTransition,
        lambda: flow.scope_line_remove(
            actor=world.applicant(a), line=application.scope_lines.get()
        ),
    )
    refused(
        InvalidTransition,
        lambda: flow.onsite_check_record(
            actor=city_a,
            application=application,
            checked_on=timezone.localdate(),
            inspectors="x",
            findings="x",
            passed=True,
        ),
    )
    assert _status(application) == FilingStatus.SUBMITTED


def test_approved_is_final(world: World, refused: Refused) -> None:
    application = approved(world, world.inst_a)
    city_a = world.authority(world.inst_a)
    refused(InvalidTransition, lambda: flow.filing_approve(actor=city_a, application=application))
    refused(
        InvalidTransition,
        lambda: flow.filing_refuse(actor=city_a, application=application, reason="x"),
    )


# ---------------------------------------------------------------- refusals: who


@pytest.mark.parametrize(
    "role", ["institution_b", "city_a", "city_b", "province", "education", "examiner", "candidate"]
)
def test_only_the_own_admin_prepares_and_submits(world: World, refused: Refused, role: str) -> None:
    a = world.inst_a
    actor = world.cast.actor(role)
    refused(
        PermissionDenied,
        lambda: flow.filing_application_create(actor=actor, institution=a, kind=FilingKind.INITIAL),
    )
    application = draft(world, a, world.line())
    refused(PermissionDenied, lambda: flow.filing_submit(actor=actor, application=application))
    refused(
        PermissionDenied,
        lambda: flow.material_upload(
            actor=actor,
            application=application,
            kind=MaterialKind.RULES,
            uploaded_file=pdf(),
        ),
    )
    assert not FilingApplication.objects.exclude(pk=application.pk).exists()


@pytest.mark.parametrize(
    "role", ["city_b", "institution_a", "institution_b", "education", "examiner", "candidate"]
)
def test_only_the_authority_over_the_institution_decides(
    world: World, refused: Refused, role: str
) -> None:
    a = world.inst_a
    actor = world.cast.actor(role)
    application = submitted(world, a, world.line())
    refused(PermissionDenied, lambda: flow.filing_accept(actor=actor, application=application))
    refused(
        PermissionDenied,
        lambda: flow.filing_return(actor=actor, application=application, reason="x"),
    )
    flow.filing_accept(actor=world.authority(a), application=application)
    refused(
        PermissionDenied, lambda: flow.filing_start_assessment(actor=actor, application=application)
    )
    flow.filing_start_assessment(actor=world.authority(a), application=application)
    refused(PermissionDenied, lambda: flow.filing_approve(actor=actor, application=application))
    refused(
        PermissionDenied,
        lambda: flow.filing_refuse(actor=actor, application=application, reason="x"),
    )
    refused(
        PermissionDenied,
        lambda: flow.onsite_check_record(
            actor=actor,
            application=application,
            checked_on=timezone.localdate(),
            inspectors="x",
            findings="x",
            passed=True,
        ),
    )
    assert _status(application) == FilingStatus.UNDER_ASSESSMENT


# ---------------------------------------------------------------- refusals: content


def test_submit_needs_scope_lines(world: World, refused: Refused) -> None:
    application = draft(world, world.inst_a)
    refused(
        DomainError,
        lambda: flow.filing_submit(actor=world.applicant(world.inst_a), application=application),
        code="no_scope_lines",
    )
    assert _status(application) == FilingStatus.DRAFT


def test_submit_needs_every_material(world: World, refused: Refused) -> None:
    application = draft(world, world.inst_a, world.line(), materials=False)
    flow.material_upload(
        actor=world.applicant(world.inst_a),
        application=application,
        kind=MaterialKind.APPLICATION_FORM,
        uploaded_file=pdf(),
    )
    error = refused(
        DomainError,
        lambda: flow.filing_submit(actor=world.applicant(world.inst_a), application=application),
        code="missing_materials",
    )
    assert "法人登记证书" in str(error)
    assert "备案申请表" not in str(error)
    application.refresh_from_db()
    assert (application.status, application.decision_due) == (FilingStatus.DRAFT, None)


def test_return_needs_a_reason(world: World, refused: Refused) -> None:
    application = submitted(world, world.inst_a, world.line())
    refused(
        DomainError,
        lambda: flow.filing_return(
            actor=world.authority(world.inst_a), application=application, reason="  "
        ),
    )
    assert _status(application) == FilingStatus.SUBMITTED


@pytest.mark.parametrize(
    ("kind", "highest", "allowed"),
    [
        (InstitutionType.SECONDARY_VOCATIONAL, 4, True),
        (InstitutionType.SECONDARY_VOCATIONAL, 3, False),
        (InstitutionType.HIGHER_VOCATIONAL, 3, True),
        (InstitutionType.HIGHER_VOCATIONAL, 2, False),
        (InstitutionType.VOCATIONAL_UNDERGRADUATE, 2, False),
        (InstitutionType.UNDERGRADUATE, 2, False),
        (InstitutionType.TECHNICAL_SCHOOL, 1, True),
        (InstitutionType.ENTERPRISE, 1, True),
    ],
)
def test_level_cap_by_school_type_at_approval(
    world: World, refused: Refused, kind: str, highest: int, allowed: bool
) -> None:
    a = set_type(world.inst_a, kind)
    line = world.line(5, highest)
    equip(a, line)
    application = under_assessment(world, a, line)
    approve = lambda: flow.filing_approve(actor=world.authority(a), application=application)  # noqa: E731
    if allowed:
        approve()
        assert _status(application) == FilingStatus.APPROVED
        return
    refused(DomainError, approve, code="level_cap")
    a.refresh_from_db()
    assert a.status == DirectoryStatus.UNFILED
    assert a.site_serial == ""
    assert not Filing.objects.exists()
    assert not DirectoryNotice.objects.exists()
    assert _status(application) == FilingStatus.UNDER_ASSESSMENT


def test_level_cap_comes_from_the_policy(world: World, refused: Refused) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000", defaults={"secondary_vocational_level_cap": 3}
    )
    a = set_type(world.inst_a, InstitutionType.SECONDARY_VOCATIONAL)
    line = world.line(5, 3)
    equip(a, line)
    application = under_assessment(world, a, line)
    flow.filing_approve(actor=world.authority(a), application=application)
    assert _status(application) == FilingStatus.APPROVED


def test_approval_needs_opinions_a_majority_and_an_onsite_check(
    world: World, refused: Refused
) -> None:
    a = world.inst_a
    line = world.line()
    equip(a, line)
    application = under_assessment(world, a, line, opinions=0, onsite=False)
    city_a = world.authority(a)
    approve = lambda: flow.filing_approve(actor=city_a, application=application)  # noqa: E731
    refused(DomainError, approve, code="onsite_check")
    flow.onsite_check_record(
        actor=city_a,
        application=application,
        checked_on=timezone.localdate(),
        inspectors="x",
        findings="未通过",
        passed=False,
    )
    refused(DomainError, approve, code="onsite_check")
    flow.onsite_check_record(
        actor=city_a,
        application=application,
        checked_on=timezone.localdate(),
        inspectors="x",
        findings="复查通过",
        passed=True,
    )
    refused(DomainError, approve, code="no_opinions")
    for expert, yes in zip(world.experts, (True, False), strict=False):
        flow.expert_opinion_add(
            actor=expert, application=application, score=60, recommends_approval=yes, opinion="x"
        )
    refused(DomainError, approve, code="panel_against")
    flow.expert_opinion_add(
        actor=world.experts[2],
        application=application,
        score=80,
        recommends_approval=True,
        opinion="同意",
    )
    approve()
    assert _status(application) == FilingStatus.APPROVED


def test_approval_needs_every_condition(world: World, refused: Refused) -> None:
    a = world.inst_a
    line = world.line()
    equip(a, line, examiners=2)
    application = under_assessment(world, a, line)
    error = refused(
        DomainError,
        lambda: flow.filing_approve(actor=world.authority(a), application=application),
        code="conditions",
    )
    assert "考评人员不少于3人" in str(error)


# ---------------------------------------------------------------- refusals: scope lines


def test_scope_line_catalogue_checks(world: World, refused: Refused) -> None:
    application = draft(world, world.inst_a, materials=False)
    actor = world.applicant(world.inst_a)

    def add(**overrides: Any) -> Callable[[], object]:
        values: dict[str, Any] = {
            "occupation": world.lathe,
            "work_type": None,
            "standard": world.lathe_std,
            "lowest_level": 5,
            "highest_level": 4,
            "item_bank_source": ItemBankSource.OWN,
        }
        values.update(overrides)
        return lambda: flow.scope_line_add(actor=actor, application=application, **values)

    minor = OccupationFactory(code="6-18-01-00", tier=3)
    inactive = OccupationFactory(is_active=False)
    other_wt = WorkType.objects.create(occupation=world.lathe, name="普通车工")
    foreign_wt = WorkType.objects.create(occupation=world.electrician, name="维修电工")
    refused(DomainError, add(occupation=minor, standard=StandardFactory(occupation=minor)))
    refused(DomainError, add(occupation=inactive, standard=StandardFactory(occupation=inactive)))
    refused(DomainError, add(standard=world.electric_std))  # a standard of another occupation
    refused(DomainError, add(work_type=other_wt))  # the standard lists only 数控车工
    refused(DomainError, add(work_type=foreign_wt))  # a work type of another occupation
    refused(
        DomainError,
        add(occupation=world.electrician, standard=world.electric_std, highest_level=2),
    )  # the 电工 standard has no level 2
    refused(DomainError, add(lowest_level=3, highest_level=5))
    refused(DomainError, add(item_bank_source="none"))
    assert application.scope_lines.count() == 0
    add(work_type=world.cnc)()
    add()()  # the whole occupation besides the work type
    refused(DomainError, add())  # a duplicate
    assert application.scope_lines.count() == 2


def test_addition_refuses_occupations_already_filed(world: World, refused: Refused) -> None:
    approved(world, world.inst_a)
    application = draft(world, world.inst_a, kind=FilingKind.ADDITION, materials=False)
    refused(
        DomainError,
        lambda: flow.scope_line_add(
            actor=world.applicant(world.inst_a),
            application=application,
            occupation=world.lathe,
            work_type=None,
            standard=world.lathe_std,
            lowest_level=5,
            highest_level=5,
            item_bank_source=ItemBankSource.OWN,
        ),
    )


def test_renewal_has_no_scope_lines(world: World, refused: Refused) -> None:
    approved(world, world.inst_a)
    Filing.objects.update(valid_until=timezone.localdate() + timedelta(days=10))
    application = draft(world, world.inst_a, kind=FilingKind.RENEWAL, materials=False)
    refused(
        DomainError,
        lambda: flow.scope_line_add(
            actor=world.applicant(world.inst_a),
            application=application,
            occupation=world.electrician,
            work_type=None,
            standard=world.electric_std,
            lowest_level=5,
            highest_level=5,
            item_bank_source=ItemBankSource.OWN,
        ),
    )


# ---------------------------------------------------------------- refusals: the filing


def test_renewal_outside_the_window(world: World, refused: Refused) -> None:
    a = world.inst_a
    approved(world, a)  # valid for three years: far from the window
    create = lambda: flow.filing_application_create(  # noqa: E731
        actor=world.applicant(a), institution=a, kind=FilingKind.RENEWAL
    )
    refused(DomainError, create, code="renewal_window")
    # Inside the window at creation, outside it again at approval.
    Filing.objects.update(valid_until=timezone.localdate() + timedelta(days=20))
    application = under_assessment(world, a, kind=FilingKind.RENEWAL, onsite=False)
    Filing.objects.update(valid_until=timezone.localdate() + timedelta(days=200))
    refused(
        DomainError,
        lambda: flow.filing_approve(actor=world.authority(a), application=application),
        code="renewal_window",
    )


def test_addition_refused_for_a_suspended_or_expired_filing(world: World, refused: Refused) -> None:
    a = world.inst_a
    approved(world, a)
    create = lambda: flow.filing_application_create(  # noqa: E731
        actor=world.applicant(a), institution=a, kind=FilingKind.ADDITION
    )
    Institution.objects.filter(pk=a.pk).update(status=DirectoryStatus.SUSPENDED)
    refused(DomainError, create, code=DirectoryStatus.SUSPENDED)
    Institution.objects.filter(pk=a.pk).update(status=DirectoryStatus.ACTIVE)
    Filing.objects.update(valid_until=timezone.localdate() - timedelta(days=1))
    refused(DomainError, create, code=DirectoryStatus.EXPIRED)  # expired by date


def test_addition_approval_refused_once_suspended(world: World, refused: Refused) -> None:
    a = world.inst_a
    approved(world, a)
    extra = LineSpec(world.electrician, world.electric_std, 5, 4)
    equip(a, extra)
    application = under_assessment(world, a, extra, kind=FilingKind.ADDITION, onsite=False)
    Institution.objects.filter(pk=a.pk).update(status=DirectoryStatus.SUSPENDED)
    refused(
        DomainError,
        lambda: flow.filing_approve(actor=world.authority(a), application=application),
        code=DirectoryStatus.SUSPENDED,
    )
    assert ScopeEntry.objects.count() == 1


def test_an_expired_institution_files_again_with_a_new_receipt(world: World) -> None:
    a = world.inst_a
    old = approved(world, a).filing
    assert old is not None
    old_number = old.filing_number
    Institution.objects.filter(pk=a.pk).update(status=DirectoryStatus.EXPIRED)
    Filing.objects.update(valid_until=timezone.localdate() - timedelta(days=1))
    a.refresh_from_db()
    application = under_assessment(world, a, world.line())
    filing = flow.filing_approve(actor=world.authority(a), application=application)
    assert filing.pk == old.pk
    assert filing.filing_number != old_number
    assert filing.valid_from == timezone.localdate()
    assert ScopeEntry.objects.filter(filing=filing, is_active=True).count() == 1
    assert ScopeEntry.objects.filter(filing=filing, is_active=False).count() == 1
    a.refresh_from_db()
    assert (a.status, a.site_serial) == (DirectoryStatus.ACTIVE, "000001")


# ---------------------------------------------------------------- expert opinions


def test_expert_opinions(world: World, refused: Refused) -> None:
    a = world.inst_a
    application = under_assessment(world, a, world.line(), opinions=1, onsite=False)
    expert = world.experts[0]
    add = lambda actor, **kw: flow.expert_opinion_add(  # noqa: E731
        actor=actor, application=application, score=70, recommends_approval=True, opinion="x", **kw
    )
    refused(DomainError, lambda: add(expert), code="duplicate_opinion")
    refused(PermissionDenied, lambda: add(world.experts[1], expert=expert.user))
    refused(PermissionDenied, lambda: add(world.cast.actor("examiner")))
    refused(PermissionDenied, lambda: add(world.cast.actor("city_b"), expert=world.experts[1].user))
    refused(DomainError, lambda: add(world.authority(a)))  # no expert named
    refused(DomainError, lambda: add(world.authority(a), expert=world.cast.users["examiner"]))
    refused(
        DomainError,
        lambda: flow.expert_opinion_add(
            actor=world.experts[1],
            application=application,
            score=101,
            recommends_approval=True,
            opinion="x",
        ),
    )
    recorded = add(world.authority(a), expert=world.experts[1].user)
    assert recorded.expert == world.experts[1].user
    assert application.expert_opinions.count() == 2


def test_an_expert_from_the_applicant_may_not_assess_it(world: World, refused: Refused) -> None:
    expert = world.experts[0]
    MembershipFactory(
        user=expert.user, role=Role.EXPERT, organisation=world.cast.orgs["institution_a"]
    )
    application = under_assessment(world, world.inst_a, world.line(), opinions=0, onsite=False)
    refused(
        PermissionDenied,
        lambda: flow.expert_opinion_add(
            actor=expert, application=application, score=90, recommends_approval=True, opinion="x"
        ),
        code="conflict",
    )


def test_onsite_check_cannot_be_in_the_future(world: World, refused: Refused) -> None:
    application = under_assessment(world, world.inst_a, world.line(), onsite=False)
    refused(
        DomainError,
        lambda: flow.onsite_check_record(
            actor=world.authority(world.inst_a),
            application=application,
            checked_on=timezone.localdate() + timedelta(days=1),
            inspectors="x",
            findings="x",
            passed=True,
        ),
    )


def test_every_write_audits_once(world: World) -> None:
    before = AuditEvent.objects.count()
    application = draft(world, world.inst_a, world.line(), materials=False)
    # create + one scope line
    assert AuditEvent.objects.count() == before + 2
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    assert last.object_id == str(application.pk)
