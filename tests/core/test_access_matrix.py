"""URL × role access matrix (STYLE.md 7), generated from the URLconf.

Every named URL must appear in MATRIX (or in EXCLUDED, with a reason); a new URL
without an entry fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from skillcert.catalog.models import Occupation, Standard, StandardLevel
from tests.archives.matrix_dossiers import archives_dossiers_matrix
from tests.archives.matrix_records import archives_records_matrix
from tests.certificates.matrix_changes import certificates_changes_matrix
from tests.certificates.matrix_credentials import certificates_credentials_matrix
from tests.certificates.matrix_pages import certificates_pages_matrix
from tests.certificates.matrix_public import certificates_public_matrix
from tests.conftest import CAST_ROLES, Cast
from tests.results.matrix_pages import results_pages_matrix
from tests.results.matrix_scoring import results_scoring_matrix
from tests.stats.matrix_dashboard import stats_dashboard_matrix
from tests.stats.matrix_lifelong import stats_lifelong_matrix
from tests.supervision.matrix_alerts import supervision_alerts_matrix
from tests.supervision.matrix_cases import supervision_cases_matrix
from tests.supervision.matrix_complaints import supervision_complaints_matrix
from tests.supervision.matrix_credit import supervision_credit_matrix
from tests.supervision.matrix_external import supervision_external_matrix
from tests.supervision.matrix_home import supervision_home_matrix
from tests.supervision.matrix_inspections import supervision_inspections_matrix

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


CATALOG_EDITORS = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302, "province": 200}


def _catalog_level() -> StandardLevel:
    """An occupation, a standard and its level-5 row for the catalogue's URLs."""
    occupation, _ = Occupation.objects.get_or_create(
        code="6-18-01-01", defaults={"name": "车工", "tier": 4}
    )
    standard, _ = Standard.objects.get_or_create(
        occupation=occupation,
        title="矩阵测试标准",
        defaults={"kind": "national", "document_number": "测试", "year": 2018},
    )
    level, _ = StandardLevel.objects.get_or_create(standard=standard, level=5)
    return level


def _catalog_code(c: Cast) -> dict[str, Any]:
    return {"code": _catalog_level().standard.occupation.code}


def _catalog_level_kwargs(c: Cast) -> dict[str, Any]:
    return {"pk": _catalog_level().standard_id, "level": 5}


# The catalogue is public reference data; only provincial officials edit it.
MATRIX.update(
    {
        "catalog-search": (lambda c: {}, ALL_OK),
        "catalog-occupation": (_catalog_code, ALL_OK),
        "catalog-standard": (lambda c: {"pk": _catalog_level().standard_id}, ALL_OK),
        "catalog-occupation-add": (lambda c: {}, CATALOG_EDITORS),
        "catalog-work-type-add": (_catalog_code, CATALOG_EDITORS),
        "catalog-standard-add": (_catalog_code, CATALOG_EDITORS),
        "catalog-standard-level": (_catalog_level_kwargs, CATALOG_EDITORS),
        "catalog-weight-table": (
            lambda c: {**_catalog_level_kwargs(c), "table": "theory"},
            CATALOG_EDITORS,
        ),
        "api:catalog-occupation-list": (lambda c: {}, ALL_OK),
        "api:catalog-occupation-detail": (_catalog_code, ALL_OK),
        "api:catalog-standard-detail": (
            lambda c: {"standard_id": _catalog_level().standard_id},
            ALL_OK,
        ),
    }
)


