"""Corrections (修改) and lost-certificate reissues (遗失补发): the holder or the issuing
institution applies, the issuing institution decides; approval keeps the number, makes
version 2 with a newly signed PDF and supersedes version 1; every version is kept.

The world (tests/certificates/conftest.py): institution A's level-5 车工 batch, three
passed candidates, their certificates issued; the cast's candidate holds the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.certificates import changes, signing
from skillcert.certificates.changes import change_request_decide, change_request_submit
from skillcert.certificates.choices import (
    CertificateStatus,
    ChangeStatus,
    DeliveryEvent,
    VersionReason,
)
from skillcert.certificates.models import (
    Certificate,
    CertificateVersion,
    ChangeRequest,
    OutboxMessage,
)
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.core.personal import id_index
from tests.certificates.conftest import CertKit
from tests.certificates.matrix_changes import issue_all, link_holder
from tests.certificates.matrix_pages import signing_keys
from tests.conftest import refuses
from tests.enrollment.conftest import pdf
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

NEW_ID = resident_id(area="530102", birth="19960315", serial=418)


@pytest.fixture(autouse=True)
def keys() -> Iterator[Path]:
    signing.clear_signers()
    with signing_keys() as folder:
        yield folder


@pytest.fixture
def held(ck: CertKit) -> Certificate:
    """The certificates issued; the cast's candidate holds the first."""
    issue_all(ck)
    return link_holder(ck)


def holder(ck: CertKit) -> Actor:
    return ck.cast.actor("candidate")


def fresh(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_related("person", "batch", "institution").get(
        pk=certificate.pk
    )


def correction(
    ck: CertKit, certificate: Certificate, *, actor: Actor | None = None, **fields: str
) -> ChangeRequest:
    new_id = fields.pop("new_id_number", "")
    return change_request_submit(
        actor=actor or holder(ck),
        certificate=certificate,
        kind=VersionReason.CORRECTION,
        reason="户籍登记姓名已更正。",
        changes=fields,
        new_id_number=new_id,
    )


# --- submitting -----------------------------------------------------------------------------


def test_the_holder_applies_for_a_name_correction(ck: CertKit, held: Certificate) -> None:
    request = change_request_submit(
        actor=holder(ck),
        certificate=held,
        kind=VersionReason.CORRECTION,
        reason="户籍登记姓名已更正。",
        changes={"holder_name": "  张更正 ", "id_type": held.id_type},
        evidence=pdf("户籍证明.pdf"),
    )
    assert (request.status, request.kind) == (ChangeStatus.SUBMITTED, VersionReason.CORRECTION)
    # Only the real change is kept; the unchanged ID type is not.
    assert request.changes == {"holder_name": "张更正"}
    assert request.new_id_number.plain == ""
    assert request.evidence.name.endswith(".pdf")
    assert "户籍证明" not in request.evidence.name  # stored under a random name
    assert request.requested_by_label == ck.cast.users["candidate"].display_name
    event = AuditEvent.objects.get(action="certificates.change_submit")
    assert event.changes["fields"] == ["holder_name"]
    assert event.changes["id_number_corrected"] is False
    assert len(event.changes["evidence_sha256"]) == 64
    # Nothing on the certificate changes until the decision.
    assert fresh(held).holder_name == held.holder_name
    assert fresh(held).version == 1


def test_a_corrected_id_number_is_validated_and_kept_encrypted(
    ck: CertKit, held: Certificate
) -> None:
    request = correction(ck, held, new_id_number=NEW_ID.lower())
    assert request.changes == {}
    assert request.new_id_number.plain == NEW_ID.upper()
    event = AuditEvent.objects.get(action="certificates.change_submit")
    assert event.changes["id_number_corrected"] is True
    assert NEW_ID not in str(event.changes)
    raw = ChangeRequest.objects.filter(pk=request.pk).values_list("new_id_number", flat=True)
    assert NEW_ID not in str(list(raw))  # ciphertext at rest


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"new_id_number": "530102199603150000"}, "invalid_id_number"),  # bad check digit
        ({"new_id_number": "5301021996031"}, "invalid_id_number"),
        # A passport type with a resident ID's digits is no document either.
        ({"id_type": IdType.HK_MO_PERMIT}, "invalid_id_number"),
        ({"id_type": "driving_licence"}, "invalid_id_type"),
        ({"holder_name": "名" * 65}, "invalid_name"),
    ],
)
def test_an_invalid_correction_is_refused(
    ck: CertKit, held: Certificate, fields: dict[str, Any], code: str
) -> None:
    refuses(DomainError, lambda: correction(ck, held, **fields), code)
    assert not ChangeRequest.objects.exists()


