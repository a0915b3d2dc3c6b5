"""Each institution's published status list: rebuilt from its revoked certificates and
re-signed, served without login, and read as "revoked" by our verifier and the independent
one (云人社函〔2023〕1号 一(四): a revoked certificate stays on record, marked revoked)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from skillcert.certificates import dataintegrity, keys, signing, statuslist, statuslists
from skillcert.certificates.choices import CertificateStatus, RunStatus
from skillcert.certificates.issuance import issue_batch
from skillcert.certificates.models import Certificate, CertificateVersion, StatusListPublication
from skillcert.institutions.models import Institution
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.vc_node import node_verify
from tests.concurrency import race_errors
from tests.conftest import Cast, build_cast
from tests.institutions.conftest import another_institution


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    settings.SKILLCERT_KEYS_DIR = tmp_path / "keys"
    signing.clear_signers()
    keys.ensure_ca()
    return tmp_path / "keys"


def issue_all(cast: Cast, capture: Callable[..., Any], passed: int = 3) -> list[Certificate]:
    ck: CertKit = build_issuable(cast, passed=passed, failed=1)
    with capture(execute=True):
        run = issue_batch(actor=ck.admin, batch=ck.batch)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return list(Certificate.objects.filter(batch=ck.batch).select_related("institution"))


@pytest.fixture
def certificates(
    cast: Cast, django_capture_on_commit_callbacks: Callable[..., Any]
) -> list[Certificate]:
    return issue_all(cast, django_capture_on_commit_callbacks)


def revoke(certificate: Certificate) -> None:
    """The revocation's own bookkeeping (its service lives elsewhere): the status saved,
    then the list re-published in the same transaction."""
    with transaction.atomic():
        Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.REVOKED)
        statuslists.publish_status_list(certificate.institution)


def credential_of(certificate: Certificate) -> dict[str, Any]:
    version = CertificateVersion.objects.get(certificate=certificate, version=1)
    assert isinstance(version.credential, dict)
    return version.credential


def test_the_list_url_is_the_public_address(settings: Any) -> None:
    institution = Institution(pk=42)
    assert statuslists.status_list_url(institution) == f"{settings.SITE_URL}/credentials/status/42"
    assert reverse("certificates-status-list", kwargs={"institution_pk": 42}) == (
        "/credentials/status/42"
    )


def test_list_size_hides_how_many_were_issued() -> None:
    assert statuslists.list_size(None) == statuslist.MIN_BITS
    assert statuslists.list_size(0) == statuslist.MIN_BITS
    assert statuslists.list_size(statuslist.MIN_BITS - 1) == statuslist.MIN_BITS
    assert statuslists.list_size(statuslist.MIN_BITS) == 2 * statuslist.MIN_BITS
    assert statuslists.list_size(5 * statuslist.MIN_BITS + 7) == 6 * statuslist.MIN_BITS


def test_a_revoked_certificates_bit_is_set_once_published(
    certificates: list[Certificate],
) -> None:
    institution = certificates[0].institution
    first = statuslists.publish_status_list(institution)
    assert first.revision == 1
    assert dataintegrity.verify(first.credential)
    assert not any(statuslist.status_of(credential_of(c), first.credential) for c in certificates)

    revoked, *kept = certificates
    revoke(revoked)
    publication = StatusListPublication.objects.get(institution=institution)
    assert publication.revision == 2
    assert dataintegrity.verify(publication.credential)
    assert publication.credential["id"] == statuslists.status_list_url(institution)
    assert statuslist.status_of(credential_of(revoked), publication.credential) is True
    assert [statuslist.status_of(credential_of(c), publication.credential) for c in kept] == [
        False
    ] * len(kept)
    bits = statuslist.StatusList.decode(publication.credential["credentialSubject"]["encodedList"])
    assert bits.size == statuslist.MIN_BITS
    assert [i for i in range(64) if bits.get(i)] == [revoked.status_index]


def test_the_independent_verifier_reads_the_revocation(certificates: list[Certificate]) -> None:
    revoked, kept = certificates[0], certificates[1]
    revoke(revoked)
    institution = revoked.institution
    documents = {statuslists.status_list_url(institution): statuslists.status_list_for(institution)}
    assert node_verify(credential_of(revoked), documents) == {
        "verified": True,
        "revoked": True,
        "error": None,
    }
    assert node_verify(credential_of(kept), documents)["revoked"] is False


def test_a_high_index_grows_the_list(certificates: list[Certificate]) -> None:
    far = certificates[-1]
    index = statuslist.MIN_BITS + 5
    Certificate.objects.filter(pk=far.pk).update(status_index=index)
    revoke(far)
    published = statuslists.status_list_for(far.institution)
    bits = statuslist.StatusList.decode(published["credentialSubject"]["encodedList"])
    assert bits.size == 2 * statuslist.MIN_BITS
    assert bits.get(index)


def test_only_the_institutions_own_certificates_count(
    cast: Cast, certificates: list[Certificate]
) -> None:
    other = another_institution()
    revoke(certificates[0])
    published = statuslists.publish_status_list(other)
    bits = statuslist.StatusList.decode(published.credential["credentialSubject"]["encodedList"])
    assert not any(bits.get(i) for i in range(64))
    assert dataintegrity.issuer_id(published.credential) != dataintegrity.issuer_id(
        statuslists.status_list_for(certificates[0].institution)
    )


def test_status_list_for_publishes_once(certificates: list[Certificate]) -> None:
    institution = certificates[0].institution
    assert not StatusListPublication.objects.exists()
    first = statuslists.status_list_for(institution)
    second = statuslists.status_list_for(institution)
    assert first == second
    assert StatusListPublication.objects.get().revision == 1


def test_a_rolled_back_revocation_leaves_the_list_as_it_was(
    certificates: list[Certificate],
) -> None:
    institution = certificates[0].institution
    before = statuslists.status_list_for(institution)

    class Abort(Exception):
        pass

    def revoke_then_fail() -> None:
        with transaction.atomic():
            revoke(certificates[0])
            raise Abort

    with pytest.raises(Abort):
        revoke_then_fail()
    publication = StatusListPublication.objects.get(institution=institution)
    assert publication.revision == 1
    assert publication.credential == before


# --- the public list ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "candidate", "institution_b", "city_b"])
def test_anyone_fetches_the_list_without_signing_in(
    cast: Cast, certificates: list[Certificate], role: str
) -> None:
    revoke(certificates[0])
    institution = certificates[0].institution
    response = cast.client(role).get(
        reverse("certificates-status-list", kwargs={"institution_pk": institution.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=60"
    served = json.loads(response.content)
    assert served == StatusListPublication.objects.get(institution=institution).credential
    assert statuslist.status_of(credential_of(certificates[0]), served) is True


def test_the_first_fetch_publishes_the_list(certificates: list[Certificate]) -> None:
    institution = certificates[0].institution
    url = reverse("certificates-status-list", kwargs={"institution_pk": institution.pk})
    response = Client().get(url)
    assert response.status_code == 200
    assert StatusListPublication.objects.get(institution=institution).revision == 1
    assert statuslist.status_of(credential_of(certificates[0]), json.loads(response.content)) is (
        False
    )


def test_unknown_or_silent_institutions_have_no_list(cast: Cast) -> None:
    silent = another_institution()  # registered, has issued nothing
    client = Client()
    for pk in (silent.pk, silent.pk + 10_000):
        url = reverse("certificates-status-list", kwargs={"institution_pk": pk})
        assert client.get(url).status_code == 404
    assert not StatusListPublication.objects.exists()  # an anonymous GET wrote nothing
    url = reverse("certificates-status-list", kwargs={"institution_pk": silent.pk})
    assert client.post(url).status_code == 405


# --- PostgreSQL: revocations at the same time ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent revocations need PostgreSQL (SQLite has a single writer)",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_revocations_each_keep_their_bit(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    certificates = issue_all(build_cast(), django_capture_on_commit_callbacks, passed=6)
    institution = certificates[0].institution

    def revoker(certificate: Certificate) -> Callable[[], object]:
        return lambda: revoke(certificate)

    # Twice: once racing for the first publication, once over an existing one.
    assert race_errors([revoker(c) for c in certificates[:3]]) == []
    assert race_errors([revoker(c) for c in certificates[3:]]) == []
    publication = StatusListPublication.objects.get(institution=institution)
    assert publication.revision == 6
    assert all(statuslist.status_of(credential_of(c), publication.credential) for c in certificates)