def _institutions(c: Cast) -> dict[str, Any]:
    """Institution A with a draft application, a scope line and an examiner (built once)."""
    cached: dict[str, Any] | None = getattr(c, "_institutions", None)
    if cached is None:
        from skillcert.core.choices import IdType
        from skillcert.institutions.services import filing, registry
        from tests.factories import resident_id
        from tests.institutions.conftest import build_world

        world = build_world(c)
        admin = c.actor("institution_a")
        app = filing.filing_application_create(
            actor=admin, institution=world.inst_a, kind="initial"
        )
        line = filing.scope_line_add(
            actor=admin,
            application=app,
            occupation=world.lathe,
            work_type=None,
            standard=world.lathe_std,
            lowest_level=5,
            highest_level=4,
            item_bank_source="national",
        )
        staff = registry.staff_add(
            actor=admin,
            institution=world.inst_a,
            kind="examiner",
            full_name="考评员甲",
            id_type=IdType.RESIDENT,
            id_number=resident_id(serial=77),
        )
        cached = {"inst": world.inst_a.pk, "app": app.pk, "line": line.pk, "staff": staff.pk}
        c._institutions = cached  # type: ignore[attr-defined]
    return cached


def _inst(c: Cast) -> dict[str, Any]:
    return {"pk": _institutions(c)["inst"]}


def _app(c: Cast) -> dict[str, Any]:
    return {"pk": _institutions(c)["app"]}


def _staff(c: Cast) -> dict[str, Any]:
    return {"pk": _institutions(c)["inst"], "staff_pk": _institutions(c)["staff"]}


# Institution A's objects: its city, the province (and the province's education
# department) and its own admin see them; city B, institution B and persons get 404.
IN_CITY_A = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 200,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 404,
}
AUTHORITIES = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
AUTHORITIES.update(province=200, city_a=200, city_b=200)

MATRIX.update(
    {
        "directory": (lambda c: {}, ALL_OK),
        "directory-export": (lambda c: {}, ALL_OK),
        "directory-notices": (lambda c: {}, ALL_OK),
        # An unfiled institution is not in the public directory, for anyone.
        "directory-detail": (_inst, dict.fromkeys(CAST_ROLES, 404)),
        # Each institution admin is taken straight to their own institution.
        "institution-list": (
            lambda c: (_institutions(c), {})[1],
            {**SIGNED_IN, "institution_a": 302, "institution_b": 302},
        ),
        "institution-register": (lambda c: {}, AUTHORITIES),
        "institution-detail": (_inst, IN_CITY_A),
        "institution-site-add": (_inst, POST_ONLY),
        "institution-staff-add": (_inst, POST_ONLY),
        "institution-staff-deactivate": (_staff, POST_ONLY),
        "institution-qualification-add": (_staff, POST_ONLY),
        "institution-suspend": (_inst, POST_ONLY),
        "institution-reinstate": (_inst, POST_ONLY),
        "institution-revoke": (_inst, POST_ONLY),
        "filing-list": (lambda c: {}, SIGNED_IN),
        "filing-create": (lambda c: {}, POST_ONLY),
        "filing-detail": (_app, IN_CITY_A),
        "filing-line-add": (_app, POST_ONLY),
        "filing-line-remove": (
            lambda c: {**_app(c), "line_pk": _institutions(c)["line"]},
            POST_ONLY,
        ),
        "filing-material-upload": (_app, POST_ONLY),
        "filing-opinion-add": (_app, POST_ONLY),
        "filing-onsite-add": (_app, POST_ONLY),
        "filing-transition": (lambda c: {**_app(c), "action": "submit"}, POST_ONLY),
        "api:public_directory": (lambda c: {}, ALL_OK),
        "api:institutions": (lambda c: {}, API_SIGNED_IN),
        "api:institution": (
            lambda c: {"institution_id": _institutions(c)["inst"]},
            {**IN_CITY_A, "anonymous": 401},
        ),
        # Without its query parameters the check answers 422 to every signed-in caller.
        "api:scope_check": (
            lambda c: {"institution_id": _institutions(c)["inst"]},
            {**dict.fromkeys(CAST_ROLES, 422), "anonymous": 401},
        ),
        "api:filings": (lambda c: {}, API_SIGNED_IN),
    }
)


def _job(c: Cast) -> dict[str, Any]:
    """A finished job of institution A with a result file (built once)."""
    cached: int | None = getattr(c, "_job", None)
    if cached is None:
        from django.core.files.base import ContentFile

        from skillcert.core.models import Job, JobStatus

        job = Job.objects.create(
            kind="test", organisation=c.orgs["institution_a"], status=JobStatus.SUCCEEDED
        )
        job.result_file.save("result.txt", ContentFile(b"ok"))
        cached = job.pk
        c._job = cached  # type: ignore[attr-defined]
    return {"pk": cached}


