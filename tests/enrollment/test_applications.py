"""Applying: the 申报表, evidence, the truthfulness pledge and submission."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.catalog.choices import SchoolType
from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.enrollment.choices import ApplicationStatus, EvidenceKind
from skillcert.enrollment.eligibility import academic_graduation_years
from skillcert.enrollment.models import Application, Evidence, Person
from skillcert.enrollment.services import applications as flow
from skillcert.enrollment.services import persons
from tests.conftest import build_cast
from tests.enrollment.conftest import (
    Enrol,
    build_enrol,
    make_batch,
    new_candidate,
    pdf,
    png,
    sign,
)
from tests.factories import resident_id
from tests.institutions.conftest import another_institution


def test_a_candidate_applies_for_themself(enrol: Enrol) -> None:
    application = flow.application_create(
        actor=enrol.candidate,
        person=enrol.person(),
        batch=enrol.batch,
        employer="昆明机床厂",
        current_job="车工",
        work_years=7,
        declared_route=1,
    )
    assert application.status == ApplicationStatus.DRAFT
    assert (application.employer, application.work_years, application.declared_route) == (
        "昆明机床厂",
        7,
        1,
    )
    event = AuditEvent.objects.get(action="application.create")
    assert event.organisation_id == enrol.cast.orgs["institution_a"].pk


@pytest.mark.parametrize(
    "status", [BatchStatus.APPROVED, BatchStatus.ENROLLMENT_CLOSED, BatchStatus.DRAFT]
)
def test_only_an_enrolling_batch_takes_applications(
    enrol: Enrol, refused: Any, status: str
) -> None:
    Batch.objects.filter(pk=enrol.batch.pk).update(status=status)
    person = enrol.person()
    refused(
        InvalidTransition,
        lambda: flow.application_create(actor=enrol.candidate, person=person, batch=enrol.batch),
        "not_enrolling",
    )


def test_one_application_per_person_and_batch(enrol: Enrol, refused: Any) -> None:
    enrol.draft()
    refused(DomainError, lambda: enrol.draft(), "duplicate")
    enrol.draft(batch=enrol.batch_b)  # another batch is fine
    assert Application.objects.count() == 2


def test_nobody_applies_for_someone_else(enrol: Enrol, refused: Any) -> None:
    person = enrol.person()
    for actor in (new_candidate(), enrol.staff_b, enrol.cast.actor("city_a")):
        refused(
            PermissionDenied,
            lambda a=actor: flow.application_create(actor=a, person=person, batch=enrol.batch),
        )


def test_an_unknown_route_is_refused(enrol: Enrol, refused: Any) -> None:
    person = enrol.person()
    refused(
        DomainError,
        lambda: flow.application_create(
            actor=enrol.candidate, person=person, batch=enrol.batch, declared_route=4
        ),
        "invalid_route",
    )


def test_staff_apply_on_behalf_and_the_person_appears_in_their_scope(enrol: Enrol) -> None:
    number = resident_id(area="530103", serial=61)
    application = flow.application_register(
        actor=enrol.staff,
        batch=enrol.batch,
        full_name="李四",
        id_type=IdType.RESIDENT,
        id_number=number,
        phone="13800001111",
        employer="昆明机床厂",
    )
    assert application.person.id_number == number
    assert Person.objects.for_actor(enrol.staff).filter(pk=application.person_id).exists()
    assert not Person.objects.for_actor(enrol.staff_b).filter(pk=application.person_id).exists()


def test_staff_of_another_institution_cannot_apply_on_behalf(enrol: Enrol, refused: Any) -> None:
    refused(
        PermissionDenied,
        lambda: flow.application_register(
            actor=enrol.staff_b,
            batch=enrol.batch,
            full_name="李四",
            id_type=IdType.RESIDENT,
            id_number=resident_id(area="530103", serial=62),
        ),
    )


def test_a_name_mismatch_on_behalf_creates_nothing(enrol: Enrol, refused: Any) -> None:
    number = resident_id(area="530103", serial=63)
    persons.person_find_or_create(
        actor=enrol.staff, full_name="李四", id_type=IdType.RESIDENT, id_number=number
    )
    refused(
        DomainError,
        lambda: flow.application_register(
            actor=enrol.staff,
            batch=enrol.batch,
            full_name="李五",
            id_type=IdType.RESIDENT,
            id_number=number,
        ),
        "name_mismatch",
    )
    assert not Application.objects.exists()


def test_editing_the_form_only_while_editable(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    flow.application_update(
        actor=enrol.candidate,
        application=application,
        employer="新单位",
        current_job="数控车工",
        work_years=3,
        declared_route=0,
    )
    application.refresh_from_db()
    assert application.employer == "新单位"
    submitted = enrol.submitted(new_candidate())
    refused(
        InvalidTransition,
        lambda: flow.application_update(
            actor=enrol.staff,
            application=submitted,
            employer="x",
            current_job="x",
            work_years=1,
            declared_route=None,
        ),
    )


# ---------------------------------------------------------------- evidence


def test_evidence_is_stored_with_type_size_and_hash(enrol: Enrol) -> None:
    application = enrol.draft()
    evidence = flow.evidence_upload(
        actor=enrol.candidate,
        application=application,
        kind=EvidenceKind.PHOTO,
        uploaded_file=png("照片.PNG"),
    )
    evidence.file.open("rb")
    data = evidence.file.read()
    assert evidence.content_type == "image/png"
    assert evidence.size == len(data)
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.original_name == "照片.PNG"
    assert evidence.file.name.endswith(".png")
    assert "照片" not in evidence.file.name  # stored under a random name
    assert evidence.uploaded_by_label == enrol.candidate.label


def test_staff_upload_for_their_applicant(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    flow.evidence_upload(
        actor=enrol.staff, application=application, kind=EvidenceKind.DIPLOMA, uploaded_file=pdf()
    )
    refused(
        PermissionDenied,
        lambda: flow.evidence_upload(
            actor=enrol.staff_b,
            application=application,
            kind=EvidenceKind.DIPLOMA,
            uploaded_file=pdf(),
        ),
    )


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (SimpleUploadedFile("a.pdf", b"hello, not a pdf"), "file_type"),
        (SimpleUploadedFile("a.exe", b"MZ\x90\x00" + b"\x00" * 60), "file_type"),
        (SimpleUploadedFile("a.jpg", b""), "file_empty"),
        ("png-as-pdf", "file_extension"),
        ("too-big", "file_size"),
    ],
)
def test_evidence_is_checked_by_content_and_size(
    enrol: Enrol, refused: Any, upload: Any, code: str
) -> None:
    application = enrol.draft()
    if upload == "png-as-pdf":
        upload = png("scan.pdf")
    elif upload == "too-big":
        upload = pdf()
        upload.size = flow.EVIDENCE_MAX_BYTES + 1
    refused(
        DomainError,
        lambda: flow.evidence_upload(
            actor=enrol.candidate, application=application, kind="photo", uploaded_file=upload
        ),
        code,
    )
    assert not Evidence.objects.exists()


def test_an_oversized_body_is_refused_even_when_size_lies(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * flow.EVIDENCE_MAX_BYTES)
    upload.size = 10
    refused(
        DomainError,
        lambda: flow.evidence_upload(
            actor=enrol.candidate, application=application, kind="other", uploaded_file=upload
        ),
        "file_size",
    )


def test_evidence_removed_while_editable(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    evidence = flow.evidence_upload(
        actor=enrol.candidate, application=application, kind="other", uploaded_file=pdf()
    )
    flow.evidence_remove(actor=enrol.candidate, evidence=evidence)
    assert not Evidence.objects.exists()


# ---------------------------------------------------------------- pledge and submission


def test_the_candidate_signs_the_pledge(enrol: Enrol) -> None:
    application = sign(enrol.candidate, enrol.draft(), "2001:db8::1")
    assert application.pledge_signed_at is not None
    assert application.pledge_client_address == "2001:db8::1"
    assert application.pledge_text_sha256 == hashlib.sha256(flow.PLEDGE_TEXT.encode()).hexdigest()
    event = AuditEvent.objects.get(action="application.pledge_sign")
    assert event.changes["pledge"]["client_address"] == "2001:db8::1"


@pytest.mark.parametrize("role", ["institution_a", "city_a", "province"])
def test_nobody_else_signs_the_pledge(enrol: Enrol, refused: Any, role: str) -> None:
    application = enrol.draft()
    refused(
        PermissionDenied,
        lambda: sign(enrol.cast.actor(role), application),
        "not_self",
    )


def test_a_changed_pledge_text_is_refused(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    refused(
        DomainError,
        lambda: flow.pledge_sign(
            actor=enrol.candidate,
            application=application,
            client_address="192.0.2.1",
            pledge_text=flow.PLEDGE_TEXT + "。",
        ),
        "pledge_changed",
    )


def test_submission_needs_the_pledge(enrol: Enrol, refused: Any) -> None:
    application = enrol.draft()
    refused(
        DomainError,
        lambda: flow.application_submit(actor=enrol.candidate, application=application),
        "no_pledge",
    )


def test_submission_stores_the_engine_result(enrol: Enrol) -> None:
    application = enrol.submitted(years=7)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.eligible
    assert not application.diploma_pending
    holding = [r["index"] for r in application.eligibility if r["holds"]]
    assert holding == [1]
    assert application.eligibility[0]["reasons"] == ["需取得本职业五级/初级工证书（未找到）"]
    event = AuditEvent.objects.get(action="application.submit")
    assert event.changes["routes_holding"] == [1]
    assert event.changes["before"] == {"status": "draft"}


def test_without_the_work_proof_nothing_holds(enrol: Enrol) -> None:
    application = enrol.submitted(years=7, kinds=())
    assert not application.eligible
    assert application.eligibility[1]["reasons"] == ["工作年限满足（7年），但未上传工作年限证明"]


def test_a_graduating_student_is_marked_diploma_pending(enrol: Enrol) -> None:
    actor = enrol.candidate
    person = enrol.person()
    year = min(academic_graduation_years(timezone.localdate()))
    persons.student_status_add(
        actor=actor,
        person=person,
        school="昆明技工学校",
        school_type=SchoolType.TECHNICAL_SCHOOL,
        major="数控车工",
        enrollment_year=year - 3,
        graduation_year=year,
    )
    application = enrol.draft()
    flow.evidence_upload(
        actor=actor, application=application, kind=EvidenceKind.STUDENT_PROOF, uploaded_file=pdf()
    )
    sign(actor, application)
    application = flow.application_submit(actor=actor, application=application)
    assert application.eligible
    assert application.diploma_pending
    assert application.eligibility[2]["pending_diploma"]


def test_submission_refused_once_enrollment_closed(enrol: Enrol, refused: Any) -> None:
    application = sign(enrol.candidate, enrol.draft())
    Batch.objects.filter(pk=enrol.batch.pk).update(status=BatchStatus.ENROLLMENT_CLOSED)
    refused(
        InvalidTransition,
        lambda: flow.application_submit(actor=enrol.candidate, application=application),
        "not_enrolling",
    )


def test_withdrawal(enrol: Enrol, refused: Any) -> None:
    application = flow.application_withdraw(actor=enrol.candidate, application=enrol.draft())
    assert application.status == ApplicationStatus.WITHDRAWN
    refused(
        InvalidTransition,
        lambda: flow.application_withdraw(actor=enrol.candidate, application=application),
    )


def test_a_batch_of_another_province_is_just_another_batch(enrol: Enrol) -> None:
    elsewhere = make_batch(another_institution("510100"), enrol.world.lathe_std)
    assert enrol.draft(batch=elsewhere).batch_id == elsewhere.pk


# ---------------------------------------------------------------- concurrency (PostgreSQL)

RACERS = 5


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent registrations need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_make_one_person_and_one_application() -> None:
    enrol = build_enrol(build_cast())
    number = resident_id(area="530103", serial=99)
    barrier = threading.Barrier(RACERS)
    codes: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=30)
            flow.application_register(
                actor=enrol.staff,
                batch=enrol.batch,
                full_name="并发",
                id_type=IdType.RESIDENT,
                id_number=number,
            )
            codes.append("ok")
        except DomainError as exc:
            codes.append(exc.code)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(codes) == sorted(["ok"] + ["duplicate"] * (RACERS - 1))
    assert Person.objects.count() == 1
    assert Application.objects.count() == 1