def test_a_correction_needs_a_real_change(ck: CertKit, held: Certificate) -> None:
    refuses(
        DomainError,
        lambda: correction(
            ck,
            held,
            holder_name=held.holder_name,
            id_type=held.id_type,
            new_id_number=held.id_number.plain,
        ),
        "nothing_to_correct",
    )
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize("field", ["occupation_name", "level", "issue_date", "outcome"])
def test_occupation_level_and_result_are_not_correctable(
    ck: CertKit, held: Certificate, field: str
) -> None:
    fields: dict[str, Any] = {"holder_name": "张更正", field: "1"}
    refuses(
        DomainError,
        lambda: correction(ck, held, **fields),
        "not_correctable",
    )
    assert not ChangeRequest.objects.exists()


def test_a_reissue_changes_nothing(ck: CertKit, held: Certificate) -> None:
    refuses(
        DomainError,
        lambda: change_request_submit(
            actor=holder(ck),
            certificate=held,
            kind=VersionReason.REISSUE,
            reason="遗失。",
            changes={"holder_name": "张更正"},
        ),
        "reissue_changes",
    )
    # The form's printed values sent back unchanged are no change.
    request = change_request_submit(
        actor=holder(ck),
        certificate=held,
        kind=VersionReason.REISSUE,
        reason="证书遗失。",
        changes={"holder_name": held.holder_name, "id_type": held.id_type},
    )
    assert (request.kind, request.changes) == (VersionReason.REISSUE, {})


@pytest.mark.parametrize(
    ("kind", "reason", "code"),
    [
        (VersionReason.ISSUED, "再发一次。", "invalid_kind"),
        (VersionReason.REISSUE, "  ", "reason_required"),
    ],
)
def test_kind_and_reason_are_checked(
    ck: CertKit, held: Certificate, kind: str, reason: str, code: str
) -> None:
    refuses(
        DomainError,
        lambda: change_request_submit(actor=holder(ck), certificate=held, kind=kind, reason=reason),
        code,
    )


def test_evidence_is_checked_like_every_upload(ck: CertKit, held: Certificate) -> None:
    fake = SimpleUploadedFile("证明.pdf", b"just text, not a PDF", content_type="application/pdf")
    refuses(
        DomainError,
        lambda: change_request_submit(
            actor=holder(ck),
            certificate=held,
            kind=VersionReason.REISSUE,
            reason="遗失。",
            evidence=fake,
        ),
        "file_type",
    )
    assert not ChangeRequest.objects.exists()


def test_the_issuing_institutions_staff_record_a_paper_application(
    ck: CertKit, held: Certificate
) -> None:
    request = correction(ck, held, actor=ck.admin, holder_name="张更正")
    assert request.requested_by_label == ck.admin.label


@pytest.mark.parametrize(
    "role", ["institution_b", "city_a", "province", "education", "examiner", "anonymous"]
)
def test_others_may_not_apply(ck: CertKit, held: Certificate, role: str) -> None:
    refuses(
        PermissionDenied,
        lambda: correction(ck, held, actor=ck.cast.actor(role), holder_name="张更正"),
    )
    assert not ChangeRequest.objects.exists()


def test_a_candidate_may_not_apply_for_someone_elses_certificate(
    ck: CertKit, held: Certificate
) -> None:
    other = Certificate.objects.get(application=ck.passed[1])
    refuses(PermissionDenied, lambda: correction(ck, other, holder_name="张更正"))


def test_one_open_application_per_certificate(ck: CertKit, held: Certificate) -> None:
    correction(ck, held, holder_name="张更正")
    error = refuses(
        InvalidTransition, lambda: correction(ck, held, holder_name="李更正"), "open_request"
    )
    assert "待审核" in str(error.message)
    assert ChangeRequest.objects.count() == 1