# Jobs follow their organisation: institution A, its city and the province.
MATRIX.update(
    {
        "job-detail": (_job, IN_CITY_A),
        # The result file goes only to the organisation that ran the job (and is audited).
        "job-result": (
            _job,
            {**IN_CITY_A, "province": 403, "city_a": 403, "education": 403},
        ),
    }
)


def _exam_session(c: Cast) -> dict[str, Any]:
    """A theory session of a batch of institution A with one seated candidate (built once)."""
    cached: int | None = getattr(c, "_exam_session", None)
    if cached is None:
        from skillcert.enrollment.seating import seats_assign
        from tests.enrollment.test_documents_world import approved_candidates, exam_world

        exam = exam_world(c)
        approved_candidates(exam.batch, 1)
        seats_assign(actor=c.actor("institution_a"), session=exam.sessions[0])
        cached = exam.sessions[0].pk
        c._exam_session = cached  # type: ignore[attr-defined]
    return {"session_pk": cached}


# Seats and sign-in sheets: the institution's staff and its HR authorities; education
# officials are in scope but read certification data, not exam-room papers.
EXAM_PAPERS = {**IN_CITY_A, "education": 403}
MATRIX.update(
    {
        "session-seats": (_exam_session, EXAM_PAPERS),
        "session-signin-sheet": (_exam_session, EXAM_PAPERS),
    }
)


def _exam_ticket(c: Cast) -> dict[str, Any]:
    """The candidate seated in ``_exam_session``, made the cast's candidate (built once)."""
    cached: int | None = getattr(c, "_exam_ticket", None)
    if cached is None:
        from skillcert.enrollment.models import Person, SeatAssignment

        seat = SeatAssignment.objects.select_related("application").get(
            session_id=_exam_session(c)["session_pk"]
        )
        Person.objects.filter(pk=seat.application.person_id).update(user=c.users["candidate"])
        cached = seat.application_id
        c._exam_ticket = cached  # type: ignore[attr-defined]
    return {"pk": cached}


def _exam_checkin(c: Cast) -> dict[str, Any]:
    _exam_ticket(c)
    return _exam_session(c)


# Tickets: the candidate's own, and the institution's staff; authorities are in scope
# but print no tickets. Check-in: the seated candidate (or assigned staff) checks in;
# the desk is the institution's; the list goes where the sign-in sheet goes.
INSTITUTION_A_ONLY = {**IN_CITY_A, "province": 403, "city_a": 403, "education": 403}
MATRIX.update(
    {
        "ticket-pdf": (_exam_ticket, {**INSTITUTION_A_ONLY, "candidate": 200}),
        "session-tickets-pdf": (_exam_session, INSTITUTION_A_ONLY),
        "checkin-home": (lambda c: {}, SIGNED_IN),
        "checkin-session": (
            _exam_checkin,
            {**INSTITUTION_A_ONLY, "institution_a": 403, "candidate": 200},
        ),
        "checkin-desk": (_exam_session, INSTITUTION_A_ONLY),
        "checkin-list": (_exam_session, EXAM_PAPERS),
        "checkin-export": (_exam_session, EXAM_PAPERS),
    }
)


def _proctor_seat(c: Cast) -> dict[str, Any]:
    from skillcert.enrollment.models import SeatAssignment

    session = _exam_session(c)
    seat = SeatAssignment.objects.get(session_id=session["session_pk"])
    return {**session, "seat_pk": seat.pk}


