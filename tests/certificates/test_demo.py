"""The certificates demo: an approved batch issued through the services, one certificate
reissued (version 2) and one revoked; seed_demo stays idempotent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from skillcert.batches.choices import BatchStatus
from skillcert.certificates.choices import CertificateStatus, RunStatus, VersionReason
from skillcert.certificates.demo import TITLE
from skillcert.certificates.models import Certificate, CertificateVersion, IssuanceRun
from skillcert.certificates.tokens import verification_url
from skillcert.core.audit import verify_chain
from skillcert.core.demo import DEMO_PASSWORD
from skillcert.core.models import AuditEvent
from skillcert.results.choices import Outcome
from skillcert.results.models import Result
from tests.certificates.matrix_pages import keys_for_test

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


def test_seed_demo_issues_reissues_and_revokes_certificates() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    certificates = list(Certificate.objects.select_related("batch").order_by("number"))
    assert len(certificates) == 3
    batch = certificates[0].batch
    assert batch.title == TITLE
    # seed_demo then archives it (the archives demo), which keeps every record.
    assert batch.status == BatchStatus.ARCHIVED
    outcomes = sorted(
        Result.objects.filter(application__batch=batch).values_list("outcome", flat=True)
    )
    assert outcomes == sorted([Outcome.PASSED] * 3 + [Outcome.FAILED])
    run = IssuanceRun.objects.get(batch=batch)
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 3, 3)
    by_status = {c.status for c in certificates}
    assert by_status == {CertificateStatus.VALID, CertificateStatus.REVOKED}
    assert [c.version for c in certificates if c.status == CertificateStatus.VALID] in (
        [1, 2],
        [2, 1],
    )
    reissued = next(c for c in certificates if c.version == 2)
    second = CertificateVersion.objects.get(certificate=reissued, version=2)
    assert second.reason == VersionReason.REISSUE
    assert second.pdf
    assert second.credential
    assert CertificateVersion.objects.get(certificate=reissued, version=1).superseded_at
    assert all(v.pdf for v in CertificateVersion.objects.all())
    text = out.getvalue()
    assert "Certificates demo:" in text
    first = min(certificates, key=lambda c: c.application_id)
    assert verification_url(first.number, first.version) in text
    assert verify_chain()[1] is None
    # The candidate's login from the output opens 我的证书 with the certificate.
    username = first.person.user.username  # type: ignore[union-attr]
    assert username in text
    client = Client()
    login = {"username": username, "password": DEMO_PASSWORD}
    assert client.post(reverse("login"), login).status_code == 302
    assert first.number in client.get(reverse("certificates-mine")).content.decode()

    events = AuditEvent.objects.count()
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    assert AuditEvent.objects.count() == events
    assert Certificate.objects.count() == 3
