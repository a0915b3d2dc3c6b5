"""Access-matrix entries for the certificate pages (read by tests/core/test_access_matrix),
and the issued world the page tests share.

``issued_world(cast)`` builds an approved batch of institution A (tests/certificates/
conftest.py), makes the cast candidate the person of its first passed candidate and
issues the certificates through the services, running the issuance run in place.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.test import override_settings

from skillcert.certificates import issuance, keys, signing
from skillcert.certificates.models import Certificate, IssuanceRun
from skillcert.core.actors import Actor
from tests.certificates.conftest import CertKit, build_issuable
from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


_KEYS: list[tempfile.TemporaryDirectory[str]] = []


@contextmanager
def signing_keys() -> Iterator[Path]:
    """A deployment CA of the test process's own (``manage.py certificates_ca`` in a
    deployment), for the issuing institutions' PDF and credential signatures."""
    if not _KEYS:
        _KEYS.append(tempfile.TemporaryDirectory(prefix="skillcert-keys-"))
    folder = Path(_KEYS[0].name)
    with override_settings(SKILLCERT_KEYS_DIR=folder):
        keys.ensure_ca()
        yield folder


def keys_for_test(settings: Any, folder: Path) -> Path:
    """Point the settings at a CA of the test's own, for an autouse fixture."""
    settings.SKILLCERT_KEYS_DIR = folder
    signing.clear_signers()
    keys.ensure_ca()
    return folder


def link_candidate(ck: CertKit, index: int = 0) -> None:
    """Make the cast candidate the person of passed candidate ``index``."""
    person = ck.passed[index].person
    person.user = ck.cast.users["candidate"]
    person.save(update_fields=["user"])


def run_now(actor: Actor, ck: CertKit) -> IssuanceRun:
    """``issue_batch`` and its run, in place (the task waits for a commit that a test
    transaction never makes)."""
    with signing_keys():
        run = issuance.issue_batch(actor=actor, batch=ck.batch)
        claimed = issuance.claim_run(run.pk)
        assert claimed is not None
        return issuance.run_issuance(claimed)


def issued_world(cast: Cast, *, passed: int = 2, failed: int = 1) -> CertKit:
    ck = build_issuable(cast, passed=passed, failed=failed)
    link_candidate(ck)
    run_now(ck.admin, ck)
    return ck


def _world(c: Cast) -> dict[str, int]:
    """Built once per cast: the batch, the cast candidate's certificate and the run."""
    cached: dict[str, int] | None = getattr(c, "_certificate_pages", None)
    if cached is None:
        ck = issued_world(c)
        certificate = Certificate.objects.get(application=ck.passed[0])
        run = IssuanceRun.objects.get(batch=ck.batch)
        cached = {
            "batch": ck.batch.pk,
            "certificate": certificate.pk,
            "run": run.pk,
            "application": ck.passed[1].pk,
        }
        c._certificate_pages = cached  # type: ignore[attr-defined]
    return cached


def _batch(c: Cast) -> dict[str, Any]:
    return {"batch_pk": _world(c)["batch"]}


def _certificate(c: Cast) -> dict[str, Any]:
    return {"pk": _world(c)["certificate"]}


def _version(c: Cast) -> dict[str, Any]:
    return {**_certificate(c), "version": 1}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
SIGNED_IN = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302}
# A batch's issuance: its institution's staff and the HR authorities over it. Education
# officials and the batch's own candidate are in scope but refused; examiners act for
# themselves (person scope), so the batch is not theirs to see.
BATCH_READERS = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 403,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 403,
}
# One certificate and its files: the same readers, and its holder.
CERTIFICATE_READERS = {**BATCH_READERS, "candidate": 200}
# The search: HR authorities and institution staff, each within their scope.
SEARCHERS = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
SEARCHERS.update(province=200, city_a=200, city_b=200, institution_a=200, institution_b=200)


def certificates_pages_matrix() -> dict[str, Entry]:
    return {
        "certificates-list": (lambda c: (_world(c), {})[1], SEARCHERS),
        "certificates-mine": (lambda c: (_world(c), {})[1], SIGNED_IN),
        "certificates-batch": (_batch, BATCH_READERS),
        "certificates-issue": (_batch, POST_ONLY),
        "certificates-resume": (lambda c: {**_batch(c), "run_pk": _world(c)["run"]}, POST_ONLY),
        "certificates-issue-held": (
            lambda c: {**_batch(c), "application_pk": _world(c)["application"]},
            POST_ONLY,
        ),
        "certificates-summary-xlsx": (_batch, BATCH_READERS),
        "certificates-detail": (_certificate, CERTIFICATE_READERS),
        "certificates-pdf": (_version, CERTIFICATE_READERS),
        "certificates-credential": (_version, CERTIFICATE_READERS),
    }