# The proctor console and the session record (考场记录表): the institution's staff and
# the session's assigned proctors act, its HR authorities read; education officials are
# in scope but read no exam-room papers; the cast's examiner proctors nothing here.
MATRIX.update(
    {
        "proctor-console": (_exam_session, EXAM_PAPERS),
        "proctor-seat": (_proctor_seat, EXAM_PAPERS),
        "proctor-seat-action": (lambda c: {**_proctor_seat(c), "action": "pause"}, POST_ONLY),
        "proctor-note": (_exam_session, POST_ONLY),
        "proctor-sitting": (lambda c: {**_exam_session(c), "action": "open"}, POST_ONLY),
        "proctor-papers": (_exam_session, POST_ONLY),
        "proctor-record": (_exam_session, EXAM_PAPERS),
        "proctor-record-pdf": (_exam_session, EXAM_PAPERS),
    }
)


def _batches(c: Cast) -> dict[str, Any]:
    """A complete draft batch of institution A with its sessions and staff (built once)."""
    cached: dict[str, Any] | None = getattr(c, "_batches", None)
    if cached is None:
        from tests.batches.conftest import build_kit

        kit = build_kit(c)
        batch = kit.complete(kit.batch())
        session = batch.sessions.order_by("pk").first()
        assignment = batch.assignments.order_by("pk").first()
        assert session is not None
        assert assignment is not None
        cached = {"pk": batch.pk, "session": session.pk, "assignment": assignment.pk}
        c._batches = cached  # type: ignore[attr-defined]
    return cached


def _batch(c: Cast) -> dict[str, Any]:
    return {"pk": _batches(c)["pk"]}


def _batch_session(c: Cast) -> dict[str, Any]:
    return {**_batch(c), "session_pk": _batches(c)["session"]}


# Batches follow institution A like its filings; only its own staff plan (the others in
# scope get the forbidden page), and each institution's staff may start a plan of its own.
PLANNERS_A = {**IN_CITY_A, "province": 403, "city_a": 403, "education": 403}
PLANNERS = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
PLANNERS.update(institution_a=200, institution_b=200)
MATRIX.update(
    {
        "batch-list": (lambda c: (_batches(c), {})[1], SIGNED_IN),
        "batch-create": (lambda c: (_batches(c), {})[1], PLANNERS),
        "batch-detail": (_batch, IN_CITY_A),
        "batch-update": (_batch, PLANNERS_A),
        "batch-room-add": (_batch, POST_ONLY),
        "batch-session-add": (_batch, POST_ONLY),
        "batch-session-remove": (_batch_session, POST_ONLY),
        "batch-session-transition": (lambda c: {**_batch_session(c), "action": "open"}, POST_ONLY),
        "batch-staff-assign": (_batch, POST_ONLY),
        "batch-staff-unassign": (
            lambda c: {**_batch(c), "assignment_pk": _batches(c)["assignment"]},
            POST_ONLY,
        ),
        "batch-transition": (lambda c: {**_batch(c), "action": "file"}, POST_ONLY),
        "api:batches": (lambda c: {}, API_SIGNED_IN),
        "api:batch": (
            lambda c: {"batch_id": _batches(c)["pk"]},
            {**IN_CITY_A, "anonymous": 401},
        ),
    }
)


def _roster_batch(c: Cast) -> dict[str, Any]:
    """An enrolling batch of institution A with eligibility routes (built once)."""
    cached: int | None = getattr(c, "_roster_batch", None)
    if cached is None:
        from tests.enrollment.test_roster_support import build_roster_world

        cached = build_roster_world(c).batch.pk
        c._roster_batch = cached  # type: ignore[attr-defined]
    return {"batch_pk": cached}


# Rosters: the batch's own staff import them; the HR authorities over it (and its staff)
# export the applications, masked; education officials are in scope but get neither.
ROSTER_STAFF = {**IN_CITY_A, "province": 403, "city_a": 403, "education": 403}
MATRIX.update(
    {
        "roster-upload": (_roster_batch, ROSTER_STAFF),
        "roster-template": (_roster_batch, ROSTER_STAFF),
        "roster-export": (_roster_batch, {**IN_CITY_A, "education": 403}),
    }
)