def test_the_database_constraint_refuses_a_parallel_second_application(
    ck: CertKit, held: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    correction(ck, held, holder_name="张更正")
    # A parallel application the check did not see: the constraint still refuses it.
    monkeypatch.setattr(changes, "_has_open", lambda certificate: False)
    error = refuses(
        InvalidTransition, lambda: correction(ck, held, holder_name="李更正"), "open_request"
    )
    assert "待审核" in str(error.message)
    assert ChangeRequest.objects.count() == 1


def test_a_revoked_certificate_takes_no_application(ck: CertKit, held: Certificate) -> None:
    Certificate.objects.filter(pk=held.pk).update(status=CertificateStatus.REVOKED)
    refuses(
        InvalidTransition,
        lambda: correction(ck, held, holder_name="张更正"),
        "certificate_revoked",
    )


# --- deciding -------------------------------------------------------------------------------


def test_approving_a_correction_makes_version_two_and_keeps_version_one(
    ck: CertKit, held: Certificate
) -> None:
    before = fresh(held)
    v1 = CertificateVersion.objects.get(certificate=held, version=1)
    assert v1.pdf
    assert v1.superseded_at is None
    request = correction(ck, held, holder_name="张更正", new_id_number=NEW_ID)
    decided = change_request_decide(actor=ck.admin, request=request, approve=True)
    after = fresh(held)
    assert (after.number, after.version) == (before.number, 2)
    assert after.holder_name == "张更正"
    assert after.id_number.plain == NEW_ID
    assert after.id_number_index == id_index(IdType.RESIDENT, NEW_ID)
    # The snapshot's other printed facts and the person record stay as they were.
    assert (after.occupation_code, after.level, after.issue_date) == (
        before.occupation_code,
        before.level,
        before.issue_date,
    )
    assert after.person.full_name == before.person.full_name
    versions = list(CertificateVersion.objects.filter(certificate=held).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    old, new = versions
    assert old.superseded_at is not None
    assert new.superseded_at is None
    assert old.pdf.name == v1.pdf.name
    assert old.pdf_sha256 == v1.pdf_sha256
    assert (new.reason, new.note) == (VersionReason.CORRECTION, request.reason)
    assert new.pdf
    assert new.pdf.name != old.pdf.name
    assert len(new.pdf_sha256) == 64
    assert new.pdf_sha256 != old.pdf_sha256
    assert new.credential is not None
    assert (decided.status, decided.version_id) == (ChangeStatus.APPROVED, new.pk)
    assert decided.decided_at is not None
    assert decided.decided_by_label == ck.admin.label
    message = OutboxMessage.objects.get(certificate=held, event=DeliveryEvent.CHANGED)
    assert (message.version, message.payload["holder_name"]) == (2, "张更正")
    assert NEW_ID not in str(message.payload)
    event = AuditEvent.objects.get(action="certificates.change_approve")
    assert event.changes["version"] == [1, 2]
    assert event.changes["fields"] == ["holder_name"]
    assert event.changes["id_number_corrected"] is True


def test_approving_a_reissue_keeps_the_content(ck: CertKit, held: Certificate) -> None:
    request = change_request_submit(
        actor=holder(ck), certificate=held, kind=VersionReason.REISSUE, reason="证书遗失。"
    )
    change_request_decide(actor=ck.admin, request=request, approve=True, note="同意补发。")
    after = fresh(held)
    assert (after.version, after.holder_name, after.id_number) == (
        2,
        held.holder_name,
        held.id_number,
    )
    new = CertificateVersion.objects.get(certificate=held, version=2)
    assert (new.reason, new.note) == (VersionReason.REISSUE, "同意补发。")
    # A later application is possible once this one is decided.
    again = correction(ck, held, holder_name="张更正")
    change_request_decide(actor=ck.admin, request=again, approve=True)
    assert fresh(held).version == 3
    assert (
        CertificateVersion.objects.filter(certificate=held, superseded_at__isnull=True).count() == 1
    )


def test_an_id_type_correction_recomputes_the_blind_index(ck: CertKit, held: Certificate) -> None:
    request = correction(ck, held, id_type=IdType.PASSPORT, new_id_number="E12345678")
    change_request_decide(actor=ck.admin, request=request, approve=True)
    after = fresh(held)
    assert (after.id_type, after.id_number.plain) == (IdType.PASSPORT, "E12345678")
    assert after.id_number_index == id_index(IdType.PASSPORT, "E12345678")


def test_rejection_needs_a_note_and_changes_nothing(ck: CertKit, held: Certificate) -> None:
    request = correction(ck, held, holder_name="张更正")
    refuses(
        DomainError,
        lambda: change_request_decide(actor=ck.admin, request=request, approve=False),
        "note_required",
    )
    decided = change_request_decide(
        actor=ck.admin, request=request, approve=False, note="未提供户籍证明。"
    )
    assert (decided.status, decided.decision_note) == (ChangeStatus.REJECTED, "未提供户籍证明。")
    assert decided.version is None
    assert fresh(held).version == 1
    assert CertificateVersion.objects.filter(certificate=held).count() == 1
    assert not OutboxMessage.objects.filter(event=DeliveryEvent.CHANGED).exists()
    assert AuditEvent.objects.get(action="certificates.change_reject").changes["note"]
    refuses(
        InvalidTransition,
        lambda: change_request_decide(actor=ck.admin, request=request, approve=True),
        "already_decided",
    )


@pytest.mark.parametrize("role", ["candidate", "institution_b", "city_a", "province", "education"])
def test_only_the_issuing_institution_decides(ck: CertKit, held: Certificate, role: str) -> None:
    request = correction(ck, held, holder_name="张更正")
    refuses(
        PermissionDenied,
        lambda: change_request_decide(actor=ck.cast.actor(role), request=request, approve=True),
    )
    request.refresh_from_db()
    assert request.status == ChangeStatus.SUBMITTED
    assert fresh(held).version == 1


def test_a_certificate_revoked_since_is_not_reissued(ck: CertKit, held: Certificate) -> None:
    request = correction(ck, held, holder_name="张更正")
    Certificate.objects.filter(pk=held.pk).update(status=CertificateStatus.REVOKED)
    refuses(
        InvalidTransition,
        lambda: change_request_decide(actor=ck.admin, request=request, approve=True),
        "certificate_revoked",
    )
    assert CertificateVersion.objects.filter(certificate=held).count() == 1
