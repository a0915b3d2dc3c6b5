"""Revoking certificates: by the issuing institution or the HR authority over it, with a
reason; the record stays, the status-list bit is set and the query system told; a result
voided after issue leaves a pending revocation that is carried out (云人社函〔2023〕1号 一(四)).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from skillcert.certificates import dataintegrity, signing, statuslist, statuslists
from skillcert.certificates.changes import change_request_submit
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
    StatusListPublication,
)
from skillcert.certificates.revocation import (
    certificate_revoke,
    revocation_carry_out,
    revocations_pending,
)
from skillcert.certificates.statuslist import StatusList
from skillcert.certificates.tokens import verification_url
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import AuditEvent
from skillcert.results.choices import RevocationStatus
from skillcert.results.models import CertificateRevocation
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.matrix_changes import issue_all, link_holder, void_after_issue
from tests.certificates.matrix_pages import signing_keys
from tests.certificates.vc_node import node_verify
from tests.concurrency import race
from tests.conftest import build_cast, refuses

pytestmark = pytest.mark.django_db

REASON = "经查实，该考生冒名顶替参加考核。"


@pytest.fixture(autouse=True)
def keys() -> Iterator[Path]:
    signing.clear_signers()
    with signing_keys() as folder:
        yield folder


@pytest.fixture
def issued(ck: CertKit) -> list[Certificate]:
    made = issue_all(ck)
    return [link_holder(ck), *made[1:]]


def bit(certificate: Certificate) -> bool:
    publication = StatusListPublication.objects.get(institution=certificate.institution_id)
    encoded = publication.credential["credentialSubject"]["encodedList"]
    assert certificate.status_index is not None
    return StatusList.decode(encoded).get(certificate.status_index)


def test_the_institution_revokes_with_a_reason(ck: CertKit, issued: list[Certificate]) -> None:
    first, second = issued[0], issued[1]
    revoked = certificate_revoke(actor=ck.admin, certificate=first, reason=f"  {REASON} ")
    first.refresh_from_db()
    assert (first.status, first.revoked_reason) == (CertificateStatus.REVOKED, REASON)
    assert first.revoked_at is not None
    assert revoked.pk == first.pk
    # The record and every version stay.
    assert Certificate.objects.filter(pk=first.pk).exists()
    assert CertificateVersion.objects.filter(certificate=first).count() == 1
    assert bit(first) is True
    assert bit(second) is False
    message = OutboxMessage.objects.get(certificate=first, event=DeliveryEvent.REVOKED)
    assert (message.payload["status"], message.payload["revoked_reason"]) == (
        CertificateStatus.REVOKED,
        REASON,
    )
    event = AuditEvent.objects.get(action="certificates.revoke")
    assert event.changes["reason"] == REASON
    assert event.changes["status"] == [CertificateStatus.VALID, CertificateStatus.REVOKED]
    assert event.changes["status_list_revision"] >= 1


@pytest.mark.parametrize("role", ["city_a", "province"])
def test_the_hr_authority_over_the_institution_revokes(
    ck: CertKit, issued: list[Certificate], role: str
) -> None:
    certificate_revoke(actor=ck.cast.actor(role), certificate=issued[0], reason=REASON)
    issued[0].refresh_from_db()
    assert issued[0].status == CertificateStatus.REVOKED
    assert bit(issued[0]) is True


@pytest.mark.parametrize(
    "role", ["city_b", "institution_b", "education", "examiner", "candidate", "anonymous"]
)
def test_others_may_not_revoke(ck: CertKit, issued: list[Certificate], role: str) -> None:
    refuses(
        PermissionDenied,
        lambda: certificate_revoke(actor=ck.cast.actor(role), certificate=issued[0], reason=REASON),
    )
    issued[0].refresh_from_db()
    assert issued[0].status == CertificateStatus.VALID
    assert not OutboxMessage.objects.filter(event=DeliveryEvent.REVOKED).exists()
    assert not StatusListPublication.objects.exists()


def test_a_reason_is_required_and_revoking_twice_is_refused(
    ck: CertKit, issued: list[Certificate]
) -> None:
    refuses(
        DomainError,
        lambda: certificate_revoke(actor=ck.admin, certificate=issued[0], reason="  "),
        "reason_required",
    )
    certificate_revoke(actor=ck.admin, certificate=issued[0], reason=REASON)
    refuses(
        InvalidTransition,
        lambda: certificate_revoke(actor=ck.centre, certificate=issued[0], reason="再次撤销"),
        "already_revoked",
    )
    assert OutboxMessage.objects.filter(event=DeliveryEvent.REVOKED).count() == 1


def test_open_change_applications_are_rejected_with_the_revocation(
    ck: CertKit, issued: list[Certificate]
) -> None:
    request = change_request_submit(
        actor=ck.cast.actor("candidate"),
        certificate=issued[0],
        kind=VersionReason.REISSUE,
        reason="证书遗失。",
    )
    certificate_revoke(actor=ck.admin, certificate=issued[0], reason=REASON)
    request.refresh_from_db()
    assert request.status == ChangeStatus.REJECTED
    assert "撤销" in request.decision_note
    assert request.decided_at is not None
    assert AuditEvent.objects.get(action="certificates.revoke").changes[
        "change_requests_rejected"
    ] == [request.pk]
    assert ChangeRequest.objects.filter(status=ChangeStatus.SUBMITTED).count() == 0


def test_a_result_voided_after_issue_is_carried_out_as_a_revocation(
    ck: CertKit, issued: list[Certificate]
) -> None:
    void_after_issue(ck, 1, reason="替考，经查实。")
    row = CertificateRevocation.objects.get(application=ck.passed[1])
    assert row.status == RevocationStatus.PENDING
    assert list(revocations_pending(ck.admin)) == [row]
    revoked = revocation_carry_out(actor=ck.admin, revocation=row)
    assert revoked is not None
    assert revoked.pk == issued[1].pk
    issued[1].refresh_from_db()
    assert (issued[1].status, issued[1].revoked_reason) == (
        CertificateStatus.REVOKED,
        "替考，经查实。",
    )
    assert bit(issued[1]) is True
    assert bit(issued[0]) is False
    row.refresh_from_db()
    assert (row.status, row.done_at is not None) == (RevocationStatus.DONE, True)
    assert list(revocations_pending(ck.admin)) == []
    assert OutboxMessage.objects.filter(certificate=issued[1], event=DeliveryEvent.REVOKED).exists()
    refuses(
        InvalidTransition,
        lambda: revocation_carry_out(actor=ck.admin, revocation=row),
        "not_pending",
    )


def test_the_authority_carries_out_but_not_another_region(
    ck: CertKit, issued: list[Certificate]
) -> None:
    void_after_issue(ck, 1)
    row = CertificateRevocation.objects.get(application=ck.passed[1])
    assert list(revocations_pending(ck.cast.actor("city_b"))) == []
    for role in ("city_b", "institution_b", "education", "candidate"):
        refuses(
            PermissionDenied,
            partial(revocation_carry_out, actor=ck.cast.actor(role), revocation=row),
        )
    row.refresh_from_db()
    assert row.status == RevocationStatus.PENDING
    revocation_carry_out(actor=ck.centre, revocation=row)
    issued[1].refresh_from_db()
    assert issued[1].status == CertificateStatus.REVOKED


def test_without_an_issued_certificate_there_is_nothing_to_revoke(ck: CertKit) -> None:
    # Results approved, certificates not issued yet: the void leaves a pending row.
    void_after_issue(ck, 0)
    row = CertificateRevocation.objects.get(application=ck.passed[0])
    assert revocation_carry_out(actor=ck.admin, revocation=row) is None
    row.refresh_from_db()
    assert (row.status, row.done_at is not None) == (RevocationStatus.NOT_NEEDED, True)
    assert not Certificate.objects.filter(application=ck.passed[0]).exists()
    assert AuditEvent.objects.filter(action="certificates.revocation_not_needed").exists()


def test_a_manual_revocation_settles_the_pending_row(
    ck: CertKit, issued: list[Certificate]
) -> None:
    void_after_issue(ck, 1)
    certificate_revoke(actor=ck.cast.actor("city_a"), certificate=issued[1], reason=REASON)
    row = CertificateRevocation.objects.get(application=ck.passed[1])
    assert row.status == RevocationStatus.DONE


def test_a_row_for_a_certificate_revoked_before_is_only_closed(
    ck: CertKit, issued: list[Certificate]
) -> None:
    certificate_revoke(actor=ck.admin, certificate=issued[1], reason=REASON)
    void_after_issue(ck, 1)  # found later: the result is voided too
    row = CertificateRevocation.objects.get(application=ck.passed[1])
    assert revocation_carry_out(actor=ck.admin, revocation=row) is not None
    row.refresh_from_db()
    issued[1].refresh_from_db()
    assert row.status == RevocationStatus.DONE
    assert issued[1].revoked_reason == REASON  # the first revocation's reason stays
    assert OutboxMessage.objects.filter(event=DeliveryEvent.REVOKED).count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_revocations_revoke_once() -> None:
    cast = build_cast()
    ck = build_issuable(cast, passed=1, failed=0)
    with signing_keys():
        certificate = issue_all(ck)[0]
        outcomes = race(
            [
                lambda: certificate_revoke(actor=ck.admin, certificate=certificate, reason=REASON),
                lambda: certificate_revoke(
                    actor=cast.actor("city_a"), certificate=certificate, reason="属地撤销。"
                ),
            ]
        )
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], InvalidTransition), outcomes
    assert OutboxMessage.objects.filter(event=DeliveryEvent.REVOKED).count() == 1
    assert AuditEvent.objects.filter(action="certificates.revoke").count() == 1


def test_a_revoked_certificate_reads_revoked_everywhere(
    ck: CertKit, issued: list[Certificate], client: Client
) -> None:
    """Issue 7's acceptance: after the service revokes it, the QR page, the JSON API, the
    published status list (read by us and by the independent verifier) all say revoked,
    while its neighbour stays valid."""
    revoked, kept = issued[0], issued[1]
    certificate_revoke(actor=ck.centre, certificate=revoked, reason=REASON)
    revoked.refresh_from_db()
    for certificate, status, words in ((revoked, "revoked", "已撤销"), (kept, "valid", "有效")):
        page = client.get(verification_url(certificate.number, 1))
        assert page.status_code == 200
        assert words in page.content.decode()
        answer = client.get(
            f"/api/v1/public/certificates/{certificate.number}",
            {"name": certificate.holder_name},
        )
        assert answer.status_code == 200
        assert answer.json()["status"] == status
    assert REASON not in client.get(verification_url(revoked.number, 1)).content.decode()
    published = client.get(urlsplit(statuslists.status_list_url(revoked.institution)).path)
    assert published.status_code == 200
    listed = published.json()
    assert dataintegrity.verify(listed)

    def credential_of(certificate: Certificate) -> dict[str, Any]:
        version = CertificateVersion.objects.get(certificate=certificate, version=1)
        assert isinstance(version.credential, dict)
        return version.credential

    assert statuslist.status_of(credential_of(revoked), listed) is True
    assert statuslist.status_of(credential_of(kept), listed) is False
    documents = {statuslists.status_list_url(revoked.institution): listed}
    assert node_verify(credential_of(revoked), documents)["revoked"] is True
    assert node_verify(credential_of(kept), documents)["revoked"] is False