def _enrollment(c: Cast) -> dict[str, Any]:
    """The cast candidate's submitted application to an enrolling batch of institution A,
    with evidence, an education record and a spot check drawn by city A (built once)."""
    cached: dict[str, Any] | None = getattr(c, "_enrollment", None)
    if cached is None:
        from skillcert.enrollment.models import SpotCheck
        from skillcert.enrollment.services import persons, spotchecks
        from tests.enrollment.conftest import build_enrol

        enrol = build_enrol(c)
        application = enrol.submitted()
        evidence = application.evidence.get()
        record = persons.education_add(
            actor=enrol.candidate,
            person=application.person,
            school="昆明技工学校",
            school_type="technical_school",
            education_level=1,
            major="数控车工",
        )
        draw = spotchecks.spot_check_draw(actor=c.actor("city_a"), batch=enrol.batch)
        cached = {
            "batch": enrol.batch.pk,
            "application": application.pk,
            "evidence": evidence.pk,
            "person": application.person_id,
            "record": record.pk,
            "check": SpotCheck.objects.get(draw=draw).pk,
        }
        c._enrollment = cached  # type: ignore[attr-defined]
    return cached


def _enrol(key: str, name: str = "pk") -> Callable[[Cast], dict[str, Any]]:
    return lambda c: {name: _enrollment(c)[key]}


# Applications follow institution A; the candidate sees their own. Evidence (identity
# documents) goes to the candidate, the staff and the HR authorities, not to education
# officials; spot checks are the HR authority's; the cross-check adds education officials.
OWN_APPLICATION = {**IN_CITY_A, "candidate": 200}
HR_AUTHORITY = {**IN_CITY_A, "education": 403, "institution_a": 403, "candidate": 403}
CROSS_CHECKERS = {**IN_CITY_A, "candidate": 403}
OFFICIALS = {**AUTHORITIES, "education": 200}
MATRIX.update(
    {
        "enrollment-home": (lambda c: {}, SIGNED_IN),
        "application-apply": (_enrol("batch"), SIGNED_IN),
        "application-detail": (_enrol("application"), OWN_APPLICATION),
        "application-edit": (_enrol("application"), POST_ONLY),
        "application-evidence-upload": (_enrol("application"), POST_ONLY),
        "application-evidence-download": (
            lambda c: {
                "pk": _enrollment(c)["application"],
                "evidence_pk": _enrollment(c)["evidence"],
            },
            {**OWN_APPLICATION, "education": 403},
        ),
        "application-evidence-remove": (
            lambda c: {
                "pk": _enrollment(c)["application"],
                "evidence_pk": _enrollment(c)["evidence"],
            },
            POST_ONLY,
        ),
        "application-pledge": (_enrol("application"), POST_ONLY),
        "application-submit": (_enrol("application"), POST_ONLY),
        "application-withdraw": (_enrol("application"), POST_ONLY),
        "application-review": (_enrol("application"), POST_ONLY),
        "batch-applications": (_enrol("batch"), IN_CITY_A),
        "batch-application-create": (_enrol("batch"), POST_ONLY),
        "batch-review-bulk": (_enrol("batch"), POST_ONLY),
        # The candidate, who has a person, is taken to their records.
        "my-records": (lambda c: (_enrollment(c), {})[1], {**SIGNED_IN, "candidate": 302}),
        "my-person-create": (lambda c: {}, POST_ONLY),
        "person-records": (_enrol("person"), OWN_APPLICATION),
        "person-record-add": (lambda c: {**_enrol("person")(c), "kind": "work"}, POST_ONLY),
        "person-record-remove": (
            lambda c: {
                **_enrol("person")(c),
                "kind": "education",
                "record_pk": _enrollment(c)["record"],
            },
            POST_ONLY,
        ),
        "person-diploma-verify": (
            lambda c: {**_enrol("person")(c), "record_pk": _enrollment(c)["record"]},
            POST_ONLY,
        ),
        "batch-spot-checks": (_enrol("batch"), HR_AUTHORITY),
        "batch-spot-check-draw": (_enrol("batch"), POST_ONLY),
        "spot-check-record": (_enrol("check"), POST_ONLY),
        "batch-cross-check": (_enrol("batch"), CROSS_CHECKERS),
        "batch-cross-check-export": (_enrol("batch"), CROSS_CHECKERS),
        "registry-imports": (lambda c: {}, OFFICIALS),
        "registry-import": (lambda c: {}, POST_ONLY),
        "registry-template": (lambda c: {}, SIGNED_IN),
        "api:application_list": (lambda c: {}, API_SIGNED_IN),
        "api:application_detail": (
            _enrol("application", "application_id"),
            {**OWN_APPLICATION, "anonymous": 401},
        ),
        "api:application_review": (
            _enrol("application", "application_id"),
            dict.fromkeys(CAST_ROLES, 405),
        ),
    }
)


def _itembank(c: Cast) -> dict[str, Any]:
    """A standard level with points and one draft item of institution A (built once)."""
    cached: dict[str, Any] | None = getattr(c, "_itembank", None)
    if cached is None:
        from tests.itembank.conftest import build_bank

        bank = build_bank(c)
        cached = {"level": bank.level.pk, "item": bank.item().pk}
        c._itembank = cached  # type: ignore[attr-defined]
    return cached


def _itembank_paper(c: Cast) -> dict[str, Any]:
    """An assembled, unsealed paper of institution A (built once)."""
    cached: int | None = getattr(c, "_itembank_paper", None)
    if cached is None:
        from skillcert.itembank.assembly import assemble
        from skillcert.itembank.blueprint import blueprint_for
        from tests.itembank.test_assembly_support import fill_bank, make_level, small_plan

        level = make_level(type_plan=small_plan())
        owner = c.orgs["institution_a"]
        fill_bank(level, owner, blueprint_for(level))
        [paper] = assemble(
            actor=c.actor("institution_a"),
            standard_level=level,
            forms=1,
            owner=owner,
            title="矩阵试卷",
            seed=1,
        )
        cached = paper.pk
        c._itembank_paper = cached  # type: ignore[attr-defined]
    return {"pk": cached}


# Item banks: their keepers (institution staff, provincial officials) and the HR
# authorities over them; education officials, examiners and candidates are refused.
BANK_READERS = {
    **dict.fromkeys(CAST_ROLES, 200),
    "anonymous": 302,
    "education": 403,
    "examiner": 403,
    "candidate": 403,
}
MATRIX.update(
    {
        "itembank-template": (lambda c: {}, BANK_READERS),
        "itembank-bank": (lambda c: {"level_pk": _itembank(c)["level"]}, BANK_READERS),
        "itembank-export": (lambda c: {"level_pk": _itembank(c)["level"]}, BANK_READERS),
        "itembank-import": (lambda c: {"level_pk": _itembank(c)["level"]}, POST_ONLY),
        "itembank-qti-import": (lambda c: {"level_pk": _itembank(c)["level"]}, POST_ONLY),
        "itembank-item-qti": (
            lambda c: {"pk": _itembank(c)["item"]},
            {**BANK_READERS, "city_b": 404, "institution_b": 404},
        ),
        "itembank-item-transition": (
            lambda c: {"pk": _itembank(c)["item"], "action": "review"},
            POST_ONLY,
        ),
        # Blueprints and papers: HR officials read them; a paper's items and key (the
        # export) are for its bank's keepers only.
        "itembank-blueprint": (lambda c: {"level_pk": _itembank(c)["level"]}, BANK_READERS),
        "itembank-papers": (lambda c: {"level_pk": _itembank(c)["level"]}, BANK_READERS),
        "itembank-assemble": (lambda c: {"level_pk": _itembank(c)["level"]}, POST_ONLY),
        "itembank-paper": (
            _itembank_paper,
            {**BANK_READERS, "city_b": 404, "institution_b": 404},
        ),
        "itembank-paper-seal": (_itembank_paper, POST_ONLY),
        "itembank-paper-export": (
            _itembank_paper,
            {**BANK_READERS, "province": 403, "city_a": 403, "city_b": 404, "institution_b": 404},
        ),
        "api:itembank_items": (
            lambda c: {"level_id": _itembank(c)["level"]},
            {**BANK_READERS, "anonymous": 401},
        ),
        "api:itembank_item": (
            lambda c: {"item_id": _itembank(c)["item"]},
            {**BANK_READERS, "anonymous": 401, "city_b": 404, "institution_b": 404},
        ),
        "api:itembank_item_transition": (
            lambda c: {"item_id": _itembank(c)["item"], "action": "review"},
            dict.fromkeys(CAST_ROLES, 405),
        ),
    }
)


def _grading(c: Cast) -> dict[str, Any]:
    """A prepared sitting of institution A whose batch has the cast examiner as one of its
    examiners (built once)."""
    cached: int | None = getattr(c, "_grading", None)
    if cached is None:
        from tests.exams.conftest import build_exam

        exam = build_exam(c, n=1)
        member = exam.kit.examiners[0]
        member.user = c.users["examiner"]
        member.save(update_fields=["user"])
        cached = exam.sitting.pk
        c._grading = cached  # type: ignore[attr-defined]
    return {"sitting_pk": cached}


# Grading: the batch's examiners and the institution's staff grade, blind; the HR
# authorities over it read scores and item statistics (education officials, though in
# scope, read neither); nobody else sees the sitting.
GRADERS_A = {**IN_CITY_A, "province": 403, "city_a": 403, "education": 403, "examiner": 200}
GRADING_HOME = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
GRADING_HOME.update(
    province=200, city_a=200, city_b=200, institution_a=200, institution_b=200, examiner=200
)
MATRIX.update(
    {
        "grading-home": (lambda c: (_grading(c), {})[1], GRADING_HOME),
        "grading-queue": (_grading, GRADERS_A),
        "grading-grade": (_grading, POST_ONLY),
        "sitting-scores": (_grading, EXAM_PAPERS),
        "sitting-scores-export": (_grading, EXAM_PAPERS),
        "sitting-item-stats": (_grading, EXAM_PAPERS),
        "sitting-item-stats-compute": (_grading, POST_ONLY),
    }
)


# The exam page and its JSON contract: candidates authenticate with the exam token the
# sign-in returns, never with a site session, so signed-in users get 401 like anyone.
EXAM_TOKEN_ONLY = dict.fromkeys(CAST_ROLES, 401)
MATRIX.update(
    {
        "exam-page": (lambda c: {}, ALL_OK),
        "api:exam_login": (lambda c: {}, dict.fromkeys(CAST_ROLES, 405)),
        "api:exam_attempt": (lambda c: {}, EXAM_TOKEN_ONLY),
        "api:exam_answer": (lambda c: {"position": 1}, dict.fromkeys(CAST_ROLES, 405)),
        "api:exam_submit": (lambda c: {}, dict.fromkeys(CAST_ROLES, 405)),
        "api:exam_event": (lambda c: {}, dict.fromkeys(CAST_ROLES, 405)),
    }
)

# Results (issue 6): each part keeps its entries beside its tests.
MATRIX.update(results_scoring_matrix())
MATRIX.update(results_pages_matrix())
MATRIX.update(certificates_public_matrix())
MATRIX.update(certificates_credentials_matrix())
MATRIX.update(certificates_pages_matrix())
MATRIX.update(certificates_changes_matrix())

# Supervision (issue 8).
MATRIX.update(supervision_home_matrix())
MATRIX.update(supervision_external_matrix())
MATRIX.update(supervision_complaints_matrix())
MATRIX.update(supervision_alerts_matrix())
MATRIX.update(supervision_inspections_matrix())
MATRIX.update(supervision_credit_matrix())
MATRIX.update(supervision_cases_matrix())

# Archives and statistics (issue 9).
MATRIX.update(archives_records_matrix())
MATRIX.update(archives_dossiers_matrix())
MATRIX.update(stats_dashboard_matrix())
MATRIX.update(stats_lifelong_matrix())


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
